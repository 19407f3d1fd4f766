import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { RuntimeDdlError } from '../../lib/error-classes';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, pgSuperuserDatabase, type SuperuserDatabase } from '../support/guard-attack';

/*
 * Red team 7 (session 6), connected as a superuser so that only the guard stands in the way.
 * These tests fail until the guard is fixed; none changes lib/.
 */

const dialects = testDialects();

if (dialects.includes('postgres')) {
  // The PostgreSQL session read (lib/dialects/postgres/guard-text.ts) finds settings the
  // session set itself (startup options) in `pg_settings`, named unqualified. A session's
  // temporary schema is searched before pg_catalog for relations unless search_path names
  // pg_temp, so a temporary table called pg_settings, made by the afterCreate hook
  // (appTemporaryTables lets CREATE TEMPORARY TABLE through), answers instead: the read finds
  // nothing, and `options: '-c session_replication_role=replica'` (refused as a runtime SET,
  // and refused by the read when it sees it) holds, turning off foreign keys and triggers.
  describe('guard red team 7, PostgreSQL as superuser: a temporary pg_settings hides the startup options from the session read', () => {
    const DATABASE = 'knexroles_redteam7';
    let connection: SuperuserDatabase['connection'];
    let admin: Knex;
    const database = pgSuperuserDatabase(DATABASE, 1);
    before(async () => {
      ({ connection, admin } = database);
      await admin.raw('create table rt7_parent (id int primary key)');
      await admin.raw('create table rt7_child (id int primary key, parent_id int not null references rt7_parent (id))');
    });
    beforeEach(async () => {
      await admin.raw('delete from rt7_child');
    });

    it('refuses a session started with session_replication_role = replica although afterCreate shadowed pg_settings: the foreign key still holds', async () => {
      const guarded = guard(
        knex({
          client: 'pg',
          connection: { ...connection, options: '-c session_replication_role=replica' } as Knex.PgConnectionConfig,
          pool: {
            min: 0,
            max: 1,
            afterCreate: (conn: { query(sql: string): Promise<unknown> }, done: (err: unknown, conn: unknown) => void) =>
              void conn.query('create temporary table pg_settings (name text, source text)').then(
                () => done(null, conn),
                (err) => done(err, conn),
              ),
          },
        }),
        { appTemporaryTables: true },
      );
      // A fix may refuse any step (the hook's statement, the session, the insert): only the effect is asserted.
      try {
        await guarded('rt7_child').insert({ id: 1, parent_id: 999 }).catch(() => undefined);
      } finally {
        await guarded.destroy();
      }
      expect((await admin.raw('select count(*)::int as n from rt7_child')).rows[0].n).to.equal(0);
    });

    it('(control) refuses the same session without the temporary pg_settings', async () => {
      const guarded = guard(
        knex({ client: 'pg', connection: { ...connection, options: '-c session_replication_role=replica' } as Knex.PgConnectionConfig, pool: { min: 0, max: 1 } }),
        { appTemporaryTables: true },
      );
      let error: unknown;
      try {
        await guarded('rt7_child').insert({ id: 2, parent_id: 999 }).catch((err: unknown) => (error = err));
      } finally {
        await guarded.destroy();
      }
      expect((error as { code?: string } | undefined)?.code).to.equal('E_GUARD_SESSION');
      expect((await admin.raw('select count(*)::int as n from rt7_child')).rows[0].n).to.equal(0);
    });
  });
}

