import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { called, mysqlSuperuserDatabase, pgSuperuserDatabase, sqliteSuiteFile, tableExists, throughHook, type SuperuserDatabase } from '../support/guard-attack';

/*
 * Red team 8 (session 6), connected as a superuser so that only the guard stands in the way.
 * These tests fail until the guard is fixed; none changes lib/.
 *
 * The afterCreate hook's view (lib/guard/raw-connection.ts) binds every method it does not
 * judge to the raw connection. A method that returns `this` therefore hands the hook the raw,
 * unguarded connection: EventEmitter's `on` (pg.Client, mysql2 Connection) and
 * better-sqlite3's `defaultSafeIntegers` / `unsafeMode` / `function`. Through it any SQL is
 * sent unjudged, in the hook or at any later time.
 */

const dialects = testDialects();

if (dialects.includes('postgres')) {
  describe('guard red team 8, PostgreSQL as superuser: conn.on() in afterCreate returns the raw pg.Client', () => {
    const DATABASE = 'knexroles_redteam8';
    let connection: SuperuserDatabase['connection'];
    let admin: Knex;
    const database = pgSuperuserDatabase(DATABASE, 1);
    before(async () => {
      ({ connection, admin } = database);
      await admin.raw('create table rt8_victim (id int)');
    });
    const victimExists = (): Promise<boolean> => tableExists.postgres(admin, 'rt8_victim');
    type PgConn = { query(sql: string): Promise<unknown>; on(event: string, listener: () => void): PgConn };
    const run = (hook: (conn: PgConn) => Promise<unknown>): Promise<void> => throughHook({ client: 'pg', connection }, hook);

    it('(control) DROP TABLE through the hook\'s view is refused: the table is still there', async () => {
      await run((conn) => conn.query('drop table rt8_victim'));
      expect(await victimExists()).to.equal(true);
    });

    it('refuses DROP TABLE sent through the client conn.on() returns: the table is still there', async () => {
      await run((conn) => conn.on('rt8', () => undefined).query('drop table rt8_victim').catch(() => undefined));
      expect(await victimExists()).to.equal(true);
    });

  });
}

