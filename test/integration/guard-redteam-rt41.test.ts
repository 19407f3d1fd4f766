import { expect } from 'chai';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, outcomeOf } from '../support/guard-attack';

/*
 * Red team rt41 (session 15), against f6fd2c0 (s15): bound values on MySQL after red team 38's
 * value-placement check (lib/guard/value-placement.ts valuesInCode, lib/dialects/mysql/connector-format.ts)
 * and the query path. Each finding's tests fail on f6fd2c0 and assert the effect on the real server
 * (MariaDB 10.11 as superuser): a file written on the server by SELECT … INTO OUTFILE (finding 5, the
 * high one: plain knex.raw text, found while following finding 2 into the classifier), a column the
 * statement did not name set, rows the statement did not name deleted or updated, another row deleted,
 * an ordinary query refused.
 * Run: npx mocha test/integration/guard-redteam-rt41.test.ts   (DIALECTS=mysql narrows; nothing here runs on
 * postgres / sqlite). On f6fd2c0: all 18 tests fail (7 for finding 1, 3 for finding 2, 4 for finding 3 of
 * which 3 are ordinary queries refused, 1 for finding 4, 3 for finding 5, the high one).
 *
 * 1. (medium) A plain object as a bound value becomes SQL: `mysql` client (mysqljs), and `mariadb`
 *    with the connector option `permitSetMultiParamEntries: true`. mysqljs' sqlstring writes a
 *    top-level object, wherever its `?` stands, as an assignment list `` `k1` = v1, `k2` = v2 ``;
 *    the mariadb connector's `escape` (which the guard calls to write the values in for it) does the
 *    same with that option. knex passes objects through as bindings outside `where()` / insert values
 *    (update values, whereBetween, having, join onVal, merge()), so request data parsed into an
 *    object (qs `?name[name]=x&name[role]=admin`, a JSON body; the CVE-2016-20018 class) is SQL:
 *    - `db('t').where('id', 1).update({ name: body })` with `{ name: 'x', role: 'admin' }` runs
 *      ``update `t` set `name` = `name` = 'x', `role` = 'admin' where `id` = 1``: a column the code
 *      never named (`role`) is written;
 *    - `db('t').whereBetween('id', [0, max]).del()` with `max = { id: 1 }` runs
 *      ``… where `id` between 0 and `id` = 1``, i.e. `(id between 0 and id) = 1`: every row deleted.
 *    Unguarded knex does the same; the guard's new check (red team 38) is there to stop exactly this
 *    ("a bound value … could end it and become SQL") and passes it, and the README says of the mariadb
 *    connector that "`namedPlaceholders` and `permitSetMultiParamEntries` do not change what is
 *    judged on knex's path (the connector gets no values to place)", which does not hold: the guard
 *    places them with the connector's own `escape`, which honours the option.
 *    Root cause: lib/guard/value-placement.ts `placed` formats the text with a marker STRING in place
 *    of every value, so it proves only where each `?` stands, never what the driver writes for the
 *    real value there; lib/guard/client.ts textRefusal judges the real text only as a statement (an
 *    UPDATE / DELETE, allowed). (mysql2 is not affected on the builder's path: sql-escaper expands an
 *    object only right after `SET` or a comma of a SET list, i.e. `knex.raw('update t set ? …', [obj])`,
 *    its documented feature; the same fix would cover it.)
 *    Fix for the class: check the real values, not only their places. Write each value alone with the
 *    driver's own writer (mysqljs / mysql2 `escape`, with the sql-escaper SET-list rule for mysql2;
 *    the connector's writer for mariadb) and require it to lex, under the session's reading, as one
 *    literal (string, number, NULL, TRUE / FALSE, X'…' / _binary'…', a date) or a list of such literals
 *    (arrays, nested in parentheses); refuse anything else (keyword BOUND VALUE): objects expanded into
 *    assignments, Maps, `toSqlString` objects (mysqljs / mysql2 raw SQL), GeoJSON function calls if
 *    they are not wanted. Correct the README sentence about permitSetMultiParamEntries.
 *    1b. The same gap on every client: an empty list (`[]`) is written as nothing at all (sqlstring,
 *    sql-escaper and the connector's escape all give ''), so the text around its `?` joins: `-?-`
 *    becomes `--`, a comment. `delete from t where id > ? -?- 1 and id < ?` with [0, [], 2] (a list
 *    from request data where a number was expected) runs `… where id > 0 -- 1 and id < 2`: every row
 *    deleted. The literal-token rule above covers it (a list must write at least one literal).
 *
 * 2. (medium) A value after executable comments that the server runs only in part: mysql2, mysql and
 *    mariadb alike. `update t set flag = 1 where id = ? and /*!50000 '*\/' *\/ /*!110000 "*\/'#" *\/` +
 *    `\n ?\n` with the values [1, ' or 1=1 -- '] updates every row on MariaDB 10.11. The placement
 *    check reads the formatted text in two ways only: every executable comment run (the session's
 *    reading) and none run (`{ server: 'mysql', versionThreshold: -1 }`); in both the second `?` stands
 *    in code (run: `'*\/'` and `"*\/'#"` are strings; none run: the skipped first comment ends at its
 *    quoted `*\/`, a string runs to the `'` inside the second, and `#` comments out the rest of that
 *    line). The server runs `/*!50000` and skips `/*!110000` (11.0.0 is above 10.11): the skipped
 *    comment ends at ITS quoted `*\/`, and `'#" *\/\n ` opens a string that the value's own opening quote
 *    closes, so ` or 1=1 ` is code and `-- ` comments out the value's closing quote. All three drivers
 *    fill that `?` (sql-escaper, sqlstring; the guard itself for the connector, whose reading skips
 *    `/*!…*\/` as a comment). The classifier reads every version threshold of the text
 *    (alternative-readings.ts: `[-1, ...lexer.versions, Infinity]` per server kind), the placement
 *    check does not. Root cause: lib/guard/value-placement.ts `placed` (the `seen.executable` branch
 *    tries threshold -1 on MySQL only). Fix for the class: judge placement in exactly the readings the
 *    classifier uses for the text (each server kind, each threshold in `lexer.versions` and -1 / Infinity,
 *    `/*M!` per kind), or refuse bound values in a text with executable comments at all (knex never
 *    writes them: `.hintComment()` makes `/*+ … *\/`, a plain comment to MariaDB).
 *
 * 3. (low-medium) More than 999,999 bound values: the placement check counts the markers the driver
 *    wrote by the first seven digits of their base (`String(base).slice(0, 7)`, 7301000…), which the
 *    markers from index 1,000,000 on (7301001000000 …) no longer share. So
 *    - (ordinary, every MySQL client) `db('t').whereIn('id', ids)` with 1,000,001 ids is refused
 *      (BOUND VALUE: every marker is seen in code, one more than were "written"), though the server
 *      runs it (an 8 MB text, within MariaDB's default max_allowed_packet);
 *    - (mysql client) a value from the millionth on is not checked at all: written into a comment
 *      (sqlstring fills every `?`), it is neither "seen" nor counted as written, `seen === written`
 *      holds, and `… where id in (?, … ×1,000,000) /* by ? *\/` with `*\/ or 1=1 -- ` as the last
 *      value updates every row: red team 38's finding 4, back for long value lists.
 *    Root cause: lib/guard/value-placement.ts `markersInCode` (`prefix`, the `written` count) and
 *    `markerBase` (which checks only that prefix against the text). Fix: count what was written by
 *    the same rule as what is found (every run of digits in the formatted text that parses to a marker
 *    in [base, base + count), wherever it stands, e.g. one regex over the text), and choose a base with
 *    room for `count` (or markers of fixed width with a separator the text lacks); test at 10^6 + 1.
 *
 * 4. (low, another row deleted) mariadb: a Buffer inside a list value (`where b in (?)` with
 *    `[[buf]]`, knex.raw) is written by the guard as `_binary'…'` of the Buffer's bytes DECODED as the
 *    connection's character set (`escape`: utf8, so 0xFF becomes U+FFFD, EF BF BD), not its bytes:
 *    the connector's own query path (TextEncoder.writeParam) writes `_BINARY '` and the raw bytes. So
 *    `delete from t where b in (?)` with [[0xFF 0x00]] deletes the row whose b is EF BF BD 00 and
 *    leaves the named one. Root cause: lib/dialects/mysql/connector-format.ts formatLikeConnector
 *    writes only a top-level Buffer itself (X'…'); `asWritten` maps lists element by element but
 *    leaves their Buffers to `escape`. Fix for the class: write values at every depth as the query path
 *    does (a port of writeParam, recursive: Buffers as X'…' inside lists too), tested type by type and
 *    depth by depth against the connector unguarded.
 *
 * 5. (high) SELECT … INTO OUTFILE (a refused statement: it writes a file on the server) runs from plain
 *    knex.raw text, no bound value needed, on mysql2, mysql and mariadb:
 *      select /*!50000 '*\/' *\/ /*!110000 "*\/'#" *\/\n ' /*!50100 into outfile "/tmp/…" *\/ -- '\n
 *    The guard's classifier reads the text with every executable comment run (primary), none run, and
 *    each threshold of the versions the PRIMARY reading met (50000, 110000): in all of them the
 *    `/*!50100 … *\/` stands inside a string ('…' from the third quote on) or is skipped (at threshold
 *    50000, where the first comment runs and the second does not, 50100 is above the threshold). MariaDB
 *    10.11 runs 50000 and 50100 and skips 110000: its skipped comment ends at the quoted `*\/`, `'#" *\/\n '`
 *    is a string, and `into outfile "…"` is code. The file is written (also `load_file(0x…)` in the same
 *    place returns a server file's contents, refused function). Root cause:
 *    lib/guard/alternative-readings.ts `alternatives`: the thresholds come from `lexer.versions` of the
 *    primary reading only, so a versioned comment that only another reading lexes as a comment never
 *    gets a reading in which it runs together with the ones below it; and the threshold model is
 *    monotone (`version <= threshold`, lib/dialects/mysql/lexer.ts blockComment), while MariaDB 10.11
 *    skips 5-digit versions from 50700 up (`select 1 /*!60000 , 2 *\/` returns one column there) and runs
 *    6-digit ones up to its own: `/*!100000` run with `/*!60000` skipped is no threshold of the guard's.
 *    Finding 2 is the same gap seen from the placement check. Fix for the class: collect the versions
 *    of every reading (re-read until no new version appears, refusing past MAX_COMMENT_VERSIONS), model
 *    each server's rule as it is (MariaDB: 5 digits run below 50700, 6 digits up to the version; MySQL:
 *    5 digits up to the version, `/*M!` never), and read each combination that some server version
 *    gives; or refuse a text in which `/*!` / `/*M!` occurs anywhere outside the primary reading's code
 *    (inside a string or comment of some reading), which no ordinary query needs.
 *
 * Near-misses (the guard handled them, or the same happens unguarded), MariaDB 10.11 as superuser,
 * mysql2 / mysql / mariadb, each also with the server's global sql_mode plus ANSI_QUOTES:
 * - Some 60 ordinary builder shapes compared guarded vs unguarded, with no false refusal: joins with
 *   `x?y` values, json `->` / `->>` in raw, jsonExtract, whereJsonPath / whereJsonObject, whereLike /
 *   whereILike with `%a?%` / quotes, whereRaw with `?`, .comment() (knex refuses `?` there itself),
 *   hintComment, aliases with space, `-`, `.`, `"`, `'`, `:`, `#`, `-- `, `/*`, onConflict().merge() /
 *   merge(obj) / ignore(), upsert, batchInsert, multi-row insert, Date / Buffer (0x00 0x27 0x5C 0x22) /
 *   BigInt values, multibyte and control characters (¥, U+2028, U+200B, emoji, \b \t \n \r \x1a \x7f),
 *   backslash-quote-backtick values, increment, whereIn (3,000 ids, tuples, subquery), with, union,
 *   named `:a` bindings, `??`, raw `(?)` with lists and nested lists, `/*!50000 … *\/`, `/*M! … *\/`,
 *   `#` and `-- ` comments after a value, `1-?` with -1 (`1--1` is no comment), `?+0`, the
 *   introducer `_utf8mb4?`, binary / collate / interval, forUpdate, transactions, streams, booleans,
 *   null: each ran, or failed, as it does unguarded. The only guarded refusals were texts the driver breaks
 *   unguarded too (mysql: `?` in an alias `done?`, in `'\?'`, in an ANSI `"a?"`: sqlstring fills it).
 * - Under ANSI_QUOTES the connector reads `"…\"` as a string with escapes and the server as a name:
 *   a `?` the connector fills inside what the server reads as a string is found by the marker lexing
 *   and refused. Versioned / MariaDB executable comments holding a `?` are refused (read both ways);
 *   an exhaustive search of short texts (up to 6 pieces of `/*!50000`, `/*!110000`, `/*M!`, `*\/`,
 *   quotes, `#`, newline, `/*`, `-- `) found no placement gap with a single executable comment: it takes
 *   two of different versions (finding 2).
 * - mysql2 (sql-escaper) writes a top-level object in a WHERE / SET-value position as
 *   '[object Object]' (no expansion); objects inside lists are stringified by every driver.
 * - GeoJSON values on mariadb (`{ type: 'Point', coordinates }`): both the connector and the guard write
 *   `ST_PointFromText('POINT(x y)')` with coordinates through `isNaN`: only what Number() parses
 *   (digits, signs, `e`, `0x`, whitespace, Infinity) survives, never a quote or a backslash.
 * - The mariadb `timeout` query option becomes `SET STATEMENT max_statement_time=<number> FOR`
 *   (timeout / 1000, always a number or NaN).
 * - Finding 5 with `multipleStatements: true` and `; drop table …` in the hidden comment: MariaDB
 *   answers a syntax error at the `;` inside the executable comment, and nothing is dropped.
 * - Query path: the formatted text judged is what is sent (mysql2 / mysql get `[]`, the connector no
 *   values), read synchronously inside asJudged by knex's mysql `_query` / `_stream`; changes to a
 *   binding's contents after the check do not reach the text (on pg / SQLite they are bound
 *   parameters); transactions' clients inherit query / stream from the guarded prototype; knex's
 *   pgnative `_stream` goes through the guarded `_query`. A bindings array that is a Proxy answering
 *   another length to valuesInCode than to the driver's format would also shrink the placement check,
 *   but needs code that replaces knex's query object (knex always builds a fresh array): not tested.
 *
 * Lead, not tested (no MySQL 8 server here): MySQL 8 reads optimizer hints `/*+ SET_VAR(var = value) *\/`
 * after the first keyword of a statement and sets the variable for that statement; the guard lexes
 * `/*+ … *\/` as a plain comment (lib/dialects/mysql/lexer.ts blockComment). knex's own `.hintComment()`
 * writes such hints, so `db('child').hintComment('SET_VAR(foreign_key_checks=OFF)').insert(…)` may skip
 * the integrity checks the guard refuses to switch off with SET (foreign_key_checks, unique_checks and
 * others MySQL marks "SET_VAR Hint Applies: Yes"). MariaDB ignores the hint.
 */