if (dialects.includes('postgres')) {
  // The same read lists the session's own settings from pg_settings, which never shows
  // `role` (GUC_NO_SHOW_ALL). A runtime `SET ROLE` / set_config('role', …) is refused, but
  // the connection option `options: '-c role=…'` switches the current role at login unseen:
  // a login role that holds a powerful role only through NOINHERIT membership (so that only
  // an explicit SET ROLE would use it) runs everything as that role. Set up as the superuser.
  describe('guard red team 7, PostgreSQL: `options: -c role=…` switches the current role at login, unseen by the session read', () => {
    const DATABASE = 'knexroles_redteam7_role';
    const LOGIN = { user: 'rt7_app', password: 'rt7-app-password' };
    let connection: SuperuserDatabase['connection'];
    let admin: Knex;
    // Before pgSuperuserDatabase's own after hook (hooks run in the order made), which closes admin and drops the database.
    after(async () => {
      await admin.raw('drop table if exists rt7_secret');
      await admin.raw('drop role if exists rt7_app');
      await admin.raw('drop role if exists rt7_power');
    });
    const database = pgSuperuserDatabase(DATABASE, 1);
    before(async () => {
      ({ connection, admin } = database);
      await admin.raw('drop role if exists rt7_app');
      await admin.raw('drop role if exists rt7_power');
      await admin.raw('create role rt7_power nologin superuser');
      await admin.raw(`create role rt7_app login noinherit password '${LOGIN.password}'`);
      await admin.raw('grant rt7_power to rt7_app');
      await admin.raw('create table rt7_secret (id int)');
      await admin.raw('insert into rt7_secret values (1), (2)');
    });
    const runAs = async (extra: Record<string, unknown>, afterCreate?: (conn: { query(sql: string): Promise<unknown> }, done: (err: unknown, conn: unknown) => void) => void): Promise<unknown> => {
      const guarded = guard(knex({ client: 'pg', connection: { ...connection, ...LOGIN, ...extra } as Knex.PgConnectionConfig, pool: { min: 0, max: 1, ...(afterCreate ? { afterCreate } : {}) } }));
      try {
        await guarded('rt7_secret').del();
        return undefined;
      } catch (err) {
        return err;
      } finally {
        await guarded.destroy();
      }
    };
    const rows = async (): Promise<number> => (await admin.raw('select count(*)::int as n from rt7_secret')).rows[0].n;

    it('(control) the login role alone may not delete: the server refuses it', async () => {
      const error = await runAs({});
      expect((error as { code?: string } | undefined)?.code).to.equal('42501');
      expect(await rows()).to.equal(2);
    });

    it('(control) SET ROLE in afterCreate is refused by the guard', async () => {
      const error = await runAs({}, (conn, done) =>
        void conn.query('set role rt7_power').then(
          () => done(null, conn),
          (err) => done(err, conn),
        ),
      );
      expect((error as { code?: string } | undefined)?.code).to.equal('E_RUNTIME_DDL');
      expect(await rows()).to.equal(2);
    });

    it("refuses a session whose connection options set role (options: '-c role=rt7_power'): the rows are still there", async () => {
      // A fix may refuse the session or the statement: only the effect is asserted.
      await runAs({ options: '-c role=rt7_power' });
      expect(await rows()).to.equal(2);
    });
  });
}

