import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, outcomeOf, pgSuperuserDatabase, seedPgBookkeeping, sqliteSuiteFile, tableExists } from '../support/guard-attack';

/*
 * Red team 21 (session 11), against 05731ce (the tip of s11 this branch started from): the
 * attack tests here fail on it (14); each asserts the effect on the real server (PostgreSQL 15 /
 * MariaDB 10.11 as superuser). Fixed in lib/guard/query-options.ts (functions as query objects
 * and as options are copied and checked like objects), client.ts (the sending slot records any
 * non-string; every bookkeeping table name a config has named stays protected, pinned when the
 * client is made or guard() adopts it) and the MySQL connectionOptions (queryFormat).
 *
 * 1. A query object whose `options` is a *function* (not an object) carrying `text` (pg) /
 *    `sql` (mysql2): lib/guard/query-options.ts plainQuery only copies and freezes options when
 *    `typeof options === 'object'`, and textOptionsRefusal returns early for the same test, so
 *    `{ text }` / `{ sql }` on a function is never looked at. knex's pg client merges it with
 *    lodash `extend` (keysIn works on functions), knex's mysql clients with Object.assign (own
 *    enumerable keys of a function too): the driver runs the function's text. No listener needed:
 *    a raw whose own toSQL() returns the object (the red team 18 / 19 technique).
 *
 * 2. A query object that is a *function* (typeof 'function', not 'object'): plainQuery returns
 *    it untouched (not copied even when it is a Proxy, its options not frozen), and
 *    lib/guard/client.ts enter() records `typeof param === 'object' ? param : undefined`, so the
 *    slot has no object and changed() / stillJudged never look at it when `_query` sends it. A
 *    'query' listener (knex calls it after the check) sets the held function's `sql` to a DROP:
 *    the driver runs it (SQLite, pg, mysql2). knex's runner and enrichQueryObject take any
 *    non-string as the query object. Without a listener too: a Proxy whose target is a function
 *    (typeof 'function', so types.isProxy is never asked and nothing is copied) answers `sql`
 *    'select 1' to the guard and a DROP once knex's better-sqlite3 client reads it to send it.
 *
 * 3. The bookkeeping tables the guard protects are read from the live `client.config.migrations
 *    .tableName` on every query (lib/guard/client.ts tableChecked, called from textRefusal): app
 *    code that assigns `db.client.config.migrations = { tableName: 'other' }` on the runtime
 *    instance makes bookkeepingWriteCheck protect `other` / `other_lock` and forget
 *    knex_migrations: `update knex_migrations_lock set is_locked = 1` then runs (SQLite, pg),
 *    and every later migration run fails with "Migration table is already locked".
 *
 * 4. mysql2 / mysql connection option `queryFormat` (a documented driver option: the driver calls
 *    it for every text in Connection#query / #format): the guard judges the text and, with no
 *    bound values, never formats it (client.ts textRefusal formats only when there are values);
 *    with values it formats and then sends the result "with no values", but mysql2 still calls
 *    `format(sql, [])`, i.e. queryFormat, a second time. Either way the driver sends what
 *    queryFormat returns, never judged. guardRules.connectionOptions (mysql guard-rules.ts) lists
 *    the mariadb connector's initSql / sessionVariables only. Here queryFormat turns the judged
 *    `select 1` into a DROP.
 *
 * Near-misses (the guard handled them): an options *object* with `text` / `sql` (copied and
 * frozen, refused); a function as a pool.afterCreate query config (pg / mysql raw-connection
 * methods refuse non-objects); knex's pg `searchPath` config (knex doubles `"`); PostgreSQL
 * `COMMIT WORK PREPARED` / `END PREPARED` / `ROLLBACK "prepared"` (server syntax errors),
 * `ROLLBACK /* c *\/ PREPARED`, `EXPLAIN COMMIT PREPARED`, `set_config()` of lexing settings,
 * role and session_replication_role in every spelling tried (E'', U&'', $$, ::text, chr(),
 * parenthesized, trailing space), `COPY … FROM` a file / `PROGRAM` / `pstdin` in every quoting,
 * `COPY … WHERE pg_read_file(…)`, `MERGE` / `COPY FROM STDIN` into pg_catalog; every volatile
 * pg_catalog function of PostgreSQL 15 checked against the rules (the unlisted ones only read,
 * need an extension script, or do index maintenance: brin_desummarize_range,
 * gin_clean_pending_list); MariaDB `XA` inside executed comments (`/*!`, `/*M!`), versioned comments with
 * 4 / 5 / 6 / 7 digits, 50700–99999, `/*m!`, nested and empty versions (refused in every
 * reading), `--` before control characters, `CALL sys.*` / `CALL mysql.*` (and `USE sys` in
 * every quoting, so an unqualified `CALL execute_prepared_stmt` cannot reach sys), `BINLOG`,
 * `BACKUP STAGE` / `BACKUP LOCK`, `CACHE INDEX`, `LOAD INDEX`, `SHUTDOWN`, `PURGE`, `SIGNAL`,
 * `SET STATEMENT … FOR` a DROP or a read of knex_migrations_lock, with appTemporaryTables
 * `CREATE TEMPORARY TABLE … SELECT` / `ENGINE=MERGE UNION=(…)` / `LIKE knex_migrations_lock` /
 * `DATA DIRECTORY`, INSERT / REPLACE / UPDATE / DELETE with a subquery on
 * mysql.innodb_table_stats (refused); SQLite writes to sqlite_sequence / sqlite_stat1 in
 * backtick, bracket, string and schema-qualified spellings (refused; DELETE FROM
 * sqlite_sequence is documented as allowed), `CREATE TEMP TRIGGER`, pragma spellings and
 * values (`foreign_keys = x'01'` / `2` / `-1`, `temp.journal_mode`, `legacy_alter_table`,
 * `trusted_schema`, `mmap_size` …). The verdict cache (text-cache.ts) compares texts with ===.
 * Finding 1 holds for streams too (knex's mysql `_stream` builds its options with the same
 * Object.assign): the mysql2 `.stream()` test below.
 */

