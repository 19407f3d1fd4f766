import type { Knex } from 'knex';
import { KnexRolesError } from '../errors';
import type { Dialect } from '../types';
import { GUARDED, guardClientClass, type ClientClass } from './client';
import { refuseMigrate, refusingMigrations } from './refusing-migrations';

export interface GuardInstanceOptions {
  /** See `KnexRolesOptions.dangerouslyAllow`. */
  dangerouslyAllow?: readonly string[];
  /** Let `CREATE TEMPORARY TABLE` through (see `KnexRolesOptions.appTemporaryTables`). */
  appTemporaryTables?: boolean;
}

/**
 * Puts an existing knex instance under the runtime guard, in place, and returns it.
 * The client's prototype becomes a guarded subclass of its own class, so transactions
 * (built from `client.constructor.prototype`) inherit the guard and the pool is kept.
 */
export function guard<T extends Knex>(instance: T, options: GuardInstanceOptions = {}): T {
  const client = instance.client as Knex.Client & { config: Knex.Config; dialect?: string; driverName?: string };
  const Base = client.constructor as ClientClass & { [GUARDED]?: boolean };
  if (Base[GUARDED]) return instance;
  const dialect = dialectOf(client.driverName ?? client.dialect ?? '');
  const Guarded = guardClientClass(Base, dialect, { role: 'runtime', dangerouslyAllow: options.dangerouslyAllow ?? [], appTemporaryTables: options.appTemporaryTables ?? false });
  Object.setPrototypeOf(client, Guarded.prototype);
  client.config = { ...client.config, migrations: refusingMigrations(dialect, client.config.migrations) };
  return refuseMigrate(instance, dialect);
}

const DRIVER_DIALECTS: Readonly<Record<string, Dialect>> = {
  pg: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mysql2: 'mysql',
  sqlite3: 'sqlite',
  'better-sqlite3': 'sqlite',
};

function dialectOf(driver: string): Dialect {
  const dialect = DRIVER_DIALECTS[driver];
  if (dialect) return dialect;
  throw new KnexRolesError('E_GUARD_DIALECT', `guard() does not know the knex client "${driver}".`, {
    remedy: 'Use one of the pg, mysql2, mysql, better-sqlite3 or sqlite3 clients.',
  });
}
