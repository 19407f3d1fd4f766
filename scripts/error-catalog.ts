// Renders the README's error-code catalog from ERROR_CODES in lib/errors.ts;
// test/unit/readme.test.ts fails when the README's copy drifts from it, and
// test/unit/errors.test.ts when a code is not accepted by the class named here.
import { ERROR_CODES, type ErrorCode } from '../lib/errors';

export interface CatalogEntry {
  /** The class the code is thrown as (one class per family of failures). */
  thrownAs: string;
  /** The usual fix; each error's own `remedy` says it for the case at hand. */
  remedy: string;
}

export const CATALOG: Record<ErrorCode, CatalogEntry> = {
  E_ENV_ROLE: { thrownAs: 'EnvContractError', remedy: 'Set ELOQUENT_DB_ROLE to runtime or migration, or unset it (runtime).' },
  E_ENV_DIALECT: { thrownAs: 'EnvContractError', remedy: 'Set DB_CONNECTION to postgres, mysql or sqlite (or an alias the error lists).' },
  E_ENV_AMBIGUOUS: { thrownAs: 'EnvContractError', remedy: 'Set DB_CONNECTION to the dialect you mean, or unset the other family\'s variables.' },
  E_ENV_MISSING: { thrownAs: 'EnvContractError', remedy: 'Set one of the variables the error names (it lists the levels they are read from).' },
  E_ENV_PORT: { thrownAs: 'EnvContractError', remedy: 'Set the port variable to an integer from 1 to 65535, or unset it for the default.' },
  E_ENV_CONFLICT: { thrownAs: 'EnvContractError', remedy: 'Unset one of the two variables, or give both the same value.' },
  E_ENV_NO_DATABASE: { thrownAs: 'EnvContractError', remedy: 'Set DB_CONNECTION and the role\'s variables (or DATABASE_URL): the embedded SQLite file is for development only.' },
  E_ENV_SECRETS: { thrownAs: 'EnvContractError', remedy: 'Remove migration and admin credentials from the runtime environment.' },
  E_ENV_NOT_READ: { thrownAs: 'EnvContractError', remedy: 'Set DB_CONNECTION (or the variables of the role and mode in use), or unset the variables named.' },
  E_ENV_URL: { thrownAs: 'EnvContractError', remedy: 'Write the URL as scheme://user:password@host:port/database, with reserved characters percent-encoded.' },
  E_ENV_URL_PARAM: { thrownAs: 'EnvContractError', remedy: 'Remove the parameter; other settings go in the knex config.' },
  E_ENV_URL_DIALECT: { thrownAs: 'EnvContractError', remedy: 'Make the URL\'s scheme match the dialect, or move it to its own family\'s variable.' },
  E_ENV_URL_IN_FIELD: { thrownAs: 'EnvContractError', remedy: 'Put the URL in a *_URL variable, or only the bare value in this one.' },
  E_ENV_SSL: { thrownAs: 'EnvContractError', remedy: 'Set the TLS variable to an accepted value, or point the CA variable at a readable PEM file.' },
  E_ENV_FLAG: { thrownAs: 'EnvContractError', remedy: 'Set it to 1 or 0 (true or false), or unset it.' },
  E_KNEXFILE_ENV: { thrownAs: 'EnvContractError', remedy: 'Use one of the knexfile\'s environments (--env or NODE_ENV), or add it with createKnexfile({ environments }).' },
  E_RUNTIME_DDL: { thrownAs: 'RuntimeDdlError', remedy: 'Put the statement in a migration and run it with ELOQUENT_DB_ROLE=migration.' },
  E_RUNTIME_MIGRATE: { thrownAs: 'RuntimeDdlError', remedy: 'Run migrations with ELOQUENT_DB_ROLE=migration (npx knex-roles migrate latest).' },
  E_GUARD_DIALECT: { thrownAs: 'GuardError', remedy: 'Use a pg, mysql2 or better-sqlite3 knex client.' },
  E_GUARD_SESSION: { thrownAs: 'GuardSessionError', remedy: "Keep the runtime session at UTF8 / utf8mb4, without NO_BACKSLASH_ESCAPES or MSSQL in sql_mode, in the application's database." },
  E_GUARD_IN_USE: { thrownAs: 'UnguardedPathError', remedy: 'Call guard() before the instance runs anything, or build it with createKnex().' },
  E_GUARD_EARLIER_CLONE: { thrownAs: 'UnguardedPathError', remedy: 'Make withUserParams() copies after guard(), or build the instance with createKnex().' },
  E_PRIVILEGES: { thrownAs: 'PrivilegeError', remedy: 'Provision the users (ELOQUENT_DB_ROLE=migration npx knex-roles provision), or grant / revoke what the error lists.' },
  E_DRIVER_MISSING: { thrownAs: 'ConnectionError', remedy: 'npm install the driver named (pg or mysql2).' },
  E_KNEX_INTERNALS: { thrownAs: 'ConnectionError', remedy: 'Install the knex version range knex-roles declares (npm ls knex shows which one is used).' },
  E_UNREACHABLE: { thrownAs: 'UnreachableError', remedy: 'Start the server, or point the host and port variables at it.' },
  E_LOGIN_REFUSED: { thrownAs: 'LoginRefusedError', remedy: 'Check the user, password and database variables the error names; provision the users if they do not exist yet.' },
  E_TLS: { thrownAs: 'TlsError', remedy: 'Point the CA variable at the CA that signed the server\'s certificate and connect by a name it lists, or turn TLS off for a server without it.' },
  E_MIGRATION_FAILED: { thrownAs: 'MigrationFailedError', remedy: 'Fix the migration named and run the command again (`kept` says what the run left).' },
  E_MIGRATION_LOCKED: { thrownAs: 'MigrationError', remedy: 'Let the other run finish; only if its holder is dead, release the lock (ELOQUENT_DB_ROLE=migration npx knex migrate:unlock).' },
  E_POOLED_MIGRATION: { thrownAs: 'PooledMigrationError', remedy: 'Point the migration role at the database directly (e.g. PG_MIGRATION_URL), not through the pooler.' },
  E_MIGRATE_REFUSED: { thrownAs: 'MigrationError', remedy: 'Take a backup and pass --force --yes (options force: true, yes: true).' },
  E_NOT_MIGRATED: { thrownAs: 'MigrationError', remedy: 'Run the migrations first: ELOQUENT_DB_ROLE=migration npx knex-roles migrate latest.' },
  E_PROVISION: { thrownAs: 'ProvisionError', remedy: 'Do what the error\'s remedy says: it names the admin privilege, user or account at fault.' },
  E_USAGE: { thrownAs: 'UsageError', remedy: 'Pass the options the message names, each of the type it names; use one of the migrate commands the error lists (latest, rollback, up, down, status, list, fresh, reset) and a migration name from `knex-roles migrate list`; call setup() before db.' },
  E_CLI_USAGE: { thrownAs: 'UsageError', remedy: 'Run knex-roles --help.' },
};

export function renderErrorCatalog(): string {
  const rows = ['| Code | Class | Meaning | Remedy |', '| --- | --- | --- | --- |'];
  for (const [code, meaning] of Object.entries(ERROR_CODES) as Array<[ErrorCode, string]>) rows.push(`| \`${code}\` | \`${CATALOG[code].thrownAs}\` | ${meaning} | ${CATALOG[code].remedy} |`);
  return rows.join('\n');
}

if (require.main === module) console.log(renderErrorCatalog());