const dialects = testDialects();

/**
 * A raw whose own toSQL() gives a *function* carrying the query's fields (`sql: judged`); a
 * 'query' listener on `db` then sets its `sql` to `sent`, after the guard's check.
 */
function functionQueryRaw(db: Knex, judged: string, sent: string): Promise<string> {
  const raw = db.raw(judged);
  const query = Object.assign(function query(): void {}, { sql: judged, bindings: [] as unknown[], method: 'raw', options: {} });
  (raw as unknown as { toSQL: () => unknown }).toSQL = () => query;
  db.on('query', (q: { sql?: string }) => {
    if (q.sql === judged) query.sql = sent;
  });
  return outcomeOf(raw);
}

/** A raw whose own toSQL() gives `{ sql: judged, options: fn }`, fn a function with `extra` as own enumerable keys. */
function functionOptionsRaw(db: Knex, judged: string, extra: Record<string, unknown>): Knex.Raw {
  const raw = db.raw(judged);
  const options = Object.assign(function options(): void {}, extra);
  const query = { sql: judged, bindings: [], method: 'raw', options };
  (raw as unknown as { toSQL: () => unknown }).toSQL = () => query;
  return raw;
}

if (dialects.includes('postgres')) {
  describe('guard red team 21, PostgreSQL as superuser: query options that are a function', () => {
    const database = pgSuperuserDatabase('knexroles_redteam21_pg');

    for (const client of ['pg', 'pgnative'] as const) {
      it(`(${client}) a query object whose options is a function with { text } cannot drop rt21_victim_${client}`, async () => {
        const victim = `rt21_victim_${client}`;
        await database.admin.raw(`create table if not exists ${victim} (id int)`);
        const db = guard(knex({ client, connection: database.connection, pool: { min: 0, max: 1 } }));
        let outcome = '';
        try {
          outcome = await outcomeOf(functionOptionsRaw(db, 'select 1', { text: `drop table ${victim}` }));
        } finally {
          await db.destroy();
        }
        const exists = await tableExists.postgres(database.admin, victim);
        await database.admin.raw(`drop table if exists ${victim}`);
        expect(exists, `the guard judged 'select 1' (${outcome}) and the server dropped ${victim}`).to.equal(true);
      });
    }
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 21, MariaDB as superuser: query options that are a function', () => {
    const database = mysqlSuperuserDatabase('knexroles_redteam21_my');

    for (const client of ['mysql2', 'mysql', 'mariadb'] as const) {
      it(`(${client}) a query object whose options is a function with { sql } cannot drop rt21_victim_${client}`, async () => {
        const victim = `rt21_victim_${client}`;
        await database.admin.raw(`create table if not exists knexroles_redteam21_my.${victim} (id int)`);
        const db = guard(knex({ client, connection: database.connection, pool: { min: 0, max: 1 } }));
        let outcome = '';
        try {
          outcome = await outcomeOf(functionOptionsRaw(db, 'select 1', { sql: `drop table ${victim}` }));
        } finally {
          await db.destroy();
        }
        const exists = await tableExists.mysql(database.admin, 'knexroles_redteam21_my', victim);
        await database.admin.raw(`drop table if exists knexroles_redteam21_my.${victim}`);
        expect(exists, `the guard judged 'select 1' (${outcome}) and the server dropped ${victim}`).to.equal(true);
      });
    }
  });
}

