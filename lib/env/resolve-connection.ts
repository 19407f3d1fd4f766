import { isAbsolute, resolve } from 'node:path';
import { EnvContractError } from '../errors';
import type { Dialect, Role } from '../types';
import { DEFAULTS, EMBEDDED_SQLITE, FIELDS, REQUIRED, ROLE_VARIABLE, levelsFor, type Field, type Mode } from './contract';
import { loadEnv, readVariable, type Env } from './load-env';
import { resolveDialect } from './resolve-dialect';
import { resolveRole } from './resolve-role';
import { hidePassword } from './hide-password';
import { APP_TEMPORARY_TABLES_VARIABLE, resolveFlag } from './resolve-flag';

export interface ResolveOptions {
  /** Overrides ELOQUENT_DB_ROLE. */
  role?: Role;
  /** Overrides DB_CONNECTION / inference. */
  dialect?: Dialect;
  /** Test mode: read only the DB_TEST_* / PG_TEST_* / SQLITE_TEST_* variables. Default: NODE_ENV=test. */
  test?: boolean;
  /** Production mode: no embedded SQLite fallback. Default: NODE_ENV=production. */
  production?: boolean;
  /** The environment to read. Default: process.env over `.env` in `cwd`. */
  env?: Env;
  /** Project directory for `.env`, the embedded SQLite files and relative SQLite paths. Default: process.cwd(). */
  cwd?: string;
  /** PostgreSQL: overrides PG_SCHEMA (and its role and test variants). Default: public. */
  schema?: string;
  /**
   * The app may create temporary tables: provision grants them, the runtime guard lets
   * `CREATE TEMPORARY TABLE` through, verify expects the grant. Overrides
   * KNEX_ROLES_APP_TEMPORARY_TABLES. Default false.
   */
  appTemporaryTables?: boolean;
}

export interface ServerConnection {
  host: string;
  port: number;
  user: string;
  /** Non-enumerable: readable by knex and the drivers, invisible to inspect and JSON. */
  password?: string;
  database: string;
}

export interface FileConnection {
  filename: string;
}

export interface ResolvedConnection {
  role: Role;
  dialect: Dialect;
  test: boolean;
  connection: ServerConnection | FileConnection;
  /** Where each value came from: a variable name, `default`, `option`, `embedded` or `inferred from <VAR>`. */
  sources: Record<string, string>;
  /** PostgreSQL: the schema (PG_SCHEMA …) for searchPath, knex's own tables and verify; unset means the server's default (public). */
  schema?: string;
  /** The app-temporary-tables opt-in (option or KNEX_ROLES_APP_TEMPORARY_TABLES). */
  appTemporaryTables: boolean;
}

