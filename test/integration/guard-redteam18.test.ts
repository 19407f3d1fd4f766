import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { keptRaw, lockedInGuardedTransaction, mysqlSuperuserDatabase, outcomeOf, pgSuperuserDatabase, seedPgBookkeeping, sqliteSuiteFile, tableExists } from '../support/guard-attack';

/*
 * Red team 18 (session 10), against 0bc908c: the attack tests here fail on that tree (12);
 * each asserts the effect on the real server (PostgreSQL 15 / MariaDB 10.11 as superuser, SQLite).
 *
 * 1. PostgreSQL `LOCK TABLE a, ONLY knex_migrations_lock` / `LOCK TABLE a *, knex_migrations_lock`:
 *    bookkeeping-writes.ts statementWrites walks a LOCK / TRUNCATE list only while the item is
 *    `name[.name]` followed by `,`; a second item's `ONLY` (MODIFIERS are skipped for the first
 *    item only), a first item's inheritance `*` or the `)` of a first `ONLY ( t )` ends the walk, so the bookkeeping table is
 *    never looked at. LOCK TABLE is allowed on runtime connections, so the runtime session
 *    takes ACCESS EXCLUSIVE on knex_migrations_lock (the migrator blocks). The catalog check
 *    (content/judge.ts) handles the same list shapes (`lock table t, only (pg_authid)` refused).
 * 2. Same walk for TRUNCATE: with `dangerouslyAllow: ['TRUNCATE']` (the bookkeeping preCheck
 *    otherwise refuses every knex_migrations write whatever dangerouslyAllow says),
 *    `truncate rt18_t, only knex_migrations` / `truncate rt18_t *, knex_migrations` erase the
 *    migration history.
 * 3. `.connection(fake).timeout(ms, { cancel: true })`: a builder given a foreign connection
 *    object (here one whose query() never answers, with `processID` / `threadId` naming another
 *    session) times out, and knex's cancelQuery opens a fresh raw connection through the guarded
 *    client and sends `SELECT pg_cancel_backend($1)` / `KILL QUERY ?` with that id via `_query`,
 *    which client.ts passes straight to the driver (Guarded._query / asJudged: only `query()` and
 *    `stream()` judge). pg_cancel_backend and KILL are refused on runtime connections; here they
 *    cancel another session's statement (PostgreSQL pg / MariaDB mysql2).
 * 4. A query object whose `sql` is an accessor: a builder's own `toSQL()` (here on one raw) returns
 *    `{ get sql() … }`; Guarded.query -> refusalOf (lib/guard/client.ts) checks that the value it
 *    reads is a primitive string and judges it, then super.query's enrichQueryObject reads
 *    `queryObject.sql` again (and `_query` reads it a third time), and the accessor answers
 *    `drop table …` from then on. The "not a primitive string" rule covers the text's type, not
 *    a property read twice (better-sqlite3, pg, mysql2).
 *
 * Not proven here (leads): the same accessor trick on `options` (a setter that ignores
 * refusalOf's frozen copy) or `bindings` (MySQL asJudged then lets the driver format again);
 * mysql2 `threadId` as an object with `toSqlString` (raw text after `KILL QUERY`, e.g. `USER x`);
 * PostgreSQL `setval('knex_migrations_id_seq', …)` (allowed then, refused since red team 20; makes the migrator's next insert
 * collide).
 *
 * Near-misses (the guard handled them): MySQL multi-table UPDATE / DELETE naming mysql.*, the
 * bookkeeping tables (`update t, knex_migrations`, `delete k from t join knex_migrations k`,
 * `{ oj … }`, STRAIGHT_JOIN, NATURAL JOIN, PARTITION, index hints, `delete … using`), REPLACE …
 * SELECT, INSERT … TABLE, `update (mysql.db)`, versioned comments around the table name;
 * PostgreSQL aliases (`update pg_authid as "x"`), `*` after names, three-part names
 * (`db.pg_catalog.pg_authid` in UPDATE / MERGE / INSERT / COPY / LOCK / FOR UPDATE), `lock table
 * t *, only pg_authid`, `with … merge into pg_authid`, `merge into only (pg_authid)`, data-modifying
 * CTEs and `(delete … returning)`, `U&"knex\005fmigrations"`, COPY [BINARY] … FROM STDIN of the
 * bookkeeping tables, row locks on them in cursors; SQLite `update or rollback sqlite_master`,
 * `indexed by`, temp./main. catalogs, `insert into sqlite_stat1 default values`, upsert of
 * sqlite_stat1, `replace into sqlite_sequence`, [bracketed] / 'string' / `backtick` names;
 * fast-path gate vs full classifier (sql_features, enabled_roles, attribute notation
 * `t.lo_import`, `$1$`, `for update`) agreed on every probe.
 */

