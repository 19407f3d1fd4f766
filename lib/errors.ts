import type { Direction, MigrateContext } from './migrate/types';
import { redact } from './redact';
import type { Dialect, Role } from './types';

/**
 * Every error this package throws has a stable `code` (documented in the README's
 * error-code catalog), a `remedy` (what to do about it, a field of its own, never part of
 * the message) and the `variables` at fault. Messages never contain a password: they are
 * built from variable names and non-secret values only.
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
  E_ENV_FLAG: 'A yes/no variable (KNEX_ROLES_APP_TEMPORARY_TABLES, PG_*_POOLED, a URL\'s pgbouncer=) has a value other than 1, true, 0 or false.',
  E_KNEXFILE_ENV: 'The knex CLI asked the knexfile for an environment it does not define.',
  E_RUNTIME_DDL: 'A runtime connection tried to run a statement that changes schema, privileges or identity.',
  E_RUNTIME_MIGRATE: 'A runtime connection tried to run migrations.',
  E_GUARD_DIALECT: 'guard() or verifyPrivileges() was given a knex instance of a client it does not support.',
  E_GUARD_SESSION: "A runtime connection's session reads SQL text in a way the guard cannot judge safely (a client-only multibyte encoding, a MySQL character set other than UTF-8 and latin1 / ascii / binary, NO_BACKSLASH_ESCAPES under mysql2, MariaDB's MSSQL mode), or starts in a MySQL system schema.",
  E_GUARD_IN_USE: 'guard() was called while the instance had connections in use (a transaction or query begun before it would go on unguarded).',
  E_GUARD_EARLIER_CLONE: 'A knex client made before guard() (a withUserParams() copy) asked the guarded pool for a connection.',
  E_PRIVILEGES: 'The connected user holds more or fewer privileges than its role should.',
  E_DRIVER_MISSING: 'The database driver (pg, mysql2) a command needs is not installed.',
  E_KNEX_INTERNALS: 'The installed knex lacks an internal knex-roles relies on (a knex version outside the supported range).',
  E_UNREACHABLE: 'The database could not be reached after a bounded retry.',
  E_LOGIN_REFUSED: 'The server refused the login or the database: wrong user, password or database name.',
  E_TLS: 'The TLS handshake failed: the server certificate does not verify against the CA or host name asked for.',
  E_MIGRATION_FAILED: 'A migration failed; what of it remains depends on the dialect (see Migrations).',
  E_MIGRATION_LOCKED: 'Another process holds the knex migration lock.',
  E_POOLED_MIGRATION: 'A migration run was pointed at a transaction-mode pooler (detected, or PG_POOLED / pgbouncer=true): migrations need the direct URL.',
  E_MIGRATE_REFUSED: 'A destructive migrate command (fresh, reset) was refused in production without both force and yes.',
  E_NOT_MIGRATED: 'The database has pending migrations (or none ran yet) and the caller required it migrated.',
  E_PROVISION: 'Provisioning the migrator and app users failed.',
  E_USAGE: 'A library function was called with an argument or at a time it does not accept (an option it does not take or of the wrong type, an unknown migrate command or migration name, createTestDatabase().db before setup()).',
  E_CLI_USAGE: 'The knex-roles command line was called with unknown or missing arguments.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes of each family, one family per class (the README's catalog maps each code to its class). */
export type EnvCode = Extract<ErrorCode, `E_ENV_${string}`> | 'E_KNEXFILE_ENV';
export type GuardCode = 'E_GUARD_DIALECT' | RuntimeDdlCode | 'E_GUARD_SESSION' | UnguardedPathCode;
export type RuntimeDdlCode = 'E_RUNTIME_DDL' | 'E_RUNTIME_MIGRATE';
export type UnguardedPathCode = 'E_GUARD_IN_USE' | 'E_GUARD_EARLIER_CLONE';
export type ConnectionCode = 'E_DRIVER_MISSING' | 'E_KNEX_INTERNALS' | 'E_UNREACHABLE' | 'E_LOGIN_REFUSED' | 'E_TLS';
export type MigrationCode = 'E_MIGRATION_FAILED' | 'E_MIGRATION_LOCKED' | 'E_POOLED_MIGRATION' | 'E_MIGRATE_REFUSED' | 'E_NOT_MIGRATED';
export type UsageCode = 'E_USAGE' | 'E_CLI_USAGE';

/** The third argument of every error class's constructor; each class adds its family's fields. */
export interface KnexRolesErrorOptions {
  /** What to do about it: one or two sentences, never part of `message`. */
  remedy: string;
  /** The variables of the env contract at fault, most specific first. */
  variables?: readonly string[];
  cause?: unknown;
}

