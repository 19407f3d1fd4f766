import { expect } from 'chai';
import type { Knex } from 'knex';
import { testDialects } from '../support/dialects';
import { innodbStatsRowsLocked, mysqlSuperuserDatabase, tableExists, throughHook } from '../support/guard-attack';

/*
 * Red team 14 (session 9), against 9f9151c: the attack tests here fail on that tree; each
 * asserts the effect on the real server.
 *
 * 1. MariaDB, mysql2 with a single-byte connection charset (`charset: 'latin1'`, 'ascii',
 *    'binary': all in MYSQL_SAFE_CHARSET, lib/dialects/mysql/lexing-settings.ts): mysql2
 *    writes the SQL with Buffer#write in that encoding, which keeps only the low byte of each
 *    UTF-16 unit, so U+0127 (ħ) is sent as 0x27, a quote (U+015C as a backslash, …). The
 *    guard lexes the JS string, where ħ is a letter: `select 'ħ; drop table v; -- ħ'` is
 *    one string to the guard and `select ''; drop table v; -- ''` to the server (with
 *    multipleStatements), and with no second statement an UPDATE whose `mysql.db d` the
 *    guard reads inside a string literal writes the grant table (no hook needed). A bound
 *    value does it too: mysql2's escape leaves ħ alone, so an ordinary
 *    `db('t').where('id', 'ħ; drop table v; -- ')` drops v. The mariadb connector (knex
 *    client `mariadb`) sends latin1 text the same way; mysqljs (`mysql`) sends UTF-8 (passes).
 *
 * Controls (pass): writes that read a system table (INSERT … SELECT, UPDATE / DELETE with a
 * subquery, multi-table UPDATE: they would take InnoDB shared locks on its rows) are refused
 * as CATALOG WRITE; CALL sys.execute_prepared_stmt / mysql.AddGeometryColumn and USE sys are
 * refused.
 */

const dialects = testDialects();

