import { expect } from 'chai';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, tableExists, throughHook } from '../support/guard-attack';

/*
 * Red team 16 (session 9), against fc4fa8b: the attack tests here failed on that tree (9); each
 * asserts the effect on the real server (MariaDB 10.11, superuser).
 *
 * 1. A runtime `SET NAMES latin1` (or SET CHARACTER SET latin1, SET character_set_client =
 *    latin1, SET @@session.character_set_client = ascii) on a UTF-8 session is allowed (latin1
 *    is in MYSQL_SAFE_CHARSET), but the session settings stay as read (no narrowText), while
 *    mysql2 / mariadb follow the server's session-state report and write Node latin1 from then
 *    on: ħ (U+0127) goes out as a quote. Raw text and where() values alike.
 * 2. Hook `changeUser({ charset: 'GB18030_CHINESE_CI' })` (mysql2) or `changeUser({ collation:
 *    'GB18030_CHINESE_CI' })` (mariadb): MariaDB 10.11 has no gb18030 and keeps utf8mb4, which
 *    the session read trusts; the driver encodes with iconv-lite gb18030 (乗 = 81 5C). The
 *    configured-option check (configuredCharset) never sees changeUser's arguments.
 * 3. configuredCharset reads String(value); mysql2 calls value.toUpperCase(): an object charset
 *    whose two disagree (utf8mb4 / GB18030_CHINESE_CI) passes the check. Contrived.
 * Near-misses (pass): SET STATEMENT character_set_client = latin1 FOR … is refused whole;
 * mariadb changeUser({ charset: 'gb18030' }) sends UTF-8 anyway (the connector's doing).
 */

const dialects = testDialects();

if (dialects.includes('mysql')) {
  describe('guard red team 16, MariaDB as superuser: the driver encoder vs the guard', () => {
    const DATABASE = 'knexroles_redteam16_charset';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt16_victim (id int, a varchar(50), b varchar(50))`);
    });
    const victimExists = (): Promise<boolean> => tableExists.mysql(database.admin, DATABASE, 'rt16_victim');
    const attempt = async (config: Parameters<typeof throughHook>[0], sql: string, hook: (conn: unknown) => unknown = () => undefined, before?: string): Promise<string> => {
      let outcome = '';
      await throughHook(config, hook, async (db) => {
        if (before !== undefined) outcome += await db.raw(before).then(() => `before ran; `, (e: Error) => `before refused: ${e.message}; `);
        outcome += await db.raw(sql).then(
          (r: unknown) => `ran ${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 300)}`,
          (e: Error) => `refused: ${e.message}`,
        );
      }).catch((e: Error) => (outcome += `setup failed: ${e.message}`));
      if (process.env['RT16_DEBUG']) console.log(outcome.slice(0, 400));
      return outcome;
    };
    type CU = { changeUser(o: object, cb: (e: unknown) => void): void };
    const DROP_GB = `select '\u4e57' as a, ' as b; drop table rt16_victim; -- ' as c`;
    const DROP_NARROW = `select '\u0127' as a, ' as b; drop table rt16_victim; -- ' as c`;

    it("(mysql2, utf8mb4, hook changeUser({ charset: 'GB18030_CHINESE_CI' }), unknown to MariaDB) refuses select '乗' ...; drop table: rt16_victim is still there", async () => {
      const outcome = await attempt(
        { client: 'mysql2', connection: { ...database.connection, multipleStatements: true } },
        DROP_GB,
        (conn) => new Promise<void>((resolve, reject) => (conn as CU).changeUser({ charset: 'GB18030_CHINESE_CI' }, (e) => (e ? reject(e) : resolve()))),
      );
      expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt16_victim`).to.equal(true);
    });

    it('(mysql2, utf8mb4, runtime SET NAMES latin1) refuses select \'ħ\' ...; drop table: rt16_victim is still there', async () => {
      const outcome = await attempt({ client: 'mysql2', connection: { ...database.connection, multipleStatements: true } }, DROP_NARROW, undefined, 'set names latin1');
      expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt16_victim`).to.equal(true);
    });

    it('(mysql2, charset option an object whose toUpperCase says GB18030_CHINESE_CI (unknown to MariaDB) and toString says utf8mb4) refuses select \'乗\' ...; drop table', async () => {
      const charset = { toString: () => 'utf8mb4', toUpperCase: () => 'GB18030_CHINESE_CI' };
      const outcome = await attempt({ client: 'mysql2', connection: { ...database.connection, charset: charset as unknown as string, multipleStatements: true } }, DROP_GB);
      expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt16_victim`).to.equal(true);
    });
    for (const [client, before] of [
      ['mysql2', 'set character_set_client = latin1'],
      ['mysql2', 'set character set latin1'],
      ['mysql2', 'set @@session.character_set_client = ascii'],
      ['mariadb', 'set names latin1'],
      ['mysql2', 'set statement character_set_client = latin1 for select 1'],
      ['mariadb', 'set statement character_set_client = latin1 for select 1'],
    ] as const) {
      it(`(${client}, utf8mb4, runtime ${before}) refuses select 'ħ' ...; drop table: rt16_victim is still there`, async () => {
        const outcome = await attempt({ client, connection: { ...database.connection, multipleStatements: true } }, DROP_NARROW, undefined, before);
        expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt16_victim`).to.equal(true);
      });
    }

    it("(mysql2, utf8mb4, runtime SET NAMES latin1) refuses a where() / orWhere() pair whose values carry ħ: rt16_victim is still there", async () => {
      let outcome = '';
      await throughHook({ client: 'mysql2', connection: { ...database.connection, multipleStatements: true } }, () => undefined, async (db) => {
        // Refused now (a runtime SET may only choose UTF-8); the query below is the attack either way.
        await db.raw('set names latin1').catch(() => undefined);
        await db('rt16_victim')
          .where('a', '\u0127')
          .orWhere('b', ' or 1; drop table rt16_victim; -- ')
          .then((r: unknown) => (outcome = `ran ${JSON.stringify(r)}`), (e: Error) => (outcome = `refused: ${e.message}`));
      });
      expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt16_victim`).to.equal(true);
    });

    for (const option of [{ charset: 'gb18030' }, { collation: 'GB18030_CHINESE_CI' }]) {
      it(`(mariadb, utf8mb4, hook changeUser(${JSON.stringify(option)})) refuses select '乗' ...; drop table: rt16_victim is still there`, async () => {
        type MC = { changeUser(o: object, cb?: (e: unknown) => void): unknown };
        const outcome = await attempt(
          { client: 'mariadb', connection: { ...database.connection, multipleStatements: true } },
          DROP_GB,
          (conn) => new Promise<void>((resolve, reject) => { const r = (conn as MC).changeUser({ ...database.connection, ...option }, (e) => (e ? reject(e) : resolve())); if (r instanceof Promise) r.then(() => resolve(), reject); }),
        );
        expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt16_victim`).to.equal(true);
      });
    }
  });
}
