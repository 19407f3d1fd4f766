import { expect } from 'chai';
import { testDialects } from '../support/dialects';
import { called, mysqlSuperuserDatabase, outcomeOf, pgSuperuserDatabase, tableExists, throughHook } from '../support/guard-attack';

/*
 * Driver objects a pool hook reaches (what a query call returns, what a callback or listener
 * gets) are read-only through the guard, and their methods that act as the driver itself are
 * refused (lib/guard/raw-connection.ts `reach`, `shield`, `shieldRefused`): red teams 36 and 37.
 * Ordinary reads of them (events, fields, spread, Object.keys) still work.
 */

const dialects = testDialects();

type Emitting = { emit(event: string, ...args: unknown[]): boolean; on(event: string, listener: (...args: unknown[]) => void): Emitting; __defineGetter__(key: string, get: () => unknown): void };

if (dialects.includes('mysql')) {
  describe('guard: driver objects of a MySQL hook', () => {
    const DATABASE = 'knexroles_hook_driver_objects';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.hook_victim (id int)`);
    });
    const victimExists = (): Promise<boolean> => tableExists.mysql(database.admin, DATABASE, 'hook_victim');
    const drop = `drop table ${DATABASE}.hook_victim`;

    it('(mysql) a query\'s emit() of a packet it did not build is refused: the protocol never writes it', async () => {
      // mysqljs writes whatever a queued command emits as 'packet'.
      const { ComQueryPacket } = require('mysql/lib/protocol/packets') as { ComQueryPacket: new (sql: string) => object };
      let outcome = 'sent';
      await throughHook({ client: 'mysql', connection: database.connection }, async (conn: { query(sql: string, cb?: (e: unknown) => void): Emitting }) => {
        let finish: (e: unknown) => void = () => undefined;
        const done = new Promise((resolve) => (finish = resolve));
        const q = conn.query('select 1', finish);
        try {
          q.emit('packet', new ComQueryPacket(drop));
        } catch (error) {
          outcome = `refused: ${(error as Error).message}`;
        }
        await done;
        await called((cb) => conn.query('select 2', cb));
      });
      expect(await victimExists(), `the forged packet was written (${outcome})`).to.equal(true);
      expect(outcome).to.match(/^refused: Refused emit\(\) on a driver object in pool\.afterCreate/);
    });

    it('(mysql2) a getter defined on a queued query (__defineGetter__) is refused: it runs the text judged', async () => {
      let outcome = 'defined';
      await throughHook({ client: 'mysql2', connection: database.connection }, async (conn: { query(sql: string, cb?: (e: unknown) => void): Emitting }) => {
        conn.query('select 1');
        const q = conn.query('select 2');
        try {
          q.__defineGetter__('sql', () => drop);
        } catch (error) {
          outcome = `refused: ${(error as Error).message}`;
        }
        await new Promise((resolve) => void q.on('end', resolve).on('error', resolve));
      });
      expect(await victimExists(), `the queued query sent the getter's text (${outcome})`).to.equal(true);
      expect(outcome).to.match(/^refused: Refused __defineGetter__\(\)/);
    });

    it('(mysql) a command\'s own protocol methods are refused (end() would dequeue it before its reply): knex\'s queries after the hook get their own results', async () => {
      const refusals: string[] = [];
      const rows = await throughHook(
        { client: 'mysql', connection: database.connection },
        async (conn: { query(sql: string, cb?: (e: unknown) => void): Emitting & { end(): void; listeners(event: string): unknown[]; _events: Record<string, unknown> } }) => {
          let finish: (e: unknown) => void = () => undefined;
          const done = new Promise((resolve) => (finish = resolve));
          const q = conn.query("select 'from the hook' as n", finish);
          for (const attempt of [() => q.end(), () => q.listeners('packet'), () => void (q._events['packet'] = () => undefined)]) {
            try {
              attempt();
            } catch (error) {
              refusals.push((error as Error).message.slice(0, 40));
            }
          }
          await done;
        },
        async (db) => db.raw('select 41 + 1 as n'),
      );
      expect(refusals).to.have.length(3);
      expect((rows as Array<Array<{ n: number }>>)[0]).to.deep.equal([{ n: 42 }]);
    });

    it('(mysql2) a command\'s execute() (the protocol feeds it packets) is refused; a prepared statement\'s execute() runs', async () => {
      const seen: unknown[] = [];
      await throughHook({ client: 'mysql2', connection: database.connection }, async (conn: { query(sql: string): Emitting & { execute(packet: unknown, connection: unknown): unknown }; prepare(sql: string, cb: (e: unknown, statement: { execute(values: unknown[], cb: (e: unknown, rows: unknown) => void): void; close(): void }) => void): void }) => {
        const q = conn.query('select 1');
        try {
          q.execute({}, conn);
        } catch (error) {
          seen.push((error as Error).message.slice(0, 17));
        }
        await new Promise((resolve) => void q.on('end', resolve).on('error', resolve));
        seen.push(
          await new Promise((resolve, reject) =>
            conn.prepare('select ? + 1 as n', (error, statement) => (error ? reject(error) : statement.execute([6], (e, rows) => (statement.close(), e ? reject(e) : resolve(rows))))),
          ),
        );
      });
      expect(seen).to.deep.equal(['Refused execute()', [{ n: 7 }]]);
    });

    it('(mysql2) a query\'s fields and rows arrive as data, and the command reads as the driver made it', async () => {
      const seen: unknown[] = [];
      await throughHook({ client: 'mysql2', connection: database.connection }, async (conn: { query(sql: string, cb: (e: unknown, rows: unknown, fields: Array<{ name: string }>) => void): Record<string, unknown> }) => {
        let q: Record<string, unknown> = {};
        await new Promise<void>((resolve, reject) => {
          q = conn.query('select 7 as seven', (error, rows, fields) => {
            if (error) return reject(error);
            seen.push(Array.isArray(rows), rows, fields.map((field) => field.name));
            resolve();
          });
        });
        seen.push(Object.keys(q).includes('sql'), { ...q }['sql']);
      });
      expect(seen).to.deep.equal([true, [{ seven: 7 }], ['seven'], true, 'select 7 as seven']);
    });
  });
}

