import type { Knex } from 'knex';
import { GuardError, UsageError } from '../errors';
import { dialectOfKnexName, knexNames } from '../dialects/registry';
import type { Dialect } from '../types';
import type { ClientClass } from './client';
import { assertIdle, gatePool } from './pool-gate';
import { refuseMigrate, refusingMigrations } from './refusing-migrations';

export interface GuardInstanceOptions {
  /** See `KnexRolesOptions.dangerouslyAllow`. */
  dangerouslyAllow?: readonly string[];
  /** Let `CREATE TEMPORARY TABLE` through (see `KnexRolesOptions.appTemporaryTables`). */
  appTemporaryTables?: boolean;
}

type GuardableClient = Knex.Client & {
  config: Knex.Config;
  dialect?: string;
  driverName?: string;
  pool?: Parameters<typeof gatePool>[0] & { creator?: unknown; validate?: unknown };
  getPoolSettings(poolConfig: Knex.PoolConfig | undefined): { create: unknown; validate: unknown };
};

/**
 * Puts an existing knex instance under the runtime guard, in place, and returns it.
 * The client's prototype becomes a guarded subclass of its own class, so transactions
 * and `withUserParams()` copies made from now on (built from `client.constructor.prototype`)
 * inherit the guard and the pool is kept. What knex made from the client before shares only
 * the pool: guard() refuses while a connection is out (E_GUARD_IN_USE), and the pool then
 * refuses earlier copies (E_GUARD_EARLIER_CLONE).
 */
export function guard<T extends Knex>(instance: T, options: GuardInstanceOptions = {}): T {
  // The guard's modules load on the first guard() call, not with knex-roles (lib/lazy.ts).
  const { GUARDED, guardClientClass } = require('./client') as typeof import('./client');
  const client = (instance as { client?: unknown } | null | undefined)?.client as GuardableClient | undefined;
  if (typeof client !== 'object' || client === null || typeof client.constructor !== 'function') {
    throw new UsageError('E_USAGE', 'guard() was given something that is not a knex instance.', { remedy: 'Pass the instance knex(config) returned: guard(knex(config)).' });
  }
  const Base = client.constructor as ClientClass & { [GUARDED]?: boolean };
  if (Base[GUARDED]) return instance;
  const dialect = dialectOf(client.driverName ?? client.dialect ?? '');
  const { pool } = client;
  if (pool) assertIdle(pool, dialect);
  const Guarded = guardClientClass(Base, dialect, { role: 'runtime', dangerouslyAllow: options.dangerouslyAllow ?? [], appTemporaryTables: options.appTemporaryTables ?? false });
  Object.setPrototypeOf(client, Guarded.prototype);
  client.config = { ...client.config, migrations: refusingMigrations(dialect, client.config.migrations) };
  // The bookkeeping tables it names now stay protected whatever the config says later.
  (client as unknown as { protectBookkeeping(): void }).protectBookkeeping();
  if (pool) {
    gatePool(pool, dialect);
    // knex built the pool's create step with the user's afterCreate inside; built again by
    // the guarded client, the hook gets its connections under the guard (tarn's `creator`).
    // So is its validate step (knex 3.3+ calls the user's pool.validate with the pooled connection).
    const hooks = client.config.pool as { afterCreate?: unknown; validate?: unknown } | undefined;
    if (hooks?.afterCreate || hooks?.validate) {
      const settings = client.getPoolSettings(client.config.pool);
      if (hooks.afterCreate && 'creator' in pool) pool.creator = settings.create;
      if (hooks.validate && 'validate' in pool) pool.validate = settings.validate;
    }
  }
  return refuseMigrate(instance, dialect);
}

function dialectOf(driver: string): Dialect {
  const dialect = dialectOfKnexName(driver);
  if (dialect) return dialect;
  throw new GuardError('E_GUARD_DIALECT', `guard() does not know the knex client "${driver}".`, {
    remedy: `Use one of the ${knexNames().join(', ')} clients.`,
  });
}
