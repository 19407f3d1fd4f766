import type { Knex } from 'knex';
import { MigrationError } from '../errors';
import type { Dialect } from '../types';
import type { MigrateContext } from './types';
import { dialectModule } from '../dialects/registry';

/**
 * Locking, in two layers:
 *
 * 1. knex's own lock (the row of `<tableName>_lock`, taken with
 *    `UPDATE … SET is_locked = 1 WHERE is_locked = 0`) is left exactly as knex uses it,
 *    so plain `knex migrate:*` runs and knex-roles runs exclude each other.
 * 2. On PostgreSQL and MySQL a knex-roles run also holds a session-level lock
 *    (pg_advisory_lock / GET_LOCK) for its whole duration. The server releases it when
 *    the session ends, so it tells a live holder from a dead one: when knex's row says
 *    locked but nobody holds the session lock, the process that set the row is gone.
 *    It also makes knex-roles runs queue here, with a bound, instead of blocking on
 *    knex's row lock (PostgreSQL) or racing to create knex's tables.
 *
 * SQLite has no session locks: contention shows up as knex's lock row or SQLITE_BUSY.
 */

export type Holder =
  /** Another knex-roles run holds the session lock: alive. */
  | 'live'
  /** knex's row is locked and no knex-roles run is alive to hold it. */
  | 'dead'
  /** SQLite: the row is locked and nothing tells whether its holder is alive. */
  | 'unknown';

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

export class Deadline {
  readonly started = Date.now();
  private delay = 50;
  private announced = false;

  constructor(readonly timeoutMs: number) {}

  get expired(): boolean {
    return Date.now() - this.started >= this.timeoutMs;
  }

  /** Sleeps a backing-off, jittered interval that never passes the deadline. */
  async pause(ctx: Pick<MigrateContext, 'emit' | 'tableName'>, reason: string): Promise<void> {
    if (!this.announced) {
      this.announced = true;
      ctx.emit({ type: 'waiting', name: `${ctx.tableName}_lock`, reason });
    }
    const left = this.timeoutMs - (Date.now() - this.started);
    const wait = Math.max(0, Math.min(left, this.delay * (0.5 + Math.random())));
    this.delay = Math.min(this.delay * 2, 1000);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

export interface SessionLock {
  release(): Promise<void>;
}

/** Takes the knex-roles session lock (the dialect's, if it has one), waiting until the deadline. */
export async function acquireSessionLock(ctx: MigrateContext, deadline: Deadline): Promise<SessionLock> {
  const lock = dialectModule(ctx.dialect).sessionLock;
  if (!lock) return { release: async () => undefined };
  const { knex } = ctx;
  const connection = (await knex.client.acquireConnection()) as unknown;
  const on = (sql: string) => knex.raw(sql, key as Knex.RawBinding[]).connection(connection);
  // One lock per migrations table (PostgreSQL keys are per database, MySQL names server-wide).
  const key = lock.key(`${ctx.schemaName ?? ''}.${ctx.tableName}`, String((knex.client as { database(): unknown }).database() ?? ''));
  let held = false;
  try {
    for (;;) {
      held = lock.taken(await on(lock.trySql));
      if (held) break;
      if (deadline.expired) throw lockedError(ctx, deadline, 'live');
      await deadline.pause(ctx, 'another knex-roles migration run holds the lock');
    }
  } finally {
    if (!held) await knex.client.releaseConnection(connection);
  }
  return {
    async release() {
      try {
        await on(lock.releaseSql);
      } catch {
        // The session is gone, and its lock with it.
      } finally {
        await knex.client.releaseConnection(connection);
      }
    },
  };
}

/** Whether knex's lock row says locked (committed state; false when the table does not exist yet). */
export async function knexLockHeld(ctx: MigrateContext): Promise<boolean> {
  const lockTable = `${ctx.tableName}_lock`;
  const schema = ctx.schemaName ? ctx.knex.schema.withSchema(ctx.schemaName) : ctx.knex.schema;
  if (!(await schema.hasTable(lockTable))) return false;
  const table = ctx.schemaName ? ctx.knex(lockTable).withSchema(ctx.schemaName) : ctx.knex(lockTable);
  const rows = (await table.select('is_locked')) as Array<{ is_locked: number | string | boolean }>;
  return rows.some((row) => Number(row.is_locked) === 1);
}

/**
 * Lock contention as knex reports it: its LockError (name MigrationLocked, thrown when
 * the row update matches no row) or SQLite's busy error (another connection is writing).
 */
export function isLockContention(error: unknown, dialect: Dialect): 'row' | 'busy' | undefined {
  if (dialectModule(dialect).lockWait?.isBusy(error) === true) return 'busy';
  if ((error as { name?: unknown } | undefined)?.name === 'MigrationLocked') return 'row';
  return undefined;
}

export function lockedError(ctx: Pick<MigrateContext, 'tableName' | 'dialect'>, deadline: Deadline, holder: Holder): MigrationError {
  const lock = `${ctx.tableName}_lock`;
  const waited = `waited ${((Date.now() - deadline.started) / 1000).toFixed(1)} s`;
  switch (holder) {
    case 'live':
      return new MigrationError('E_MIGRATION_LOCKED', `Another migration run is in progress and holds the migration lock (${lock}); ${waited}.`, {
        remedy: 'Let it finish, then run the command again (or raise lockTimeoutMs). Do not unlock: its holder is alive.',
      });
    case 'dead':
      return new MigrationError('E_MIGRATION_LOCKED', `${lock} says locked, but no knex-roles migration run is alive to hold it; ${waited}.`, {
        remedy:
          'Its holder died mid-run (unless a plain `knex migrate` process outside knex-roles is running now: let that finish). ' +
          'Check what the dead run left (`knex-roles migrate status`), then release the lock with `ELOQUENT_DB_ROLE=migration npx knex migrate:unlock` and run again.',
      });
    case 'unknown':
      return new MigrationError('E_MIGRATION_LOCKED', `${lock} says locked by another migration run; ${waited}.`, {
        remedy:
          'Let the other run finish, then run the command again (or raise lockTimeoutMs). SQLite cannot tell whether the holder is still alive: ' +
          'only if you are sure no migration process is running is the lock stale (README: Migrations › Lock).',
      });
  }
}
