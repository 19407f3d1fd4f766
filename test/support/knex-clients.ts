import type { Dialect } from '../../lib/types';
import { testDialects } from './dialects';

/**
 * The knex clients the guard is tested on, per dialect: every client knex offers for the
 * database whose driver is installed here. pg-native (`pgnative`) needs libpq and a native
 * build, so it is not among them (README, guard section).
 */
export const KNEX_CLIENTS: Readonly<Record<Dialect, readonly string[]>> = {
  postgres: ['pg'],
  mysql: ['mysql2', 'mysql', 'mariadb'],
  sqlite: ['better-sqlite3'],
};

/** (dialect, knex client) pairs of the selected dialects (DIALECTS), for suites to iterate. */
export function testClients(): Array<{ dialect: Dialect; client: string }> {
  return testDialects().flatMap((dialect) => KNEX_CLIENTS[dialect].map((client) => ({ dialect, client })));
}
