import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { once } from 'node:events';
import { createKnex, guard, knexConfig, type Dialect } from '../../lib';
import { RuntimeDdlError } from '../../lib/error-classes';
import { createTestDatabase, type TestDatabase } from '../../lib/testing';
import { testDialects } from '../support/dialects';
import { APP_MIGRATIONS } from '../support/hermetic';
import { testEnv } from '../support/servers';

// Server error codes for "permission denied", to tell the database's refusal from the guard's.
const PERMISSION_DENIED: Record<Dialect, string[]> = { postgres: ['42501'], mysql: ['ER_TABLEACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR'], sqlite: [] };

async function refusal(run: () => Promise<unknown>): Promise<RuntimeDdlError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof RuntimeDdlError) return err;
    // knex's SQLite table rebuilds start with `PRAGMA foreign_keys = OFF` (refused by the
    // integrity policy); knex rethrows that refusal as its own error with the refusal as `cause`.
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof RuntimeDdlError && /foreign_keys/.test((err as Error).message)) return cause;
    throw err;
  }
  throw new Error('expected the guard to refuse');
}

/** Tables and columns as the database itself reports them. */
async function schemaSnapshot(db: Knex, dialect: Dialect): Promise<string[]> {
  const tables =
    dialect === 'postgres'
      ? (await db.raw(`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`)).rows
      : dialect === 'mysql'
        ? (await db.raw(`select table_name as name from information_schema.tables where table_schema = database() order by 1`))[0]
        : await db.raw(`select name from sqlite_master where type = 'table' order by 1`);
  const out: string[] = [];
  for (const { name } of tables as Array<{ name: string }>) {
    // Nullability too, so a NOT NULL set or dropped behind the guard's back would show.
    const columns = Object.entries(await db(name).columnInfo()).map(([column, info]) => `${column}${info.nullable ? '?' : ''}`);
    out.push(`${name}(${columns.sort().join(',')})`);
  }
  return out;
}

