// The public surface of knex-roles, exported by name.
export type { Dialect, Role } from './types';
export { DIALECTS, ROLES } from './types';

export { ERROR_CODES, EnvContractError, GuardSessionError, KnexRolesError, RuntimeDdlError } from './errors';
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

export { configFor, createKnex, createKnexfile, knexConfig, type Knexfile, type KnexfileEnvironment, type KnexRolesOptions } from './knexfile';

export { classifySql, type Classification, type ClassifiedStatement, type StatementKind } from './guard/classify';
export { guard, type GuardInstanceOptions } from './guard/guard';

export { PrivilegeError, UnreachableError, type PrivilegeProblem } from './errors';
export { startKnex, startKnexWithReport, type StartOptions, type Started } from './start-knex';
export { waitForDatabase, type WaitOptions } from './wait-for-database';
export { verifyPrivileges, assertPrivileges, type PrivilegeReport, type VerifyOptions } from './verify-privileges';
export { checkSecrets, secretsInEnv, type CheckSecretsOptions } from './secrets-in-env';
export { doctor, formatDoctor, type DoctorOptions, type DoctorReport, type DoctorRoleReport, type DoctorVerdict } from './doctor';
export { runMigrations } from './migrate/run-migrations';
export { MIGRATE_COMMANDS, type MigrateCommand, type MigrateEvent, type MigrateOptions, type MigrateResult } from './migrate/types';
export { provision as provisionPostgres, provisionSteps as provisionStepsPostgres } from './dialects/postgres/provision';
export { provision as provisionMysql, provisionSteps as provisionStepsMysql } from './dialects/mysql/provision';
export type { AdminConnection, ProvisionPlan, ProvisionReport, ProvisionStep } from './dialects/provision-plan';
export { secretValues, redact } from './redact';
export { LoginRefusedError, TlsError } from './errors';
export { MigrationFailedError } from './migrate/errors';
export { isKnexRolesError } from './errors';
export { knexFor } from './knexfile';
