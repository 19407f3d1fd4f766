import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { createTestDatabase, type TestDatabase } from '../../lib/testing';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, outcomeOf, sqliteSuiteFile } from '../support/guard-attack';
import { APP_MIGRATIONS } from '../support/hermetic';
import { testEnv } from '../support/servers';

/*
 * Red team rt46 (session 16, against 5a38ca8): a new user and three real apps' runtime code
 * (a blog/CMS, a job queue, a SQLite desktop/edge app) on every dialect and client, compared
 * statement by statement with plain knex on the same connection, as a superuser and as the
 * runtime user the library provisions. The guard is very close to transparent: on PostgreSQL
 * (pg, pgnative) no ordinary statement tried behaved differently. The findings are false alarms.
 *
 * F1 (medium; false alarm, MySQL / MariaDB, every client: mysql2, mysql, mariadb). A bound
 *     string value that contains an executable-comment marker (`/*!` or `/*M!`) is refused,
 *     whatever the statement: `db('posts').insert({ body })`, `.where('body', 'like', '%/*!%')`,
 *     a JSON column value holding a mysqldump header (`/*!40101 SET NAMES utf8 *\/`). It fails
 *     with `E_RUNTIME_DDL`, an empty keyword and a message cut at the value (`insert into
 *     \`items\` (\`name\`) values ('?'.`), so an app cannot tell why. Any app that stores user
 *     text hits it: a forum or Q&A site where people paste SQL, a CMS post about MySQL, a
 *     log/audit table, a paste bin, a migration-history viewer. The same values pass on
 *     PostgreSQL and SQLite, and a Buffer with the same bytes passes on MySQL (a hex literal).
 *     Root cause: lib/dialects/mysql/lexer.ts, `MysqlLexer.endOfInput` → `markerAt`: since red
 *     team 41 any `/*!` / `/*M!` anywhere in the text beyond those read as markers fails the
 *     reading ("executable comment marker inside a string, a name or a comment"), and the guard
 *     judges the text with the values formatted in (lib/guard/client.ts, the MySQL formatted
 *     text; value-placement.ts), so a value the driver escaped into one string literal counts
 *     as such a marker. The README documents that rule for hand-written text only (`'a /*!50000
 *     b *\/'`); for bound values, which the README tells users to use for data, it is clearly
 *     wrong: the value is escaped, and the placement check already proves each value is one
 *     literal in code in every reading.
 *     Fix for the class: the hidden-marker rule matters only where readings differ, i.e. where
 *     the text has an executable comment a reading may skip (`execMarkers > 0`, or any
 *     version-dependent comment); text with no marker in code reads the same in every reading,
 *     so a marker inside one of its strings is text. At least, apply the rule to the text as
 *     written (with the placement markers for values, as value-placement.ts does), not to the
 *     values' contents. Hand-written literals (`select 'see /*! docs'`) are the same class and
 *     would pass by the first form of the fix.
 *
 * F2 (low; false alarm, SQLite). `PRAGMA trusted_schema = OFF` is refused (`PRAGMA
 *     TRUSTED_SCHEMA`, unknown pragma). SQLite's documentation advises applications to turn it
 *     off: it only takes away what the schema's views and triggers may call (application-defined
 *     functions, virtual tables), so refusing it stops an app from hardening its own connection
 *     where the guard is the only boundary. Root cause: lib/dialects/sqlite/guard-rules.ts, the
 *     per-connection PRAGMA allow-list (it has no entry for `trusted_schema`). Fix for the class:
 *     allow the per-connection pragmas that only narrow (`trusted_schema` to OFF / 0 / NO / FALSE,
 *     as `foreign_keys` is allowed only to ON), keep `trusted_schema = ON` refused.
 *
 * Near-misses (the guard behaved as plain knex, same results and errors, or refused as documented):
 * - All clients: hostile bound values (quotes, backslashes, `$$`, `?`, `--`, `#`, NUL on PG/SQLite,
 *   `ß日本`, 4-byte emoji, 100 000 characters, `*\/`, `/* !`, lower-case `/*m!`, backticks, `U&"…"`),
 *   Dates (with mysql2 / mysql / mariadb `timezone` 'Z', '+05:00', 'local', `dateStrings`), Buffers,
 *   booleans, bigint, null / undefined, NaN, `toSqlString` objects, arrays, tuple `whereIn`, JSON values;
 *   upserts (`merge()`, `merge([cols])`, `ignore()`, `merge().where()`), `returning`, `with`,
 *   `withRecursive`, window functions and `rank()`, `knex.ref`, `fn.now()`, nested savepoints,
 *   `transaction()` + `commit` / `rollback`, `transactionProvider`, isolation levels, `readOnly`,
 *   `forUpdate().skipLocked()`, `forShare().noWait()`, `forUpdate('items')`, `.stream()`, `.pluck`,
 *   `.first`, `count` / `countDistinct` / `sum` / `max`, `increment` / `decrement`, `batchInsert`
 *   (also `.transacting`), union / unionAll, subqueries, `whereJsonPath`, `jsonExtract`,
 *   `whereJsonObject`, `jsonSet`, named bindings, `??`, `\\?`, `.comment()`, `.timeout(…, {cancel})`,
 *   `.options({ nestTables | rowsAsArray })`, `withUserParams`, `destroy()` + `initialize()`,
 *   `hasTable` / `hasColumn` / `columnInfo`, `migrate.status/list/currentVersion`, `seed.run()` on
 *   the runtime role, `pool.afterCreate` setting `time_zone`.
 * - PostgreSQL: data-modifying CTEs (raw and builder), `->`, `->>`, `@>`, `\\?`, `\\?|`, `\\?&`, `#-`,
 *   `#>>`, jsonpath with `\\?`, `jsonb_set`, full-text (`to_tsvector`, `websearch_to_tsquery`,
 *   `ts_headline`), advisory locks, LISTEN / NOTIFY / `pg_notify`, `SET LOCAL statement_timeout`,
 *   `set_config(…, true)`, `SET search_path` to public / `"$user", public` / default / `RESET`,
 *   `SET TIME ZONE LOCAL | DEFAULT`, ~50 ordinary `SET`s (client_min_messages, datestyle, jit, work_mem,
 *   synchronous_commit, `SET SESSION CHARACTERISTICS` …), `MERGE`, `PREPARE`/`EXECUTE`, cursors,
 *   `COPY … TO STDOUT`, `nextval` / `currval` / `lastval`, job-queue `DELETE … USING` / `UPDATE …
 *   (SELECT … FOR UPDATE SKIP LOCKED)`, `EXPLAIN (ANALYZE, BUFFERS)`, `LOCK TABLE` of own table.
 * - MySQL / MariaDB: `ON DUPLICATE KEY UPDATE` (with `LAST_INSERT_ID(id)`), `REPLACE`, `INSERT IGNORE`,
 *   MariaDB `RETURNING`, `MATCH … AGAINST`, `GET_LOCK`, `SET SESSION` of sql_mode (TRADITIONAL, '',
 *   STRICT_*), time_zone, wait_timeout, max_statement_time, optimizer_switch …, `SET NAMES utf8mb4
 *   COLLATE …`, `SET STATEMENT … FOR`, `SET @v = (SELECT … own table)`, `SELECT … INTO @v`, `DO`,
 *   `SHOW …`, `ANALYZE FORMAT=JSON select`, `USE` own database, `#` / `-- ` comments, optimizer hints,
 *   `JSON_TABLE`. Documented refusals confirmed: `SET CHARACTER SET utf8mb4`, `TRUNCATE`.
 * - SQLite: catalog pragmas (`table_xinfo`, `table_list`, `index_info`, `database_list`,
 *   `foreign_key_check` …), `busy_timeout`, `synchronous`, `cache_size`, `query_only`,
 *   `pragma_table_xinfo()`, `json_each` / `json_tree`, `BEGIN IMMEDIATE / EXCLUSIVE`, `truncate()`
 *   (knex sends DELETE, allowed as documented). Refused as documented ("unknown PRAGMAs", maintenance):
 *   `optimize`, `wal_checkpoint`, `incremental_vacuum`, `mmap_size`, `wal_autocheckpoint`,
 *   `journal_size_limit`, `threads`, `soft_heap_limit`, `shrink_memory`, `journal_mode = WAL`;
 *   `PRAGMA pragma_list` (a read) is refused with the odd keyword `PRAGMA_LIST()`.
 *   knex's `transaction(…, { enforceForeignCheck: true })` on a connection with foreign_keys off works,
 *   but its restore step (`PRAGMA foreign_keys = OFF`) is refused, so knex logs and disposes the
 *   connection afterwards (harmless, noted). `pool.afterCreate` set-ups (pg / pgnative `SET TIME ZONE`,
 *   `set_config`, mysql2 / mysql / mariadb `SET time_zone`, `SET NAMES utf8mb4 COLLATE …`, mysql2
 *   `promise().query`, `execute`, better-sqlite3 `pragma('foreign_keys = ON')`, `function()`) behave as
 *   plain, except `conn.pragma('trusted_schema = OFF')` (F2). Size: 20 000-value `whereIn`, 4 MB
 *   strings, 1 MB Buffers on every client pass in well under a second.
 * - PostgreSQL, documented: a qualified column named like a refused prefix is refused
 *   (`t.crosstab_n` as `CROSSTAB_N()`, `t.dblink_url`), and writes to an app table named `pg_jobs`
 *   (`CATALOG WRITE`); MySQL app tables named like grant tables (`user`, `db`, `proc`, `servers` …)
 *   in the app's database are read, written, joined and locked normally.
 * - Documented refusals an app meets: `truncate()` on PG / MySQL (the runtime user lacks the
 *   privilege too), temporary tables without `appTemporaryTables`, `DISCARD ALL` / `RESET ALL`,
 *   `SET sql_mode = CONCAT(@@sql_mode, …)`.
 */

