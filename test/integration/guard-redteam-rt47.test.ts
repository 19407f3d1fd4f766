import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, outcomeOf } from '../support/guard-attack';

/*
 * Red team rt47 (session 16, against 90dba19: the newest fixes, git log 5a38ca8..90dba19 -- lib).
 *
 * Finding 1 (high): on a MySQL/MariaDB connection whose character set is latin1 (the knex
 * `charset: 'latin1'` option, which the guard supports as a "narrow" set: README "characters up to
 * U+00FF pass"), U+00A0 NO-BREAK SPACE is whitespace to MariaDB but an identifier character to the
 * guard. mysql2 and the mariadb connector send it as the single byte 0xA0, which MariaDB's latin1
 * ctype table marks as a space (my_isspace): it separates tokens, and `--` followed by it starts a
 * line comment. The guard's lexer reads every code unit >= 0x80 as part of a word
 * (lib/guard/chars.ts CHAR_CLASS / isIdentStart: "Code units >= 0x80 are identifier characters") and
 * starts a `--` comment only before a code unit <= 0x20 or 0x7F (lib/dialects/mysql/lexer.ts
 * MysqlLexer.skipComment). So:
 *   - `SET @rt47 = 1,<NBSP>GLOBAL net_read_timeout = 47`: the guard reads one item and a session
 *     variable named "<NBSP>global" (set-mysql.ts setMysql/sessionVariable); MariaDB runs SET GLOBAL
 *     (server-wide setting changed);
 *   - `SET @rt47 = 1 --<NBSP>'\n, GLOBAL net_read_timeout = 48 -- '`: the guard reads `- -` and a
 *     string; MariaDB reads a comment, then SET GLOBAL (the same through the comment rule);
 *   - `INSERT INTO<NBSP>mysql.db (…) VALUES (…)`: the guard reads a table in schema "into<NBSP>mysql";
 *     MariaDB writes the grant table mysql.db (catalog write: a privilege row);
 *   - `SELECT LOAD_FILE<NBSP>('/etc/hostname')`: the guard reads a word "load_file<NBSP>", no call of
 *     LOAD_FILE (content rule skipped); MariaDB reads the file (refused function ran);
 *   - `SET @rt47 = 1,<NBSP>sql_mode = 'NO_BACKSLASH_ESCAPES'`: the session's lexing really switches
 *     (the mode the guard refuses at the session read), so every later reading of the guard is wrong.
 * Checked on MariaDB 10.11 with mysql2 and mariadb (both write latin1 one byte per character);
 * mysqljs (`mysql`) sends these as UTF-8 (C2 A0, a letter to latin1) and MariaDB rejects them.
 * On utf8mb4 connections 0xA0 is never a lone byte (no effect: checked `--` + U+007F..U+00FF).
 * Root cause: the guard's lexer character classes are one for every session, while the server's
 * whitespace (and, for `--`, control) classes come from the connection's character set.
 * Fix for the class: on a session read as narrow (SessionSettings.narrowText, client.ts
 * narrowTextRefusal) refuse, or read as the server does, every character U+0080..U+00FF that the
 * session's one-byte set classes as space or control (latin1: 0xA0; check ascii/binary and the
 * other ctype tables: my_isspace / my_iscntrl), i.e. treat them as whitespace in the MySQL lexer
 * for such sessions and as a comment starter after `--`; simplest: refuse text with U+00A0 (and any
 * other such byte) on narrow sessions, as text above U+00FF already is.
 *
 * Near-misses (the guard held, or the server refused what the guard let through):
 * - content prefilter (any-word.ts) on long texts: fuzzed AnyWord.test against the whole alternation
 *   for the mysql/postgres/sqlite word lists, lengths at 16383/16384, SEARCH_PIECE-5..+20,
 *   2*SEARCH_PIECE+3, 300 KB, words planted in mixed case across piece boundaries, fillers of
 *   'é', '😀' (surrogate pairs), quotes, anchor letters: 0 mismatches in 900 texts;
 * - SET list items (set-mysql.ts specialItem) on MariaDB 10.11, all refused by the guard or by
 *   the server: `@@\`global\`.x`, `\`GLOBAL\` x`, `@@\`session\`.sql_mode`, `SESSION ROLE`, `LOCAL
 *   DEFAULT ROLE`, `SESSION PASSWORD`, TRANSACTION / STATEMENT as a later item, `DEFAULT.key_buffer_size`,
 *   `@@default.x`, `session.x`, `@@session.@@global.x`, PASSWORD/ROLE after `CASE…END`, `COLLATE`,
 *   `@b := 1`, inside executable comments (plain, M!, versioned 100000); sql_mode by bitmask, hex, DEFAULT, expression;
 * - executable-comment markers in strings (lexer.ts endOfInput): with a known session the guard's
 *   reading matched MariaDB's on utf8mb4 (`--` + U+007F..U+00FF, NUL in comments ends the parse);
 * - MariaDB native function names with non-ASCII look-alikes (`LOAD_FÍLE`, `load_fıle`, `ＬＯＡＤ_FILE`,
 *   Cyrillic о, ﬁ ligature, `SLËEP`): the server looks names up by ASCII case only ("does not exist");
 * - other bytes between tokens (`SELECT 5,<c>7`, c = U+0001..U+001F, U+007F..U+00FF): on utf8mb4,
 *   ascii and binary connections MariaDB's whitespace is exactly 09-0D and 20, and on latin1 also A0
 *   (the finding). The guard lets `SET @a = 1,<U+0001>GLOBAL x = 1` through (U+0001..U+0008,
 *   U+000E..U+001F), but MariaDB reads those control characters as a syntax error;
 * - SQLite `PRAGMA trusted_schema` (pragma.ts): only off/no/false/0 pass, SQLite reads unknown
 *   values as off.
 */

