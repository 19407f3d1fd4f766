import type { Dialect, Role } from './types';

/**
 * Every error this package throws has a stable `code` (documented in the README's
 * error-code catalog) and a `remedy`: one sentence saying what to do about it.
 * Messages never contain a password: they are built from variable names and
 * non-secret values only.
 */
export const ERROR_CODES = {
  E_ENV_ROLE: 'ELOQUENT_DB_ROLE has a value other than runtime or migration.',
  E_ENV_DIALECT: 'DB_CONNECTION / DB_TEST_CONNECTION names no supported dialect.',
  E_ENV_AMBIGUOUS: 'Variables of more than one dialect family are set and no DB_CONNECTION picks one.',
  E_ENV_MISSING: 'A required variable (user, database name, SQLite path) is not set.',
  E_ENV_PORT: 'A port variable is not an integer from 1 to 65535.',
  E_ENV_CONFLICT: 'Two equivalent variables (e.g. PG_NAME and PG_DB_NAME) are set to different values.',
  E_ENV_NO_DATABASE: 'Production mode with no database configured at all.',
  E_ENV_SECRETS: 'Strict mode: a runtime process holds migration or admin secrets.',
  E_ENV_NOT_READ: 'Database variables are set, but none of them is read for the resolved role and mode (no silent embedded SQLite).',
  E_ENV_URL: 'A connection URL variable is malformed or has an unknown scheme.',
  E_ENV_URL_PARAM: 'A connection URL has a query parameter knex-roles does not pass on.',
  E_ENV_URL_DIALECT: 'A connection URL names another dialect than DB_CONNECTION or than its variable family.',
  E_ENV_URL_IN_FIELD: 'A host, user, database or path variable holds a connection URL or user:password@ credentials.',
  E_ENV_SSL: 'A TLS variable (PG_SSLMODE, DB_SSL, *_SSL_CA, URL ssl parameters) has a bad value or an unreadable CA file.',
  E_TLS: 'The TLS handshake failed: the server certificate does not verify against the CA or host name asked for.',
  E_ENV_FLAG: 'A yes/no variable (KNEX_ROLES_APP_TEMPORARY_TABLES, PG_*_POOLED, a URL\'s pgbouncer=) has a value other than 1, true, 0 or false.',
  E_RUNTIME_DDL: 'A runtime connection tried to run a statement that changes schema, privileges or identity.',
  E_RUNTIME_MIGRATE: 'A runtime connection tried to run migrations.',
  E_GUARD_DIALECT: 'guard() or verifyPrivileges() was given a knex instance of a client it does not support.',
  E_GUARD_SESSION: "A runtime connection's session reads SQL text in a way the guard cannot judge safely (a client-only multibyte encoding, NO_BACKSLASH_ESCAPES under mysql2).",
  E_GUARD_IN_USE: 'guard() was called while the instance had connections in use (a transaction or query begun before it would go on unguarded).',
  E_GUARD_EARLIER_CLONE: 'A knex client made before guard() (a withUserParams() copy) asked the guarded pool for a connection.',
  E_PRIVILEGES: 'The connected user holds more or fewer privileges than its role should.',
  E_UNREACHABLE: 'The database could not be reached after a bounded retry.',
  E_LOGIN_REFUSED: 'The server refused the login or the database: wrong user, password or database name.',
  E_PROVISION: 'Provisioning the migrator and app users failed.',
  E_MIGRATION_LOCKED: 'Another process holds the knex migration lock.',
  E_POOLED_MIGRATION: 'A migration run was pointed at a transaction-mode pooler (detected, or PG_POOLED / pgbouncer=true): migrations need the direct URL.',
  E_MIGRATION_FAILED: 'A migration failed; what of it remains depends on the dialect (see Migrations).',
  E_CLI_USAGE: 'The knex-roles command line was called with unknown or missing arguments.',
  E_CLI_REFUSED: 'A destructive command was refused (production without --force --yes).',
  E_KNEXFILE_ENV: 'The knex CLI asked the knexfile for an environment it does not define.',
  E_NOT_MIGRATED: 'The database has pending migrations (or none ran yet) and the caller required it migrated.',
  E_DRIVER_MISSING: 'The database driver (pg, mysql2) a command needs is not installed.',
  E_KNEX_INTERNALS: 'The installed knex lacks an internal knex-roles relies on (a knex version outside the supported range).',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface KnexRolesErrorOptions {
  remedy: string;
  cause?: unknown;
}

/** Base class of every error the package throws. */
export class KnexRolesError extends Error {
  override name = 'KnexRolesError';
  readonly code: ErrorCode;
  readonly remedy: string;

  constructor(code: ErrorCode, message: string, options: KnexRolesErrorOptions) {
    super(`${message} ${options.remedy}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.remedy = options.remedy;
    decorateStack(this, message);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, remedy: this.remedy };
  }
}

/**
 * The stack starts with the code and the fix on a line of its own, so a tool that prints
 * only `error.stack` (the knex CLI does, when a knexfile throws) still shows both:
 *
 *   EnvContractError [E_ENV_PORT]: PG_PORT (shared level) is not an integer from 1 to 65535.
 *     fix: Set PG_PORT to a port number such as 5432 …
 *       at parsePort (…)
 *
 * Built when first read (the subclass's `name` is set by then); frames are V8's own.
 */
function decorateStack(error: KnexRolesError, message: string): void {
  const original = error.stack ?? '';
  let stack: string | undefined;
  Object.defineProperty(error, 'stack', {
    configurable: true,
    enumerable: false,
    get: () => {
      if (stack === undefined) {
        const frames = original.split('\n').filter((line) => /^\s+at /.test(line));
        stack = [`${error.name} [${error.code}]: ${message}`, `  fix: ${error.remedy}`, ...frames].join('\n');
      }
      return stack;
    },
    set: (value: string) => {
      stack = value;
    },
  });
}

/**
 * Whether `error` is one of ours. Duck-typed on purpose: a knexfile or migration loaded
 * through ts-node brings its own copy of these classes, so `instanceof` would miss it.
 */
export function isKnexRolesError(error: unknown): error is KnexRolesError {
  const { code, remedy } = (error ?? {}) as { code?: unknown; remedy?: unknown };
  return error instanceof Error && typeof code === 'string' && code in ERROR_CODES && typeof remedy === 'string';
}

/** A variable of the env contract is missing, malformed or contradicts another. */
export class EnvContractError extends KnexRolesError {
  override name = 'EnvContractError';
  /** The variable(s) at fault, most specific first. */
  readonly variables: readonly string[];

  constructor(code: ErrorCode, message: string, variables: readonly string[], remedy: string) {
    super(code, message, { remedy });
    this.variables = variables;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), variables: this.variables };
  }
}

export interface RuntimeDdlErrorFields {
  kind: string;
  keyword: string;
  role: Role;
  dialect: Dialect;
  /** The offending statement, truncated; SQL text never carries bindings. */
  statement: string;
}

/** A runtime connection refused a statement before it reached the server. */
export class RuntimeDdlError extends KnexRolesError {
  override name = 'RuntimeDdlError';
  readonly kind: string;
  readonly keyword: string;
  readonly role: Role;
  readonly dialect: Dialect;
  readonly statement: string;

  constructor(fields: RuntimeDdlErrorFields, code: 'E_RUNTIME_DDL' | 'E_RUNTIME_MIGRATE' = 'E_RUNTIME_DDL', message?: string, remedy?: string) {
    super(
      code,
      message ??
        `Refused ${fields.keyword} (${fields.kind}) on a ${fields.role} connection: ${truncate(fields.statement, 120)}.`,
      { remedy: remedy ?? 'Schema and privilege changes run only under the migration role: put them in a migration and run it with ELOQUENT_DB_ROLE=migration (e.g. `ELOQUENT_DB_ROLE=migration npx knex migrate:latest`).' },
    );
    this.kind = fields.kind;
    this.keyword = fields.keyword;
    this.role = fields.role;
    this.dialect = fields.dialect;
    this.statement = fields.statement;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), kind: this.kind, keyword: this.keyword, role: this.role, dialect: this.dialect, statement: this.statement };
  }
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface PrivilegeProblem {
  /** e.g. 'CREATE on schema public', 'SUPERUSER', 'SELECT on table posts'. */
  privilege: string;
  /** 'excess': held but must not be; 'missing': needed but not held. */
  problem: 'excess' | 'missing';
}

/** The connected user's privileges do not match its role (startup validation). */
export class PrivilegeError extends KnexRolesError {
  override name = 'PrivilegeError';
  readonly user: string;
  readonly role: Role;
  readonly dialect: Dialect;
  readonly problems: readonly PrivilegeProblem[];

  constructor(fields: { user: string; role: Role; dialect: Dialect; problems: readonly PrivilegeProblem[]; remedy: string }) {
    const listed = fields.problems.map((p) => `${p.problem === 'excess' ? 'has' : 'lacks'} ${p.privilege}`).join('; ');
    super('E_PRIVILEGES', `The ${fields.role} user ${JSON.stringify(fields.user)} on ${fields.dialect} ${listed}.`, { remedy: fields.remedy });
    this.user = fields.user;
    this.role = fields.role;
    this.dialect = fields.dialect;
    this.problems = fields.problems;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), user: this.user, role: this.role, dialect: this.dialect, problems: this.problems };
  }
}

/** The database could not be reached; names host and port, never the password. */
export class UnreachableError extends KnexRolesError {
  override name = 'UnreachableError';
  readonly host: string;
  readonly port: number;
  readonly attempts: number;

  constructor(fields: { host: string; port: number; attempts: number; cause?: unknown; remedy?: string }) {
    super('E_UNREACHABLE', `Could not reach the database at ${fields.host}:${fields.port} after ${fields.attempts} attempts${describeCause(fields.cause)}.`, {
      remedy: fields.remedy ?? 'Check that the server is running and that the HOST and PORT variables of the env contract point at it.',
      cause: fields.cause,
    });
    this.host = fields.host;
    this.port = fields.port;
    this.attempts = fields.attempts;
  }
}

/**
 * The server answered but refused the login or the database (wrong user, password or
 * database name). Names host, port, user and database, never the password; the remedy
 * names the variables the values came from.
 */
export class LoginRefusedError extends KnexRolesError {
  override name = 'LoginRefusedError';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;

  constructor(fields: { host: string; port: number; user: string; database: string; cause?: unknown; remedy?: string }) {
    super(
      'E_LOGIN_REFUSED',
      `The server at ${fields.host}:${fields.port} refused user ${JSON.stringify(fields.user)} on database ${JSON.stringify(fields.database)}${describeCause(fields.cause)}.`,
      {
        remedy: fields.remedy ?? 'Check the user, password and database name variables of the env contract.',
        cause: fields.cause,
      },
    );
    this.host = fields.host;
    this.port = fields.port;
    this.user = fields.user;
    this.database = fields.database;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), host: this.host, port: this.port, user: this.user, database: this.database };
  }
}

function describeCause(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? ` (${code})` : '';
}

/**
 * The TLS handshake failed (unverifiable certificate, wrong host name, server without
 * TLS): names the TLS variables the settings came from, never a password.
 */
export class TlsError extends KnexRolesError {
  override name = 'TlsError';
  readonly host: string;
  readonly port: number;
  /** The TLS variables that asked for this verification, most specific first. */
  readonly variables: readonly string[];

  constructor(fields: { host: string; port: number; variables: readonly string[]; cause?: unknown; remedy: string }) {
    super('E_TLS', `The TLS connection to ${fields.host}:${fields.port} failed${describeCause(fields.cause)} (TLS settings from ${fields.variables.join(', ') || 'defaults'}).`, {
      remedy: fields.remedy,
      cause: fields.cause,
    });
    this.host = fields.host;
    this.port = fields.port;
    this.variables = fields.variables;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), host: this.host, port: this.port, variables: this.variables };
  }
}

/**
 * A guarded connection's session settings make the text the driver sends unsafe to judge:
 * the guard refuses every query on it. `variable` is the server setting, `value` its value.
 */
export class GuardSessionError extends KnexRolesError {
  override name = 'GuardSessionError';
  readonly variable: string;
  readonly value: string;
  readonly dialect: Dialect;

  constructor(fields: { dialect: Dialect; variable: string; value: string; reason: string; remedy: string }) {
    super('E_GUARD_SESSION', `knex-roles: the ${fields.dialect} session has ${fields.variable} = ${fields.value}: ${fields.reason}; the guard refuses every query on it.`, { remedy: fields.remedy });
    this.variable = fields.variable;
    this.value = fields.value;
    this.dialect = fields.dialect;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), dialect: this.dialect, variable: this.variable, value: this.value };
  }
}

/**
 * `knex-roles migrate` through a transaction-mode pooler (PgBouncer pool_mode=transaction,
 * Supavisor's transaction port …): the run's session lock would stay on whichever server
 * connection took it, so the run is refused before it takes any lock. `variables` are the
 * ones that point the migration role there (host, port, URL, PG_POOLED).
 */
export class PooledMigrationError extends KnexRolesError {
  override name = 'PooledMigrationError';
  readonly host: string;
  readonly port: number;
  readonly variables: readonly string[];
  /** How it was known: `detected` (and what was seen) or `declared` by a variable. */
  readonly how: string;

  constructor(fields: { host: string; port: number; variables: readonly string[]; how: string }) {
    super('E_POOLED_MIGRATION', `knex-roles migrate: ${fields.host}:${fields.port} is a transaction-mode connection pooler (${fields.how}); a migration run needs one server session for its lock.`, {
      remedy: `Point the migration role at the database directly, not through the pooler (${fields.variables.join(', ')}): a separate direct URL for migrations, such as PG_MIGRATION_URL, while the app keeps the pooled one. Dry runs, status and list work through it.`,
    });
    this.host = fields.host;
    this.port = fields.port;
    this.variables = fields.variables;
    this.how = fields.how;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), host: this.host, port: this.port, variables: this.variables, how: this.how };
  }
}

/**
 * guard() cannot put something reachable from the instance under the guard, so it refuses
 * instead of letting it run unguarded. `path` says what: `in-use`, connections held when
 * guard() was called (a transaction begun before it keeps knex's unguarded client), or
 * `earlier-clone`, a client made before guard() asking the pool for a connection.
 */
export class UnguardedPathError extends KnexRolesError {
  override name = 'UnguardedPathError';
  readonly path: 'in-use' | 'earlier-clone';
  readonly dialect: Dialect;

  constructor(fields: { path: 'in-use' | 'earlier-clone'; dialect: Dialect; message: string; remedy: string }) {
    super(fields.path === 'in-use' ? 'E_GUARD_IN_USE' : 'E_GUARD_EARLIER_CLONE', fields.message, { remedy: fields.remedy });
    this.path = fields.path;
    this.dialect = fields.dialect;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path, dialect: this.dialect };
  }
}
