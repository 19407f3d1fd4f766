import { expect } from 'chai';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createKnex, KnexRolesError, RuntimeDdlError } from '../../lib';
import { createTestDatabase } from '../../lib/testing';
import { APP_MIGRATIONS, tempProject } from '../support/hermetic';

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
