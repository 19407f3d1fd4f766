import { isAbsolute, resolve } from 'node:path';
import { projectRoot } from './project-root';
import { EnvContractError } from '../errors';
import type { Dialect, Role } from '../types';
import { DATABASE_URL, DEFAULTS, EMBEDDED_SQLITE, FIELDS, REQUIRED, ROLE_VARIABLE, SCOPES, levelsFor, urlLevelsFor, urlVariable, type Field, type Mode } from './contract';
import { loadEnv, readVariable, type Env } from './load-env';
import { parseUrl, type ParsedUrl } from './parse-url';
import { resolveDialect } from './resolve-dialect';
import { resolveRole } from './resolve-role';
import { holdPassword } from './hide-password';
import { sslOption, type SslOption } from './tls';
import { strayVariables } from './stray-variables';
import { at } from './level-of';
import { carriesCredentials, urlInField } from './url-in-field';
import { APP_TEMPORARY_TABLES_VARIABLE, resolveFlag } from './resolve-flag';
import { parsePort } from './parse-port';
import { misplacedReadUrl, readUrlsOnSqlite, resolveReadReplicas, type ResolvedReplica } from './resolve-read-replicas';
import { isProduction, modeOf } from './mode-of';
import { dialectModule, dialectModules } from '../dialects/registry';
import { checkedOptions, type OptionSpec } from '../checked-options';

export interface ResolveOptions {
  /** Overrides ELOQUENT_DB_ROLE. */
  role?: Role;
  /** Overrides DB_CONNECTION / inference. */
  dialect?: Dialect;
  /** Test mode: read only the DB_TEST_* / PG_TEST_* / SQLITE_TEST_* variables. Default: NODE_ENV=test. */
  test?: boolean;
  /** Production mode: no embedded SQLite fallback. Default: NODE_ENV=production. */
  production?: boolean;
  /** The environment to read. Default: process.env over the project's `.env` (see loadEnv). */
  env?: Env;
  /** Where to look for the project: its `.env`, and (from the nearest package.json at or above it) the embedded SQLite files, relative SQLite paths and relative CA files. Default: process.cwd(). */
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
  /**
   * Never a plain property: on knex connections a function (pg) or the `password1` alias
   * (mysql2), on credentials an accessor. Read it with `passwordOf()`.
   */
  password?: string | (() => string);
  database: string;
  /** The driver's TLS option (PG_SSLMODE / DB_SSL, *_SSL_CA, URL ssl parameters); absent when none is set. */
  ssl?: SslOption;
}

export interface FileConnection {
  filename: string;
}

export interface ResolvedConnection {
  role: Role;
  dialect: Dialect;
  test: boolean;
  connection: ServerConnection | FileConnection;
  /** Where each value came from: a variable name (a URL variable for fields it supplied), `default`, `option`, `embedded` or `inferred from <VAR>`. */
  sources: Record<string, string>;
  /** PostgreSQL: the schema (PG_SCHEMA …) for searchPath, knex's own tables and verify; unset means the server's default (public). */
  schema?: string;
  /**
   * PostgreSQL: declared to go through a transaction-mode pooler (PG_POOLED=1, or
   * `pgbouncer=true` in the URL); `knex-roles migrate` then refuses at once, and doctor says
   * so. Unset or false means "detect" (lib/dialects/postgres/pooler.ts).
   */
  pooled?: boolean;
  /** The app-temporary-tables opt-in (option or KNEX_ROLES_APP_TEMPORARY_TABLES). */
  appTemporaryTables: boolean;
  /** Runtime role: the read replicas (`PG_READ_URL` …); absent when none is configured. */
  replicas?: ResolvedReplica[];
}

interface Found {
  value: string;
  variable: string;
}

/** The options resolveConnection reads, and what each must be (callers pass their own options on: the rest are theirs). */
export const RESOLVE_OPTIONS = {
  role: ['runtime', 'migration'],
  dialect: dialectModules().map((module) => module.name),
  test: 'boolean',
  production: 'boolean',
  env: 'object',
  cwd: 'string',
  schema: 'string',
  appTemporaryTables: 'boolean',
} satisfies OptionSpec;