if (dialects.includes('postgres')) {
  // The afterCreate hook's raw connection stays judged "in every reading, the session is not
  // read yet" (client.ts rawRefusal passes no session) for as long as the hook keeps it, also
  // after the guard read the session. In an unknown reading `SET standard_conforming_strings
  // = on` keeps the default and passes; on a session the guard read as off (the database's
  // default) it flips the server's reading while the guard keeps reading backslashes as
  // escapes: `select 'a\' ; drop table …; -- '` is one string to the guard and a DROP to the
  // server. A hook that calls done() and then sends its SET later (setTimeout, an event) does
  // the same; the test keeps the hook's connection to order the steps.
  describe('guard red team 7, PostgreSQL as superuser: a late SET through the hook\'s connection after the session was read', () => {
    const DATABASE = 'knexroles_redteam7_late';
    let connection: SuperuserDatabase['connection'];
    let admin: Knex;
    const database = pgSuperuserDatabase(DATABASE, 1);
    before(async () => {
      ({ connection, admin } = database);
      await admin.raw(`alter database ${DATABASE} set standard_conforming_strings = off`);
      await admin.raw('create table rt7_victim (id int)');
    });
    const victimExists = async (): Promise<boolean> => (await admin.raw(`select to_regclass('rt7_victim') is not null as e`)).rows[0].e;

    const guardedWithHook = (): { guarded: Knex; hookConnection: () => { query(sql: string): Promise<unknown> } } => {
      let kept: { query(sql: string): Promise<unknown> } | undefined;
      const guarded = guard(
        knex({
          client: 'pg',
          connection,
          pool: {
            min: 0,
            max: 1,
            afterCreate: (conn: { query(sql: string): Promise<unknown> }, done: (err: unknown, conn: unknown) => void) => {
              kept = conn;
              done(null, conn);
            },
          },
        }),
      );
      return { guarded, hookConnection: () => kept as { query(sql: string): Promise<unknown> } };
    };

    it('(control) the same SET through knex is refused on the session read as off', async () => {
      const { guarded } = guardedWithHook();
      try {
        await guarded.raw('select 1');
        const error = await guarded.raw('set standard_conforming_strings = on').then(() => undefined, (err: unknown) => err);
        expect((error as { code?: string } | undefined)?.code).to.equal('E_RUNTIME_DDL');
      } finally {
        await guarded.destroy();
      }
    });

    it("refuses the DROP hidden in a string after the hook's connection set standard_conforming_strings = on: the table is still there", async () => {
      const { guarded, hookConnection } = guardedWithHook();
      // A fix may refuse any step (the late SET, the text): only the effect is asserted.
      try {
        // The guard reads the session: off (the database's default), so backslashes escape.
        await guarded.raw('select 1');
        await hookConnection().query('set standard_conforming_strings = on').catch(() => undefined);
        await guarded.raw(`select 'a\\' ; drop table rt7_victim; -- '`).catch(() => undefined);
      } finally {
        await guarded.destroy();
      }
      expect(await victimExists()).to.equal(true);
    });
  });
}

if (dialects.includes('mysql')) {
  // `USE mysql` is refused and a session that starts in a system schema is refused (red team
  // 6), but mysql2's `changeUser({ database })` (COM_CHANGE_USER, no SQL text) is no method
  // the hook's view judges, and the guard reads database() once: called through the
  // afterCreate hook's connection after that read, it moves the session into `mysql`, where
  // a knex-built insert names mysql.servers bare. Set up and proven as the superuser.
  describe('guard red team 7, MariaDB as superuser: changeUser({ database }) through the hook\'s connection after the session was read', () => {
    const DATABASE = 'knexroles_redteam7';
    let connection: { host: string; port: number; user: string; password: string; database: string };
    let admin: Knex;
    const database = mysqlSuperuserDatabase(DATABASE);
    before(() => {
      ({ connection, admin } = database);
    });
    // The test server is shared with other suites: whatever got written is put back.
    afterEach(async () => {
      await admin.raw(`delete from mysql.servers where Server_name = 'redteam7'`);
    });
    const written = async (): Promise<boolean> => (await admin.raw(`select count(*) as n from mysql.servers where Server_name = 'redteam7'`))[0][0].n > 0;
    type MyConn = { changeUser(options: { database: string }, cb: (err: unknown) => void): void };

    const guardedWithHook = (): { guarded: Knex; hookConnection: () => MyConn } => {
      let kept: MyConn | undefined;
      const guarded = guard(
        knex({
          client: 'mysql2',
          connection,
          pool: {
            min: 0,
            max: 1,
            afterCreate: (conn: MyConn, done: (err: unknown, conn: unknown) => void) => {
              kept = conn;
              done(null, conn);
            },
          },
        }),
      );
      return { guarded, hookConnection: () => kept as MyConn };
    };
    const insertServer = (db: Knex): Promise<unknown> => db('servers').insert({ Server_name: 'redteam7', Host: 'h', Db: 'd', Username: 'u', Password: 'p', Port: 1, Socket: '', Wrapper: 'mysql', Owner: '' });

    it('(control) USE mysql through knex is refused', async () => {
      const { guarded } = guardedWithHook();
      try {
        await guarded.raw('select 1');
        const error = await guarded.raw('use mysql').then(() => undefined, (err: unknown) => err);
        expect(error).to.be.instanceOf(RuntimeDdlError);
      } finally {
        await guarded.destroy();
      }
    });

    it("refuses the bare-name write of mysql.servers after the hook's connection changed the database: no row written", async () => {
      const { guarded, hookConnection } = guardedWithHook();
      // A fix may refuse any step (changeUser, the insert): only the effect is asserted.
      try {
        await guarded.raw('select 1');
        await new Promise<void>((resolve) => {
          try {
            hookConnection().changeUser({ database: 'mysql' }, () => resolve());
          } catch {
            resolve();
          }
        });
        await insertServer(guarded).catch(() => undefined);
      } finally {
        await guarded.destroy();
      }
      expect(await written()).to.equal(false);
    });
  });
}

