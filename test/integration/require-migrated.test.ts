import { expect } from 'chai';
import type { Knex } from 'knex';
import { runMigrations } from '../../lib/migrate/run-migrations';
import { startKnex } from '../../lib/start-knex';
import { testDialects } from '../support/dialects';
import { BASIC, FIXTURES, cleanup, inspector, suiteEnv } from '../fixtures/migrate-support';

const TABLE = 'mt_rm_migrations';
const migrations = { directory: FIXTURES.basic, tableName: TABLE };

async function failure(run: () => Promise<unknown>): Promise<Error & { code?: string; pending?: string[] }> {
  try {
    await run();
  } catch (error) {
    return error as Error & { code?: string; pending?: string[] };
  }
  throw new Error('expected a failure');
}

// The runtime role reads the migration status (never writes or creates knex's tables),
// and `startKnex({ requireMigrated: true })` refuses to start on a database that is behind.
for (const dialect of testDialects()) {
  describe(`runtime migration status on ${dialect}`, () => {
    let migrationEnv: Record<string, string>;
    let runtimeEnv: Record<string, string>;
    let db: Knex;

    before(async () => {
      migrationEnv = await suiteEnv(dialect);
      runtimeEnv = Object.fromEntries(Object.entries({ ...migrationEnv, ELOQUENT_DB_ROLE: 'runtime' }).filter(([name]) => !/_(MIGRATION|ADMIN)_/.test(name)));
      db = inspector(migrationEnv);
      await cleanup(db, dialect);
    });

    after(async () => {
      if (db) {
        await cleanup(db, dialect);
        await db.destroy();
      }
    });

    it('requireMigrated on a database where no migration ran: E_NOT_MIGRATED, and the table is not created', async () => {
      const error = await failure(() => startKnex({ env: runtimeEnv, requireMigrated: true, knex: { migrations } }));
      expect(error.code).to.equal('E_NOT_MIGRATED');
      expect(error.message).to.include(TABLE).and.include('no migration has run yet');
      expect(await db.schema.hasTable(TABLE)).to.equal(false);
    });

    it('requireMigrated names the pending migrations; once applied, startKnex starts and status reads', async () => {
      await runMigrations('up', { env: migrationEnv, knex: { migrations } });
      const error = await failure(() => startKnex({ env: runtimeEnv, requireMigrated: true, knex: { migrations } }));
      expect(error.code).to.equal('E_NOT_MIGRATED');
      expect(error.pending).to.deep.equal(BASIC.slice(1));
      expect(error.message).to.include(BASIC[1]).and.include(BASIC[2]);

      await runMigrations('latest', { env: migrationEnv, knex: { migrations } });
      const started = await startKnex({ env: runtimeEnv, requireMigrated: true, knex: { migrations } });
      try {
        const [completed, pending] = (await started.migrate.list()) as [Array<{ name: string }>, unknown[]];
        expect(completed.map((m) => m.name)).to.deep.equal(BASIC);
        expect(pending).to.deep.equal([]);
        expect(await started.migrate.currentVersion()).to.equal(BASIC[2]?.slice(0, 14));
        const refused = await failure(() => started.migrate.forceFreeMigrationsLock());
        expect(refused.code).to.equal('E_RUNTIME_MIGRATE');
      } finally {
        await started.destroy();
      }
    });
  });
}
