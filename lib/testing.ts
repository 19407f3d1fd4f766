import type { Knex } from 'knex';
import { UsageError } from './errors';
import { createKnex, type KnexRolesOptions } from './knexfile';

export interface TestDatabaseOptions extends Omit<KnexRolesOptions, 'role' | 'test'> {
  /** Roll back, in `teardown()`, the batch `setup()` applied, leaving the test database as found. Default true. */
  rollback?: boolean;
}

/**
 * A test suite's database, configured only through the DB_TEST_* / PG_TEST_* /
 * SQLITE_TEST_* variables: `setup()` migrates with the test migration credentials,
 * `db` is the guarded runtime instance the tests use, `teardown()` cleans up.
 *
 *   // test/setup.ts, loaded with mocha's --require
 *   import { createTestDatabase } from 'knex-roles/testing';
 *   export const testDb = createTestDatabase();
 *   export const mochaHooks = testDb.mochaHooks();
 */
export interface TestDatabase {
  /** The guarded runtime instance (test mode); available between setup and teardown. */
  readonly db: Knex;
  /** Migrations applied by the last setup(). */
  readonly applied: readonly string[];
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** `{ beforeAll, afterAll }` for mocha's root hooks. */
  mochaHooks(): { beforeAll(): Promise<void>; afterAll(): Promise<void> };
}

export function createTestDatabase(options: TestDatabaseOptions = {}): TestDatabase {
  const { rollback = true, ...knexOptions } = options;
  let db: Knex | undefined;
  let applied: string[] = [];

  const migrator = (): Knex => createKnex({ ...knexOptions, role: 'migration', test: true });

  const testDatabase: TestDatabase = {
    get db(): Knex {
      if (!db) throw new UsageError('E_USAGE', 'createTestDatabase(): db was used before setup().', { remedy: 'Call setup() first, or use mochaHooks() as mocha root hooks.' });
      return db;
    },
    get applied(): readonly string[] {
      return applied;
    },
    async setup() {
      await testDatabase.teardown();
      const knex = migrator();
      try {
        const [, names] = (await knex.migrate.latest()) as [number, string[]];
        applied = names;
      } finally {
        await knex.destroy();
      }
      db = createKnex({ ...knexOptions, role: 'runtime', test: true });
    },
    async teardown() {
      const runtime = db;
      db = undefined;
      await runtime?.destroy();
      // Only what setup() applied (one batch): migrations that were there before stay.
      const mine = applied;
      applied = [];
      if (!rollback || mine.length === 0) return;
      const knex = migrator();
      try {
        await knex.migrate.rollback();
      } finally {
        await knex.destroy();
      }
    },
    mochaHooks() {
      return { beforeAll: () => testDatabase.setup(), afterAll: () => testDatabase.teardown() };
    },
  };
  return testDatabase;
}
