import { expect } from 'chai';
import Database from 'better-sqlite3';
import knex, { type Knex } from 'knex';
import { join } from 'node:path';
import { createKnex } from '../../lib';
import { KnexRolesError, RuntimeDdlError } from '../../lib/error-classes';
import { BOOKKEEPING_GUARD_MESSAGE } from '../../lib/dialects/mysql/bookkeeping';
import { createTestDatabase } from '../../lib/testing';
import { testDialects } from '../support/dialects';
import { APP_MIGRATIONS, tempProject } from '../support/hermetic';
import { TEST_APP, TEST_DATABASE, testEnv, testServers } from '../support/servers';

// knex-roles/testing on a SQLite test file of its own (the guard suite uses it on all three dialects).
describe('createTestDatabase', () => {
  // A SQLite test file of its own per test; the migrations named absolutely, not by the working directory.
  let env: { SQLITE_TEST_PATH: string };
  const knex = { migrations: APP_MIGRATIONS };
  beforeEach(() => {
    env = { SQLITE_TEST_PATH: join(tempProject('knex-roles-testing-'), 'suite.sqlite3') };
  });
  const tables = (): string[] => {
    const db = new Database(env.SQLITE_TEST_PATH);
    try {
      return (db.prepare(`select name from sqlite_master where type = 'table' and name not like 'knex_%' and name not like 'sqlite_%' order by name`).all() as Array<{ name: string }>).map((r) => r.name);
    } finally {
      db.close();
    }
  };

  it('db before setup() is a typed error', () => {
    expect(() => createTestDatabase({ env, knex }).db).to.throw(KnexRolesError, /before setup/);
  });

  it('setup migrates with the test migration role and hands out the guarded test runtime instance', async () => {
    const testDb = createTestDatabase({ env, knex });
    await testDb.setup();
    try {
      expect(testDb.applied).to.deep.equal(['20261122000001_create_authors.ts', '20261122000002_create_posts.ts']);
      expect(tables()).to.deep.equal(['authors', 'posts']);
      await testDb.db('authors').insert({ name: 'T', email: 't@example.org' });
      await testDb.db.schema.dropTable('posts').then(
        () => expect.fail('the test runtime instance must be guarded'),
        (err: unknown) => expect(err).to.be.instanceOf(RuntimeDdlError),
      );
    } finally {
      await testDb.teardown();
    }
    expect(tables()).to.deep.equal([]);
  });

  it('teardown rolls back only what setup applied', async () => {
    const migrator = createKnex({ env, test: true, role: 'migration', knex });
    await migrator.migrate.up();
    await migrator.destroy();
    const testDb = createTestDatabase({ env, knex });
    await testDb.setup();
    expect(testDb.applied).to.deep.equal(['20261122000002_create_posts.ts']);
    await testDb.teardown();
    expect(tables()).to.deep.equal(['authors']);
  });
});

// setup() runs the CLI's migration engine, not knex.migrate.latest(): knex's tables come out
// closed to the app as after `knex-roles migrate`. A table name provisioning never created
// shows it: here knex's tables are made by setup() itself.
for (const dialect of testDialects()) {
  describe(`createTestDatabase on ${dialect}: the runtime db cannot write knex's tables`, () => {
    const tableName = 'kr_testing_history';
    const tables = [tableName, `${tableName}_lock`];
    const knexOptions = { migrations: { ...APP_MIGRATIONS, tableName } };
    let env: Record<string, string>;
    /** The app's own credentials without the guard (PostgreSQL, MySQL): the server is the boundary. */
    let app: Knex | undefined;

    const writes = (db: Knex): Array<[string, () => Promise<unknown>]> => [
      [`insert ${tables[0]}`, () => db(tables[0]!).insert({ name: 'forged.ts', batch: 99, migration_time: new Date() })],
      [`update ${tables[0]}`, () => db(tables[0]!).update({ batch: 99 })],
      [`delete ${tables[0]}`, () => db(tables[0]!).delete()],
      [`update ${tables[1]}`, () => db(tables[1]!).update({ is_locked: 1 })],
      [`delete ${tables[1]}`, () => db(tables[1]!).delete()],
    ];
    const failure = async (what: string, run: () => Promise<unknown>): Promise<Record<string, unknown>> => {
      try {
        await run();
      } catch (error) {
        return error as Record<string, unknown>;
      }
      return expect.fail(`${what}: the write went through`);
    };

    before(async () => {
      env = { ...(await testEnv()), DB_TEST_CONNECTION: dialect };
      if (dialect !== 'sqlite') {
        const server = (await testServers())[dialect];
        app = knex({ client: dialect === 'postgres' ? 'pg' : 'mysql2', connection: { host: server.host, port: server.port, user: TEST_APP.user, password: TEST_APP.password, database: TEST_DATABASE } });
      }
    });

    after(async () => {
      await app?.destroy();
      // The bookkeeping tables stay after a rollback (as with knex); the migrator owns them.
      const migrator = createKnex({ env, test: true, role: 'migration' });
      try {
        for (const table of tables) await migrator.schema.dropTableIfExists(table);
      } finally {
        await migrator.destroy();
      }
    });

    it('after setup() the guarded db and (PostgreSQL, MySQL) the server refuse every write there; teardown still rolls back', async () => {
      const testDb = createTestDatabase({ env, knex: knexOptions });
      await testDb.setup();
      try {
        expect(testDb.applied).to.deep.equal(['20261122000001_create_authors.ts', '20261122000002_create_posts.ts']);
        for (const [what, run] of writes(testDb.db)) {
          expect(await failure(what, run), what).to.be.instanceOf(RuntimeDdlError);
        }
        if (app) {
          for (const [what, run] of writes(app)) {
            const error = await failure(what, run);
            if (dialect === 'postgres') expect(error['code'], `${what}: ${String(error['message'])}`).to.equal('42501');
            else expect([error['sqlState'], error['sqlMessage']], what).to.deep.equal(['42000', BOOKKEEPING_GUARD_MESSAGE]);
          }
          expect(await app(tables[0]!).count({ n: '*' }).then((rows) => Number(rows[0]?.['n']))).to.equal(2);
        }
      } finally {
        await testDb.teardown();
      }
      const migrator = createKnex({ env, test: true, role: 'migration' });
      try {
        expect(await migrator.schema.hasTable('posts'), 'teardown rolled back the posts migration').to.equal(false);
        expect(await migrator(tableName).count({ n: '*' }).then((rows) => Number(rows[0]?.['n']))).to.equal(0);
      } finally {
        await migrator.destroy();
      }
    });
  });
}
