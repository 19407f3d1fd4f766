import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuardSessionError, guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { pgSuperuser, refused } from '../support/guard-attack';
import { testServers } from '../support/servers';

/*
 * The guard attacked end to end as a SUPERUSER (PostgreSQL superuser, MariaDB root-like
 * admin, SQLite file): the server itself would run anything, so only the guard stands in
 * the way. Each bypass below dropped the table before the guard was fixed.
 */

const HOSTILE = [`it's`, `back\\slash\\`, `\\'; drop table victim; --`, `$$ ; drop table victim; $$`, `what?`, `\\?`, `$1`, `日本語ソ表`, `"quoted"`, `é\u0101\\'`];

const dialects = testDialects();

if (dialects.includes('postgres')) {
  describe('guard bypasses, PostgreSQL as superuser', () => {
    let admin: Knex;
    let guarded: Knex;

    before(async () => {
      const connection = pgSuperuser(await testServers());
      admin = knex({ client: 'pg', connection });
      // One connection, so a session setting made by one statement is seen by the next.
      guarded = guard(knex({ client: 'pg', connection, pool: { min: 1, max: 1 } }));
    });
    beforeEach(async () => {
      await admin.raw('drop table if exists victim');
      await admin.raw('create table victim (id serial primary key, b text)');
    });
    after(async () => {
      await admin?.raw('drop table if exists victim');
      await guarded?.destroy();
      await admin?.destroy();
    });

    const victimExists = async (): Promise<boolean> => (await admin.raw(`select to_regclass('public.victim') as t`)).rows[0].t !== null;

    it('judges the text after knex rewrites placeholders: `$?` becomes `$$1`, a dollar quote', async () => {
      for (const sql of [
        `select $?::text, '$$ ; drop table victim; -- '`,
        // `$x?` becomes `$x$1`: a tagged dollar quote.
        `select $x?::text, ' $x$ ; drop table victim; -- '`,
      ]) {
        const error = await refused(() => guarded.raw(sql));
        expect(error.keyword, sql).to.equal('DROP TABLE');
      }
      expect(await victimExists()).to.equal(true);
    });

    it('refuses switching client_encoding to a client-only multibyte encoding, however spelled', async () => {
      for (const sql of [
        `SET client_encoding TO 'SJIS'`,
        `set names 'GBK'`,
        `SET SESSION client_encoding = big5`,
        `SET LOCAL client_encoding TO 'GB18030'`,
        `select set_config('client_encoding', 'SJIS', false)`,
        `select pg_catalog.set_config('client_encoding', 'SJIS', false)`,
        `update pg_settings set setting = 'SJIS' where name = 'client_encoding'`,
        `update pg_catalog.pg_settings set setting = 'SJIS' where name = 'client_encoding'`,
      ]) {
        await refused(() => guarded.raw(sql)).catch((err: Error) => {
          throw new Error(`${sql}: ${err.message}`);
        });
      }
      expect((await guarded.raw('show client_encoding')).rows[0].client_encoding).to.equal('UTF8');
      // The payload that followed the switch: with UTF-8 it stays a string, whatever the server.
      await guarded.raw(`select E'\u0101\\' ; drop table victim; -- '`);
      expect(await victimExists()).to.equal(true);
    });

    it('refuses every query on a session that starts in a client-only encoding (read from the server)', async () => {
      const connection = pgSuperuser(await testServers());
      // node-postgres always logs in with client_encoding UTF8, so only SQL after login can
      // switch it: here the pool's afterCreate hook, which the guard lets do so only when
      // dangerouslyAllow names the keyword. The guard then reads the session as it is.
      const sjis = guard(
        knex({
          client: 'pg',
          connection,
          pool: { min: 1, max: 1, afterCreate: (conn: { query(sql: string): Promise<unknown> }, done: (err: unknown, conn: unknown) => void) => void conn.query(`set client_encoding = 'SJIS'`).then(() => done(null, conn), (err) => done(err, conn)) },
        }),
        { dangerouslyAllow: ['SET CLIENT_ENCODING'] },
      );
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          const error = await sjis.raw(`select E'\u0101\\' ; drop table victim; -- '`).then(() => undefined, (err: unknown) => err);
          expect(error).to.be.instanceOf(GuardSessionError);
          expect(error).to.include({ code: 'E_GUARD_SESSION', variable: 'client_encoding', value: 'SJIS' });
        }
      } finally {
        await sjis.destroy();
      }
      expect(await victimExists()).to.equal(true);
    });

    it('refuses standard_conforming_strings = off', async () => {
      await refused(() => guarded.raw('set standard_conforming_strings = off'));
      await refused(() => guarded.raw(`select set_config('standard_conforming_strings', 'off', false)`));
      expect((await guarded.raw('show standard_conforming_strings')).rows[0].standard_conforming_strings).to.equal('on');
    });

    it('keeps ordinary CRUD with hostile bound values working', async () => {
      for (const b of HOSTILE) {
        const [row] = await guarded('victim').insert({ b }, ['id']);
        expect((await guarded('victim').where({ b }).first())?.id).to.equal(row.id);
        expect(await guarded('victim').where({ id: row.id }).update({ b: `${b}!` })).to.equal(1);
        expect((await guarded.raw('select b from victim where id = ? and b = ?', [row.id, `${b}!`])).rows).to.deep.equal([{ b: `${b}!` }]);
      }
      expect(await victimExists()).to.equal(true);
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard bypasses, MariaDB as admin', () => {
    const database = 'knexroles_bypass';
    let admin: Knex;
    let connection: Knex.MySql2ConnectionConfig;

    before(async () => {
      const { mysql } = await testServers();
      connection = { host: mysql.host, port: mysql.port, user: mysql.admin.user, password: mysql.admin.password, multipleStatements: true };
      admin = knex({ client: 'mysql2', connection });
      await admin.raw(`create database if not exists ${database}`);
      connection = { ...connection, database };
    });
    beforeEach(async () => {
      await admin.raw(`drop table if exists ${database}.victim`);
      await admin.raw(`create table ${database}.victim (id int auto_increment primary key, b text)`);
    });
    after(async () => {
      await admin?.raw(`drop database if exists ${database}`);
      await admin?.destroy();
    });

    const victimExists = async (): Promise<boolean> =>
      (await admin.raw(`select count(*) as n from information_schema.tables where table_schema = ? and table_name = 'victim'`, [database]))[0][0].n === 1;

    /** Runs `run` while the server's default sql_mode (what new sessions start with) is `mode`, as a DBA may set it. */
    const withServerSqlMode = async (mode: string, run: () => Promise<void>): Promise<void> => {
      const [[{ previous }]] = await admin.raw('select @@global.sql_mode as previous');
      await admin.raw('set global sql_mode = ?', [mode]);
      try {
        await run();
      } finally {
        await admin.raw('set global sql_mode = ?', [previous]);
      }
    };

    it('reads "…" as an identifier where the session runs with sql_mode=ANSI', () =>
      withServerSqlMode('ANSI', async () => {
        const ansi = guard(knex({ client: 'mysql2', connection, pool: { min: 1, max: 1 } }));
        try {
          const error = await refused(() => ansi.raw(`select 1 as "\\" , '\\'' ; drop table victim; -- '"`));
          expect(error.keyword).to.equal('DROP TABLE');
          // Read the one way the server reads it: "x\" is an identifier here, no guessing (the
          // default reading sees an unterminated string and would refuse it).
          const [[row]] = await ansi.raw(`select 1 as "x\\"`);
          expect(row).to.deep.equal({ 'x\\': 1 });
          // The session keeps its reading: leaving ANSI_QUOTES is a change too.
          await refused(() => ansi.raw(`set sql_mode = 'TRADITIONAL'`));
          await ansi.raw(`set sql_mode = 'ANSI,STRICT_ALL_TABLES'`);
        } finally {
          await ansi.destroy();
        }
        expect(await victimExists()).to.equal(true);
      }));

    it('judges the text mysql2 sends, with the bound values it formats in on the client', async () => {
      // A formatter that reads placeholders differently from the guard (here: one that
      // breaks out of the statement) stands for any disagreement; the guard judges its output.
      const driver = guard(
        knex({
          client: 'mysql2',
          connection,
          pool: {
            min: 1,
            max: 1,
            afterCreate: (conn: { format(sql: string, values: unknown[]): string }, done: (err: Error | null, conn: unknown) => void) => {
              const format = conn.format.bind(conn);
              conn.format = (sql, values) => (values[0] === 'break out' ? 'select 1; drop table victim' : format(sql, values));
              done(null, conn);
            },
          },
        }),
      );
      try {
        expect(await driver('victim').where('b', 'stays a value').first()).to.equal(undefined);
        const error = await refused(() => driver('victim').where('b', 'break out').first());
        expect(error.keyword).to.equal('DROP TABLE');
      } finally {
        await driver.destroy();
      }
      expect(await victimExists()).to.equal(true);
    });

    it('refuses every query on a session that starts with NO_BACKSLASH_ESCAPES (read from the server)', () =>
      withServerSqlMode('NO_BACKSLASH_ESCAPES', async () => {
        const nbe = guard(knex({ client: 'mysql2', connection, pool: { min: 1, max: 1 } }));
        try {
          const value = `\\' ; drop table victim; -- `;
          const error = await nbe('victim').where('b', value).delete().then(() => undefined, (err: unknown) => err);
          expect(error).to.be.instanceOf(GuardSessionError);
          expect(error).to.include({ code: 'E_GUARD_SESSION', variable: 'sql_mode' });
        } finally {
          await nbe.destroy();
        }
        expect(await victimExists()).to.equal(true);
      }));

    it('refuses every query on a connection made with a multibyte character set such as GBK', async () => {
      const gbk = guard(knex({ client: 'mysql2', connection: { ...connection, charset: 'GBK_CHINESE_CI' }, pool: { min: 1, max: 1 } }));
      try {
        const error = await gbk('victim').where('b', '\u5f00\\').first().then(() => undefined, (err: unknown) => err);
        expect(error).to.be.instanceOf(GuardSessionError);
        expect(error).to.include({ code: 'E_GUARD_SESSION', variable: 'character_set_client', value: 'gbk' });
      } finally {
        await gbk.destroy();
      }
    });

    it('refuses switching sql_mode to NO_BACKSLASH_ESCAPES or the connection to a multibyte charset, however spelled', async () => {
      const guarded = guard(knex({ client: 'mysql2', connection, pool: { min: 1, max: 1 } }));
      try {
        for (const sql of [
          `SET sql_mode = 'NO_BACKSLASH_ESCAPES'`,
          `set session sql_mode='no_backslash_escapes'`,
          `SET @@session.sql_mode = 'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES'`,
          `SET @@sql_mode := CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')`,
          `/*!40101 SET sql_mode = 'NO_BACKSLASH_ESCAPES' */`,
          `SET STATEMENT sql_mode = 'NO_BACKSLASH_ESCAPES' FOR SELECT 1`,
          // The same mode as a bitmask and as a hex string.
          `SET sql_mode = 2097152`,
          `SET sql_mode = 0x4E4F5F4241434B534C4153485F45534341504553`,
          `SET NAMES gbk`,
          `SET CHARACTER SET sjis`,
          `SET character_set_client = big5`,
        ]) {
          await refused(() => guarded.raw(sql)).catch((err: Error) => {
            throw new Error(`${sql}: ${err.message}`);
          });
        }
        const [[mode]] = await guarded.raw('select @@session.sql_mode as m, @@session.character_set_client as c');
        expect(mode.m).not.to.match(/NO_BACKSLASH_ESCAPES/);
        expect(mode.c).to.equal('utf8mb4');
        // The bound value that became SQL once the mode was switched stays a value.
        const value = `\\' ; drop table victim; -- `;
        await guarded('victim').insert({ b: value });
        expect((await guarded('victim').where('b', value).first())?.b).to.equal(value);
        for (const b of HOSTILE) {
          const [id] = await guarded('victim').insert({ b });
          expect((await guarded('victim').where({ b }).first())?.id).to.equal(id);
          expect(await guarded('victim').where({ id }).update({ b: `${b}!` })).to.equal(1);
        }
      } finally {
        await guarded.destroy();
      }
      expect(await victimExists()).to.equal(true);
    });
  });
}

