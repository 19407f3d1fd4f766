import { ProvisionError } from '../errors';

/**
 * What `knex-roles provision` sets up, whatever the dialect: one database, a migrator
 * that may change its schema, and an app user that may only read and write rows.
 * Each dialect folder (`postgres/`, `mysql/`) turns a plan into SQL (`provisionSteps`)
 * and applies it idempotently (`provision`).
 */
export interface ProvisionPlan {
  /** Target database. */
  database: string;
  /** PostgreSQL only: the schema the migrator creates objects in. Default `public`. */
  schema?: string;
  migrator: { user: string; password: string };
  app: { user: string; password: string };
  /** MySQL only: the host part of both accounts (`'user'@'host'`). Default `%`. */
  userHost?: string;
  /**
   * The opt-in for runtime code that fills temporary tables (`CREATE TEMP TABLE … ON COMMIT
   * DROP`): the app gets PostgreSQL `TEMPORARY` on the database / MySQL `CREATE TEMPORARY
   * TABLES` on it. The migrator always has them. Default false. Env: KNEX_ROLES_APP_TEMPORARY_TABLES.
   */
  appTemporaryTables?: boolean;
  /** knex's `migrations.tableName` (its lock table is `<name>_lock`): the app may only read them. Default `knex_migrations`. */
  migrationsTable?: string;
}

/** knex's default `migrations.tableName`. */
const DEFAULT_MIGRATIONS_TABLE = 'knex_migrations';

/** knex's bookkeeping tables for a `migrations.tableName`: the table and its lock table. */
export function bookkeepingTables(tableName: string = DEFAULT_MIGRATIONS_TABLE): [string, string] {
  return [tableName, `${tableName}_lock`];
}

export interface ProvisionStep {
  /** One line for humans; never contains a password. */
  description: string;
  /** The statement as sent to the server (may carry a password or verifier). */
  sql: string;
  /** `sql` with every password (or verifier) replaced by `'<redacted>'`: safe to print. */
  redactedSql: string;
  params?: unknown[];
}

export interface ProvisionReport {
  steps: Array<{ description: string; changed: boolean }>;
}

/** How `provision` reaches the server as an administrator. */
export interface AdminConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  /**
   * PostgreSQL: the maintenance database used only to CREATE DATABASE when the target is
   * missing (default `postgres`); everything else runs connected to the target.
   * MySQL: ignored (statements name the database, which may not exist yet).
   */
  database?: string;
  /** Passed through to the driver (`pg` / `mysql2`) unchanged. */
  ssl?: boolean | Record<string, unknown>;
}

export interface ProvisionOptions {
  /** Called after each step with its outcome (e.g. for CLI progress output). */
  onStep?: (step: { description: string; changed: boolean }) => void;
  /** Connect timeout for the admin connection and the login checks. Default 10 000. */
  connectTimeoutMillis?: number;
}

/** What `redactedSql` shows in place of a secret. */
export const REDACTED = "'<redacted>'";

/**
 * Rejects plans no server could apply, before anything is sent. The messages name
 * users and databases only, never passwords.
 */
export function validatePlan(
  plan: ProvisionPlan,
  limits: { maxIdentifierLength: number; maxUserLength: number; unit: 'bytes' | 'characters' },
): void {
  const fail = (message: string, remedy: string): never => {
    throw new ProvisionError('E_PROVISION', message, { remedy });
  };
  const named: Array<[string, unknown, number]> = [
    ['database', plan.database, limits.maxIdentifierLength],
    ['migrator user', plan.migrator?.user, limits.maxUserLength],
    ['app user', plan.app?.user, limits.maxUserLength],
  ];
  if (plan.schema !== undefined) named.push(['schema', plan.schema, limits.maxIdentifierLength]);
  if (plan.userHost !== undefined) named.push(['user host', plan.userHost, 255]);
  // The lock table's name is 5 characters longer and must fit too.
  if (plan.migrationsTable !== undefined) named.push(['migrations table', plan.migrationsTable, limits.maxIdentifierLength - '_lock'.length]);
  for (const [what, value, max] of named) {
    if (typeof value !== 'string' || value.length === 0) {
      fail(`Provision plan: the ${what} name is empty.`, `Set the ${what} name.`);
    }
    const name = value as string;
    if (name.includes('\0')) fail(`Provision plan: the ${what} name contains a NUL character.`, `Choose a ${what} name without NUL.`);
    // Servers silently truncate long identifiers, after which every check looks at the wrong name.
    const length = limits.unit === 'bytes' ? Buffer.byteLength(name, 'utf8') : [...name].length;
    if (length > max) {
      fail(`Provision plan: the ${what} name "${name}" is longer than ${max} ${limits.unit}.`, `Choose a shorter ${what} name.`);
    }
  }
  if (plan.migrator.user === plan.app.user) {
    fail(
      `Provision plan: the migrator and the app are the same user "${plan.app.user}".`,
      'Use two different users: the point is that the app user cannot change the schema.',
    );
  }
  for (const [who, user] of [['migrator', plan.migrator], ['app', plan.app]] as const) {
    if (typeof user.password !== 'string' || user.password.length === 0) {
      fail(`Provision plan: the ${who} user "${user.user}" has an empty password.`, `Set a password for the ${who} user.`);
    }
    if (user.password.includes('\0')) {
      fail(`Provision plan: the password of the ${who} user "${user.user}" contains a NUL character.`, 'Choose a password without NUL characters (no SQL server accepts them).');
    }
  }
}