const dialects = testDialects();

if (dialects.includes('mysql')) {
  describe('guard red team rt41, MariaDB as superuser: bound values the MySQL drivers write as SQL', () => {
    const DATABASE = 'knexroles_redteam_rt41';
    const database = mysqlSuperuserDatabase(DATABASE);
    const fresh = (client: string, extra: object = {}): Knex => guard(knex({ client, connection: { ...database.connection, ...extra } as Knex.Config['connection'], pool: { min: 0, max: 1 } }));

    describe('1. a plain object as a bound value (mysql; mariadb with permitSetMultiParamEntries)', () => {
      beforeEach(async () => {
        await database.admin.raw(`create table if not exists ${DATABASE}.rt41_users (id int primary key, name text, role varchar(20))`);
        await database.admin.raw(`delete from ${DATABASE}.rt41_users`);
        await database.admin.raw(`insert into ${DATABASE}.rt41_users values (1, 'a', 'user'), (2, 'b', 'user'), (3, 'c', 'user')`);
      });
      const users = async (): Promise<Array<{ id: number; role: string }>> => (await database.admin.raw(`select id, role from ${DATABASE}.rt41_users order by id`))[0];

      for (const [client, extra] of [
        ['mysql', {}],
        ['mariadb', { permitSetMultiParamEntries: true }],
      ] as const) {
        const label = `${client}${Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : ''}`;

        it(`(${label}) update({ name: body }) with body { name, role }: no column but name is written`, async () => {
          const db = fresh(client, extra);
          let outcome = '';
          try {
            // Request data parsed into an object (qs `name[name]=x&name[role]=admin`, a JSON body).
            const body = { name: 'x', role: 'admin' };
            outcome = await outcomeOf(db('rt41_users').where('id', 1).update({ name: body as never }));
          } finally {
            await db.destroy();
          }
          const roles = (await users()).map((row) => row.role);
          expect(roles, `a bound object became an assignment of role (${outcome})`).to.deep.equal(['user', 'user', 'user']);
        });

        it(`(${label}) whereBetween('id', [0, max]).del() with max { id: 1 }: rows 2 and 3 are still there`, async () => {
          const db = fresh(client, extra);
          let outcome = '';
          try {
            outcome = await outcomeOf(db('rt41_users').whereBetween('id', [0, { id: 1 } as never]).del());
          } finally {
            await db.destroy();
          }
          const ids = (await users()).map((row) => row.id);
          expect(ids, `a bound object became a comparison and widened the delete (${outcome})`).to.include.members([2, 3]);
        });
      }
    });

    describe('1b. an empty list as a bound value writes nothing (mysql2, mysql, mariadb)', () => {
      beforeEach(async () => {
        await database.admin.raw(`create table if not exists ${DATABASE}.rt41_users (id int primary key, name text, role varchar(20))`);
        await database.admin.raw(`delete from ${DATABASE}.rt41_users`);
        await database.admin.raw(`insert into ${DATABASE}.rt41_users values (1, 'a', 'user'), (2, 'b', 'user'), (3, 'c', 'user')`);
      });
      for (const client of ['mysql2', 'mysql', 'mariadb']) {
        it(`(${client}) delete … where id > ? -?- 1 and id < ? with [0, [], 2]: rows 2 and 3 are still there`, async () => {
          const db = fresh(client);
          let outcome = '';
          try {
            // With a number the middle value is arithmetic (id > 0 - 0 - 1 and id < 2); `[]` is written as nothing: `-- 1 and id < 2`.
            outcome = await outcomeOf(db.raw('delete from rt41_users where id > ? -?- 1 and id < ?', [0, [] as never, 2]));
          } finally {
            await db.destroy();
          }
          const ids = ((await database.admin.raw(`select id from ${DATABASE}.rt41_users order by id`))[0] as Array<{ id: number }>).map((row) => row.id);
          expect(ids, `an empty list made a comment of the rest of the WHERE (${outcome})`).to.include.members([2, 3]);
        });
      }
    });

    describe('2. a value after executable comments the server runs only in part', () => {
      beforeEach(async () => {
        await database.admin.raw(`create table if not exists ${DATABASE}.rt41_flags (id int primary key, flag int)`);
        await database.admin.raw(`delete from ${DATABASE}.rt41_flags`);
        await database.admin.raw(`insert into ${DATABASE}.rt41_flags values (1, 0), (2, 0), (3, 0)`);
      });
      // MariaDB 10.11 runs /*!50000 … */ and skips /*!110000 … */; the guard reads both run, or neither.
      const sql = "update rt41_flags set flag = 1 where id = ? and /*!50000 '*/' */ /*!110000 \"*/'#\" */\n ?\n";
      for (const client of ['mysql2', 'mysql', 'mariadb']) {
        it(`(${client}) the value stays a value: only row 1 is changed`, async () => {
          const db = fresh(client);
          let outcome = '';
          try {
            outcome = await outcomeOf(db.raw(sql, [1, ' or 1=1 -- ']));
          } finally {
            await db.destroy();
          }
          const flagged = ((await database.admin.raw(`select id from ${DATABASE}.rt41_flags where flag = 1 order by id`))[0] as Array<{ id: number }>).map((row) => row.id);
          expect(flagged.filter((id) => id !== 1), `a bound value became SQL and widened the update (${outcome})`).to.deep.equal([]);
        });
      }
    });

    describe('3. more than 999,999 bound values', function () {
      this.timeout(120_000);
      const MANY = 1_000_000;
      beforeEach(async () => {
        await database.admin.raw(`create table if not exists ${DATABASE}.rt41_rows (id int primary key, flag int)`);
        await database.admin.raw(`delete from ${DATABASE}.rt41_rows`);
        await database.admin.raw(`insert into ${DATABASE}.rt41_rows values (1, 0), (2, 0), (3, 0)`);
      });

      for (const client of ['mysql2', 'mysql', 'mariadb']) {
        it(`(${client}, ordinary) whereIn with ${MANY + 1} ids runs as it does without the guard`, async () => {
          const db = fresh(client);
          const ids = Array.from({ length: MANY + 1 }, (_, i) => i + 1);
          try {
            const rows = (await db('rt41_rows').whereIn('id', ids).count({ n: '*' })) as Array<{ n: number | bigint }>;
            expect(Number(rows[0]?.n)).to.equal(3);
          } finally {
            await db.destroy();
          }
        });
      }

      it(`(mysql) a value after the ${MANY}th, written into a comment, stays a value: only row 1 is changed`, async () => {
        const db = fresh('mysql');
        let outcome = '';
        try {
          const list = Array.from({ length: MANY }, () => '?').join(', ');
          outcome = await outcomeOf(db.raw(`update rt41_rows set flag = 1 where id in (${list}) /* by ? */`, [...Array.from({ length: MANY }, () => 1), '*/ or 1=1 -- ']));
        } finally {
          await db.destroy();
        }
        const flagged = ((await database.admin.raw(`select id from ${DATABASE}.rt41_rows where flag = 1 order by id`))[0] as Array<{ id: number }>).map((row) => row.id);
        expect(flagged.filter((id) => id !== 1), `a bound value became SQL and widened the update (${outcome})`).to.deep.equal([]);
      });
    });

    describe('5. SELECT … INTO OUTFILE behind executable comments the server runs only in part', () => {
      let dir = '';
      before(() => {
        dir = mkdtempSync(join(tmpdir(), 'rt41-outfile-'));
        // The server process may run as another user than the tests.
        chmodSync(dir, 0o777);
      });
      after(() => rmSync(dir, { recursive: true, force: true }));

      for (const client of ['mysql2', 'mysql', 'mariadb']) {
        it(`(${client}) knex.raw text writes no file on the server`, async () => {
          const file = join(dir, `${client}.txt`);
          const db = fresh(client);
          let outcome = '';
          try {
            // MariaDB 10.11 runs /*!50000 and /*!50100 and skips /*!110000; the guard never reads the text that way.
            outcome = await outcomeOf(db.raw(`select /*!50000 '*/' */ /*!110000 "*/'#" */\n ' /*!50100 into outfile "${file}" */ -- '\n`));
          } finally {
            await db.destroy();
          }
          expect(existsSync(file), `SELECT … INTO OUTFILE ran and wrote ${file} (${outcome})`).to.equal(false);
        });
      }
    });

    describe('4. (mariadb) a Buffer inside a list value', () => {
      beforeEach(async () => {
        await database.admin.raw(`create table if not exists ${DATABASE}.rt41_bin (id int primary key, b varbinary(16))`);
        await database.admin.raw(`delete from ${DATABASE}.rt41_bin`);
        // Row 2 holds what the guard writes for 0xFF 0x00 (U+FFFD, then NUL): the connector's escape of it decoded as utf8.
        await database.admin.raw(`insert into ${DATABASE}.rt41_bin values (1, x'ff00'), (2, x'efbfbd00')`);
      });

      it('delete … where b in (?) with [[0xFF 0x00]] deletes row 1, never row 2', async () => {
        const db = fresh('mariadb');
        let outcome = '';
        try {
          outcome = await outcomeOf(db.raw('delete from rt41_bin where b in (?)', [[Buffer.from([0xff, 0x00])]]));
        } finally {
          await db.destroy();
        }
        const ids = ((await database.admin.raw(`select id from ${DATABASE}.rt41_bin order by id`))[0] as Array<{ id: number }>).map((row) => row.id);
        expect(ids, `the delete removed a row it did not name (${outcome})`).to.include(2);
        if (outcome === 'ran') expect(ids, 'the delete ran but left the row it named').not.to.include(1);
      });
    });
  });
}
