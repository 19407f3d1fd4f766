import { expect } from 'chai';
import { type Knex } from 'knex';
import { Query as PgQueryClass } from 'pg';
import { testDialects } from '../support/dialects';
import { called, mysqlSuperuserDatabase, pgSuperuserDatabase, tableExists, throughHook } from '../support/guard-attack';

/*
 * Red team 12 (session 9), against 4fc6be2: on that tree the ten attack tests here failed
 * (the tables were dropped, the catalog rows written, the file read). Each asserts the effect
 * on the server (table, catalog row, file read); the controls show ordinary use still works.
 *
 * 1. pg: a pg Query passed to the hook's view is checked (prototype, no own method, text
 *    pinned) when query() is called, but pg calls its submit() only when it reaches the head
 *    of the queue: a submit assigned in between gets pg's raw Connection and sends anything.
 * 2. mysql (mysqljs): beginTransaction / commit / rollback(options) are not judged; the driver
 *    assigns options.sql and calls this.query on the raw connection, and on a frozen options
 *    object (sloppy-mode driver) the assignment is dropped: the caller's sql is sent.
 * 3. MariaDB sql_mode MSSQL quotes identifiers in [brackets]; the MySQL lexer does not, so
 *    `[x']` opens a string for the guard. ANSI_QUOTES sessions may SET sql_mode = 'MSSQL'.
 * 4. pg: set_config('search_path', $1, …) with information_schema bound is allowed; bare
 *    `update sql_features …` then writes the information_schema catalog.
 */

const dialects = testDialects();

if (dialects.includes('postgres')) {
  describe('guard red team 12, PostgreSQL as superuser: a pg Query checked when queued, changed before it is sent', () => {
    const database = pgSuperuserDatabase('knexroles_redteam12', 1);
    beforeEach(async () => {
      await database.admin.raw('create table if not exists rt12_victim (id int)');
    });
    const victimExists = (): Promise<boolean> => tableExists.postgres(database.admin, 'rt12_victim');
    type PgQuery = { submit(connection: { query(text: string): void }): Error | null; on(e: string, f: (...a: unknown[]) => void): unknown };
    type PgConn = { query(q: unknown, values?: unknown): Promise<unknown> };
    const run = (hook: (conn: PgConn) => Promise<unknown>): Promise<void> => throughHook({ client: 'pg', connection: database.connection }, hook);

    it("(control) DROP TABLE through the hook's view is refused: the table is still there", async () => {
      await run((conn) => conn.query('drop table rt12_victim').catch(() => undefined));
      expect(await victimExists()).to.equal(true);
    });

    it('refuses DROP TABLE sent by the submit() a queued pg Query was given after the guard accepted it: the table is still there', async () => {
      await run(async (conn) => {
        const busy = conn.query('select pg_sleep(0.2)');
        const query = new PgQueryClass('select 1') as unknown as PgQuery;
        const done = new Promise((resolve) => {
          query.on('end', resolve);
          query.on('error', resolve);
        });
        conn.query(query);
        // Accepted and pinned (`text` read-only), but still in pg's queue behind pg_sleep: its methods are not.
        (query as { submit: PgQuery['submit'] }).submit = (pgConnection) => {
          pgConnection.query('drop table rt12_victim');
          return null;
        };
        await busy;
        await done;
      });
      expect(await victimExists()).to.equal(true);
    });
  });
}