if (dialects.includes('sqlite')) {
  describe('guard red team 21, SQLite: a query object that is a function', () => {
    const file = sqliteSuiteFile('rt21');
    it('(better-sqlite3) a function query object whose sql a query listener changes cannot drop rt21_victim', async () => {
      const admin = knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true });
      await admin.raw('create table if not exists rt21_victim (id int)');
      await admin.destroy();
      const db = guard(knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        outcome = await functionQueryRaw(db, 'select 1', 'drop table rt21_victim');
      } finally {
        await db.destroy();
      }
      const exists = await tableExists.sqlite(file.filename, 'rt21_victim');
      expect(exists, `the guard judged 'select 1' (${outcome}) and SQLite dropped rt21_victim`).to.equal(true);
    });
  });
}

if (dialects.includes('postgres')) {
  describe('guard red team 21, PostgreSQL as superuser: a query object that is a function', () => {
    const database = pgSuperuserDatabase('knexroles_redteam21_fn');
    it('(pg) a function query object whose sql a query listener changes cannot drop rt21_fn_victim', async () => {
      await database.admin.raw('create table if not exists rt21_fn_victim (id int)');
      const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        outcome = await functionQueryRaw(db, 'select 1', 'drop table rt21_fn_victim');
      } finally {
        await db.destroy();
      }
      const exists = await tableExists.postgres(database.admin, 'rt21_fn_victim');
      await database.admin.raw('drop table if exists rt21_fn_victim');
      expect(exists, `the guard judged 'select 1' (${outcome}) and the server dropped rt21_fn_victim`).to.equal(true);
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 21, MariaDB as superuser: a query object that is a function', () => {
    const database = mysqlSuperuserDatabase('knexroles_redteam21_fn');
    it('(mysql2) a function query object whose sql a query listener changes cannot drop rt21_fn_victim', async () => {
      await database.admin.raw('create table if not exists knexroles_redteam21_fn.rt21_fn_victim (id int)');
      const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        outcome = await functionQueryRaw(db, 'select 1', 'drop table rt21_fn_victim');
      } finally {
        await db.destroy();
      }
      const exists = await tableExists.mysql(database.admin, 'knexroles_redteam21_fn', 'rt21_fn_victim');
      await database.admin.raw('drop table if exists knexroles_redteam21_fn.rt21_fn_victim');
      expect(exists, `the guard judged 'select 1' (${outcome}) and the server dropped rt21_fn_victim`).to.equal(true);
    });
  });
}

if (dialects.includes('sqlite')) {
  describe('guard red team 21, SQLite: the bookkeeping table name is read from the live config', () => {
    const file = sqliteSuiteFile('rt21cfg');
    it("(better-sqlite3) re-pointing db.client.config.migrations.tableName cannot let the runtime lock knex_migrations_lock", async () => {
      const admin = knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true });
      await admin.raw('create table if not exists knex_migrations_lock (`index` integer primary key, is_locked int)');
      await admin.raw('delete from knex_migrations_lock');
      await admin.raw('insert into knex_migrations_lock (is_locked) values (0)');
      const db = guard(knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        (db.client.config as { migrations?: unknown }).migrations = { tableName: 'rt21_not_knex' };
        outcome = await outcomeOf(db.raw('update knex_migrations_lock set is_locked = 1'));
      } finally {
        await db.destroy();
      }
      const locked = (await admin.raw('select is_locked from knex_migrations_lock'))[0].is_locked;
      await admin.destroy();
      expect(locked, `update knex_migrations_lock: ${outcome}`).to.equal(0);
    });
  });
}

