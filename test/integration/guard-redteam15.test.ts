import { expect } from 'chai';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, tableExists, throughHook } from '../support/guard-attack';

/*
 * Red team 15 (session 9), against c8379f9: the attack tests here failed on that tree (13);
 * each asserts the effect on the real server. Fixed by taking the driver's encoder, not the
 * server's report, as what decides the bytes: a runtime MySQL connection may use UTF-8, or
 * latin1 / ascii / binary without characters above U+00FF, and nothing else: not as its
 * `charset` / `collation` option (refused before it connects), nor by SET NAMES / SET
 * CHARACTER SET / character_set_client, nor at the session read.
 *
 * 1. MariaDB, mysql2 / mariadb with connection charset gb2312 or ujis (both in
 *    MYSQL_SAFE_CHARSET, neither narrow): the drivers encode with iconv-lite, whose
 *    `gb2312` is really GBK/cp936 and whose `eucjp` (mysql2's ujis) maps U+00A5 to 0x5C.
 *    So 乗 (U+4E57) goes out as 0x81 0x5C and ¥ (U+00A5) as 0x5C: the server (gb2312 heads
 *    are 0xA1-0xF7, so 0x81 is a lone byte; ujis has ¥ nowhere at 0x5C) reads a backslash
 *    where the guard read a letter, the backslash escapes the guard's closing quote and the
 *    server's string runs on over what the guard read as the next string's opening quote.
 *    `select '¥' as a, ' as b; drop table v; -- ' as c`: one statement to the guard, a
 *    DROP to the server. ¥ is below U+0100, so even the narrow-text refusal would not see it.
 *    Bound values carry it too: where('a', '¥').orWhere('b', '; drop table v; -- ').
 * 2. mysql2, connection charset latin1 (driver writes Node latin1) and the hook (or a
 *    runtime statement) switches the session to utf8mb4 with SET NAMES: the guard's session
 *    read sees utf8mb4 and drops the narrow-text refusal, mysql2 still writes latin1, so
 *    ħ (U+0127) becomes a quote again (red team 14's attack, back). -> controls: refused today.
 * 3. The same from a utf8mb4 connection with no hook: a runtime `SET NAMES gb2312` / `ujis`
 *    (safe list) and the driver follows the server's session-state report to the new charset.
 * 4. mysql2, connection charset latin1, hook `SET NAMES ujis` (or macce): the server session
 *    is ujis, so the guard's session read sets no narrow-text refusal, but mysql2 follows a
 *    character_set_client change only for names in its encoding_charset.js (no ujis, no
 *    macce) and keeps writing Node latin1: ħ is a quote again. (The same SET at runtime is
 *    refused: the guard keeps the narrow reading it had.)
 * 5. mysql2, charset 'GB18030_CHINESE_CI' (id 248): MariaDB 10.11 has no gb18030 and gives
 *    the session its default (utf8mb4 here), which the guard reads and trusts; mysql2 still
 *    encodes with iconv-lite's gb18030, where 乗 is 0x81 0x5C. Plain knex connection option;
 *    the mariadb connector (charset 'gb18030' or collation 'GB18030_CHINESE_CI') alike.
 * 6. mysql2 hook `conn.changeUser({ charset: 'ujis' })` (a session method the hook may call):
 *    the same as 1 from a utf8mb4 connection.
 */

const dialects = testDialects();