if (dialects.includes('mysql')) {
  // mysqljs `beginTransaction(options)` / `commit(options)` / `rollback(options)` are not in
  // the judged table (they send fixed text): each assigns `options.sql` and calls
  // `this.query(options)` on the raw connection. The driver is sloppy-mode code, so on a frozen
  // options object (or one whose `sql` is read-only or a getter) the assignment is silently
  // dropped and the caller's `sql` is sent, unjudged.
  describe('guard red team 12, MariaDB as superuser (mysql driver): options given to beginTransaction / commit / rollback keep their own sql', () => {
    const DATABASE = 'knexroles_redteam12';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt12_victim (id int)`);
    });
    const victimExists = (): Promise<boolean> => tableExists.mysql(database.admin, DATABASE, 'rt12_victim');
    type Callback = (err: unknown) => void;
    type MyConn = Record<'query' | 'beginTransaction' | 'commit' | 'rollback', (options: unknown, cb?: Callback) => void>;
    const run = (hook: (conn: MyConn, cb: Callback) => void): Promise<void> =>
      throughHook({ client: 'mysql', connection: database.connection }, (conn: MyConn) => called((cb) => hook(conn, cb)));

    it("(control) DROP TABLE through the hook's view is refused: the table is still there", async () => {
      await run((conn, cb) => conn.query('drop table rt12_victim', cb));
      expect(await victimExists()).to.equal(true);
    });

    for (const method of ['beginTransaction', 'commit', 'rollback'] as const) {
      it(`refuses DROP TABLE sent by ${method}() with frozen options: the table is still there`, async () => {
        await run((conn, cb) => conn[method](Object.freeze({ sql: 'drop table rt12_victim' }), cb));
        expect(await victimExists()).to.equal(true);
      });
    }

    it('(control) beginTransaction / commit with a callback or with options still work in the hook: the row is written', async () => {
      await database.admin.raw(`delete from ${DATABASE}.rt12_victim`);
      await throughHook({ client: 'mysql', connection: database.connection }, async (conn: MyConn) => {
        await called((cb) => conn.beginTransaction({ timeout: 5000 }, cb));
        await called((cb) => conn.query('insert into rt12_victim values (1)', cb));
        await called((cb) => conn.commit(cb));
        await called((cb) => conn.beginTransaction(cb));
        await called((cb) => conn.query('insert into rt12_victim values (2)', cb));
        await called((cb) => conn.rollback({}, cb));
      });
      const rows = (await database.admin.raw(`select id from ${DATABASE}.rt12_victim order by id`))[0] as Array<{ id: number }>;
      expect(rows.map((row) => row.id)).to.deep.equal([1]);
    });

    it("refuses mysql2's protocol-level addCommand(), whose command gets the raw connection: the table is still there", async () => {
      type Mysql2Conn = { addCommand(command: { execute(packet: unknown, connection: { query(sql: string, cb: Callback): void }): null }): unknown };
      let refusal: unknown;
      await throughHook({ client: 'mysql2', connection: database.connection }, (conn: Mysql2Conn) => {
        try {
          conn.addCommand({
            execute: (_packet, raw) => {
              raw.query('drop table rt12_victim', () => undefined);
              return null;
            },
          });
        } catch (error) {
          refusal = error;
          throw error;
        }
      });
      expect(await victimExists()).to.equal(true);
      expect((refusal as { code?: string } | undefined)?.code).to.equal('E_RUNTIME_DDL');
    });
  });
}

if (dialects.includes('mysql')) {
  // MariaDB's sql_mode MSSQL (which includes ANSI_QUOTES) also quotes identifiers in
  // [brackets]: `[x']` is one name. The MySQL lexer does not know brackets, so it reads the
  // `'` inside as the start of a string and everything up to the next `'` as its content.
  // The guard reads MSSQL as an ANSI_QUOTES mode, so a session that already has ANSI_QUOTES
  // (server sql_mode ANSI_QUOTES / ANSI, a supported configuration) may `SET sql_mode =
  // 'MSSQL'`, and a session whose server runs in MSSQL mode starts that way.
  describe("guard red team 12, MariaDB as superuser: sql_mode MSSQL's [bracket] identifiers", () => {
    const DATABASE = 'knexroles_redteam12_mssql';
    const database = mysqlSuperuserDatabase(DATABASE);
    let globalMode = '';
    before(async () => {
      globalMode = (await database.admin.raw('select @@global.sql_mode as m'))[0][0].m;
    });
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt12_victim (id int)`);
    });
    afterEach(async () => {
      await database.admin.raw('set global sql_mode = ?', [globalMode]);
    });
    const victimExists = (): Promise<boolean> => tableExists.mysql(database.admin, DATABASE, 'rt12_victim');
    const STACKED = "select 1 as [x'] ; drop table rt12_victim; -- ']";
    // A new connection takes the global sql_mode; the guard reads it on the first query.
    const runtime = async (globalSqlMode: string, use: (db: Knex) => Promise<unknown>): Promise<void> => {
      await database.admin.raw('set global sql_mode = ?', [globalSqlMode]);
      await throughHook({ client: 'mysql2', connection: { ...database.connection, multipleStatements: true } }, () => undefined, (db) => use(db).catch(() => undefined));
    };

    it('(control) with the default sql_mode, SET sql_mode = MSSQL is refused and the table is still there', async () => {
      await runtime(globalMode, async (db) => {
        await db.raw("set sql_mode = 'MSSQL'").catch(() => undefined);
        await db.raw(STACKED);
      });
      expect(await victimExists()).to.equal(true);
    });

    it("refuses DROP TABLE after [x'] on a session that switched from ANSI_QUOTES to MSSQL: the table is still there", async () => {
      await runtime('ANSI_QUOTES', async (db) => {
        await db.raw("set sql_mode = 'MSSQL'");
        await db.raw(STACKED);
      });
      expect(await victimExists()).to.equal(true);
    });

    it("refuses DROP TABLE after [x'] on a session that starts in MSSQL mode: the table is still there", async () => {
      await runtime('MSSQL', (db) => db.raw(STACKED));
      expect(await victimExists()).to.equal(true);
    });

    it('a session that starts in MSSQL mode is refused by the session read, as E_GUARD_SESSION sql_mode; ANSI_QUOTES alone still runs', async () => {
      let error: unknown;
      await runtime('MSSQL', (db) => db.raw('select 1').catch((e: unknown) => { error = e; }));
      expect(error).to.include({ code: 'E_GUARD_SESSION', variable: 'sql_mode', value: 'MSSQL' });
      let rows: unknown;
      await runtime('ANSI_QUOTES', async (db) => { rows = (await db.raw('select 1 as "one"'))[0]; });
      expect(rows).to.deep.equal([{ one: 1 }]);
    });

    // One statement, no multipleStatements: the system schema's name sits inside what the guard reads as a string.
    it("refuses DELETE [p'] FROM mysql.db AS [p'] (a catalog write) on an MSSQL session: the grant row is still there", async () => {
      await database.admin.raw("create user if not exists 'rt12_user'@'localhost'");
      await database.admin.raw(`grant select on ${DATABASE}.* to 'rt12_user'@'localhost'`);
      const rows = async (): Promise<number> => (await database.admin.raw("select count(*) as n from mysql.db where User = 'rt12_user'"))[0][0].n;
      try {
        expect(await rows()).to.equal(1);
        await database.admin.raw('set global sql_mode = ?', ['MSSQL']);
        await throughHook({ client: 'mysql2', connection: database.connection }, () => undefined, (db) =>
          db.raw("delete [p'] from mysql.db as [p'] where [p'].User = 'rt12_user' -- '").catch(() => undefined),
        );
        expect(await rows()).to.equal(1);
      } finally {
        await database.admin.raw('set global sql_mode = ?', [globalMode]);
        await database.admin.raw("drop user if exists 'rt12_user'@'localhost'");
      }
    });

    it("refuses load_file() between [p'] and [q'] on an MSSQL session: no file is read", async () => {
      const read = await (async () => {
        await database.admin.raw('set global sql_mode = ?', ['MSSQL']);
        return throughHook({ client: 'mysql2', connection: database.connection }, () => undefined, (db) =>
          db.raw("select 1 as [p'], load_file('/etc/hostname') as [q']").then(
            (result: [Array<Record<string, unknown>>]) => result[0][0]?.["q'"],
            () => undefined,
          ),
        );
      })();
      expect(read, 'load_file ran and returned the file').to.equal(undefined);
    });
  });
}

if (dialects.includes('postgres')) {
  // `SET search_path` naming information_schema is refused so that its writable tables
  // (sql_features, sql_sizing, sql_parts, sql_implementation_info) stay out of reach by bare
  // name, where the catalog rule does not see them; a session that *starts* with such a path
  // is refused too. But set_config('search_path', $1, …) with the path as a bound value is
  // allowed (the guard cannot see it), and after it `update sql_features …` writes the catalog.
  describe('guard red team 12, PostgreSQL as superuser: a bound search_path puts information_schema in reach', () => {
    const database = pgSuperuserDatabase('knexroles_redteam12_sp', 1);
    const comment = async (): Promise<string | null> => (await database.admin.raw("select comments from information_schema.sql_features where feature_id = 'B011' and sub_feature_id = ''")).rows[0].comments;
    let original: string | null = null;
    beforeEach(async () => {
      original = await comment();
    });
    afterEach(async () => {
      await database.admin.raw("update information_schema.sql_features set comments = ? where feature_id = 'B011' and sub_feature_id = ''", [original]);
    });
    const run = (use: (db: Knex) => Promise<unknown>): Promise<unknown> => throughHook({ client: 'pg', connection: database.connection }, () => undefined, (db) => use(db).catch(() => undefined));

    it('(control) SET search_path = information_schema is refused and sql_features is unchanged', async () => {
      await run(async (db) => {
        await db.raw('set search_path = information_schema, public').catch(() => undefined);
        await db.raw("update sql_features set comments = 'rt12' where feature_id = 'B011' and sub_feature_id = ''");
      });
      expect(await comment()).to.equal(original);
    });

    for (const local of [false, true]) {
      it(`refuses UPDATE sql_features after set_config('search_path', ?, ${local}) bound to information_schema: the catalog row is unchanged`, async () => {
        await run((db) =>
          db.transaction(async (trx) => {
            await trx.raw(`select set_config('search_path', ?, ${local})`, ['information_schema, public']);
            await trx.raw("update sql_features set comments = 'rt12' where feature_id = 'B011' and sub_feature_id = ''");
          }),
        );
        expect(await comment()).to.equal(original);
      });
    }
  });
}