if (dialects.includes('postgres')) {
  describe('guard: driver objects of a PostgreSQL hook', () => {
    const database = pgSuperuserDatabase('knexroles_hook_driver_objects');

    for (const style of ['callback', 'promise'] as const) {
      it(`(pg, ${style}) a result reads as the driver made it: rows, fields, spread and Object.keys; it cannot be changed`, async () => {
        const seen: unknown[] = [];
        await throughHook({ client: 'pg', connection: database.connection }, async (conn: { query(sql: string, cb?: (e: unknown, r: Record<string, unknown>) => void): Promise<Record<string, unknown>> }) => {
          const result =
            style === 'promise'
              ? await conn.query('select 7 as seven')
              : await new Promise<Record<string, unknown>>((resolve, reject) => void conn.query('select 7 as seven', (e, r) => (e ? reject(e) : resolve(r))));
          seen.push(result['rows'], result['rowCount'], Object.keys(result).includes('rows'), { ...result }['command']);
          seen.push(await outcomeOf(Promise.resolve().then(() => void (result['rows'] = []))));
        });
        expect(seen.slice(0, 4)).to.deep.equal([[{ seven: 7 }], 1, true, 'SELECT']);
        expect(seen[4]).to.match(/^refused: /);
      });
    }
  });
}

if (dialects.includes('sqlite')) {
  describe('guard: driver objects of a SQLite hook', () => {
    it('(better-sqlite3) a statement\'s rows and columns are data; its database is the view', async () => {
      const seen: unknown[] = [];
      await throughHook({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true }, (db: { prepare(sql: string): { all(): unknown[]; columns(): Array<{ name: string }>; database: unknown } }) => {
        const statement = db.prepare('select 1 as one');
        seen.push(statement.all(), statement.columns().map((column) => column.name), statement.database === db);
      });
      expect(seen).to.deep.equal([[{ one: 1 }], ['one'], true]);
    });
  });
}