if (dialects.includes('mysql')) {
  describe('guard red team 15, MariaDB as superuser: iconv-lite writes a backslash the guard read as a letter', () => {
    const DATABASE = 'knexroles_redteam15_charset';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt15_victim (id int, a varchar(50), b varchar(50))`);
    });
    const victimExists = (): Promise<boolean> => tableExists.mysql(database.admin, DATABASE, 'rt15_victim');
    const attempt = async (config: Parameters<typeof throughHook>[0], sql: string, hook: (conn: unknown) => unknown = () => undefined): Promise<string> => {
      let outcome = '';
      await throughHook(config, hook, (db) =>
        db.raw(sql).then(
          (r: unknown) => (outcome = `ran ${JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)).slice(0, 300)}`),
          (e: Error) => (outcome = `refused: ${e.message}`),
        ),
      );
      return outcome;
    };
    // [client, charset, the character that iconv-lite writes with a 0x5C byte]
    const cases: Array<[string, string, string]> = [
      ['mysql2', 'ujis', '\u00a5'],
      ['mysql2', 'gb2312', '\u4e57'],
      ['mariadb', 'gb2312', '\u4e57'],
    ];
    for (const [client, charset, B] of cases) {
      const sql = `select '${B}' as a, ' as b; drop table rt15_victim; -- ' as c`;
      it(`(${client}, ${charset}) refuses ${sql}: rt15_victim is still there`, async () => {
        const outcome = await attempt({ client, connection: { ...database.connection, charset, multipleStatements: true } }, sql);
        expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt15_victim`).to.equal(true);
      });
    }

    it('(mysql2, ujis) refuses a query builder where() / orWhere() pair whose values carry the backslash: rt15_victim is still there', async () => {
      let outcome = '';
      await throughHook({ client: 'mysql2', connection: { ...database.connection, charset: 'ujis', multipleStatements: true } }, () => undefined, (db) =>
        db('rt15_victim')
          .where('a', '\u00a5')
          .orWhere('b', '; drop table rt15_victim; -- ')
          .select('*')
          .then(
            (r: unknown) => (outcome = `ran ${JSON.stringify(r)}`),
            (e: Error) => (outcome = `refused: ${e.message}`),
          ),
      );
      expect(await victimExists(), `ordinary where() values dropped rt15_victim (${outcome})`).to.equal(true);
    });

    it('(mysql2, ujis, one statement, no multipleStatements) refuses an UPDATE whose mysql.db target the guard reads inside a string: mysql.db is unchanged', async () => {
      await database.admin.raw('drop user if exists rt15u');
      await database.admin.raw('create user rt15u');
      await database.admin.raw(`grant select on ${DATABASE}.* to rt15u`);
      await database.admin.raw(`delete from ${DATABASE}.rt15_victim`);
      await database.admin.raw(`insert into ${DATABASE}.rt15_victim (id) values (1)`);
      const insertPriv = async (): Promise<string> => ((await database.admin.raw("select Insert_priv as p from mysql.db where User = 'rt15u'"))[0][0] as { p: string }).p;
      expect(await insertPriv()).to.equal('N');
      const Y = '\u00a5';
      // The server reads: update rt15_victim t, (select '…' as a2) x, mysql.db d, (select 1 as b, '…' as d2) y set d.Insert_priv = 'Y' where d.User = 'rt15u'
      const sql = `update rt15_victim t, (select '${Y}' as a, ' as a2) x, mysql.db d, (select 1 as b, '${Y}' as c, ' as d2) y set d.Insert_priv = 'Y' where d.User = 'rt15u'`;
      const outcome = await attempt({ client: 'mysql2', connection: { ...database.connection, charset: 'ujis' } }, sql);
      const after = await insertPriv();
      await database.admin.raw('drop user if exists rt15u');
      expect(after, `the guard let it through (${outcome}) and the server wrote mysql.db`).to.equal('N');
    });

    it('refuses a connection whose charset is given as a number (mysql2 charsetNumber 24, gb2312) before it connects, as E_GUARD_SESSION charsetNumber', async () => {
      let refusal: unknown;
      await throughHook({ client: 'mysql2', connection: { ...database.connection, charsetNumber: 24 } as never }, () => undefined, (db) =>
        db.raw('select 1').catch((error: unknown) => {
          refusal = error;
        }),
      );
      expect(refusal).to.include({ code: 'E_GUARD_SESSION', variable: 'charsetNumber', value: '24' });
    });

    it('(control, mysql2, utf8mb4) the same ¥ text is one string to the server too: rt15_victim is still there', async () => {
      const outcome = await attempt({ client: 'mysql2', connection: { ...database.connection, multipleStatements: true } }, `select '\u00a5' as a, ' as b; drop table rt15_victim; -- ' as c`);
      expect(outcome).to.match(/^ran/);
      expect(await victimExists()).to.equal(true);
    });

    const Q = '\u0127';
    it(`(mysql2, charset latin1, hook SET NAMES utf8mb4) refuses select '${Q}; drop table rt15_victim; -- ${Q}': rt15_victim is still there`, async () => {
      type My = { query(sql: string, cb: (e: unknown) => void): void };
      const outcome = await attempt(
        { client: 'mysql2', connection: { ...database.connection, charset: 'latin1', multipleStatements: true } },
        `select '${Q}; drop table rt15_victim; -- ${Q}' as s`,
        (conn) => new Promise<void>((resolve, reject) => (conn as My).query('set names utf8mb4', (e) => (e ? reject(e) : resolve()))),
      );
      expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt15_victim`).to.equal(true);
    });

    it(`(mysql2, charset latin1, runtime SET NAMES utf8mb4 first) refuses select '${Q}; drop table rt15_victim; -- ${Q}': rt15_victim is still there`, async () => {
      let outcome = '';
      await throughHook({ client: 'mysql2', connection: { ...database.connection, charset: 'latin1', multipleStatements: true } }, () => undefined, async (db) => {
        outcome = await db.raw('set names utf8mb4').then(() => 'set ran; ', (e: Error) => `set refused: ${e.message}; `);
        outcome += await db.raw(`select '${Q}; drop table rt15_victim; -- ${Q}' as s`).then(
          (r: unknown) => `ran ${JSON.stringify(r).slice(0, 200)}`,
          (e: Error) => `refused: ${e.message}`,
        );
      });
      expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt15_victim`).to.equal(true);
    });
    // No connection option, no hook: the app switches the session itself (SET NAMES gb2312 / ujis are in the safe list) and the driver follows the server's session-state report.
    for (const [client, charset, B] of [
      ['mysql2', 'gb2312', '\u4e57'],
      ['mysql2', 'ujis', '\u00a5'],
      ['mariadb', 'gb2312', '\u4e57'],
    ] as Array<[string, string, string]>) {
      const sql = `select '${B}' as a, ' as b; drop table rt15_victim; -- ' as c`;
      it(`(${client}, utf8mb4, runtime SET NAMES ${charset} first) refuses ${sql}: rt15_victim is still there`, async () => {
        let outcome = '';
        await throughHook({ client, connection: { ...database.connection, multipleStatements: true } }, () => undefined, async (db) => {
          outcome = await db.raw(`set names ${charset}`).then(() => 'set ran; ', (e: Error) => `set refused: ${e.message}; `);
          outcome += await db.raw(sql).then(
            () => 'ran',
            (e: Error) => `refused: ${e.message}`,
          );
        });
        expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt15_victim`).to.equal(true);
      });
    }
    // Controls: mysqljs writes UTF-8 whatever the charset; iconv-lite's euckr (cp949) and cp1250 have no 0x5C / 0x27 trail byte.
    for (const [client, charset, B] of [
      ['mysql', 'gb2312', '\u4e57'],
      ['mysql2', 'euckr', '\uac02'],
      ['mysql2', 'cp1250', '\u4e57'],
    ] as Array<[string, string, string]>) {
      const sql = `select '${B}' as a, ' as b; drop table rt15_victim; -- ' as c`;
      it(`(control, ${client}, ${charset}) ${sql}: rt15_victim is still there`, async () => {
        await attempt({ client, connection: { ...database.connection, charset, multipleStatements: true } }, sql);
        expect(await victimExists()).to.equal(true);
      });
    }
    // mysql2 follows a SET NAMES through the server's session-state report only for the charset names it knows (encoding_charset.js has no ujis, no macce): it keeps writing Node latin1.
    for (const charset of ['ujis', 'macce']) {
      it(`(mysql2, charset latin1, hook SET NAMES ${charset}) refuses select '${Q}; drop table rt15_victim; -- ${Q}': rt15_victim is still there`, async () => {
        type My = { query(sql: string, cb: (e: unknown) => void): void };
        const outcome = await attempt(
          { client: 'mysql2', connection: { ...database.connection, charset: 'latin1', multipleStatements: true } },
          `select '${Q}; drop table rt15_victim; -- ${Q}' as s`,
          (conn) => new Promise<void>((resolve, reject) => (conn as My).query(`set names ${charset}`, (e) => (e ? reject(e) : resolve()))),
        );
        expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt15_victim`).to.equal(true);
      });
      it(`(mysql2, charset latin1, runtime SET NAMES ${charset} first) refuses select '${Q}; drop table rt15_victim; -- ${Q}': rt15_victim is still there`, async () => {
        let outcome = '';
        await throughHook({ client: 'mysql2', connection: { ...database.connection, charset: 'latin1', multipleStatements: true } }, () => undefined, async (db) => {
          outcome = await db.raw(`set names ${charset}`).then(() => 'set ran; ', (e: Error) => `set refused: ${e.message}; `);
          outcome += await db.raw(`select '${Q}; drop table rt15_victim; -- ${Q}' as s`).then(
            () => 'ran',
            (e: Error) => `refused: ${e.message}`,
          );
        });
        expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt15_victim`).to.equal(true);
      });
    }
    // mysql2 charset gb18030 (id 248): MariaDB 10.11 has no gb18030 and falls back to its default character set for an unknown handshake collation, which the guard reads; mysql2 still encodes with iconv-lite's gb18030 (乗 = 0x81 0x5C).
    it('(mysql2, charset GB18030_CHINESE_CI, unknown to MariaDB) refuses select \'\u4e57\' as a, \' as b; drop table rt15_victim; -- \' as c: rt15_victim is still there', async () => {
      const outcome = await attempt(
        { client: 'mysql2', connection: { ...database.connection, charset: 'GB18030_CHINESE_CI', multipleStatements: true } },
        `select '\u4e57' as a, ' as b; drop table rt15_victim; -- ' as c`,
      );
      expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt15_victim`).to.equal(true);
    });
    it('(mysql2, utf8mb4, hook changeUser({ charset: \'ujis\' })) refuses select \'\u00a5\' as a, \' as b; drop table rt15_victim; -- \' as c: rt15_victim is still there', async () => {
      type My = { changeUser(o: object, cb: (e: unknown) => void): void; config: { user: string; password: string; database: string } };
      const outcome = await attempt(
        { client: 'mysql2', connection: { ...database.connection, multipleStatements: true } },
        `select '\u00a5' as a, ' as b; drop table rt15_victim; -- ' as c`,
        (conn) => new Promise<void>((resolve, reject) => (conn as My).changeUser({ charset: 'ujis' }, (e) => (e ? reject(e) : resolve()))),
      );
      expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt15_victim`).to.equal(true);
    });
    for (const option of [{ charset: 'gb18030' }, { collation: 'GB18030_CHINESE_CI' }]) {
      it(`(mariadb, ${JSON.stringify(option)}, unknown to MariaDB 10.11) refuses select '\u4e57' as a, ' as b; drop table rt15_victim; -- ' as c: rt15_victim is still there`, async () => {
        const outcome = await attempt({ client: 'mariadb', connection: { ...database.connection, ...option, multipleStatements: true } }, `select '\u4e57' as a, ' as b; drop table rt15_victim; -- ' as c`);
        expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt15_victim`).to.equal(true);
      });
    }
  });
}