/** What `toJSON` shows of a cause: ours whole, a foreign one by name and code only (its text may hold a value). */
function summarize(cause: unknown, depth: number): unknown {
  if (cause instanceof KnexRolesError && depth < 4) return jsonOf(cause, depth + 1);
  if (isKnexRolesError(cause)) return { name: cause.name, code: cause.code, message: cause.message, remedy: cause.remedy };
  const { code, errno } = (cause ?? {}) as { code?: unknown; errno?: unknown };
  return {
    name: cause instanceof Error ? cause.name : typeof cause,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(typeof errno === 'number' ? { errno } : {}),
  };
}

/** name, code, message, remedy, variables, then the family's fields, then the cause summarized. */
function jsonOf(error: KnexRolesError, depth: number): Record<string, unknown> {
  const json: Record<string, unknown> = { name: error.name, code: error.code, message: error.message, remedy: error.remedy, variables: error.variables };
  // The family's fields are the instance's own enumerable properties (message, stack and cause are not).
  for (const [key, value] of Object.entries(error)) if (!(key in json)) json[key] = value;
  if (error.cause !== undefined) json['cause'] = summarize(error.cause, depth);
  return json;
}

/**
 * Base class of every error the package throws; only its family classes are thrown (it is
 * abstract). Every class takes `(code, message, options)`: `C` narrows the codes a class
 * accepts and `F` the options it requires. A class that adds fields names them in its
 * static `fields`, and an interface of the same name merges their types into the class:
 * they are copied from the options, in that order, as the error's own enumerable
 * properties, which toJSON lists after the common ones.
 */
export abstract class KnexRolesError<C extends ErrorCode = ErrorCode, F extends object = object> extends Error {
  override name = 'KnexRolesError';
  readonly code: C;
  readonly remedy: string;
  readonly variables: readonly string[];
  /** Listed, not inferred from the options, so nothing else a caller spreads in (a value) becomes a field. */
  protected static readonly fields: readonly string[] = [];

  constructor(code: C, message: string, options: KnexRolesErrorOptions & F) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.remedy = options.remedy;
    this.variables = options.variables ?? [];
    const values = options as Record<string, unknown>;
    for (const key of (new.target as unknown as { fields: readonly string[] }).fields) (this as unknown as Record<string, unknown>)[key] = values[key];
    decorateStack(this);
  }

  toJSON(): Record<string, unknown> {
    return jsonOf(this, 0);
  }
}

/**
 * The stack starts with the code and the fix on a line of its own, so a tool that prints
 * only `error.stack` (the knex CLI does, when a knexfile or a migration throws) still
 * shows both:
 *
 *   EnvContractError [E_ENV_PORT]: PG_PORT (shared level) is not an integer from 1 to 65535.
 *     fix: Set PG_PORT to a port number such as 5432 …
 *       at parsePort (…)
 *
 * Built when first read (the subclass's `name` is set by then); frames are V8's own.
 */
