// The public surface of knex-roles, exported by name.
export type { Dialect, Role } from './types';
export { DIALECTS, ROLES } from './types';

export { ERROR_CODES, EnvContractError, GuardSessionError, KnexRolesError, RuntimeDdlError, UnguardedPathError } from './errors';
export type { ErrorCode, RuntimeDdlErrorFields } from './errors';

export { contractRows, levelsFor, type ContractRow, type Field, type Mode } from './env/contract';
export { findEnvFile, loadEnv, type Env } from './env/load-env';
export { passwordOf } from './env/hide-password';
export { parseUrl, type ParsedUrl } from './env/parse-url';
export { SSL_MODES, type SslMode, type SslOption } from './env/tls';
export { resolveRole } from './env/resolve-role';
export { resolveDialect, type ResolvedDialect } from './env/resolve-dialect';
export {
  resolveConnection,
  type FileConnection,
  type ResolveOptions,
  type ResolvedConnection,
  type ServerConnection,
} from './env/resolve-connection';
export { resolveProvisioning, type Credentials, type ResolvedProvisioning } from './env/resolve-provisioning';

export { configFor, createKnex, createKnexfile, knexConfig, type Knexfile, type KnexfileEnvironment, type KnexfileOptions, type KnexRolesOptions } from './knexfile';

export { classifySql, type Classification, type ClassifiedStatement, type StatementKind } from './guard/classify';
export { withReadYourWrites } from './replicas/read-your-writes';
export type { ReadReplicaOptions } from './replicas/read-routing';
export { guard, type GuardInstanceOptions } from './guard/guard';

export { PrivilegeError, UnreachableError, type PrivilegeProblem } from './errors';
// The commands load on first call (lib/lazy.ts); their types come from their modules.
export { startKnex, startKnexWithReport, waitForDatabase, verifyPrivileges, assertPrivileges, doctor, formatDoctor, runMigrations } from './lazy';
export { provisionPostgres, provisionStepsPostgres, provisionMysql, provisionStepsMysql } from './lazy';
export type { StartOptions, Started } from './start-knex';
export type { WaitOptions } from './wait-for-database';
export type { PrivilegeReport, VerifyOptions } from './verify-privileges';
export { checkSecrets, secretsInEnv, type CheckSecretsOptions } from './secrets-in-env';
export type { DoctorOptions, DoctorReport, DoctorRoleReport, DoctorVerdict } from './doctor';
export { MIGRATE_COMMANDS, type MigrateCommand, type MigrateEvent, type MigrateOptions, type MigrateResult } from './migrate/types';
export type { AdminConnection, ProvisionPlan, ProvisionReport, ProvisionStep } from './dialects/provision-plan';
export { secretValues, redact } from './redact';
export { LoginRefusedError, PooledMigrationError, TlsError } from './errors';
export { ConnectionError, GuardError, MigrationError, MigrationFailedError, ProvisionError, UsageError } from './errors';
export { isKnexRolesError } from './errors';
export { knexFor } from './knexfile';
export { assertMigrated, migrationStatus, type MigrationStatus } from './pending-migrations';