const dialects = testDialects();

if (dialects.includes('postgres')) {
  describe('guard red team 18, PostgreSQL as superuser: a bookkeeping table later in a LOCK / TRUNCATE list', () => {
    const database = pgSuperuserDatabase('knexroles_redteam18_list');
    beforeEach(async () => {
      await database.admin.raw('create table if not exists rt18_t (id int)');
      await seedPgBookkeeping(database.admin);
    });

    for (const sql of [
      'lock table rt18_t, only knex_migrations_lock in access exclusive mode',
      'lock table rt18_t *, knex_migrations_lock in access exclusive mode',
      'lock rt18_t, only public.knex_migrations_lock in access exclusive mode',
      'lock table only (rt18_t), knex_migrations_lock in access exclusive mode',
    ]) {
      it(`refuses ${sql}: no runtime session holds a lock on knex_migrations_lock`, async () => {
        const { held, outcome } = await lockedInGuardedTransaction(database, sql, 'knex_migrations_lock');
        expect(held, `the guard let it through (${outcome}) and the runtime transaction locked knex_migrations_lock`).to.equal(0);
      });
    }

    for (const sql of ['truncate rt18_t, only knex_migrations', 'truncate rt18_t *, knex_migrations', 'truncate table only rt18_t, only knex_migrations']) {
      it(`refuses ${sql} even with dangerouslyAllow TRUNCATE: knex_migrations keeps its row`, async () => {
        const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }), { dangerouslyAllow: ['TRUNCATE'] });
        let outcome = '';
        try {
          outcome = await db.raw(sql).then(
            () => 'ran',
            (e: Error) => `refused: ${e.message}`,
          );
        } finally {
          await db.destroy();
        }
        const rows = (await database.admin.raw('select count(*)::int as n from knex_migrations')).rows[0].n;
        expect(rows, `the guard let it through (${outcome}) and the server erased knex_migrations`).to.equal(1);
      });
    }

    it('control: with dangerouslyAllow TRUNCATE, truncate knex_migrations alone is still refused (the bookkeeping check)', async () => {
      const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }), { dangerouslyAllow: ['TRUNCATE'] });
      try {
        const outcome = await db.raw('truncate rt18_t, knex_migrations').then(
          () => 'ran',
          (e: Error) => `refused: ${e.message}`,
        );
        expect(outcome).to.match(/^refused/);
      } finally {
        await db.destroy();
      }
    });
  });
}

/** Polls `check` (a server query) until it answers true; at most `tries` round trips, no clock. */
async function until(check: () => Promise<boolean>, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) if (await check()) return;
  throw new Error('condition never held');
}

if (dialects.includes('postgres')) {
  describe("guard red team 18, PostgreSQL as superuser: knex's timeout cancel with a foreign connection's processID", () => {
    const database = pgSuperuserDatabase('knexroles_redteam18_cancel', 3);
    it('an ordinary .timeout(ms, { cancel: true }) still cancels its own query on the server (pg_cancel_backend of its own connection)', async () => {
      const holder = knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } });
      const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));
      const hold = await holder.transaction();
      try {
        await hold.raw('select pg_advisory_xact_lock(181819)');
        // Waits on the holder's lock until the timeout cancels it on the server.
        const outcome = await db
          .raw('select pg_advisory_xact_lock(181819)')
          .timeout(200, { cancel: true })
          .then(
            () => 'ran',
            (e: Error) => e.name,
          );
        expect(outcome, 'knex reports the timeout, not a guard refusal').to.equal('KnexTimeoutError');
        await until(async () => (await database.admin.raw("select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = 181819 and not granted")).rows[0].n === 0);
      } finally {
        await hold.rollback().catch(() => undefined);
        await Promise.all([holder.destroy(), db.destroy()]);
      }
    });

    it("a guarded .connection(fake).timeout(1, { cancel: true }) cannot pg_cancel_backend() another session: its statement completes", async () => {
      const holder = knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } });
      const victim = knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } });
      const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));
      const hold = await holder.transaction();
      const vt = await victim.transaction();
      let attack = '';
      let waited = '';
      try {
        await hold.raw('select pg_advisory_xact_lock(181818)');
        const pid = (await vt.raw('select pg_backend_pid() as pid')).rows[0].pid as number;
        const waiting = vt.raw('select pg_advisory_xact_lock(181818)').then(
          () => 'completed',
          (e: Error) => `cancelled: ${e.message}`,
        );
        await until(async () => (await database.admin.raw('select count(*)::int as n from pg_locks where pid = ? and not granted', [pid])).rows[0].n > 0);
        // A connection object the guard never sees the server of: its query() never answers.
        const fake = { processID: pid, query: () => new Promise(() => undefined), on: () => fake, removeListener: () => fake };
        attack = await db
          .raw('select 1')
          .connection(fake as never)
          .timeout(1, { cancel: true })
          .then(
            () => 'ran',
            (e: Error) => `${e.name}: ${e.message}`,
          );
        await hold.commit();
        waited = await waiting;
      } finally {
        await hold.rollback().catch(() => undefined);
        await vt.rollback().catch(() => undefined);
        await Promise.all([holder.destroy(), victim.destroy(), db.destroy()]);
      }
      expect(waited, `the guarded instance sent pg_cancel_backend(victim) (${attack})`).to.equal('completed');
    });
  });
}