const dialects = testDialects();

/** User text an ordinary app stores and searches, each with an executable-comment marker. */
const MARKER_TEXTS = ['see /*! in the docs', 'mysqldump header: /*!40101 SET NAMES utf8 */', 'MariaDB only: /*M!100100 x */'];

if (dialects.includes('mysql')) {
  describe('guard red team rt46, MariaDB as superuser: a bound value with /*! is data', () => {
    const DATABASE = 'knexroles_redteam_rt46';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`drop table if exists ${DATABASE}.rt46_posts`);
      await database.admin.raw(`create table ${DATABASE}.rt46_posts (id int auto_increment primary key, body text, meta json) charset utf8mb4`);
    });
    const stored = async (body: string): Promise<number> => (await database.admin.raw(`select count(*) as n from ${DATABASE}.rt46_posts where body = ?`, [body]))[0][0].n;

    for (const client of ['mysql2', 'mysql', 'mariadb']) {
      const config = (): Knex.Config => ({ client, connection: { ...database.connection }, pool: { min: 0, max: 1 } });

      it(`(${client}) insert of a bound string with an executable-comment marker stores it, as plain knex does`, async () => {
        const db = guard(knex(config()));
        const outcomes: string[] = [];
        try {
          for (const body of MARKER_TEXTS) outcomes.push(await outcomeOf(db('rt46_posts').insert({ body })));
        } finally {
          await db.destroy();
        }
        for (const [i, body] of MARKER_TEXTS.entries()) expect(await stored(body), `${JSON.stringify(body)}: ${outcomes[i]}`).to.equal(1);
      });

      it(`(${client}) a search bound with '%/*!%' answers as plain knex does`, async () => {
        await database.admin.raw(`insert into ${DATABASE}.rt46_posts (body) values (?), (?)`, [MARKER_TEXTS[1] as string, 'no marker']);
        const search = (db: Knex) => db('rt46_posts').where('body', 'like', '%/*!40101%').pluck('body');
        const plain = knex(config());
        const db = guard(knex(config()));
        try {
          const expected = await search(plain);
          expect(expected).to.deep.equal([MARKER_TEXTS[1]]);
          expect(await search(db).catch((error: Error) => `refused: ${error.message}`)).to.deep.equal(expected);
        } finally {
          await plain.destroy();
          await db.destroy();
        }
      });

      it(`(${client}) a JSON column value holding a mysqldump header is stored`, async () => {
        const meta = JSON.stringify({ source: 'import', header: '/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */' });
        const db = guard(knex(config()));
        let outcome = '';
        try {
          outcome = await outcomeOf(db('rt46_posts').insert({ body: 'json', meta }));
        } finally {
          await db.destroy();
        }
        const [rows] = await database.admin.raw(`select json_unquote(json_extract(meta, '$.header')) as h from ${DATABASE}.rt46_posts where body = 'json'`);
        expect(rows.map((r: { h: string }) => r.h), outcome).to.deep.equal(['/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */']);
      });
    }
  });

  describe('guard red team rt46, MariaDB as the provisioned runtime user (createKnex): a post about MySQL', () => {
    let testDb: TestDatabase;
    before(async () => {
      const env = { ...(await testEnv()), DB_TEST_CONNECTION: 'mysql', NODE_ENV: 'test' };
      testDb = createTestDatabase({ env, knex: { migrations: APP_MIGRATIONS } });
      await testDb.setup();
    });
    after(async () => {
      await testDb?.teardown();
    });

    it('a blog post whose body quotes a versioned comment is saved and found', async () => {
      const { db } = testDb;
      const email = 'rt46-writer@example.org';
      await db('authors').where({ email }).delete();
      const [author] = await db('authors').insert({ name: 'Writer', email }, ['id']);
      const authorId = typeof author === 'object' ? author.id : author;
      const body = 'Old dumps start with /*!40101 SET NAMES utf8 */; MariaDB reads /*M!100100 … */ too.';
      const outcome = await outcomeOf(db('posts').insert({ author_id: authorId, title: 'Versioned comments', body }));
      const found = await db('posts').where({ author_id: authorId }).pluck('body');
      await db('authors').where({ email }).delete();
      expect(found, outcome).to.deep.equal([body]);
    });
  });
}

if (dialects.includes('sqlite')) {
  describe('guard red team rt46, SQLite: hardening the connection', () => {
    const file = sqliteSuiteFile('rt46');
    before(async () => {
      const setup = knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true });
      await setup.raw('create table notes (id integer primary key, body text)');
      await setup.destroy();
    });

    it('PRAGMA trusted_schema = OFF (SQLite advises apps to set it) is allowed and really switches it off', async () => {
      const db = guard(knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true, pool: { min: 0, max: 1 } }));
      try {
        const outcome = await outcomeOf(db.raw('PRAGMA trusted_schema = OFF'));
        // Read back on the same (only) pooled connection, through a catalog read the guard allows.
        const [row] = await db.raw('select * from pragma_trusted_schema');
        expect(row.trusted_schema, outcome).to.equal(0);
        expect(await db('notes').count({ n: '*' })).to.deep.equal([{ n: 0 }]);
      } finally {
        await db.destroy();
      }
    });
  });
}