const dialects = testDialects();
const NBSP = '\u00a0';

if (dialects.includes('mysql')) {
  describe('guard red team rt47, MariaDB as superuser on a latin1 connection: U+00A0 is whitespace to the server', () => {
    const DATABASE = 'knexroles_redteam_rt47';
    const database = mysqlSuperuserDatabase(DATABASE);
    let timeout = 30;
    before(async () => {
      timeout = Number((await database.admin.raw('select @@global.net_read_timeout as n'))[0][0].n);
    });
    const globalTimeout = async (): Promise<number> => Number((await database.admin.raw('select @@global.net_read_timeout as n'))[0][0].n);
    const grantRows = async (): Promise<number> => Number((await database.admin.raw("select count(*) as n from mysql.db where Db = 'rt47_nowhere'"))[0][0].n);
    afterEach(async () => {
      await database.admin.raw(`set global net_read_timeout = ${timeout}`);
      await database.admin.raw("delete from mysql.db where Db = 'rt47_nowhere'");
    });
    const latin1 = (client: string): Knex => guard(knex({ client, connection: { ...database.connection, charset: 'latin1' } as Knex.Config['connection'], pool: { min: 0, max: 1 } }));

    for (const client of ['mysql2', 'mariadb']) {
      it(`(${client}) SET @a = 1,<NBSP>GLOBAL x = … does not change a server-wide setting`, async () => {
        const db = latin1(client);
        try {
          const outcome = await outcomeOf(db.raw(`SET @rt47 = 1,${NBSP}GLOBAL net_read_timeout = ${timeout + 17}`));
          expect(await globalTimeout(), `SET GLOBAL ran through the guard (${outcome})`).to.equal(timeout);
        } finally {
          await db.destroy();
        }
      });

      it(`(${client}) SET @a = 1 --<NBSP>' (a comment to the server) does not hide SET GLOBAL`, async () => {
        const db = latin1(client);
        try {
          const outcome = await outcomeOf(db.raw(`SET @rt47 = 1 --${NBSP}'\n, GLOBAL net_read_timeout = ${timeout + 18} -- '`));
          expect(await globalTimeout(), `SET GLOBAL ran through the guard (${outcome})`).to.equal(timeout);
        } finally {
          await db.destroy();
        }
      });

      it(`(${client}) INSERT INTO<NBSP>mysql.db does not write the grant table`, async () => {
        const db = latin1(client);
        try {
          const outcome = await outcomeOf(db.raw(`INSERT INTO${NBSP}mysql.db (Host, Db, User, Select_priv) VALUES ('%', 'rt47_nowhere', 'rt47_nobody', 'Y')`));
          expect(await grantRows(), `a privilege row was written into mysql.db (${outcome})`).to.equal(0);
        } finally {
          await db.destroy();
        }
      });

      it(`(${client}) LOAD_FILE<NBSP>(…) does not read a server file`, async () => {
        const db = latin1(client);
        try {
          let value: unknown = null;
          const outcome = await outcomeOf(db.raw(`SELECT LOAD_FILE${NBSP}('/etc/hostname') AS x`).then((result: unknown) => {
            const rows = (result as unknown[][])[0] as Array<{ x: unknown }>;
            value = rows[0]?.x ?? null;
          }));
          expect(value, `the server read /etc/hostname through the guard (${outcome})`).to.equal(null);
        } finally {
          await db.destroy();
        }
      });

      it(`(${client}) SET @a = 1,<NBSP>sql_mode = 'NO_BACKSLASH_ESCAPES' does not switch the session's lexing`, async () => {
        const db = latin1(client);
        try {
          const outcome = await outcomeOf(db.raw(`SET @rt47 = 1,${NBSP}sql_mode = 'NO_BACKSLASH_ESCAPES'`));
          const rows = (await db.raw('select @@session.sql_mode as m'))[0] as Array<{ m: string }>;
          expect(String(rows[0]?.m), `sql_mode switched through the guard (${outcome})`).not.to.match(/NO_BACKSLASH_ESCAPES/);
        } finally {
          await db.destroy();
        }
      });
    }
  });
}