function decorateStack(error: KnexRolesError): void {
  const original = error.stack ?? '';
  let stack: string | undefined;
  Object.defineProperty(error, 'stack', {
    configurable: true,
    enumerable: false,
    get: () => {
      if (stack === undefined) {
        const frames = original.split('\n').filter((line) => /^\s+at /.test(line));
        stack = [`${error.name} [${error.code}]: ${error.message}`, `  fix: ${error.remedy}`, ...frames].join('\n');
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

/** The text of `error` for another error's message: ours keep their remedy, which is not in their message. */
export function errorMessage(error: unknown): string {
  if (isKnexRolesError(error)) return `${error.message} ${error.remedy}`;
  return error instanceof Error ? error.message : String(error);
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function describeCause(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? ` (${code})` : '';
}

// ── configuration ──────────────────────────────────────────────────────────────────

/** A variable of the env contract (or the knexfile environment asked for) is missing, malformed or contradicts another. */
export class EnvContractError extends KnexRolesError<EnvCode, { variables: readonly string[] }> {
  override name = 'EnvContractError';
}

// ── guard ──────────────────────────────────────────────────────────────────────────

/** The guard refused, or cannot guard what it was given (E_GUARD_DIALECT); its kin below name what was refused. */
export class GuardError<C extends GuardCode = GuardCode, F extends object = object> extends KnexRolesError<C, F> {
  override name = 'GuardError';
}

export interface RuntimeDdlErrorFields {
  kind: string;
  keyword: string;
  role: Role;
  dialect: Dialect;
  /** The offending statement, truncated; SQL text never carries bindings. */
  statement: string;
}

/** Why a runtime connection refuses DDL, and what to do instead. */
export const RUNTIME_DDL_REMEDY = 'Schema and privilege changes run only under the migration role: put them in a migration and run it with ELOQUENT_DB_ROLE=migration (e.g. `ELOQUENT_DB_ROLE=migration npx knex migrate:latest`).';

/**
 * The remedy of a refusal that is not a schema or privilege change (a setting, a server
 * function, a catalog write, a pragma): where the rules are, and the named escape hatch.
 */
function refusedRemedy(keyword: string): string {
  const allow = keyword === '' ? '' : ` If the app must run it and the database's own privileges are the boundary, name it in dangerouslyAllow: ['${keyword}'].`;
  return `A runtime connection may not run this: README › The runtime guard lists what is refused per dialect and why. Run it from a migration (ELOQUENT_DB_ROLE=migration) if it belongs to the schema's set-up.${allow}`;
}

/** A runtime connection refused a statement (or a migration run) before it reached the server. */
export interface RuntimeDdlError extends Readonly<RuntimeDdlErrorFields> {}
export class RuntimeDdlError extends GuardError<RuntimeDdlCode, RuntimeDdlErrorFields> {
  override name = 'RuntimeDdlError';
  protected static override readonly fields: readonly (keyof RuntimeDdlError)[] = ['kind', 'keyword', 'role', 'dialect', 'statement'];

  /** The refusal of one statement, with the standard message and the remedy for its kind. */
  static of(fields: RuntimeDdlErrorFields): RuntimeDdlError {
    const remedy = fields.kind === 'ddl' || fields.kind === 'privilege' ? RUNTIME_DDL_REMEDY : refusedRemedy(fields.keyword);
    return new RuntimeDdlError('E_RUNTIME_DDL', `Refused ${fields.keyword} (${fields.kind}) on a ${fields.role} connection: ${truncate(fields.statement, 120)}.`, { remedy, ...fields });
  }
}

/**
 * A guarded connection's session settings make the text the driver sends unsafe to judge:
 * the guard refuses every query on it. `variable` is the server setting, `value` its value.
 */
export interface GuardSessionFields {
  dialect: Dialect;
  /** The server setting. */
  variable: string;
  value: string;
}

export interface GuardSessionError extends Readonly<GuardSessionFields> {}
export class GuardSessionError extends GuardError<'E_GUARD_SESSION', GuardSessionFields> {
  override name = 'GuardSessionError';
  protected static override readonly fields: readonly (keyof GuardSessionError)[] = ['dialect', 'variable', 'value'];

  static of(fields: { dialect: Dialect; variable: string; value: string; reason: string; remedy: string }): GuardSessionError {
    const { reason, ...rest } = fields;
    return new GuardSessionError('E_GUARD_SESSION', `knex-roles: the ${fields.dialect} session has ${fields.variable} = ${fields.value}: ${reason}; the guard refuses every query on it.`, rest);
  }
}

/**
 * guard() cannot put something reachable from the instance under the guard, so it refuses
 * instead of letting it run unguarded. `path` says what: `in-use`, connections held when
 * guard() was called (a transaction begun before it keeps knex's unguarded client), or
 * `earlier-clone`, a client made before guard() asking the pool for a connection.
 */
export class UnguardedPathError extends GuardError<UnguardedPathCode, { dialect: Dialect }> {
  override name = 'UnguardedPathError';
  readonly path: 'in-use' | 'earlier-clone';
  readonly dialect: Dialect;

  constructor(code: UnguardedPathCode, message: string, options: KnexRolesErrorOptions & { dialect: Dialect }) {
    super(code, message, options);
    this.path = code === 'E_GUARD_IN_USE' ? 'in-use' : 'earlier-clone';
    this.dialect = options.dialect;
  }
}

// ── privileges ─────────────────────────────────────────────────────────────────────

export interface PrivilegeProblem {
  /** e.g. 'CREATE on schema public', 'SUPERUSER', 'SELECT on table posts'. */
  privilege: string;
  /** 'excess': held but must not be; 'missing': needed but not held. */
  problem: 'excess' | 'missing';
}

export interface PrivilegeFields {
  user: string;
  role: Role;
  dialect: Dialect;
  problems: readonly PrivilegeProblem[];
}

/** The connected user's privileges do not match its role (startup validation). */
export interface PrivilegeError extends Readonly<PrivilegeFields> {}
export class PrivilegeError extends KnexRolesError<'E_PRIVILEGES', PrivilegeFields> {
  override name = 'PrivilegeError';
  protected static override readonly fields: readonly (keyof PrivilegeError)[] = ['user', 'role', 'dialect', 'problems'];

  /** The message lists every problem: `has X; lacks Y`. */
  static of(fields: PrivilegeFields & { remedy: string }): PrivilegeError {
    const listed = fields.problems.map((p) => `${p.problem === 'excess' ? 'has' : 'lacks'} ${p.privilege}`).join('; ');
    return new PrivilegeError('E_PRIVILEGES', `The ${fields.role} user ${JSON.stringify(fields.user)} on ${fields.dialect} ${listed}.`, fields);
  }
}

// ── connection ─────────────────────────────────────────────────────────────────────

/** No connection could be had: no driver (E_DRIVER_MISSING), or one of the failures below. */
export class ConnectionError<C extends ConnectionCode = ConnectionCode, F extends object = object> extends KnexRolesError<C, F> {
  override name = 'ConnectionError';
}

export interface Endpoint {
  host: string;
  port: number;
}

/** The database could not be reached; names host and port, never the password. */
export interface UnreachableError extends Readonly<Endpoint & { attempts: number }> {}
export class UnreachableError extends ConnectionError<'E_UNREACHABLE', Endpoint & { attempts: number }> {
  override name = 'UnreachableError';
  protected static override readonly fields: readonly (keyof UnreachableError)[] = ['host', 'port', 'attempts'];

  static of(fields: Endpoint & { attempts: number; cause?: unknown; remedy?: string; variables?: readonly string[] }): UnreachableError {
    return new UnreachableError('E_UNREACHABLE', `Could not reach the database at ${fields.host}:${fields.port} after ${fields.attempts} ${fields.attempts === 1 ? 'attempt' : 'attempts'}${describeCause(fields.cause)}.`, {
      ...fields,
      remedy: fields.remedy ?? 'Check that the server is running and that the HOST and PORT variables of the env contract point at it.',
    });
  }
}

/**
 * The server answered but refused the login or the database (wrong user, password or
 * database name). Names host, port, user and database, never the password; the remedy
 * names the variables the values came from.
 */
export interface LoginRefusedError extends Readonly<Endpoint & { user: string; database: string }> {}
export class LoginRefusedError extends ConnectionError<'E_LOGIN_REFUSED', Endpoint & { user: string; database: string }> {
  override name = 'LoginRefusedError';
  protected static override readonly fields: readonly (keyof LoginRefusedError)[] = ['host', 'port', 'user', 'database'];

  static of(fields: Endpoint & { user: string; database: string; cause?: unknown; remedy?: string; variables?: readonly string[] }): LoginRefusedError {
    return new LoginRefusedError(
      'E_LOGIN_REFUSED',
      `The server at ${fields.host}:${fields.port} refused user ${JSON.stringify(fields.user)} on database ${JSON.stringify(fields.database)}${describeCause(fields.cause)}.`,
      { ...fields, remedy: fields.remedy ?? 'Check the user, password and database name variables of the env contract.' },
    );
  }
}

/**
 * The TLS handshake failed (unverifiable certificate, wrong host name, server without
 * TLS): `variables` are the TLS variables the settings came from; never a password.
 */
export interface TlsError extends Readonly<Endpoint> {}
export class TlsError extends ConnectionError<'E_TLS', Endpoint> {
  override name = 'TlsError';
  protected static override readonly fields: readonly (keyof TlsError)[] = ['host', 'port'];

  static of(fields: Endpoint & { variables: readonly string[]; cause?: unknown; remedy: string }): TlsError {
    return new TlsError('E_TLS', `The TLS connection to ${fields.host}:${fields.port} failed${describeCause(fields.cause)} (TLS settings from ${fields.variables.join(', ') || 'defaults'}).`, fields);
  }
}

// ── migration ──────────────────────────────────────────────────────────────────────

/**
 * A migration run could not start or finish: locked (E_MIGRATION_LOCKED), refused in
 * production (E_MIGRATE_REFUSED), or the database is behind (E_NOT_MIGRATED, with the
 * `pending` migrations); its kin below carry what their failure knows.
 */
export class MigrationError<C extends MigrationCode = MigrationCode, F extends object = object> extends KnexRolesError<C, F> {
  override name = 'MigrationError';
  /** E_NOT_MIGRATED: the migrations not run yet. */
  declare readonly pending?: readonly string[];

  constructor(code: C, message: string, options: KnexRolesErrorOptions & F & { pending?: readonly string[] }) {
    super(code, message, options);
    if (options.pending !== undefined) Object.defineProperty(this, 'pending', { value: [...options.pending], enumerable: true });
  }
}

export interface MigrationFailedFields {
  dialect: Dialect;
  migration?: string;
  direction?: Direction;
  kept?: readonly string[];
}

/** A migration (or knex's migrator around it) failed; says what of the run was kept. */
export class MigrationFailedError extends MigrationError<'E_MIGRATION_FAILED', MigrationFailedFields> {
  override name = 'MigrationFailedError';
  /** The migration that failed, when the failure happened inside one. */
  readonly migration: string | undefined;
  readonly direction: Direction | undefined;
  readonly dialect: Dialect;
  /** Migrations of this run that are recorded as run (up) or are no longer recorded (down) after the failure. */
  readonly kept: readonly string[];

  constructor(code: 'E_MIGRATION_FAILED', message: string, options: KnexRolesErrorOptions & MigrationFailedFields) {
    super(code, message, options);
    this.migration = options.migration;
    this.direction = options.direction;
    this.dialect = options.dialect;
    this.kept = options.kept ?? [];
  }
}

export interface FailureDetail {
  remedy?: string;
  migration?: string;
  direction?: Direction;
  kept?: readonly string[];
}

/**
 * Wraps `error` without repeating a secret: the message is scrubbed of every password of
 * the env contract, and `cause` is a scrubbed copy (driver errors can carry the statement
 * with its values, e.g. mysql2's `sql`).
 */
export function migrationFailed(ctx: Pick<MigrateContext, 'command' | 'dialect' | 'secrets'>, step: string | undefined, error: unknown, detail: FailureDetail = {}): MigrationFailedError {
  const text = redact(errorMessage(error), ctx.secrets);
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  const cause = Object.assign(new Error(text), { code, errno });
  const where = step ? `Migration ${step} failed` : `migrate ${ctx.command} failed`;
  return new MigrationFailedError('E_MIGRATION_FAILED', `${where}: ${text}.`, {
    remedy: detail.remedy ?? 'Fix the cause named above and run the command again.',
    dialect: ctx.dialect,
    cause,
    ...(detail.migration !== undefined ? { migration: detail.migration } : {}),
    ...(detail.direction !== undefined ? { direction: detail.direction } : {}),
    ...(detail.kept !== undefined ? { kept: detail.kept } : {}),
  });
}

/**
 * `knex-roles migrate` through a transaction-mode pooler (PgBouncer pool_mode=transaction,
 * Supavisor's transaction port …): the run's session lock would stay on whichever server
 * connection took it, so the run is refused before it takes any lock. `variables` are the
 * ones that point the migration role there (host, port, URL, PG_POOLED).
 */
export interface PooledMigrationFields extends Endpoint {
  /** How it was known: `detected` (and what was seen) or `declared` by a variable. */
  how: string;
}

export interface PooledMigrationError extends Readonly<PooledMigrationFields> {}
export class PooledMigrationError extends MigrationError<'E_POOLED_MIGRATION', PooledMigrationFields> {
  override name = 'PooledMigrationError';
  protected static override readonly fields: readonly (keyof PooledMigrationError)[] = ['host', 'port', 'how'];

  static of(fields: Endpoint & { variables: readonly string[]; how: string }): PooledMigrationError {
    return new PooledMigrationError('E_POOLED_MIGRATION', `knex-roles migrate: ${fields.host}:${fields.port} is a transaction-mode connection pooler (${fields.how}); a migration run needs one server session for its lock.`, {
      ...fields,
      remedy: `Point the migration role at the database directly, not through the pooler (${fields.variables.join(', ')}): a separate direct URL for migrations, such as PG_MIGRATION_URL, while the app keeps the pooled one. Dry runs, status and list work through it.`,
    });
  }
}

// ── provisioning ───────────────────────────────────────────────────────────────────

/** Creating or checking the migrator and app users failed (the cause is the driver's error). */
export class ProvisionError extends KnexRolesError<'E_PROVISION'> {
  override name = 'ProvisionError';
}

// ── usage ──────────────────────────────────────────────────────────────────────────

/** Called wrongly: a library function (E_USAGE) or the knex-roles command line (E_CLI_USAGE, lib/cli only). */
export class UsageError extends KnexRolesError<UsageCode> {
  override name = 'UsageError';
}
