import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { testDialects } from '../support/dialects';
import { called, mysqlSuperuserDatabase, pgSuperuserDatabase, sqliteSuiteFile, tableExists, throughHook, type SuperuserDatabase } from '../support/guard-attack';

/*
 * Red team 9 (session 6), against ac37103. These tests fail until the guard is fixed; none
 * changes lib/.
 *
 * viewFor() maps only a method's *direct* result `=== target` to the view. The raw
 * connection still reaches the hook indirectly:
 * - pg.Client is an EventEmitter: `emit` (not judged) calls each listener with the raw
 *   client as `this`, so `conn.on(e, function () { this.query(…) }); conn.emit(e)` sends
 *   unjudged SQL (any later event the driver emits, e.g. 'notice', does the same). The
 *   mysql2 Connection is an EventEmitter too: the same steps.
 * - The view has no `set` trap: `conn.query = f` in the hook sets it on the raw client, and
 *   the guard's own session read calls f with the raw client as `this`.
 * - better-sqlite3: the Statement `prepare` returns, and the function `transaction` returns,
 *   hold the raw Database in `.database`.
 */

const dialects = testDialects();

if (dialects.includes('postgres')) {
  describe('guard red team 9, PostgreSQL as superuser: the raw pg.Client as `this` of a function the hook gave it', () => {
    const DATABASE = 'knexroles_redteam9';
    let connection: SuperuserDatabase['connection'];
    let admin: Knex;
    const database = pgSuperuserDatabase(DATABASE, 1);
    before(async () => {
      ({ connection, admin } = database);
    });
    // Each case starts with the table there: an earlier case may have dropped it.
    beforeEach(async () => {
      await admin.raw('create table if not exists rt9_victim (id int)');
    });
    const victimExists = (): Promise<boolean> => tableExists.postgres(admin, 'rt9_victim');
    type PgConn = { query(sql: string): Promise<unknown>; on(event: string, listener: (this: PgConn) => void): PgConn; emit(event: string): boolean };
    const run = (hook: (conn: PgConn) => Promise<unknown>): Promise<void> => throughHook({ client: 'pg', connection }, hook);

    it("(control) DROP TABLE through the hook's view is refused: the table is still there", async () => {
      await run((conn) => conn.query('drop table rt9_victim').catch(() => undefined));
      expect(await victimExists()).to.equal(true);
    });

    it('refuses DROP TABLE sent through `this` of a listener the hook emits: the table is still there', async () => {
      await run(async (conn) => {
        let sent: Promise<unknown> | undefined;
        conn.on('rt9', function () {
          sent = this.query('drop table rt9_victim');
        });
        conn.emit('rt9');
        await sent?.catch(() => undefined);
      });
      expect(await victimExists()).to.equal(true);
    });

    // The view has no `set` trap: an assignment lands on the raw client. The guard's session
    // read (and knex after it) then calls the hook's function with the raw client as `this`.
    it('refuses DROP TABLE sent by a query() the hook assigned on the view, called by the guard: the table is still there', async () => {
      await run(async (conn) => {
        (conn as unknown as Record<string, unknown>)['query'] = function (this: PgConn, ...args: [string]) {
          Reflect.deleteProperty(this, 'query');
          void this.query('drop table rt9_victim').catch(() => undefined);
          return this.query(...args);
        };
      });
      expect(await victimExists()).to.equal(true);
    });
  });
}