if (dialects.includes('mysql')) {
  describe('guard red team 14, MariaDB as superuser: a write that reads a system table locks its rows', () => {
    const DATABASE = 'knexroles_redteam14_lock';
    const database = mysqlSuperuserDatabase(DATABASE);
    before(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt14_t (id int, n varchar(200)) engine = innodb`);
      await database.admin.raw(`delete from ${DATABASE}.rt14_t`);
      await database.admin.raw(`insert into ${DATABASE}.rt14_t values (1, 'x')`);
      const rows = (await database.admin.raw('select count(*) as n from mysql.innodb_table_stats'))[0][0].n;
      expect(rows).to.be.greaterThan(0);
    });
    const lockedDuring = async (sql: string): Promise<{ ran: boolean; locked: boolean; error?: string }> => {
      const result: { ran: boolean; locked: boolean; error?: string } = { ran: false, locked: false };
      await throughHook({ client: 'mysql2', connection: database.connection }, () => undefined, (db) =>
        db
          .transaction(async (trx) => {
            result.ran = await trx.raw(sql).then(
              () => true,
              (error: Error) => {
                result.error = error.message;
                return false;
              },
            );
            if (result.ran) result.locked = await innodbStatsRowsLocked(database.admin);
            throw new Error('roll back');
          })
          .catch(() => undefined),
      );
      return result;
    };

    it('(control) a plain SELECT of mysql.innodb_table_stats runs and locks nothing', async () => {
      const r = await lockedDuring('select * from mysql.innodb_table_stats');
      expect(r.ran, r.error).to.equal(true);
      expect(r.locked).to.equal(false);
    });

    it('(control) SELECT … LOCK IN SHARE MODE on it is refused', async () => {
      const r = await lockedDuring('select * from mysql.innodb_table_stats lock in share mode');
      expect(r.ran).to.equal(false);
    });

    for (const sql of [
      'insert into rt14_t (id, n) select 2, table_name from mysql.innodb_table_stats',
      'replace into rt14_t (id, n) select 3, table_name from mysql.innodb_table_stats',
      'update rt14_t set n = (select max(table_name) from mysql.innodb_table_stats) where id = 1',
      'update rt14_t set n = n where id in (select n_rows from mysql.innodb_table_stats)',
      'delete from rt14_t where id in (select n_rows from mysql.innodb_table_stats)',
      'update rt14_t, mysql.innodb_table_stats s set rt14_t.n = s.table_name where rt14_t.id = 1',
    ]) {
      it(`refuses ${sql}: the system table's rows are not locked`, async () => {
        const r = await lockedDuring(sql);
        expect(r.ran && r.locked, `ran: ${r.ran} (${r.error ?? 'no error'}), mysql.innodb_table_stats rows locked: ${r.locked}`).to.equal(false);
      });
    }
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 14, MariaDB as superuser: server-shipped procedures that run DDL', () => {
    const DATABASE = 'knexroles_redteam14_call';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt14_victim (id int)`);
    });
    const victimExists = (): Promise<boolean> => tableExists.mysql(database.admin, DATABASE, 'rt14_victim');
    const columns = async (): Promise<string[]> =>
      ((await database.admin.raw('select column_name as c from information_schema.columns where table_schema = ? and table_name = ?', [DATABASE, 'rt14_victim']))[0] as Array<{ c: string }>).map((r) => r.c);
    const run = async (sqls: string[]): Promise<string[]> => {
      const out: string[] = [];
      await throughHook({ client: 'mysql2', connection: database.connection }, () => undefined, async (db) => {
        await db.transaction(async (trx) => {
          for (const sql of sqls) out.push(await trx.raw(sql).then(() => 'ran', (e: Error) => `refused: ${e.message}`));
        }).catch(() => undefined);
      });
      return out;
    };
    for (const sqls of [
      ['call sys.execute_prepared_stmt(\'drop table rt14_victim\')'],
      ["call mysql.AddGeometryColumn('', '" + DATABASE + "', 'rt14_victim', 'g', 0)"],
      ['use sys', 'call execute_prepared_stmt(\'drop table ' + DATABASE + '.rt14_victim\')'],
      ['call `sys` . `execute_prepared_stmt`(\'drop table rt14_victim\')'],
    ]) {
      it(`refuses ${sqls.join('; ')}: rt14_victim is unchanged`, async () => {
        const out = await run(sqls);
        expect(await victimExists(), 'rt14_victim dropped').to.equal(true);
        expect(await columns(), 'rt14_victim altered').to.deep.equal(['id']);
      });
    }
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 14, MariaDB as superuser (mysql2): a single-byte connection charset truncates characters to quotes', () => {
    const DATABASE = 'knexroles_redteam14_charset';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt14_victim (id int)`);
    });
    const victimExists = (): Promise<boolean> => tableExists.mysql(database.admin, DATABASE, 'rt14_victim');
    // U+0127 (ħ): mysql2 writes a latin1 / ascii / binary connection's text with Buffer#write, which keeps each UTF-16 unit's low byte: 0x27, a quote.
    const Q = '\u0127';
    for (const charset of ['latin1', 'ascii', 'binary']) {
      it(`(${charset}) refuses select '${Q}; drop table rt14_victim; -- ${Q}': rt14_victim is still there`, async () => {
        let outcome = '';
        await throughHook({ client: 'mysql2', connection: { ...database.connection, charset, multipleStatements: true } }, () => undefined, (db) =>
          db.raw(`select '${Q}; drop table rt14_victim; -- ${Q}' as s`).then(
            (r: unknown) => (outcome = `ran ${JSON.stringify(r).slice(0, 200)}`),
            (e: Error) => (outcome = `refused: ${e.message}`),
          ),
        );
        expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt14_victim`).to.equal(true);
      });
    }
    it('(control) with the default utf8mb4 charset the same text is one string: rt14_victim is still there', async () => {
      await throughHook({ client: 'mysql2', connection: { ...database.connection, multipleStatements: true } }, () => undefined, (db) => db.raw(`select '${Q}; drop table rt14_victim; -- ${Q}' as s`));
      expect(await victimExists()).to.equal(true);
    });

    it('(latin1, one statement, no multipleStatements) refuses an UPDATE whose mysql.db target the guard reads inside a string: mysql.db is unchanged', async () => {
      await database.admin.raw('drop user if exists rt14u');
      await database.admin.raw('create user rt14u');
      await database.admin.raw(`grant select on ${DATABASE}.* to rt14u`);
      await database.admin.raw(`insert into ${DATABASE}.rt14_victim values (1)`);
      const insertPriv = async (): Promise<string> => ((await database.admin.raw("select Insert_priv as p from mysql.db where User = 'rt14u'"))[0][0] as { p: string }).p;
      expect(await insertPriv()).to.equal('N');
      // The guard reads: update rt14_victim t, (select '…' as b) y set d.Insert_priv = 'Y' where d.User = 'rt14u'
      // The server reads: update rt14_victim t, (select '' as a) x, mysql.db d, (select '' as b) y set d.Insert_priv = 'Y' where d.User = 'rt14u'
      const sql = `update rt14_victim t, (select '${Q} as a) x, mysql.db d, (select ${Q}' as b) y set d.Insert_priv = 'Y' where d.User = 'rt14u'`;
      let outcome = '';
      await throughHook({ client: 'mysql2', connection: { ...database.connection, charset: 'latin1' } }, () => undefined, (db) =>
        db.raw(sql).then(
          () => (outcome = 'ran'),
          (e: Error) => (outcome = `refused: ${e.message}`),
        ),
      );
      const after = await insertPriv();
      await database.admin.raw('drop user if exists rt14u');
      expect(after, `the guard let it through (${outcome}) and the server wrote mysql.db`).to.equal('N');
    });
    it('(latin1) refuses a query builder value that carries the quote: rt14_victim is still there', async () => {
      // mysql2 escapes ' and \\ in the value, not ħ: the guard judges `select * from rt14_victim where id = 'ħ; drop …; -- '`.
      await throughHook({ client: 'mysql2', connection: { ...database.connection, charset: 'latin1', multipleStatements: true } }, () => undefined, (db) =>
        db('rt14_victim').where('id', `${Q}; drop table rt14_victim; -- `).select('*').catch(() => undefined),
      );
      expect(await victimExists(), 'an ordinary where() value dropped rt14_victim').to.equal(true);
    });

    it('(latin1) a bound value with a character above U+00FF is refused as CHARACTER SET, before anything is sent', async () => {
      const refusal = await throughHook({ client: 'mysql2', connection: { ...database.connection, charset: 'latin1' } }, () => undefined, (db) =>
        db.raw('select ? as s', [`it${Q}s`]).then(
          () => undefined,
          (error: unknown) => error,
        ),
      );
      expect(refusal).to.include({ code: 'E_RUNTIME_DDL', keyword: 'CHARACTER SET' });
    });

    it('(control, latin1) accented text up to U+00FF runs and comes back as written', async () => {
      const rows = await throughHook({ client: 'mysql2', connection: { ...database.connection, charset: 'latin1' } }, () => undefined, async (db) =>
        ((await db.raw('select ? as s', ["café, naïve, it's"])) as [Array<{ s: string }>])[0],
      );
      expect(rows).to.deep.equal([{ s: "café, naïve, it's" }]);
    });

    for (const client of ['mysql', 'mariadb']) {
      it(`(${client}, latin1) refuses select '${Q}; drop table rt14_victim; -- ${Q}': rt14_victim is still there`, async () => {
        await throughHook({ client, connection: { ...database.connection, charset: 'latin1', multipleStatements: true } }, () => undefined, (db) =>
          db.raw(`select '${Q}; drop table rt14_victim; -- ${Q}' as s`).catch(() => undefined),
        );
        expect(await victimExists()).to.equal(true);
      });
    }
  });
}