if (dialects.includes('mysql')) {
  describe("guard red team 18, MariaDB as superuser: knex's timeout cancel with a foreign connection's threadId", () => {
    const database = mysqlSuperuserDatabase('knexroles_redteam18_kill');
    it('an ordinary .timeout(ms, { cancel: true }) still cancels its own query on the server (KILL QUERY of its own connection)', async () => {
      const holder = knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } });
      const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      const hold = await holder.transaction();
      try {
        await hold.raw("select get_lock('rt18_own', 0)");
        const outcome = await db
          .raw("select get_lock('rt18_own', 60)")
          .timeout(200, { cancel: true })
          .then(
            () => 'ran',
            (e: Error) => e.name,
          );
        expect(outcome, 'knex reports the timeout, not a guard refusal').to.equal('KnexTimeoutError');
        await until(async () => {
          const [rows] = await database.admin.raw("select count(*) as n from information_schema.processlist where info like 'select get_lock(''rt18_own''%'");
          return Number(rows[0].n) === 0;
        });
      } finally {
        await hold.raw("select release_lock('rt18_own')").catch(() => undefined);
        await hold.rollback().catch(() => undefined);
        await Promise.all([holder.destroy(), db.destroy()]);
      }
    });

    it('a guarded .connection(fake).timeout(1, { cancel: true }) cannot KILL QUERY another session: its GET_LOCK completes', async () => {
      const holder = knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } });
      const victim = knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } });
      const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      const hold = await holder.transaction();
      const vt = await victim.transaction();
      let attack = '';
      let waited = '';
      try {
        await hold.raw("select get_lock('rt18_kill', 0)");
        const [[{ id }]] = await vt.raw('select connection_id() as id');
        const waiting = vt.raw("select get_lock('rt18_kill', 60) as got").then(
          ([[row]]: [[{ got: number | null }]]) => (row.got === 1 ? 'completed' : `interrupted: get_lock gave ${row.got}`),
          (e: Error) => `killed: ${e.message}`,
        );
        await until(async () => {
          const [rows] = await database.admin.raw("select count(*) as n from information_schema.processlist where id = ? and info like 'select get_lock%'", [id]);
          return Number(rows[0].n) > 0;
        });
        const fake = { threadId: Number(id), query: () => undefined, on: () => fake, removeListener: () => fake };
        attack = await db
          .raw('select 1')
          .connection(fake as never)
          .timeout(1, { cancel: true })
          .then(
            () => 'ran',
            (e: Error) => `${e.name}: ${e.message}`,
          );
        await hold.raw("select release_lock('rt18_kill')");
        waited = await waiting;
      } finally {
        await hold.rollback().catch(() => undefined);
        await vt.raw("select release_lock('rt18_kill')").catch(() => undefined);
        await vt.rollback().catch(() => undefined);
        await Promise.all([holder.destroy(), victim.destroy(), db.destroy()]);
      }
      expect(waited, `the guarded instance sent KILL QUERY <victim> (${attack})`).to.equal('completed');
    });
  });
}

/**
 * A raw whose toSQL() gives a query object with an accessor `sql`: `judged` until knex's
 * enrichQueryObject (after the guard's check, in super.query) reads it, `sent` from then on.
 */
function switchingRaw(db: Knex, judged: string, sent: string): Knex.Raw {
  const raw = db.raw(judged);
  let stored: string | undefined;
  const query = {
    bindings: [],
    method: 'raw',
    options: {},
    get sql(): string {
      if (stored === undefined && (new Error().stack ?? '').includes('enrichQueryObject')) stored = sent;
      return stored ?? judged;
    },
    set sql(value: string) {
      stored = value;
    },
  };
  (raw as unknown as { toSQL: () => unknown }).toSQL = () => query;
  return raw;
}


