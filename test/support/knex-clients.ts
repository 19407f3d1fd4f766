import type { Dialect } from '../../lib/types';
import { testDialects } from './dialects';

/**
 * The knex clients the guard is tested on, per dialect: every client knex offers for the
 * database (pgnative: pg-native, built against libpq; .ci/run installs libpq-dev).
 */
export const KNEX_CLIENTS: Readonly<Record<Dialect, readonly string[]>> = {
  postgres: ['pg', 'pgnative'],
  mysql: ['mysql2', 'mysql', 'mariadb'],
  sqlite: ['better-sqlite3'],
};

/** (dialect, knex client) pairs of the selected dialects (DIALECTS), for suites to iterate. */
export function testClients(): Array<{ dialect: Dialect; client: string }> {
  return testDialects().flatMap((dialect) => KNEX_CLIENTS[dialect].map((client) => ({ dialect, client })));
}