if (dialects.includes('postgres')) {
  // The session read (lib/dialects/postgres/guard-text.ts) qualifies its functions and
  // relations with pg_catalog, but not its operators: `source in ('client', 'session')`,
  // `now() <> statement_timestamp()` and `current_user <> session_user` resolve `=` and `<>`
  // on the search_path, and a startup `-c search_path=rt8,pg_catalog` (allowed: it names
  // neither information_schema nor pg_toast) puts a schema before pg_catalog. With an
  // operator rt8.= (text, text) that is always false on the database (made here by the
  // superuser, as a migration could), the read finds no setting of the session's own, and
  // `-c session_replication_role=replica` (refused when seen) holds: foreign keys are off.
  describe('guard red team 8, PostgreSQL as superuser: an operator earlier on the startup search_path answers the session read', () => {
    const DATABASE = 'knexroles_redteam8_op';
    let connection: SuperuserDatabase['connection'];
    let admin: Knex;
    const database = pgSuperuserDatabase(DATABASE, 1);
    before(async () => {
      ({ connection, admin } = database);
      await admin.raw('create table rt8_parent (id int primary key)');
      await admin.raw('create table rt8_child (id int primary key, parent_id int not null references rt8_parent (id))');
      await admin.raw('create schema rt8');
      await admin.raw('create function rt8.never(text, text) returns boolean language sql immutable as $$ select false $$');
      await admin.raw('create operator rt8.= (leftarg = text, rightarg = text, function = rt8.never)');
    });
    beforeEach(async () => {
      await admin.raw('delete from rt8_child');
    });
    const orphans = async (): Promise<number> => (await admin.raw('select count(*)::int as n from rt8_child')).rows[0].n;
    const insertWith = async (options: string): Promise<unknown> => {
      const guarded = guard(knex({ client: 'pg', connection: { ...connection, options } as Knex.PgConnectionConfig, pool: { min: 0, max: 1 } }));
      try {
        return await guarded('rt8_child').insert({ id: 1, parent_id: 999 }).then(() => undefined, (err: unknown) => err);
      } finally {
        await guarded.destroy();
      }
    };

    it('(control) the session with session_replication_role = replica and the plain search_path is refused', async () => {
      const error = await insertWith('-c session_replication_role=replica');
      expect((error as { code?: string } | undefined)?.code).to.equal('E_GUARD_SESSION');
      expect(await orphans()).to.equal(0);
    });

    it('refuses the session with session_replication_role = replica whose search_path puts rt8.= before pg_catalog: the orphan is not written', async () => {
      await insertWith('-c search_path=rt8,pg_catalog,public -c session_replication_role=replica');
      expect(await orphans()).to.equal(0);
    });

    // The same for the role check: `current_user <> session_user` is rt8.<> (name, name), always false.
    it("refuses a login that switches to a superuser role at startup (-c role=…) when rt8.<> (name, name) answers the read: the rows are still there", async () => {
      await admin.raw('drop role if exists rt8_app');
      await admin.raw('drop role if exists rt8_power');
      await admin.raw('create role rt8_power nologin superuser');
      await admin.raw(`create role rt8_app login noinherit password 'rt8-app-password'`);
      await admin.raw('grant rt8_power to rt8_app');
      await admin.raw('grant usage on schema rt8 to rt8_app');
      await admin.raw('create function rt8.never(name, name) returns boolean language sql immutable as $$ select false $$');
      await admin.raw('create operator rt8.<> (leftarg = name, rightarg = name, function = rt8.never)');
      await admin.raw('create table rt8_secret (id int)');
      await admin.raw('insert into rt8_secret values (1), (2)');
      try {
        const guarded = guard(
          knex({ client: 'pg', connection: { ...connection, user: 'rt8_app', password: 'rt8-app-password', options: '-c search_path=rt8,pg_catalog,public -c role=rt8_power' } as Knex.PgConnectionConfig, pool: { min: 0, max: 1 } }),
        );
        try {
          await guarded('rt8_secret').del().catch(() => undefined);
        } finally {
          await guarded.destroy();
        }
        expect((await admin.raw('select count(*)::int as n from rt8_secret')).rows[0].n).to.equal(2);
      } finally {
        await admin.raw('drop table rt8_secret');
        await admin.raw('drop owned by rt8_app');
        await admin.raw('drop role rt8_app');
        await admin.raw('drop role rt8_power');
      }
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 8, MariaDB as superuser: conn.on() in afterCreate returns the raw mysql2 Connection', () => {
    const DATABASE = 'knexroles_redteam8';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt8_victim (id int)`);
    });
    const victimExists = (): Promise<boolean> => tableExists.mysql(database.admin, DATABASE, 'rt8_victim');
    type Callback = (err: unknown) => void;
    type MyConn = { query(sql: string, cb: Callback): void; on(event: string, listener: () => void): MyConn };
    const run = (hook: (conn: MyConn, cb: Callback) => void): Promise<void> =>
      throughHook({ client: 'mysql2', connection: database.connection }, (conn: MyConn) => called((cb) => hook(conn, cb)));

    it('(control) DROP TABLE through the hook\'s view is refused: the table is still there', async () => {
      await run((conn, cb) => conn.query('drop table rt8_victim', cb));
      expect(await victimExists()).to.equal(true);
    });

    it('refuses DROP TABLE sent through the connection conn.on() returns: the table is still there', async () => {
      await run((conn, cb) => conn.on('rt8', () => undefined).query('drop table rt8_victim', () => cb(null)));
      expect(await victimExists()).to.equal(true);
    });

  });

}

if (dialects.includes('sqlite')) {
  describe('guard red team 8, SQLite: db.defaultSafeIntegers() in afterCreate returns the raw better-sqlite3 Database', () => {
    const file = sqliteSuiteFile('knexroles-rt8');
    before(async () => {
      const setup = knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true });
      await setup.raw('create table rt8_victim (id int)');
      await setup.destroy();
    });
    const victimExists = (): Promise<boolean> => tableExists.sqlite(file.filename, 'rt8_victim');
    type Db = { exec(sql: string): Db; defaultSafeIntegers(on?: boolean): Db };
    const run = (hook: (db: Db) => void): Promise<void> => throughHook({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true }, hook);

    it('(control) DROP TABLE through the hook\'s view is refused: the table is still there', async () => {
      await run((db) => db.exec('drop table rt8_victim'));
      expect(await victimExists()).to.equal(true);
    });

    it('refuses DROP TABLE sent through the database defaultSafeIntegers() returns: the table is still there', async () => {
      await run((db) => db.defaultSafeIntegers(false).exec('drop table rt8_victim'));
      expect(await victimExists()).to.equal(true);
    });
  });
}