/** A raw whose toSQL() gives a Proxy over a plain object: its `sql` answers `judged` until knex's better-sqlite3 client reads it to send it, `sent` then. */
function proxyRaw(db: Knex, judged: string, sent: string): Knex.Raw {
  const raw = db.raw(judged);
  let flipped = false;
  const query = new Proxy({ bindings: [], method: 'raw', options: {}, sql: judged } as Record<string, unknown>, {
    get: (target, key) => {
      if (key !== 'sql') return target[key as string];
      if ((new Error().stack ?? '').includes('dialects/better-sqlite3')) flipped = true;
      return flipped ? sent : judged;
    },
  });
  (raw as unknown as { toSQL: () => unknown }).toSQL = () => query;
  return raw;
}


if (dialects.includes('sqlite')) {
  describe('guard red team 18, SQLite: a query object whose sql answers differently after the check', () => {
    const file = sqliteSuiteFile('knexroles-rt18');
    it('(better-sqlite3) a toSQL() with a sql accessor cannot drop rt18_victim: the table is still there', async () => {
      const admin = knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true });
      await admin.raw('create table if not exists rt18_victim (id int)');
      await admin.destroy();
      const db = guard(knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true }));
      let outcome = '';
      try {
        outcome = await outcomeOf(switchingRaw(db, 'select 1', 'drop table rt18_victim'));
      } finally {
        await db.destroy();
      }
      expect(await tableExists.sqlite(file.filename, 'rt18_victim'), `the guard judged 'select 1' (${outcome}) and SQLite dropped rt18_victim`).to.equal(true);
    });

    // Session 10's own additions: the same idea with a Proxy, and with a plain object a 'query' listener holds.
    const guarded = async (run: (db: Knex) => Promise<string>): Promise<string> => {
      const admin = knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true });
      await admin.raw('create table if not exists rt18_victim (id int)');
      await admin.destroy();
      const db = guard(knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true }));
      try {
        return await run(db);
      } finally {
        await db.destroy();
      }
    };

    it('(better-sqlite3) a toSQL() that gives a Proxy whose sql answers differently cannot drop rt18_victim', async () => {
      const outcome = await guarded((db) => outcomeOf(proxyRaw(db, 'select 1', 'drop table rt18_victim')));
      expect(await tableExists.sqlite(file.filename, 'rt18_victim'), `the guard judged 'select 1' (${outcome}) and SQLite dropped rt18_victim`).to.equal(true);
    });

    it("(better-sqlite3) a 'query' listener holding the query object cannot change its sql after the check: refused as QUERY CHANGED", async () => {
      const outcome = await guarded((db) => {
        let kept: Record<string, unknown> | undefined;
        db.on('query', () => {
          if (kept) kept['sql'] = 'drop table rt18_victim';
        });
        return outcomeOf(keptRaw(db, 'select 1', (query) => (kept = query)));
      });
      expect(await tableExists.sqlite(file.filename, 'rt18_victim'), `the guard judged 'select 1' (${outcome}) and SQLite dropped rt18_victim`).to.equal(true);
      expect(outcome).to.include('changed after the guard');
    });

    it("(better-sqlite3) an ordinary 'query' listener sees the query and it runs", async () => {
      const seen: string[] = [];
      const rows = await guarded(async (db) => {
        db.on('query', (q: { sql: string }) => seen.push(q.sql));
        return JSON.stringify(await db('rt18_victim').count({ n: '*' }));
      });
      expect(rows).to.equal('[{"n":0}]');
      expect(seen).to.deep.equal(['select count(*) as `n` from `rt18_victim`']);
    });
  });
}

if (dialects.includes('postgres')) {
  describe('guard red team 18, PostgreSQL as superuser: a query object whose sql answers differently after the check', () => {
    const database = pgSuperuserDatabase('knexroles_redteam18_getter');
    it('(pg) a toSQL() with a sql accessor cannot drop rt18_victim: the table is still there', async () => {
      await database.admin.raw('create table if not exists rt18_victim (id int)');
      const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        outcome = await outcomeOf(switchingRaw(db, 'select 1', 'drop table rt18_victim'));
      } finally {
        await db.destroy();
      }
      expect(await tableExists.postgres(database.admin, 'rt18_victim'), `the guard judged 'select 1' (${outcome}) and the server dropped rt18_victim`).to.equal(true);
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 18, MariaDB as superuser: a query object whose sql answers differently after the check', () => {
    const database = mysqlSuperuserDatabase('knexroles_redteam18_getter');
    it('(mysql2) a toSQL() with a sql accessor cannot drop rt18_victim: the table is still there', async () => {
      await database.admin.raw('create table if not exists knexroles_redteam18_getter.rt18_victim (id int)');
      const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        outcome = await outcomeOf(switchingRaw(db, 'select 1', 'drop table rt18_victim'));
      } finally {
        await db.destroy();
      }
      expect(await tableExists.mysql(database.admin, 'knexroles_redteam18_getter', 'rt18_victim'), `the guard judged 'select 1' (${outcome}) and the server dropped rt18_victim`).to.equal(true);
    });
  });
}
