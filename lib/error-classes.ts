// The `knex-roles/errors` entry: the error classes, for `instanceof` (the main entry
// keeps only isKnexRolesError, which also works across module copies).
export { isKnexRolesError, KnexRolesError, EnvContractError, GuardError, RuntimeDdlError, GuardSessionError, UnguardedPathError, PrivilegeError } from './errors';
export { ConnectionError, UnreachableError, LoginRefusedError, TlsError, MigrationError, MigrationFailedError, PooledMigrationError, ProvisionError, UsageError } from './errors';
export type { ConnectionCode, Endpoint, EnvCode, ErrorCode, GuardCode, GuardSessionFields, KnexRolesErrorOptions, MigrationCode, MigrationFailedFields, PooledMigrationFields, PrivilegeFields, PrivilegeProblem, RuntimeDdlCode, RuntimeDdlErrorFields, UnguardedPathCode, UsageCode } from './errors';
