// The public surface of knex-roles, exported by name. Every value here is in the README's
// API table (test/integration/packed-package.test.ts checks the two are the same list),
// and every type a signature here uses is exported too (test/unit/api-types.test.ts).
export type { Dialect, Role } from './types';

// Connections: env contract → resolved connection → knex config → (guarded) instance.
export { resolveConnection, type FileConnection, type ResolveOptions, type ResolvedConnection, type ServerConnection } from './env/resolve-connection';
export type { Env } from './env/load-env';
export type { SslMode, SslOption } from './env/tls';
export type { ResolvedReplica } from './env/resolve-read-replicas';
export { createKnex, createKnexfile, knexConfig } from './knexfile';
export type { CreateKnexOptions, Knexfile, KnexfileEnvironment, KnexfileOptions, KnexRolesOptions, ResolvedOptions } from './knexfile';
export { guard, type GuardInstanceOptions } from './guard/guard';
export { withReadYourWrites } from './replicas/read-your-writes';
export type { ReadReplicaOptions } from './replicas/read-routing';

// The commands load on first call (lib/lazy.ts); their types come from their modules.
export { doctor, provision, runMigrations, startKnex, verifyPrivileges } from './lazy';
export type { StartOptions, Started } from './start-knex';
export type { WaitOptions } from './connection/wait-for-database';
export type { ReplicaReport, ReplicaVerdict } from './replicas/check-replica';
export type { PrivilegeReport, VerifyOptions } from './checks/verify-privileges';
export type { DoctorOptions, DoctorReport, DoctorRoleReport, DoctorVerdict } from './checks/doctor';
export type { PoolerMode } from './dialects/postgres/pooler';
export type {
  CompletedMigration,
  Direction,
  MigrateCommand,
  MigrateDryRunResult,
  MigrateEvent,
  MigrateOptions,
  MigratePreviewResult,
  MigrateReadResult,
  MigrateResult,
  MigrateResultBase,
  MigrateRunResult,
  PreviewStatement,
  SchemaObjectKind,
} from './migrate/types';
export type { ProvisionDialect, ProvisionDryRunOptions, ProvisionOptions } from './provision';
export type { AdminConnection, ProvisionPlan, ProvisionReport, ProvisionStep } from './dialects/provision-plan';
export { checkSecrets, type CheckSecretsOptions } from './checks/secrets-in-env';

// Errors: the classes are in `knex-roles/errors` (lib/error-classes.ts); this check works
// across module copies, and its type is the base every error of this package extends.
export { isKnexRolesError, type ErrorCode, type KnexRolesError } from './errors';
