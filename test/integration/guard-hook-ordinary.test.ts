import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { mysqlSuperuser, pgSuperuser, throughHook } from '../support/guard-attack';
import { testServers } from '../support/servers';

/*
 * Ordinary pool.afterCreate code still works through the guard's view of the connection
 * (lib/guard/raw-connection.ts wraps listeners, callbacks and user functions, and maps
 * results): what a red team's fixes must not break. A method the guard neither judges nor
 * knows to send nothing (RawConnectionMethods.passes) is refused.
 */

const dialects = testDialects();

if (dialects.includes('sqlite')) {
  describe('guard: ordinary better-sqlite3 set-up in pool.afterCreate', () => {
    type Statement = { iterate(): Iterable<unknown>; pluck(): Statement; all(): unknown[] };
    type Db = {
      function(name: string, ...rest: unknown[]): Db;
      aggregate(name: string, options: { start: number; step: (total: number, x: number) => number }): Db;
      pragma(text: string, options?: { simple: boolean }): unknown;
      prepare(sql: string): Statement;
    };
    it('user functions (with and without options, counted by arity), aggregates, pragma { simple }, iterate and pluck work', async () => {
      const seen: unknown[] = [];
      const row = await throughHook(
        { client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true },
        (db: Db) => {
          db.function('twice', (x: number) => x * 2);
          db.function('add3', { deterministic: true }, (a: number, b: number, c: number) => a + b + c);
          db.aggregate('total', { start: 0, step: (total, x) => total + x });
          seen.push(db.pragma('foreign_keys', { simple: true }));
          const statement = db.prepare('select 1 as a union all select 2');
          seen.push([...statement.iterate()].length, statement.pluck().all());
        },
        async (db) => (await db.raw('select twice(2) as t, add3(1, 2, 3) as s, (select total(x) from (select 1 as x union all select 2)) as g'))[0],
      );
      expect(row).to.deep.equal({ t: 4, s: 6, g: 3 });
      // better-sqlite3 turns foreign keys on by default.
      expect(seen).to.deep.equal([1, 2, [1, 2]]);
    });

    it('transaction(), table(), defaultSafeIntegers() and serialize() work; unsafeMode(true) (defensive mode off) and a method the guard does not know (__defineGetter__) are refused', async () => {
      type More = Db & {
        transaction(fn: () => unknown): () => unknown;
        table(name: string, definition: { columns: string[]; rows: () => Generator<{ v: number }> }): More;
        defaultSafeIntegers(on: boolean): More;
        serialize(): Buffer;
        unsafeMode(on: boolean): More;
      };
      const seen: unknown[] = [];
      let refusal: unknown;
      const row = await throughHook(
        { client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true },
        (db: More) => {
          db.table('numbers', {
            columns: ['v'],
            *rows() {
              yield { v: 1 };
              yield { v: 2 };
            },
          });
          db.defaultSafeIntegers(false);
          seen.push(db.transaction(() => db.prepare('select count(*) as n from numbers').pluck().all())());
          seen.push(Buffer.isBuffer(db.serialize()));
          try {
            db.unsafeMode(true);
          } catch (error) {
            refusal = error;
          }
          // Defining a property through Object's old accessor helpers would put it on the connection
          // itself; refused, the refusal goes to the last function argument, as to a callback.
          (db as unknown as { __defineGetter__(key: string, get: (error?: { code?: string }) => unknown): void }).__defineGetter__('prepare', (error) => seen.push(error?.code));
        },
        async (db) => (await db.raw('select sum(v) as s from numbers'))[0],
      );
      expect(row).to.deep.equal({ s: 3 });
      // The refusal reaches that function on the next tick, after the promise chain of the query.
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).to.deep.equal([[2], true, 'E_RUNTIME_DDL']);
      expect(refusal).to.include({ code: 'E_RUNTIME_DDL', statement: 'unsafeMode(…)' });
    });
  });
}