/** Resolves role, dialect and connection from the env contract (seed 000), URLs and TLS included. */
export function resolveConnection(options: ResolveOptions = {}): ResolvedConnection {
  checkedOptions('resolveConnection()', options, RESOLVE_OPTIONS, true);
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? loadEnv(cwd);
  const test = options.test ?? modeOf(env) === 'test';
  const production = !test && (options.production ?? isProduction(env));
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

  const urls = parseUrls(env, dialect, role, mode, picked.source);
  const values: Partial<Record<Field, string>> = {};
  for (const field of Object.keys(FIELDS[dialect]) as Field[]) {
    const found = readField(env, dialect, role, mode, field, urls);
    if (found) {
      values[field] = found.value;
      sources[field] = found.variable;
    }
  }

  for (const field of REQUIRED[dialect]) {
    if (values[field] === undefined) throw missing(env, dialect, role, mode, field);
  }

  const module = dialectModule(dialect);
  if (!module.env.server) {
    let filename = values.filename;
    if (filename === undefined) {
      if (picked.source === 'default') {
        // The embedded file only when nothing at all is configured: a variable set for
        // another role or mode is a mistake to report, not a reason to use a local file.
        const stray = strayVariables(env, role, mode);
        if (stray) throw stray;
      }
      if (production) {
        const names = levelsFor(dialect, role, mode, 'filename').flat();
        const variables = picked.source === 'default' ? ['DB_CONNECTION', ...names] : names;
        throw new EnvContractError(
          picked.source === 'default' ? 'E_ENV_NO_DATABASE' : 'E_ENV_MISSING',
          `NODE_ENV=production and no database is configured for the ${role} role: none of ${variables.join(', ')} is set (the embedded SQLite file is for development only).`,
          { variables, remedy: `Set DB_CONNECTION and the ${role} variables of your database (or ${DATABASE_URL}), or ${names.join(' / ')} for SQLite.` },
        );
      }
      filename = EMBEDDED_SQLITE[mode];
      sources['filename'] = 'embedded';
    }
    if (role === 'runtime') {
      const ignored = readUrlsOnSqlite(env, mode, picked.source);
      if (ignored) throw ignored;
    }
    // A relative path is the project's (projectRoot), not the current directory's: started from src/, the app opens the same file.
    const connection: FileConnection = { filename: module.isSpecialPath?.(filename) || isAbsolute(filename) ? filename : resolve(projectRoot(cwd), filename) };
    return { role, dialect, test, connection, sources, appTemporaryTables };
  }

  const port = parsePort(dialect, values.port, sources['port']);
  const defaults = DEFAULTS[dialect];
  if (values.host === undefined) sources['host'] = 'default';
  if (values.port === undefined) sources['port'] = 'default';
  const fields: Omit<ServerConnection, 'password'> = {
    host: values.host ?? String(defaults.host),
    port: port ?? Number(defaults.port),
    user: values.user as string,
    database: values.database as string,
  };
  const ssl = sslOption({
    dialect,
    cwd,
    ...(values.sslmode !== undefined ? { mode: values.sslmode, modeVariable: sources['sslmode'] } : {}),
    ...(values.sslca !== undefined ? { ca: values.sslca, caVariable: sources['sslca'] } : {}),
  });
  if (ssl !== undefined) fields.ssl = ssl;
  const connection = holdPassword(dialect, fields, values.password) as ServerConnection;
  const resolved: ResolvedConnection = { role, dialect, test, connection, sources, appTemporaryTables };
  // The schema is not part of the driver's connection: it goes to searchPath and migrations.schemaName.
  // Only a dialect with a schema variable (PG_SCHEMA) takes the option.
  const schemas = module.env.fields.schema !== undefined;
  const schema = schemas ? (options.schema ?? values.schema) : undefined;
  if (options.schema !== undefined && schemas) sources['schema'] = 'option';
  if (schema !== undefined) resolved.schema = schema;
  if (values.pooled !== undefined) resolved.pooled = parsePooled(values.pooled, sources['pooled'] ?? 'PG_POOLED');
  if (role === 'runtime') {
    // Only here: the migration role never reads a read URL, so none can break or change it.
    const misplaced = misplacedReadUrl(env, mode);
    if (misplaced) throw misplaced;
    const replicas = resolveReadReplicas(env, dialect, mode, connection, cwd);
    if (replicas.length > 0) {
      resolved.replicas = replicas;
      sources['replicas'] = replicas[0]?.variable ?? '';
    }
  }
  return resolved;
}

const POOLED_VALUES: Readonly<Record<string, boolean>> = { '1': true, true: true, '0': false, false: false };

function parsePooled(value: string, variable: string): boolean {
  const pooled = POOLED_VALUES[value.trim().toLowerCase()];
  if (pooled !== undefined) return pooled;
  const url = variable.endsWith('_URL');
  throw new EnvContractError(
    'E_ENV_FLAG',
    // A URL's text is never echoed (it holds the password).
    `${at(variable)} ${url ? 'has a pgbouncer parameter that is' : `is ${JSON.stringify(value)},`} not a yes/no value.`,
    { variables: [variable], remedy: `Set ${url ? `pgbouncer=true in ${variable}` : `${variable} to 1`} when this connection goes through a transaction-mode pooler (PgBouncer, Supavisor…), 0 or nothing when not.` },
  );
}

/**
 * The URL variables on this role's ladder that are set, parsed. A URL whose scheme names
 * another dialect than its family (PG_URL=mysql://…) or than the selected dialect
 * (DB_CONNECTION=pg, DATABASE_URL=mysql://…) is an error even when no field needs it.
 */