if (dialects.includes('postgres')) {
  describe('guard red team 21, PostgreSQL as superuser: the bookkeeping table name is read from the live config', () => {
    const database = pgSuperuserDatabase('knexroles_redteam21_cfg');
    it("(pg) re-pointing db.client.config.migrations.tableName cannot let the runtime lock knex_migrations_lock", async () => {
      await seedPgBookkeeping(database.admin);
      const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        (db.client.config as { migrations?: unknown }).migrations = { tableName: 'rt21_not_knex' };
        outcome = await outcomeOf(db.raw('update knex_migrations_lock set is_locked = 1'));
      } finally {
        await db.destroy();
      }
      const locked = (await database.admin.raw('select is_locked from knex_migrations_lock')).rows[0].is_locked;
      await database.admin.raw('drop table if exists knex_migrations, knex_migrations_lock');
      expect(locked, `update knex_migrations_lock: ${outcome}`).to.equal(0);
    });
  });
}

if (dialects.includes('sqlite')) {
  describe('guard red team 21, SQLite: a query object that is a Proxy of a function', () => {
    const file = sqliteSuiteFile('rt21px');
    it('(better-sqlite3) a Proxy over a function whose sql answers differently when sent cannot drop rt21_px_victim', async () => {
      const admin = knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true });
      await admin.raw('create table if not exists rt21_px_victim (id int)');
      await admin.destroy();
      const db = guard(knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        const raw = db.raw('select 1');
        const target = Object.assign(function query(): void {}, { sql: 'select 1', bindings: [] as unknown[], method: 'raw', options: {} }) as unknown as Record<string, unknown>;
        let flipped = false;
        const query = new Proxy(target, {
          get: (t, key) => {
            if (key !== 'sql') return t[key as string];
            if ((new Error().stack ?? '').includes('dialects/better-sqlite3')) flipped = true;
            return flipped ? 'drop table rt21_px_victim' : t['sql'];
          },
        });
        (raw as unknown as { toSQL: () => unknown }).toSQL = () => query;
        outcome = await outcomeOf(raw);
      } finally {
        await db.destroy();
      }
      const exists = await tableExists.sqlite(file.filename, 'rt21_px_victim');
      expect(exists, `the guard judged 'select 1' (${outcome}) and SQLite dropped rt21_px_victim`).to.equal(true);
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 21, MariaDB as superuser: stream options that are a function', () => {
    const database = mysqlSuperuserDatabase('knexroles_redteam21_st');
    it('(mysql2) a streamed query object whose options is a function with { sql } cannot drop rt21_st_victim', async () => {
      await database.admin.raw('create table if not exists knexroles_redteam21_st.rt21_st_victim (id int)');
      const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        const raw = functionOptionsRaw(db, 'select 1', { sql: 'drop table rt21_st_victim' });
        outcome = await outcomeOf(
          new Promise<void>((resolve, reject) => {
            const stream = raw.stream();
            stream.on('data', () => undefined);
            stream.on('error', reject);
            stream.on('end', () => resolve());
          }),
        );
      } finally {
        await db.destroy();
      }
      const exists = await tableExists.mysql(database.admin, 'knexroles_redteam21_st', 'rt21_st_victim');
      await database.admin.raw('drop table if exists knexroles_redteam21_st.rt21_st_victim');
      expect(exists, `the guard judged 'select 1' (${outcome}) and the server dropped rt21_st_victim`).to.equal(true);
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 21, MariaDB as superuser: the driver option queryFormat rewrites judged text', () => {
    const database = mysqlSuperuserDatabase('knexroles_redteam21_qf');
    for (const client of ['mysql2', 'mysql'] as const) {
      it(`(${client}) connection.queryFormat cannot turn a judged select into a drop of rt21_qf_${client}`, async () => {
        const victim = `rt21_qf_${client}`;
        await database.admin.raw(`create table if not exists knexroles_redteam21_qf.${victim} (id int)`);
        const queryFormat = (sql: string): string => (sql === 'select 1' ? `drop table ${victim}` : sql);
        const db = guard(knex({ client, connection: { ...database.connection, queryFormat } as Knex.StaticConnectionConfig, pool: { min: 0, max: 1 } }));
        let outcome = '';
        try {
          outcome = await outcomeOf(db.raw('select 1'));
        } finally {
          await db.destroy();
        }
        const exists = await tableExists.mysql(database.admin, 'knexroles_redteam21_qf', victim);
        await database.admin.raw(`drop table if exists knexroles_redteam21_qf.${victim}`);
        expect(exists, `the guard judged 'select 1' (${outcome}) and the server dropped ${victim}`).to.equal(true);
      });
    }
  });
}