if (dialects.includes('postgres')) {
  // The session read (lib/dialects/postgres/guard-text.ts) is sent on the connection the hook
  // had, and parsed by that client's type parsers. pg.Client#setTypeParser is not judged
  // (it sends nothing), so the hook can make the text (OID 25) the read returns say anything:
  // here it drops session_replication_role from the `own` list, and the startup
  // `-c session_replication_role=replica` (refused when seen) holds: foreign keys are off.
  // A parser for bool (OID 16) hides `tx` / `switched` the same way.
  describe('guard red team 9, PostgreSQL as superuser: a type parser the hook sets rewrites the session read', () => {
    const DATABASE = 'knexroles_redteam9_tp';
    let connection: SuperuserDatabase['connection'];
    let admin: Knex;
    const database = pgSuperuserDatabase(DATABASE, 1);
    before(async () => {
      ({ connection, admin } = database);
      await admin.raw('create table rt9_parent (id int primary key)');
      await admin.raw('create table rt9_child (id int primary key, parent_id int not null references rt9_parent (id))');
    });
    beforeEach(async () => {
      await admin.raw('delete from rt9_child');
    });
    const orphans = async (): Promise<number> => (await admin.raw('select count(*)::int as n from rt9_child')).rows[0].n;
    type PgConn = { setTypeParser(oid: number, parse: (value: string) => unknown): void };
    const insertWith = (options: string, hook: (conn: PgConn) => void): Promise<unknown> =>
      throughHook({ client: 'pg', connection: { ...connection, options } as Knex.PgConnectionConfig }, hook, (db) =>
        db('rt9_child')
          .insert({ id: 1, parent_id: 999 })
          .then(() => undefined, (err: unknown) => err),
      );

    it('(control) the session with session_replication_role = replica and a hook that sets no parser is refused', async () => {
      const error = await insertWith('-c session_replication_role=replica', () => undefined);
      expect((error as { code?: string } | undefined)?.code).to.equal('E_GUARD_SESSION');
      expect(await orphans()).to.equal(0);
    });

    it('refuses the session with session_replication_role = replica when the hook set a text parser that hides it: the orphan is not written', async () => {
      await insertWith('-c session_replication_role=replica', (conn) =>
        conn.setTypeParser(25, (value) =>
          value
            .split(',')
            .filter((name) => name !== 'session_replication_role')
            .join(','),
        ),
      );
      expect(await orphans()).to.equal(0);
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 9, MariaDB as superuser: an EventEmitter listener gets the raw mysql2 Connection as this', () => {
    const DATABASE = 'knexroles_redteam9';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt9_victim (id int)`);
    });
    const victimExists = (): Promise<boolean> => tableExists.mysql(database.admin, DATABASE, 'rt9_victim');
    type Callback = (err: unknown) => void;
    type MyConn = { query(sql: string, cb: Callback): void; on(event: string, listener: (this: MyConn) => void): MyConn; emit(event: string): boolean };
    const run = (hook: (conn: MyConn, cb: Callback) => void): Promise<void> =>
      throughHook({ client: 'mysql2', connection: database.connection }, (conn: MyConn) => called((cb) => hook(conn, cb)));

    it("(control) DROP TABLE through the hook's view is refused: the table is still there", async () => {
      await run((conn, cb) => conn.query('drop table rt9_victim', cb));
      expect(await victimExists()).to.equal(true);
    });

    it('refuses DROP TABLE sent through `this` of a listener the hook emits: the table is still there', async () => {
      await run((conn, cb) => {
        conn.on('rt9', function () {
          this.query('drop table rt9_victim', () => cb(null));
        });
        conn.emit('rt9');
      });
      expect(await victimExists()).to.equal(true);
    });
  });
}

if (dialects.includes('sqlite')) {
  describe('guard red team 9, SQLite: objects db.prepare() and db.transaction() return hold the raw better-sqlite3 Database', () => {
    const file = sqliteSuiteFile('knexroles-rt9');
    // Each case starts with the table there: an earlier case may have dropped it.
    beforeEach(async () => {
      const setup = knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true });
      await setup.raw('create table if not exists rt9_victim (id int)');
      await setup.destroy();
    });
    const victimExists = (): Promise<boolean> => tableExists.sqlite(file.filename, 'rt9_victim');
    type Db = { exec(sql: string): Db; prepare(sql: string): { database: Db }; transaction(fn: () => void): { database: Db } };
    const run = (hook: (db: Db) => void): Promise<void> => throughHook({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true }, hook);

    it("(control) DROP TABLE through the hook's view is refused: the table is still there", async () => {
      await run((db) => db.exec('drop table rt9_victim'));
      expect(await victimExists()).to.equal(true);
    });

    it('refuses DROP TABLE sent through db.prepare(…).database: the table is still there', async () => {
      await run((db) => db.prepare('select 1').database.exec('drop table rt9_victim'));
      expect(await victimExists()).to.equal(true);
    });

    it('refuses DROP TABLE sent through db.transaction(…).database: the table is still there', async () => {
      await run((db) => db.transaction(() => undefined).database.exec('drop table rt9_victim'));
      expect(await victimExists()).to.equal(true);
    });
  });
}