for (const dialect of testDialects()) {
  describe(`guard on ${dialect}`, () => {
    let env: Record<string, string>;
    let testDb: TestDatabase;
    let migrator: Knex;
    let initial: string[];

    before(async () => {
      env = { ...(await testEnv()), DB_TEST_CONNECTION: dialect, NODE_ENV: 'test' };
      testDb = createTestDatabase({ env, knex: { migrations: APP_MIGRATIONS } });
      await testDb.setup();
      migrator = createKnex({ env, role: 'migration' });
      initial = await schemaSnapshot(migrator, dialect);
      expect(initial.join(' ')).to.include('posts(');
    });

    after(async () => {
      await migrator?.destroy();
      await testDb?.teardown();
    });

    it('allows reads, writes and knex catalog reads', async () => {
      const { db } = testDb;
      const [row] = await db('authors').insert({ name: 'Grace', email: `grace-${dialect}@example.org` }, ['id']);
      const id = typeof row === 'object' ? row.id : row;
      await db('posts').insert({ author_id: id, title: 't', body: 'b' });
      expect(await db('posts').where({ author_id: id }).update({ published: true })).to.equal(1);
      expect(await db.schema.hasTable('posts')).to.equal(true);
      expect(await db.schema.hasColumn('posts', 'title')).to.equal(true);
      expect(Object.keys(await db('posts').columnInfo())).to.include('body');
      expect(await db('authors').where({ id }).delete()).to.equal(1);
    });

    it('refuses the schema builder', async () => {
      const error = await refusal(() => testDb.db.schema.createTable('intruder', (t) => t.increments()));
      expect(error.code).to.equal('E_RUNTIME_DDL');
      expect(error.kind).to.equal('ddl');
      expect(error.keyword).to.equal('CREATE TABLE');
      expect(error.role).to.equal('runtime');
      expect(error.remedy).to.include('ELOQUENT_DB_ROLE=migration');
      await refusal(() => testDb.db.schema.alterTable('posts', (t) => t.string('extra')));
      await refusal(() => testDb.db.schema.dropTable('posts'));
    });

    it('refuses raw DDL and privilege statements', async () => {
      expect((await refusal(() => testDb.db.raw('drop table posts'))).keyword).to.equal('DROP TABLE');
      expect((await refusal(() => testDb.db.raw('/* harmless */ TRUNCATE authors'))).keyword).to.match(/^TRUNCATE/);
      // SQLite has no GRANT: unknown statements are refused too (fail closed).
      expect((await refusal(() => testDb.db.raw(`grant select on posts to ${dialect === 'mysql' ? "'nobody'@'%'" : 'public'}`))).kind).to.equal(dialect === 'sqlite' ? 'other' : 'privilege');
    });

    it('refuses a multi-statement string if any statement is DDL', async () => {
      const error = await refusal(() => testDb.db.raw('select 1; drop table posts'));
      expect(error.keyword).to.equal('DROP TABLE');
      expect(error.statement).to.equal('drop table posts');
    });

    it('refuses inside transactions and rolls back their writes', async () => {
      const email = `tx-${dialect}@example.org`;
      await refusal(() =>
        testDb.db.transaction(async (trx) => {
          await trx('authors').insert({ name: 'tx', email });
          await trx.schema.dropTable('posts');
        }),
      );
      expect(await testDb.db('authors').where({ email }).first()).to.equal(undefined);
    });

    it('refuses inside nested transactions', async () => {
      await refusal(() => testDb.db.transaction((trx) => trx.transaction((inner) => inner.raw('alter table posts add column sneaky integer'))));
      const trx = await testDb.db.transaction();
      try {
        await refusal(() => trx.raw('create index sneaky on posts (title)'));
      } finally {
        await trx.rollback().catch(() => undefined);
      }
    });

    it('refuses streams', async () => {
      const stream = testDb.db.raw('drop table posts').stream();
      const [error] = await once(stream, 'error');
      expect(error).to.be.instanceOf(RuntimeDdlError);
      // Streams that read still work: a known row comes back through the guarded client.
      const email = `stream-${dialect}@example.org`;
      await testDb.db('authors').insert({ name: 'Streamed', email });
      try {
        const rows: Array<{ name: string; email: string }> = [];
        for await (const row of testDb.db('authors').select('name', 'email').where({ email }).stream()) rows.push({ ...(row as { name: string; email: string }) });
        expect(rows).to.deep.equal([{ name: 'Streamed', email }]);
      } finally {
        await testDb.db('authors').where({ email }).delete();
      }
    });

    it('refuses migrations at once, sending nothing', async () => {
      const sent: string[] = [];
      const listener = (query: { sql: string }) => sent.push(query.sql);
      testDb.db.on('query', listener);
      try {
        for (const run of [() => testDb.db.migrate.latest(), () => testDb.db.migrate.up(), () => testDb.db.migrate.down(), () => testDb.db.migrate.rollback()]) {
          const error = await refusal(run);
          expect(error.code).to.equal('E_RUNTIME_MIGRATE');
        }
      } finally {
        testDb.db.off('query', listener);
      }
      expect(sent).to.deep.equal([]);
    });

    it('refuses the schema-builder operations knex compiles at run time', async () => {
      // Some of these compile to a read (column info, the table's CREATE statement) that
      // runs first and DDL built from its answer: the read may run, the DDL must not.
      const sent: string[] = [];
      const listener = (query: { sql: string }) => sent.push(query.sql);
      testDb.db.on('query', listener);
      const operations: Array<[name: string, build: (t: Knex.AlterTableBuilder) => void]> = [
        ['dropColumn', (t) => t.dropColumn('body')],
        ['renameColumn', (t) => t.renameColumn('title', 'heading')],
        ['setNullable', (t) => t.setNullable('title')],
        ['dropNullable', (t) => t.dropNullable('body')],
        ['foreign', (t) => t.foreign('author_id').references('authors.id')],
        ['dropForeign', (t) => t.dropForeign('author_id')],
        ['primary', (t) => t.primary(['id'])],
        ['dropPrimary', (t) => t.dropPrimary()],
        ['unique', (t) => t.unique(['title'])],
        ['index', (t) => t.index(['title'])],
        ['dropIndex', (t) => t.dropIndex(['author_id', 'published'])],
        ['alter', (t) => t.string('title', 10).alter()],
        ['dropTimestamps', (t) => t.dropTimestamps()],
      ];
      try {
        for (const [name, build] of operations) {
          const error = await refusal(() => testDb.db.schema.alterTable('posts', build)).catch((err: Error) => {
            throw new Error(`${name}: ${err.message}`);
          });
          expect(error.code, name).to.equal('E_RUNTIME_DDL');
          expect(error.kind, name).to.be.oneOf(['ddl', 'other']);
        }
        await refusal(() => testDb.db.schema.renameTable('posts', 'articles'));
        await refusal(() => testDb.db.schema.table('posts', (t) => t.dropColumn('published')));
      } finally {
        testDb.db.off('query', listener);
      }
      // The guard refuses before sending: nothing that reached the database changes the schema.
      const { classifySql } = await import('../../lib/guard/classify');
      // MySQL and SQLite read the table's definition first, so the run-time path was taken.
      if (dialect !== 'postgres') expect(sent.length).to.be.above(0);
      for (const sql of sent) expect(classifySql(sql, dialect).allowedOnRuntime, sql).to.equal(true);
      expect(await testDb.db('posts').count({ n: '*' }).first()).to.have.property('n');
    });

    it('leaves the database unchanged', async () => {
      expect(await schemaSnapshot(migrator, dialect)).to.deep.equal(initial);
    });

    it('dangerouslyAllow lets a named keyword through to the database, loudly', async () => {
      const warnings: string[] = [];
      const onWarning = (warning: Error & { code?: string }) => warnings.push(String(warning.code));
      process.on('warning', onWarning);
      // knex compiles truncate() to DELETE on SQLite, which the guard allows anyway: there the
      // opt-in is shown with a statement it refuses by default.
      const loose = createKnex({ env, role: 'runtime', dangerouslyAllow: [dialect === 'sqlite' ? 'CREATE TEMPORARY TABLE' : 'truncate'] });
      try {
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings).to.include('KNEX_ROLES_DANGEROUSLY_ALLOW');
        if (dialect === 'sqlite') {
          // Refused without the opt-in…
          expect((await refusal(() => testDb.db.raw('create temporary table scratch (id integer)'))).keyword).to.equal('CREATE TEMPORARY TABLE');
          // …and, with it, sent: no users on SQLite, so the guard was the only boundary, and it was opened.
          // One transaction, so one connection: the temporary table lives on the connection that made it.
          await loose.transaction(async (trx) => {
            await trx.raw('create temporary table scratch (id integer)');
            await trx.raw('insert into scratch values (1)');
            expect(await trx.raw('select count(*) as n from scratch')).to.deep.equal([{ n: 1 }]);
          });
        } else {
          // The guard lets it through; the runtime user's missing privilege stops it.
          let serverError: { code?: string } | undefined;
          await loose('posts').truncate().catch((err: { code?: string }) => (serverError = err));
          expect(serverError).not.to.be.instanceOf(RuntimeDdlError);
          expect(PERMISSION_DENIED[dialect]).to.include(serverError?.code);
        }
        await refusal(() => loose.raw('drop table posts'));
      } finally {
        process.off('warning', onWarning);
        await loose.destroy();
      }
    });

    it('guard() puts an existing instance under the guard in place, transactions included', async () => {
      const plain = knex({ ...knexConfig({ env, role: 'migration' }) });
      try {
        expect(guard(plain)).to.equal(plain);
        await refusal(() => plain.schema.createTable('intruder', (t) => t.increments()));
        await refusal(() => plain.transaction((trx) => trx.raw('drop table posts')));
        expect(await plain('posts').count({ n: '*' }).first()).to.have.property('n');
        expect(guard(plain)).to.equal(plain);
      } finally {
        await plain.destroy();
      }
      expect(await schemaSnapshot(migrator, dialect)).to.deep.equal(initial);
    });
  });
}