if (dialects.includes('postgres')) {
  describe('guard: ordinary pg set-up in pool.afterCreate', () => {
    type PgConn = {
      once(event: string, f: () => void): PgConn;
      off(event: string, f: () => void): PgConn;
      on(event: string, f: () => void): PgConn;
      emit(event: string): boolean;
      removeListener(event: string, f: () => void): PgConn;
      listenerCount(event: string): number;
      query(config: string | { text: string; values: unknown[] }): Promise<{ rows: Array<Record<string, unknown>> }>;
    };
    it('once/off and on/removeListener with the same listener, SET timezone and a query with values work', async () => {
      const seen: unknown[] = [];
      const rows = await throughHook(
        { client: 'pg', connection: pgSuperuser(await testServers()) },
        async (conn: PgConn) => {
          const listener = (): void => void seen.push('emitted');
          conn.once('x', listener).off('x', listener);
          seen.push(conn.listenerCount('x'));
          conn.on('y', listener).emit('y');
          conn.removeListener('y', listener);
          seen.push(conn.listenerCount('y'));
          await conn.query("set timezone = 'UTC'");
          seen.push((await conn.query({ text: 'select $1::int as n', values: [5] })).rows[0]?.['n']);
        },
        async (db) => (await db.raw('show timezone')).rows,
      );
      expect(rows).to.deep.equal([{ TimeZone: 'UTC' }]);
      expect(seen).to.deep.equal([0, 'emitted', 0, 5]);
    });

    it('setTypeParser, escapeLiteral and escapeIdentifier work; a method the guard does not know (a private _connect) is refused', async () => {
      type More = PgConn & {
        setTypeParser(oid: number, parser: (text: string) => unknown): void;
        escapeLiteral(text: string): string;
        escapeIdentifier(text: string): string;
        _connect(callback: (error: unknown) => void): void;
      };
      const seen: unknown[] = [];
      let refusal: unknown;
      await throughHook({ client: 'pg', connection: pgSuperuser(await testServers()) }, async (conn: More) => {
        conn.setTypeParser(1700, (text) => Number(text));
        seen.push(conn.escapeLiteral("it's"), conn.escapeIdentifier('a"b'));
        seen.push((await conn.query('select 1.5::numeric as n')).rows[0]?.['n']);
        refusal = await new Promise((resolve) => conn._connect(resolve));
      });
      expect(seen).to.deep.equal(["'it''s'", '"a""b"', 1.5]);
      expect(refusal).to.include({ code: 'E_RUNTIME_DDL', statement: '_connect(…)' });
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard: ordinary mysql2 set-up in pool.afterCreate', () => {
    type MyConn = { promise(): { query(sql: string, values?: unknown[]): Promise<[Array<Record<string, unknown>>, unknown]> } };
    it('conn.promise().query with and without values works', async () => {
      const seen: unknown[] = [];
      const rows = await throughHook(
        { client: 'mysql2', connection: await mysqlSuperuser() },
        async (conn: MyConn) => {
          await conn.promise().query("set time_zone = '+00:00'");
          seen.push((await conn.promise().query('select ? as n', [7]))[0][0]?.['n']);
        },
        async (db) => (await db.raw('select @@session.time_zone as tz'))[0],
      );
      expect(rows).to.deep.equal([{ tz: '+00:00' }]);
      expect(seen).to.deep.equal([7]);
    });

    it('ping, escape, escapeId and format work; reset() is fine in the hook; a method the guard does not know (createBinlogStream) is refused', async () => {
      type More = {
        ping(callback: (error: unknown) => void): void;
        escape(value: unknown): string;
        escapeId(value: string): string;
        format(sql: string, values: unknown[]): string;
        reset(callback: (error: unknown) => void): void;
        query(sql: string, callback: (error: unknown) => void): void;
        createBinlogStream(options: object): unknown;
      };
      const seen: unknown[] = [];
      let refusal: unknown;
      const rows = await throughHook(
        { client: 'mysql2', connection: await mysqlSuperuser() },
        async (conn: More) => {
          await new Promise<void>((resolve, reject) => conn.ping((error) => (error ? reject(error) : resolve())));
          seen.push(conn.escape("it's"), conn.escapeId('a`b'), conn.format('select ?', [1]));
          await new Promise<void>((resolve, reject) => conn.query("set time_zone = '+01:00'", (error) => (error ? reject(error) : resolve())));
          await new Promise<void>((resolve, reject) => conn.reset((error) => (error ? reject(error) : resolve())));
          try {
            conn.createBinlogStream({ serverId: 123 });
          } catch (error) {
            refusal = error;
          }
        },
        async (db) => (await db.raw('select @@session.time_zone = @@global.time_zone as reset'))[0],
      );
      expect(seen).to.deep.equal(["'it\\'s'", '`a``b`', 'select 1']);
      expect(rows).to.deep.equal([{ reset: 1 }]);
      expect(refusal).to.include({ code: 'E_RUNTIME_DDL', statement: 'createBinlogStream(…)' });
    });
  });
}

/** A guarded instance whose pool.validate is `validate` (knex 3.3+ calls it each time the pool hands the connection out again). */
function withValidate(config: Knex.Config, validate: (conn: never) => unknown): Knex {
  return guard(knex({ ...config, pool: { min: 0, max: 1, validate: validate as never } }));
}

if (dialects.includes('postgres')) {
  describe('guard: ordinary pg pool.validate', () => {
    it('a SELECT 1 health check runs on each reuse; the view refuses a kept reference once the hook settled', async () => {
      let checks = 0;
      let kept: { query(sql: string): Promise<unknown> } | undefined;
      const db = withValidate({ client: 'pg', connection: pgSuperuser(await testServers()) }, async (conn: { query(sql: string): Promise<{ rows: Array<{ ok: number }> }> }) => {
        kept = conn;
        checks += (await conn.query('select 1 as ok')).rows[0]?.ok ?? 0;
        return true;
      });
      try {
        for (let i = 0; i < 3; i++) await db.raw('select 1');
        // tarn validates the connection each time it hands it out, the new one included: three checks.
        expect(checks).to.equal(3);
        expect(await kept?.query('select 1').then(() => 'ran', (error: { code?: string }) => error.code)).to.equal('E_RUNTIME_DDL');
      } finally {
        await db.destroy();
      }
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard: ordinary mysql2 pool.validate', () => {
    it('ping works; changeUser, which would change the session the guard read, is refused and the session keeps its database', async () => {
      const refusals: unknown[] = [];
      type Conn = { ping(cb: (error: unknown) => void): void; changeUser(options: object, cb: (error: unknown) => void): void };
      const db = withValidate({ client: 'mysql2', connection: await mysqlSuperuser() }, (conn: Conn) =>
        new Promise((resolve, reject) =>
          conn.ping((error) => {
            if (error) return reject(error);
            conn.changeUser({ database: 'mysql' }, (refused) => {
              refusals.push(refused);
              resolve(true);
            });
          }),
        ),
      );
      try {
        await db.raw('select 1');
        const [rows] = (await db.raw('select database() as d')) as [Array<{ d: string }>];
        expect(rows[0]?.d, 'no default database, as connected').to.equal(null);
        // One check per query (tarn validates each hand-out), each refused.
        expect(refusals).to.have.length(2);
        for (const refused of refusals) expect(refused).to.include({ code: 'E_RUNTIME_DDL', statement: 'changeUser(…)' });
      } finally {
        await db.destroy();
      }
    });
  });
}