/** Resolves role, dialect and connection from the env contract (seed 000). */
export function resolveConnection(options: ResolveOptions = {}): ResolvedConnection {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? loadEnv(cwd);
  const test = options.test ?? readVariable(env, 'NODE_ENV') === 'test';
  const production = !test && (options.production ?? readVariable(env, 'NODE_ENV') === 'production');
  const mode: Mode = test ? 'test' : 'live';
  const role = options.role ?? resolveRole(env);
  const picked = options.dialect ? { dialect: options.dialect, source: 'option' } : resolveDialect(env, role, mode);
  const { dialect } = picked;
  const sources: Record<string, string> = {
    role: options.role ? 'option' : readVariable(env, ROLE_VARIABLE) ? ROLE_VARIABLE : 'default',
    dialect: picked.source,
  };

  const temporary = resolveFlag(env, APP_TEMPORARY_TABLES_VARIABLE, options.appTemporaryTables);
  const appTemporaryTables = temporary.value;
  sources['appTemporaryTables'] = temporary.source;

  const values: Partial<Record<Field, string>> = {};
  for (const field of Object.keys(FIELDS[dialect]) as Field[]) {
    const found = readField(env, dialect, role, mode, field);
    if (found) {
      values[field] = found.value;
      sources[field] = found.variable;
    }
  }

  for (const field of REQUIRED[dialect]) {
    if (values[field] === undefined) throw missing(env, dialect, role, mode, field);
  }

  if (dialect === 'sqlite') {
    let filename = values.filename;
    if (filename === undefined) {
      if (production) {
        const names = levelsFor(dialect, role, mode, 'filename').flat();
        throw new EnvContractError(
          picked.source === 'default' ? 'E_ENV_NO_DATABASE' : 'E_ENV_MISSING',
          `NODE_ENV=production and no database is configured for the ${role} role (the embedded SQLite file is for development only).`,
          picked.source === 'default' ? ['DB_CONNECTION', ...names] : names,
          `Set DB_CONNECTION and the ${role} variables of your database, or ${names.join(' / ')} for SQLite.`,
        );
      }
      filename = EMBEDDED_SQLITE[mode];
      sources['filename'] = 'embedded';
    }
    const connection: FileConnection = { filename: isSpecialSqlitePath(filename) || isAbsolute(filename) ? filename : resolve(cwd, filename) };
    return { role, dialect, test, connection, sources, appTemporaryTables };
  }

  const port = parsePort(values.port, sources['port']);
  const defaults = DEFAULTS[dialect];
  if (values.host === undefined) sources['host'] = 'default';
  if (values.port === undefined) sources['port'] = 'default';
  const connection: ServerConnection = {
    host: values.host ?? String(defaults.host),
    port: port ?? Number(defaults.port),
    user: values.user as string,
    database: values.database as string,
  };
  hidePassword(connection, values.password);
  const resolved: ResolvedConnection = { role, dialect, test, connection, sources, appTemporaryTables };
  // The schema is not part of the driver's connection: it goes to searchPath and migrations.schemaName.
  const schema = dialect === 'postgres' ? (options.schema ?? values.schema) : undefined;
  if (options.schema !== undefined && dialect === 'postgres') sources['schema'] = 'option';
  if (schema !== undefined) resolved.schema = schema;
  return resolved;
}

function readField(env: Env, dialect: Dialect, role: Role, mode: Mode, field: Field): { value: string; variable: string } | undefined {
  for (const level of levelsFor(dialect, role, mode, field)) {
    let found: { value: string; variable: string } | undefined;
    for (const variable of level) {
      const value = readVariable(env, variable, field === 'password');
      if (value === undefined) continue;
      if (found && found.value !== value) {
        throw new EnvContractError(
          'E_ENV_CONFLICT',
          `${found.variable} and ${variable} are both set, to different values.`,
          [found.variable, variable],
          `They mean the same thing: unset one of them.`,
        );
      }
      found ??= { value, variable };
    }
    if (found) return found;
  }
  return undefined;
}

function missing(env: Env, dialect: Dialect, role: Role, mode: Mode, field: Field): EnvContractError {
  const names = levelsFor(dialect, role, mode, field).flat();
  const what = field === 'database' ? 'database name' : field;
  let remedy = `Set ${names.join(' or ')}.`;
  if (mode === 'test') {
    // Say why a live value that *is* set was not used: test mode never reads it.
    const live = levelsFor(dialect, role, 'live', field).flat().filter((name) => readVariable(env, name) !== undefined);
    if (live.length > 0) remedy += ` Test mode never reads ${live.join(', ')}, so a test suite cannot reach a live database.`;
  }
  return new EnvContractError('E_ENV_MISSING', `No ${role} ${what} for ${dialect}${mode === 'test' ? ' (test mode)' : ''}.`, names, remedy);
}

function parsePort(value: string | undefined, variable: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (port >= 1 && port <= 65535) return port;
  const name = variable ?? 'port';
  throw new EnvContractError('E_ENV_PORT', `${name} is not an integer from 1 to 65535.`, [name], `Set ${name} to a port number such as 5432 or 3306, or unset it for the default.`);
}

function isSpecialSqlitePath(filename: string): boolean {
  return filename === ':memory:' || filename.startsWith('file:');
}
