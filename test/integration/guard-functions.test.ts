import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { pgSuperuser, refused } from '../support/guard-attack';
import { testServers } from '../support/servers';

/*
 * Refused server functions, catalog writes and the RESET-form false alarms, end to end
 * as a SUPERUSER: the unguarded admin connection shows the server would run each refused
 * call, so only the guard stands in the way; the allowed look-alikes really run.
 */

const dialects = testDialects();

if (dialects.includes('postgres')) {
  describe('guard functions and catalogs, PostgreSQL as superuser', () => {
    let admin: Knex;
    let guarded: Knex;

    before(async () => {
      const connection = pgSuperuser(await testServers());
      admin = knex({ client: 'pg', connection });
      guarded = guard(knex({ client: 'pg', connection, pool: { min: 1, max: 1 } }));
      await admin.raw('drop table if exists fn_victim');
      await admin.raw('create table fn_victim (id int)');
      await admin.raw(`comment on table fn_victim is 'kept'`);
    });
    after(async () => {
      await admin?.raw('drop table if exists fn_victim');
      await guarded?.destroy();
      await admin?.destroy();
    });

    it('the unguarded superuser could read server files (so the guard is what refuses)', async () => {
      const { rows } = await admin.raw(`select pg_read_file('PG_VERSION') as v`);
      expect(String(rows[0].v).trim()).to.match(/^\d+$/);
    });

    for (const sql of [
      `select pg_read_file('PG_VERSION')`,
      `SELECT "pg_catalog"."pg_read_file"('PG_VERSION')`,
      `select 1 where exists (select pg_catalog /* x */ . pg_read_binary_file('PG_VERSION'))`,
      `with f as (select U&"pg\\005fls\\005fdir"('.') as name) select * from f`,
      `select * from pg_ls_dir('.')`,
      `select pg_stat_file('PG_VERSION')`,
      `select pg_reload_conf()`,
      `select lo_import('/etc/hostname')`,
      `select set_config('role', 'pg_read_server_files', false)`,
      `select set_config('session_replication_role', 'replica', false)`,
      `set session_replication_role = replica`,
      `delete from pg_description where objoid = 'fn_victim'::regclass`,
      `update pg_catalog.pg_description set description = 'changed' where objoid = 'fn_victim'::regclass`,
      `SELECT set_config(n, 'off', false) FROM (VALUES ('standard_conforming_strings')) v(n)`,
      `SELECT pg_catalog.set_config("n", 'off', false) FROM (VALUES ('standard_conforming_strings')) v("n")`,
      `select set_config('standard_conforming_strings', yes, false) from (values ('off')) v(yes)`,
      `SET SCHEMA 'information_schema'`,
      `select set_config('search_path', 'pg_toast', false)`,
      `select * from ts_stat('select to_tsvector(description) from pg_description')`,
      `select * from pg_file_settings`,
      `select * from pg_catalog.pg_hba_file_rules`,
      `select * from pg_show_all_file_settings()`,
      'LOCK TABLE pg_catalog.pg_authid IN ACCESS EXCLUSIVE MODE',
      'lock table fn_victim, pg_database in share mode',
      `SET SESSION AUTHORIZATION 'default'`,
      'RESET ALL',
      'DISCARD ALL',
      'RESET client_encoding',
      'SET standard_conforming_strings TO DEFAULT',
    ]) {
      it(`refuses: ${sql}`, async () => {
        const error = await refused(() => guarded.raw(sql));
        expect(error.code).to.equal('E_RUNTIME_DDL');
        expect(error.statement).to.not.include('PG_VERSION');
      });
    }

    it('standard_conforming_strings stayed on and information_schema stayed off the search_path', async () => {
      expect((await guarded.raw('show standard_conforming_strings')).rows[0].standard_conforming_strings).to.equal('on');
      expect((await guarded.raw('show search_path')).rows[0].search_path).to.not.match(/information_schema|pg_toast/);
    });

    it('the unguarded superuser would have run a set_config whose name is a column', async () => {
      await admin.transaction(async (trx) => {
        await trx.raw(`SELECT set_config(n, 'off', true) FROM (VALUES ('standard_conforming_strings')) v(n)`);
        expect((await trx.raw('show standard_conforming_strings')).rows[0].standard_conforming_strings).to.equal('off');
      });
    });

    it('session_replication_role stayed origin (triggers and foreign keys still fire)', async () => {
      expect((await guarded.raw('show session_replication_role')).rows[0].session_replication_role).to.equal('origin');
    });

    it('the catalog rows survived the refused writes', async () => {
      const { rows } = await admin.raw(`select obj_description('fn_victim'::regclass, 'pg_class') as d`);
      expect(rows[0].d).to.equal('kept');
    });

    it('runs the allowed look-alikes: set_config of an app setting (bound), SET ROLE NONE, SET SESSION AUTHORIZATION DEFAULT', async () => {
      await guarded.transaction(async (trx) => {
        const { rows } = await trx.raw(`select set_config('app.tenant_id', ?, true) as v`, [`it's \\ $$ ?`]);
        expect(rows[0].v).to.equal(`it's \\ $$ ?`);
        await trx.raw('SET ROLE NONE');
        await trx.raw('SET SESSION AUTHORIZATION DEFAULT');
        await trx.raw(`select set_config('role', 'none', true)`);
        await trx.raw('SET LOCAL search_path = pg_temp, public, pg_catalog');
        const { rows: who } = await trx.raw('select current_user = session_user as same');
        expect(who[0].same).to.equal(true);
      });
      expect((await guarded.raw(`select 'pg_read_file(1)' as t`)).rows[0].t).to.equal('pg_read_file(1)');
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard functions and catalogs, MariaDB as admin', () => {
    let admin: Knex;
    let guarded: Knex;

    before(async () => {
      const { mysql } = await testServers();
      const connection = { host: mysql.host, port: mysql.port, user: mysql.admin.user, password: mysql.admin.password };
      admin = knex({ client: 'mysql2', connection });
      guarded = guard(knex({ client: 'mysql2', connection, pool: { min: 1, max: 1 } }));
    });
    after(async () => {
      await guarded?.destroy();
      await admin?.destroy();
    });

    for (const sql of [
      `select load_file('/etc/hostname')`,
      'select `LOAD_FILE`(\'/etc/hostname\')',
      `select /*!LOAD_FILE*/('/etc/hostname')`,
      `select 1 from dual where load_file /* x */ ('/etc/hostname') is null`,
      `update mysql.global_priv set Priv = '{}' where User = 'nobody'`,
      'update `mysql` . `user` set Host = \'%\' where User = \'nobody\'',
      `delete from mysql.db where User = 'nobody'`,
      'use mysql',
      'set sql_log_bin = 0',
      'set @@session.sql_log_bin = 0',
      'LOCK TABLES mysql.user WRITE',
      'SET sql_mode = DEFAULT',
      'SET @@session.sql_mode = DEFAULT',
    ]) {
      it(`refuses: ${sql}`, async () => {
        const error = await refused(() => guarded.raw(sql));
        expect(error.code).to.equal('E_RUNTIME_DDL');
      });
    }

    it('runs the allowed look-alikes: ANALYZE SELECT, GET DIAGNOSTICS, reading the mysql schema', async () => {
      const [analyzed] = await guarded.raw('analyze select 1 as one');
      expect(analyzed).to.be.an('array').that.is.not.empty;
      await guarded.raw('get diagnostics @knexroles_n = number');
      await guarded.raw('SET ROLE NONE');
      expect((await refused(() => guarded.raw('SET ROLE DEFAULT'))).keyword).to.equal('SET ROLE');
      const [rows] = await guarded.raw('select count(*) as n from mysql.user');
      expect(Number(rows[0].n)).to.be.above(0);
    });
  });
}

if (dialects.includes('sqlite')) {
  describe('guard functions and catalogs, SQLite file', () => {
    let dir: string;
    let guarded: Knex;
    let plain: Knex;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'knex-roles-fn-'));
      const config = { client: 'better-sqlite3', connection: { filename: join(dir, 'db.sqlite') }, useNullAsDefault: true };
      plain = knex(config);
      await plain.raw('create table t (id integer primary key, a text)');
      await plain.raw('create index t_a on t (a)');
      await plain('t').insert([{ a: 'x' }, { a: 'y' }]);
      guarded = guard(knex(config));
    });
    after(async () => {
      await guarded?.destroy();
      await plain?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    const statTables = async (): Promise<number> => (await plain.raw(`select count(*) as n from sqlite_master where name like 'sqlite_stat%'`))[0].n;

    for (const sql of [
      `select load_extension('/nonexistent/evil')`,
      `select * from pragma_optimize`,
      `SELECT * FROM "pragma_optimize"()`,
      `select * from 'pragma_optimize'(0x10002)`,
      `update 'sqlite_master' set sql = sql`,
      `update sqlite_master set sql = 'x' where name = 't'`,
      `delete from main.sqlite_schema where name = 't'`,
      `insert into sqlite_stat1 values ('t', 't_a', '2 1')`,
      `update sqlite_sequence set seq = 9223372036854775807`,
    ]) {
      it(`refuses: ${sql}`, async () => {
        const error = await refused(() => guarded.raw(sql));
        expect(error.code).to.equal('E_RUNTIME_DDL');
      });
    }

    it("knex's truncate() still runs through the guard (it deletes the table's sqlite_sequence row)", async () => {
      await plain.raw('create table counted (id integer primary key autoincrement, a text)');
      await plain('counted').insert([{ a: 'x' }, { a: 'y' }]);
      await guarded('counted').truncate();
      expect((await plain.raw(`select count(*) as n from sqlite_sequence where name = 'counted'`))[0].n).to.equal(0);
      expect((await plain('counted').count({ n: '*' }))[0]?.n).to.equal(0);
    });

    it('pragma_optimize ran nothing (no sqlite_stat tables), and catalog reads still work', async () => {
      expect(await statTables()).to.equal(0);
      const rows = await guarded.raw(`select name from pragma_table_info('t') order by cid`);
      expect(rows.map((r: { name: string }) => r.name)).to.deep.equal(['id', 'a']);
      expect(await guarded.schema.hasTable('t')).to.equal(true);
    });

    it('letting CREATE TEMPORARY TABLE through does not let a refused call inside it through', async () => {
      const config = { client: 'better-sqlite3', connection: { filename: join(dir, 'db.sqlite') }, useNullAsDefault: true };
      const allowing = guard(knex(config), { dangerouslyAllow: ['CREATE TEMPORARY TABLE'] });
      try {
        await allowing.raw('create temp table scratch (a int)');
        const error = await refused(() => allowing.raw(`create temp table evil as select load_extension('/nonexistent/evil') as x`));
        expect(error.keyword).to.equal('LOAD_EXTENSION()');
      } finally {
        await allowing.destroy();
      }
    });

    it('the unguarded connection would have run pragma_optimize (it creates sqlite_stat1)', async () => {
      await plain.raw('select * from pragma_optimize(0x10002)');
      expect(await statTables()).to.be.above(0);
    });
  });
}
