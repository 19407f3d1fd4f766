import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { RuntimeDdlError } from '../../lib/errors';
import { createStatementCheck, type PreCheck } from '../../lib/guard/client';
import { bookkeepingWriteCheck } from '../../lib/guard/bookkeeping-writes';
import { guard } from '../../lib/guard/guard';

// One cache entry per SQL text holds the guard's whole verdict: the pre-check (knex's
// bookkeeping tables) and the classifier. Counted, not timed: how often the pre-check runs
// shows whether a text was judged again or answered from the cache.

const OPTIONS = { role: 'runtime' as const, dangerouslyAllow: [] };

function counting(refuse: (sql: string) => boolean): { preCheck: PreCheck; calls: string[] } {
  const calls: string[] = [];
  const preCheck: PreCheck = (sql) => {
    calls.push(sql);
    return refuse(sql) ? RuntimeDdlError.of({ kind: 'write', keyword: 'PRE', role: 'runtime', dialect: 'sqlite', statement: sql }) : undefined;
  };
  return { preCheck, calls };
}

describe('guard verdict cache', () => {
  it('judges a text twice at most: from its second sight on, a check runs neither the pre-check nor the classifier', () => {
    const { preCheck, calls } = counting(() => false);
    const check = createStatementCheck('sqlite', OPTIONS, preCheck);
    // A fresh copy each time, as knex builds a new string per query.
    for (let i = 0; i < 4; i++) expect(check(['select * from t where id = ', '?'].join(''))).to.equal(undefined);
    for (let i = 0; i < 3; i++) expect(check('drop table t')?.keyword).to.equal('DROP TABLE');
    // The first sight is remembered, not stored (TextCache.offer): a text seen once is not worth an entry.
    expect(calls).to.deep.equal(['select * from t where id = ?', 'select * from t where id = ?', 'drop table t', 'drop table t']);
  });

  it('never caches a pre-check refusal: each check runs the pre-check and gets a fresh error', () => {
    const { preCheck, calls } = counting((sql) => sql.includes('knex_migrations'));
    const check = createStatementCheck('sqlite', OPTIONS, preCheck);
    const sql = 'delete from knex_migrations';
    const first = check(sql);
    const second = check(sql);
    expect([first?.keyword, second?.keyword]).to.deep.equal(['PRE', 'PRE']);
    expect(first).not.to.equal(second);
    expect(calls).to.have.length(2);
  });

  it('forget() empties the cache: the next check judges the text again', () => {
    const { preCheck, calls } = counting(() => false);
    const check = createStatementCheck('sqlite', OPTIONS, preCheck);
    check('select 1');
    check('select 1');
    check('select 1');
    check.forget();
    check('select 1');
    expect(calls).to.have.length(3);
  });

  it('keeps verdicts per session reading: a text clean under one reading is still judged under another', () => {
    const bookkeeping = bookkeepingWriteCheck('postgres', undefined);
    const check = createStatementCheck('postgres', OPTIONS, (sql, session) => bookkeeping(sql, session?.reading));
    // One string when backslashes escape; a stacked write of knex's table when they do not.
    const text = `select '\\' ; delete from knex_migrations; -- '`;
    const escaping = { key: 'alt', reading: { altBackslash: true } };
    const standard = { key: 'std', reading: { altBackslash: false } };
    expect(check(text, escaping)).to.equal(undefined);
    expect(check(text, escaping)).to.equal(undefined);
    expect(check(text, standard)?.code).to.equal('E_RUNTIME_MIGRATE');
    expect(check(text)?.code).to.equal('E_RUNTIME_MIGRATE');
    expect(check(text, escaping)).to.equal(undefined);
  });

  // Red team 6: real sessions read with the servers' defaults get key '' (postgres/mysql
  // guard-text.ts), the key an unread session (pool.afterCreate's raw calls, judged "in every
  // reading") falls back to. A verdict made for the one must not answer for the other.
  it("red team 6: a verdict for a default-reading session (key '') does not answer for an unread session (pg, knex_migrations)", () => {
    const bookkeeping = bookkeepingWriteCheck('postgres', undefined);
    const check = createStatementCheck('postgres', OPTIONS, (sql, session) => bookkeeping(sql, session?.reading));
    const text = `select 'a\\' || ' ; delete from knex_migrations; -- '`;
    expect(check(text, { key: '', reading: { altBackslash: false } })).to.equal(undefined);
    expect(check(text)?.code).to.equal('E_RUNTIME_MIGRATE');
  });

  it("red team 6: a verdict for a default-reading session (key '') does not answer for an unread session (mysql, INTO OUTFILE)", () => {
    const check = createStatementCheck('mysql', OPTIONS);
    const text = `select 1 as "\\", 2 into outfile '/tmp/x' #\\""`;
    expect(check(text, { key: '', reading: { ansiQuotes: false } })).to.equal(undefined);
    expect(check(text)?.keyword).to.equal('SELECT INTO OUTFILE');
  });

  describe('on a guarded client', () => {
    let db: Knex;
    beforeEach(async () => {
      db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
      await db.schema.createTable('app_migrations', (t) => t.increments('id'));
      guard(db);
    });
    afterEach(() => db.destroy());

    it('judges a cached text anew when migrations.tableName changes', async () => {
      const sql = 'delete from app_migrations where id = 0';
      // Not yet knex's table: an ordinary write, allowed, and its verdict cached.
      await db.raw(sql);
      await db.raw(sql);
      db.client.config.migrations = { ...db.client.config.migrations, tableName: 'app_migrations' };
      const error = await db.raw(sql).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(Error);
      expect((error as { code?: string }).code).to.equal('E_RUNTIME_MIGRATE');
    });
  });
});