function parseUrls(env: Env, dialect: Dialect, role: Role, mode: Mode, dialectSource: string): Map<string, ParsedUrl> {
  const parsed = new Map<string, ParsedUrl>();
  for (const variable of urlLevelsFor(dialect, role, mode)) {
    const value = readVariable(env, variable);
    if (value === undefined) continue;
    const url = parseUrl(value, variable);
    if (url.dialect !== dialect) {
      const by = variable === DATABASE_URL ? (dialectSource.startsWith('inferred from ') ? dialectSource.slice('inferred from '.length) : dialectSource) : `the ${variable.split('_')[0]}_ family`;
      throw new EnvContractError(
        'E_ENV_URL_DIALECT',
        `${at(variable)} is a ${url.dialect} URL, but the dialect is ${dialect} (from ${by}).`,
        { variables: variable === DATABASE_URL && by !== 'option' ? [variable, by] : [variable], remedy: variable === DATABASE_URL
          ? `Make ${DATABASE_URL} a ${dialect} URL, or set DB_CONNECTION to ${url.dialect} (and unset the other family's variables).`
          : `Put a ${url.dialect} URL in ${urlVariable(url.dialect, variable.slice(variable.indexOf('_') + 1, -3)) ?? DATABASE_URL} instead, or make ${variable} a ${dialect} URL.` },
      );
    }
    parsed.set(variable, url);
  }
  return parsed;
}

/**
 * One field, walking the ladder from the most specific level to the least: at each level
 * the field variables (synonyms) first, then the URL of that level; DATABASE_URL last.
 */
function readField(env: Env, dialect: Dialect, role: Role, mode: Mode, field: Field, urls: Map<string, ParsedUrl>): Found | undefined {
  const scopes = SCOPES[role][mode];
  const levels = levelsFor(dialect, role, mode, field);
  for (const [depth, level] of levels.entries()) {
    const found = readLevel(env, level, field, urlVariable(dialect, scopes[depth] ?? ''));
    if (found) return found;
    const url = urlVariable(dialect, scopes[depth] ?? '');
    const fromUrl = url === undefined ? undefined : urls.get(url)?.values[field];
    if (url !== undefined && fromUrl !== undefined) return { value: fromUrl, variable: url };
  }
  const last = mode === 'live' ? urls.get(DATABASE_URL)?.values[field] : undefined;
  return last === undefined ? undefined : { value: last, variable: DATABASE_URL };
}

const CHECKED_FOR_URLS: ReadonlySet<Field> = new Set(['host', 'user', 'database', 'filename']);

function readLevel(env: Env, level: readonly string[], field: Field, url: string | undefined): Found | undefined {
  let found: Found | undefined;
  for (const variable of level) {
    const value = readVariable(env, variable, field === 'password');
    if (value === undefined) continue;
    if (CHECKED_FOR_URLS.has(field) && carriesCredentials(value) && !(field === 'filename' && /^file:/i.test(value))) throw urlInField(variable, url);
    if (found && found.value !== value) {
      throw new EnvContractError(
        'E_ENV_CONFLICT',
        `${at(found.variable)} and ${variable} are both set, to different values.`,
        { variables: [found.variable, variable], remedy: `They mean the same thing: unset one of them.` },
      );
    }
    found ??= { value, variable };
  }
  return found;
}

function missing(env: Env, dialect: Dialect, role: Role, mode: Mode, field: Field): EnvContractError {
  const names = levelsFor(dialect, role, mode, field).flat();
  const urls = urlLevelsFor(dialect, role, mode);
  const what = field === 'database' ? 'database name' : field;
  let remedy = `Set ${names.join(' or ')}, or a URL that carries it (${urls.join(', ')}).`;
  if (mode === 'test') {
    // Say why a live value that *is* set was not used: test mode never reads it.
    const live = [...levelsFor(dialect, role, 'live', field).flat(), ...urlLevelsFor(dialect, role, 'live')].filter((name) => readVariable(env, name) !== undefined);
    if (live.length > 0) remedy += ` Test mode never reads ${live.join(', ')}, so a test suite cannot reach a live database.`;
  }
  const other: Role = role === 'runtime' ? 'migration' : 'runtime';
  const elsewhere = levelsFor(dialect, other, mode, field)[0]?.filter((name) => readVariable(env, name) !== undefined) ?? [];
  if (elsewhere.length > 0) remedy += ` ${elsewhere.join(', ')} ${elsewhere.length === 1 ? 'is' : 'are'} for the ${other} role only (the role is ${role}; ELOQUENT_DB_ROLE=${other} selects it).`;
  return new EnvContractError('E_ENV_MISSING', `No ${role} ${what} for ${dialect}${mode === 'test' ? ' (test mode)' : ''}: none of ${names.join(', ')} is set.`, { variables: names, remedy: remedy });
}
