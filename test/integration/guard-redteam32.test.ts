import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, outcomeOf } from '../support/guard-attack';

/*
 * Red team 32 (session 13), against 59a8706 (the tip of s13 this branch started from). Focus: MariaDB 10.11
 * and SQLite, server or session state changed without DDL. Each attack test fails on that code and
 * asserts the effect on the real server (MariaDB 10.11 as superuser).
 *
 * 1. MariaDB `SET CHARACTER SET x` / `SET CHARSET x` set character_set_client and character_set_results
 *    to x, but character_set_connection (and collation_connection) to the session's
 *    character_set_database, which the guard does not watch. lib/dialects/mysql/set-mysql.ts
 *    (lexingSetting(r, 'names', 'CHARACTER SET', …)) and lexing-settings.ts judge only the named set
 *    (utf8mb4: allowed), and character_set_database / collation_database are ordinary session settings
 *    (`SET SESSION character_set_database = 'sjis'`, `SET @@collation_database = 'big5_chinese_ci'`,
 *    `SELECT 'sjis' INTO @@character_set_database`, `SET STATEMENT character_set_database = … FOR`:
 *    all allowed), and so is `USE db` of a database whose default character set is not UTF-8 (it
 *    changes character_set_database too). So `SET SESSION character_set_database = 'sjis'; SET
 *    CHARACTER SET utf8mb4` gives the guarded session character_set_connection = sjis (big5, ucs2
 *    the same way): exactly what `SET character_set_connection = sjis` / `SET collation_connection`
 *    (refused) would do, and what the session read refuses when a connection starts that way
 *    (README: "a multibyte connection character set"). Shown effect: every string literal is now
 *    converted to that set before use, so `insert … values ('Grüße 😀 €')` into a utf8mb4 column
 *    stores `Gr??e ? ?` (ucs2: `Grüße ???? €`) with no error, and every later comparison, LIKE,
 *    CONCAT and charset() of a literal on the pooled connection works in sjis / ucs2. No way
 *    found from there to a different tokenization (the server lexes with character_set_client,
 *    which stays utf8mb4; PREPARE / EXECUTE IMMEDIATE, the places the server re-reads a string as
 *    SQL, are refused), so severity low: a documented refusal bypassed, silent data loss on the
 *    app's own writes, and whatever the guard's connection-set rule protects against is open.
 *    Fix: judge SET CHARACTER SET / CHARSET as also setting character_set_connection from
 *    character_set_database, i.e. refuse them (SET NAMES is the spelling that names the
 *    connection set), or refuse character_set_database / collation_database to non-UTF-8 values
 *    (in SET, SET STATEMENT, INTO @@, :=) and re-read @@character_set_connection after USE and
 *    SET CHARACTER SET. For the class: a setting the server derives from another one at the time
 *    of the statement (connection set from the database set; SET NAMES DEFAULT / SET CHARACTER SET
 *    DEFAULT from character_set_server, refused) must be judged by its source too, or the guard
 *    should re-read the session after any statement that may have moved a watched setting.
 *
 * Near-misses (the guard handled them, or no harm), run with the classifier and against MariaDB
 * 10.11 as superuser / better-sqlite3's SQLite 3.53: `SET SESSION sql_mode = ''` (or
 * 'ALLOW_INVALID_DATES', 'NO_ENGINE_SUBSTITUTION') runs and turns off strict mode: NOT NULL
 * columns take '' from NULL, varchar(3) truncates, an ENUM takes '', 2020-02-31 becomes a zero
 * date; but `UPDATE IGNORE` / `INSERT IGNORE` do all the same in strict mode, with no SET, so this
 * gives nothing new (not a finding; an integrity policy for sql_mode would have to cover IGNORE too).
 * `set session.foreign_key_checks = 0` / `` `session`.`foreign_key_checks` `` (allowed, but the server
 * reads them as a structured key-cache variable and errors). debug_dbug / debug_sync (not in this
 * release build). Refused as they should be: performance_schema.setup_* / threads writes in every
 * spelling tried (backticks, upper case, `/*!…*\/` schema, multi-table UPDATE / DELETE, CTE,
 * REPLACE, FOR UPDATE), `CALL sys.ps_setup_*`, `USE performance_schema` in comments; every
 * `SELECT … INTO OUTFILE / DUMPFILE` position (before FROM, after FOR UPDATE / LIMIT, derived table,
 * UNION arm, CTE, VALUES, TABLE, `/*!` / `/*M!` / versioned / `/*!0` / nested comments, `_binary` /
 * x'' file names); LOAD_FILE with a space, a comment, `/*!(` or backticks before `(`; SHUTDOWN,
 * BINLOG, EXECUTE IMMEDIATE, PREPARE … FROM, BACKUP STAGE / LOCK, FLUSH, KILL (also in
 * `/*!…*\/` and SET STATEMENT … FOR), CACHE INDEX, LOAD INDEX, PURGE / RESET, CHANGE MASTER, START /
 * STOP SLAVE / REPLICA, UNINSTALL, XA (RECOVER too), HANDLER, LOAD DATA behind SET STATEMENT,
 * MariaDB compound statements outside a routine (BEGIN NOT ATOMIC, IF, CASE, WHILE, REPEAT, LOOP,
 * FOR, labels); foreign_key_checks / unique_checks / character_set_client in every assignment form
 * (multi-assignment SET lists, `@@ x`, `@@session/**\/.x`, backticks, `:=` inside SELECT / DO / UPDATE /
 * INSERT / WHERE, INTO lists); sql_mode values spelled as hex, bit, number, adjacent literals,
 * introducers, N'', COLLATE, parentheses, MAXDB / DB2 / POSTGRESQL / ORACLE; SET NAMES / CHARSET
 * DEFAULT; lexing of `--` + control / Unicode characters, `#` / `--` ending at \r or U+2028 (the
 * guard and the server agree), `0x1into`, `1into`, `/*+ … *\/` (a plain comment on 10.11); writes
 * naming knex_migrations[_lock] as an INSERT … SELECT source (refused on the guarded client).
 * Harmless or documented: SETVAL / NEXTVAL on app sequences (knex's MySQL bookkeeping uses
 * AUTO_INCREMENT), GET_LOCK / RELEASE_ALL_LOCKS (README: not covered), insert_id / rand_seed /
 * auto_increment_* (session-only), sys.* functions (all reads), CHECKSUM TABLE (a read),
 * character_set_results. SQLite: every table-valued pragma with and without an argument (only the
 * catalog reads take one; `pragma_optimize` refused); PRAGMA name spellings (quoted, bracketed,
 * backticked, schema-qualified, call form) for file pragmas; sqlite_stat* / sqlite_sequence writes in
 * every spelling; sqlite_dbpage, readfile / writefile, zipfile are not compiled into this
 * better-sqlite3; the internal sqlite_rename_* / sqlite_drop_column / sqlite_attach functions are
 * not callable from SQL ("no such function"); fts5(?) takes only a bound pointer; `PRAGMA
 * recursive_triggers = off` (which makes REPLACE skip DELETE triggers) is already the default on
 * this build; FTS5 / R-tree shadow tables and FTS5 'rank' / 'pgsz' commands write the app's own
 * tables.
 */

