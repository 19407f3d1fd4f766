import { EnvContractError } from '../errors';
import { dialectModule } from '../dialects/registry';
import type { Dialect } from '../types';
import { SELECTOR, adminVariable, type Mode } from './contract';
import { loadEnv, readVariable } from './load-env';
import { hidePassword, passwordOf } from './hide-password';
import { resolveConnection, type ResolveOptions, type ServerConnection } from './resolve-connection';

export interface Credentials {
  user: string;
  password?: string;
}

export interface ResolvedProvisioning {
  /** A dialect with users to provision (its module has `provision`). */
  dialect: Dialect;
  test: boolean;
  /** Admin login: host, port and database of the migration connection, user and password from *_ADMIN_*. */
  admin: ServerConnection;
  database: string;
  migrator: Credentials;
  app: Credentials;
  sources: Record<string, string>;
  /** PostgreSQL: the schema of both roles (PG_SCHEMA …); unset means public. */
  schema?: string;
  /** The app-temporary-tables opt-in (option or KNEX_ROLES_APP_TEMPORARY_TABLES). */
  appTemporaryTables: boolean;
}

/**
 * Everything `knex-roles provision` needs: the admin identity (DB_ADMIN_* / PG_ADMIN_*,
 * test variants DB_TEST_ADMIN_* / PG_TEST_ADMIN_*) and the migrator and app credentials
 * of the migration and runtime scopes of the same contract.
 */
export function resolveProvisioning(options: Omit<ResolveOptions, 'role'> = {}): ResolvedProvisioning {
  const env = options.env ?? loadEnv(options.cwd);
  const migration = resolveConnection({ ...options, env, role: 'migration' });
  const runtime = resolveConnection({ ...options, env, role: 'runtime', dialect: migration.dialect });
  const { dialect, test } = migration;
  const { label, provision } = dialectModule(dialect);
  if (provision === undefined || !('user' in migration.connection) || !('user' in runtime.connection)) {
    const source = migration.sources['dialect'] ?? 'default';
    throw new EnvContractError(
      'E_ENV_DIALECT',
      `The dialect resolved to ${label} (${source === 'default' ? 'the embedded default: no database is configured' : `from ${source}`}), which has no users to provision.`,
      { variables: [SELECTOR[test ? 'test' : 'live'][0] ?? 'DB_CONNECTION'], remedy: `Set DB_CONNECTION to mysql or postgres (and their variables) to provision users; on ${label} only the guard applies.` },
    );
  }
  if (migration.connection.database !== runtime.connection.database) {
    throw new EnvContractError(
      'E_ENV_CONFLICT',
      `The migration and runtime database names differ (${migration.sources['database']} vs ${runtime.sources['database']}).`,
      { variables: [migration.sources['database'] ?? '', runtime.sources['database'] ?? ''], remedy: 'Both users are provisioned on one database: point both variables at the same name.' },
    );
  }
  if (migration.schema !== runtime.schema) {
    throw new EnvContractError(
      'E_ENV_CONFLICT',
      `The migration and runtime schemas differ (${migration.sources['schema'] ?? 'unset: public'} vs ${runtime.sources['schema'] ?? 'unset: public'}).`,
      { variables: [migration.sources['schema'] ?? 'PG_MIGRATION_SCHEMA', runtime.sources['schema'] ?? 'PG_RUNTIME_SCHEMA'], remedy: 'The app reads the tables the migrator creates: point both at the same schema (PG_SCHEMA sets both).' },
    );
  }
  const mode: Mode = test ? 'test' : 'live';
  const userVariable = adminVariable(dialect, mode, 'user') as string;
  const passwordVariable = adminVariable(dialect, mode, 'password') as string;
  const adminUser = readVariable(env, userVariable);
  if (adminUser === undefined) {
    throw new EnvContractError('E_ENV_MISSING', `No admin user to provision with.`, { variables: [userVariable], remedy: `Set ${userVariable} (and ${passwordVariable}) to a user that can create roles; it is used only by provision.` });
  }
  const admin: ServerConnection = { host: migration.connection.host, port: migration.connection.port, user: adminUser, database: migration.connection.database };
  if (migration.connection.ssl !== undefined) admin.ssl = migration.connection.ssl;
  hidePassword(admin, readVariable(env, passwordVariable, true));
  const resolved: ResolvedProvisioning = {
    dialect,
    test,
    appTemporaryTables: migration.appTemporaryTables,
    admin,
    database: migration.connection.database,
    migrator: credentials(migration.connection),
    app: credentials(runtime.connection),
    sources: { admin: userVariable, migrator: migration.sources['user'] ?? '', app: runtime.sources['user'] ?? '' },
  };
  if (migration.schema !== undefined) {
    resolved.schema = migration.schema;
    resolved.sources['schema'] = migration.sources['schema'] ?? '';
  }
  return resolved;
}

function credentials(connection: ServerConnection): Credentials {
  return hidePassword({ user: connection.user }, passwordOf(connection));
}