if (dialects.includes('mysql')) {
  // The late hook SET of the PostgreSQL suite above, on MariaDB: the guard read the session
  // with ANSI_QUOTES (the server's global sql_mode), the hook's connection (judged as unread,
  // where `SET sql_mode = 'STRICT_TRANS_TABLES'` keeps the default reading) turns it off, and
  // `select "\" as a, '" , 2 into outfile '<file>' -- '` is a name and a string to the guard,
  // a string and INTO OUTFILE to the server.
  describe('guard red team 7, MariaDB as superuser: a late SET sql_mode through the hook\'s connection after the session was read', () => {
    const DATABASE = 'knexroles_redteam7_late';
    let connection: { host: string; port: number; user: string; password: string; database: string };
    let admin: Knex;
    let globalMode = '';
    let dir = '';
    const database = mysqlSuperuserDatabase(DATABASE);
    before(async () => {
      ({ connection, admin } = database);
      globalMode = (await admin.raw('select @@global.sql_mode as m'))[0][0].m;
      dir = mkdtempSync(join(tmpdir(), 'knexroles-rt7-'));
    });
    // The test server is shared with other suites: its global sql_mode is put back.
    afterEach(async () => {
      await admin.raw('set global sql_mode = ?', [globalMode]);
    });
    after(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    type MyConn = { query(sql: string, cb: (err: unknown) => void): void };

    /** Runs the payload on a guarded session read with ANSI_QUOTES; `late`: the hook's connection first sets a sql_mode without it. Whether the file got written. */
    const attempt = async (late: boolean, name: string): Promise<boolean> => {
      await admin.raw(`set global sql_mode = concat(@@global.sql_mode, ',ANSI_QUOTES')`);
      let kept: MyConn | undefined;
      const guarded = guard(
        knex({
          client: 'mysql2',
          connection,
          pool: {
            min: 0,
            max: 1,
            afterCreate: (conn: MyConn, done: (err: unknown, conn: unknown) => void) => {
              kept = conn;
              done(null, conn);
            },
          },
        }),
      );
      const file = join(dir, name);
      // A fix may refuse any step (the late SET, the text): only the effect is asserted.
      try {
        expect((await guarded.raw('select @@session.sql_mode as m'))[0][0].m).to.include('ANSI_QUOTES');
        if (late) {
          await new Promise<void>((resolve) => {
            try {
              (kept as MyConn).query(`set sql_mode = 'STRICT_TRANS_TABLES'`, () => resolve());
            } catch {
              resolve();
            }
          });
        }
        await guarded.raw(`select "\\" as a, '" , 2 into outfile '${file}' -- '`).catch(() => undefined);
      } finally {
        await guarded.destroy();
      }
      return existsSync(file);
    };

    it('(control) without the late SET the server reads the text as the guard does: no file written', async () => {
      expect(await attempt(false, 'control.txt')).to.equal(false);
    });

    it("refuses INTO OUTFILE read as a string under the ANSI_QUOTES the guard read, after the hook's connection turned ANSI_QUOTES off: no file written", async () => {
      expect(await attempt(true, 'out.txt')).to.equal(false);
    });
  });
}