const dialects = testDialects();

if (dialects.includes('mysql')) {
  describe('guard red team 32, MariaDB as superuser: SET CHARACTER SET takes the connection character set from character_set_database', () => {
    const name = 'knexroles_redteam32_charset';
    const database = mysqlSuperuserDatabase(name);
    const SJIS_DB = 'knexroles_redteam32_sjis';
    before(async () => {
      await database.admin.raw(`create database if not exists ${SJIS_DB} character set sjis`);
      await database.admin.raw(`create table if not exists ${name}.rt32_notes (id int primary key, body varchar(50) character set utf8mb4) engine=InnoDB`);
    });
    after(async () => {
      // database.admin is destroyed by mysqlSuperuserDatabase's own after hook, which runs first.
      const root = knex({ client: 'mysql2', connection: { ...database.connection, database: 'mysql' }, pool: { min: 0, max: 1 } });
      try {
        await root.raw(`drop database if exists ${SJIS_DB}`);
      } finally {
        await root.destroy();
      }
    });
    beforeEach(async () => {
      await database.admin.raw(`delete from ${name}.rt32_notes`);
    });

    /** Runs `steps` in order on one guarded pooled connection; what each came to, and the session's character sets after. */
    async function run(steps: string[]): Promise<{ outcomes: string[]; connection: string; body: string | undefined }> {
      const db: Knex = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      try {
        const outcomes: string[] = [];
        for (const sql of steps) outcomes.push(`${sql}: ${await outcomeOf(db.raw(sql))}`);
        // Read on the same (single) pooled connection, without the guard's help: what the session now is.
        const [[row]] = (await db.raw('select @@character_set_connection as cs')) as [[{ cs: string }]];
        const body = ((await database.admin.raw(`select body from ${name}.rt32_notes where id = 1`)) as [{ body: string }[]])[0][0]?.body;
        return { outcomes, connection: row.cs, body };
      } finally {
        await db.destroy();
      }
    }

    const insert = `insert into ${name}.rt32_notes values (1, 'Grüße 😀 €')`;
    for (const [label, steps] of [
      ['SET SESSION character_set_database = sjis, then SET CHARACTER SET utf8mb4', ["set session character_set_database = 'sjis'", 'set character set utf8mb4', insert]],
      ['SET SESSION collation_database = big5_chinese_ci, then SET CHARSET utf8mb4', ["set session collation_database = 'big5_chinese_ci'", 'set charset utf8mb4', insert]],
      ['SET SESSION character_set_database = ucs2, then SET CHARACTER SET utf8', ["set session character_set_database = 'ucs2'", "set character set 'utf8'", insert]],
      [`USE ${SJIS_DB} (a database whose default set is sjis), then SET CHARACTER SET utf8mb4`, [`use ${SJIS_DB}`, 'set character set utf8mb4', insert]],
    ] as [string, string[]][]) {
      it(`(mysql2) ${label} cannot give the session a connection character set the guard refuses`, async () => {
        const { outcomes, connection, body } = await run(steps);
        const why = `${outcomes.join('; ')}; then @@character_set_connection = ${connection}, stored body ${JSON.stringify(body)}`;
        expect(connection, why).to.match(/^utf8/);
        expect(outcomes.join('\n'), why).to.match(/E_RUNTIME_DDL|Refused/);
      });
    }
  });
}