if (dialects.includes('sqlite')) {
  describe('guard bypasses, SQLite file', () => {
    let dir: string;
    let guarded: Knex;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'knex-roles-bypass-'));
      // The schema comes from outside the guard (a migration); the guarded instance only writes rows.
      const plain = knex({ client: 'better-sqlite3', connection: { filename: join(dir, 'db.sqlite') }, useNullAsDefault: true });
      await plain.raw('create table victim (id integer primary key, b text)');
      await plain.destroy();
      guarded = guard(knex({ client: 'better-sqlite3', connection: { filename: join(dir, 'db.sqlite') }, useNullAsDefault: true }));
    });
    after(async () => {
      await guarded?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps ordinary CRUD with hostile bound values working', async () => {
      for (const b of HOSTILE) {
        const [id] = await guarded('victim').insert({ b });
        expect((await guarded('victim').where({ b }).first())?.id).to.equal(id);
      }
      await refused(() => guarded.raw(`select 1; drop table victim`));
    });

    it('covers withUserParams() clones and transactions made after guard()', async () => {
      const clone = guarded.withUserParams({ tenant: 't1' });
      await refused(() => clone.raw('drop table victim'));
      await refused(() => clone.transaction((trx) => trx.raw('drop table victim')));
      const trx = await guarded.transaction();
      try {
        await refused(() => trx.raw('drop table victim'));
      } finally {
        await trx.rollback().catch(() => undefined);
      }
      expect(await guarded('victim').count({ n: '*' }).first()).to.have.property('n');
    });
  });
}
