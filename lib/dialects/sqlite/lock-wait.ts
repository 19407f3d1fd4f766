import type { Knex } from 'knex';
import type { AfterCreate, LockWait } from '../dialect';

/**
 * On SQLite another run's lock shows up as a write lock on the file, which the driver
 * waits for up to its busy timeout (5 s by default) before SQLITE_BUSY. Capping that
 * wait at lockTimeoutMs keeps lockTimeoutMs the bound on SQLite too.
 */
export const SQLITE_LOCK_WAIT: LockWait = {
  pool(pool: Knex.PoolConfig | undefined, lockTimeoutMs: number): Knex.PoolConfig {
    const user = pool?.afterCreate as AfterCreate | undefined;
    const afterCreate: AfterCreate = (connection, done) => {
      try {
        (connection as { pragma(source: string): unknown }).pragma(`busy_timeout = ${Math.max(0, Math.min(Math.round(lockTimeoutMs), 5000))}`);
      } catch (error) {
        done(error as Error, connection);
        return;
      }
      if (user) user(connection, done);
      else done(null, connection);
    };
    return { ...pool, afterCreate };
  },

  isBusy(error: unknown): boolean {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    return (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) || (typeof message === 'string' && /database is locked/.test(message));
  },
};
