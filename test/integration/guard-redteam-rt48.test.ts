import { expect } from 'chai';
import knex from 'knex';
import { testDialects } from '../support/dialects';
import { outcomeOf, pgSuperuserDatabase, sqliteSuiteFile, tableExists, throughHook, throughValidate } from '../support/guard-attack';

/*
 * Red team 48 (session 16, against 90dba19): pool hooks and driver objects on pg, pgnative and
 * better-sqlite3. Every test asserts the effect on the server or the file (a table still there, a
 * setting not switched), not a message, and fails on 90dba19.
 *
 * Findings
 *
 * 1. HIGH (pg, pgnative; pool.afterCreate and pool.validate): the connection's own query queue
 *    `conn._queryQueue` (also pg's public, deprecated `conn.queryQueue` getter) is handed to the hook as the raw array of pg's Query objects. A query the
 *    hook sent while another runs waits there with its text judged but not pinned (pg reads
 *    `query.text` only in `submit()`), so `conn._queryQueue[i].text = 'drop table …'` sends DDL
 *    unjudged. Worse, the array is the connection's for its whole life: a hook that replaces its
 *    `push` (`queue.push = (q) => { q.text = …; … }`) rewrites every later query knex sends on that
 *    connection, after the guard judged it, long after `done()` / after pool.validate settled; the
 *    guard's own session read goes through it too. The README says "a query waiting in pg's queue
 *    cannot be changed before it is sent" and that the validate view lets nothing through once
 *    settled; neither holds.
 *    Root cause: lib/guard/raw-connection.ts guardRawConnection, the view's `get` trap maps a
 *    non-function property only through `map()`, which shields an object only if it holds the
 *    connection in an own property; an array of queued commands is neither, so it is raw. The
 *    `field`/`deep` read-only shields below private `_…` fields exist only for driver objects
 *    (`shield`), not for the connection's own fields.
 *
 * 2. HIGH (pgnative; pool.afterCreate and pool.validate): `conn.native`, the pg-native client that
 *    knex's pgnative connection (pg's native Client wrapper) runs every query on, is handed out raw:
 *    `conn.native.querySync('drop table …')` (or `query`, `prepare`/`execute`) runs unjudged. The
 *    dialect's table (lib/dialects/postgres/raw-connection-methods.ts POSTGRES_RAW_METHODS: `sends`
 *    querySync / prepare / prepareSync, `passes` execute / executeSync) names pg-native's methods,
 *    and the README says "pg-native `execute` runs what `prepare` sent", but those methods are not
 *    on knex's connection at all; they are on `conn.native`, which nothing guards. A NativeQuery the
 *    hook submits also gets `.native` (pg/lib/native/query.js submit). Same root cause as 1 (map()).
 *
 * 3. HIGH (better-sqlite3; pool.afterCreate and pool.validate): the better-sqlite3 Database keeps
 *    its native handle under a symbol-keyed, non-configurable, read-only own property
 *    (`util.cppdb`, lib/database.js). `Object.getOwnPropertySymbols(db)` on the view lists it, and
 *    the view's `get` trap returns a non-configurable read-only property as it is (proxy
 *    invariant), so `db[sym].exec('drop table …')` runs on the raw native database, unjudged,
 *    in the hook and after `done()`.
 *    Root cause: lib/guard/raw-connection.ts guardRawConnection: the view is a Proxy whose target is
 *    the connection itself, so it cannot hide or shield a non-configurable property of it.
 *
 *    Fix for 1-3 (one class: the connection's own non-method fields are the driver's internals,
 *    handed to hook code raw): make the view's target a stand-in (as `shield` does with `stand`),
 *    not the connection, so no proxy invariant forces a raw value out; read every non-method field
 *    of the connection through `reach`/`deep` (read-only shield; private `_…` fields and symbols
 *    deep), or hand out only plain data (strings, numbers, booleans) and refuse the rest; and
 *    state in the README that `conn.native` (pgnative) and symbol fields are among what is refused.
 *
 * 4. LOW (better-sqlite3, pool.afterCreate): ordinary per-connection set-ups refused:
 *    `PRAGMA mmap_size = N` and `PRAGMA wal_autocheckpoint = N` (both per-connection performance
 *    settings, in every SQLite tuning guide next to busy_timeout / synchronous / cache_size, which
 *    pass), and `db.unsafeMode(false)` (turning unsafe mode OFF, the direction that keeps SQLite's
 *    defensive mode). Root cause: lib/dialects/sqlite/pragmas.ts (the pragma lists) and
 *    lib/dialects/sqlite/raw-connection-methods.ts `passes` (unsafeMode refused whatever its
 *    argument). Fix: let these pragmas through as session set-up; let `unsafeMode(false)` / no
 *    change through and keep refusing `unsafeMode()` / `unsafeMode(true)`.
 *
 * Near-misses (the guard handled them, or they are in README "Not covered"):
 * - pg / pgnative hook set-ups that pass as they should: SET TIME ZONE 'UTC', SET application_name,
 *   statement_timeout, lock_timeout, idle_in_transaction_session_timeout, LISTEN, SET search_path,
 *   set_config('app.t', …), datestyle, intervalstyle, extra_float_digits, bytea_output, jit,
 *   work_mem, RESET timezone, SET timezone TO DEFAULT, SET SESSION CHARACTERISTICS, DISCARD PLANS.
 * - better-sqlite3 set-ups that pass: function(), function() with options, aggregate(), table()
 *   (and querying them), exec of PRAGMA foreign_keys, transaction(), defaultSafeIntegers(),
 *   serialize(), pragma(…, { simple: true }), busy_timeout, synchronous, cache_size, temp_store.
 *   writable_schema refused (right); loadExtension / backup judged as load_extension / VACUUM INTO.
 * - conn.listeners('error') on pg hands out knex's two listeners (they only set __knex__disposed).
 * - pg query(config) copies (text read once, submit deleted), callback / rowMode / types pass
 *   with no raw object reached; a pg Query submittable's text and methods are pinned.
 * - pg's `conn.connection` and the socket: README "Not covered" (not tested here).
 */

const dialects = testDialects();

type PgQuery = { text: string };
type PgConn = { query(sql: string): Promise<unknown>; _queryQueue?: PgQuery[]; queryQueue?: PgQuery[]; native?: { querySync(sql: string): unknown } };

if (dialects.includes('postgres')) {
  describe('guard red team 48, PostgreSQL as superuser: the hook connection\'s own fields', () => {
    const database = pgSuperuserDatabase('knexroles_redteam48');
    beforeEach(async () => {
      await database.admin.raw('create table if not exists rt48_victim (id int)');
    });
    const victimExists = (): Promise<boolean> => tableExists.postgres(database.admin, 'rt48_victim');
    const drop = 'drop table rt48_victim';

    /** Sends 'select 1' and 'select 2' and rewrites the queued second one's text through conn._queryQueue. */
    const rewriteQueued = async (conn: PgConn, queueOf: (conn: PgConn) => PgQuery[] | undefined = (c) => c._queryQueue): Promise<string> => {
      const first = conn.query('select 1');
      const second = conn.query('select 2');
      let outcome = 'no queue';
      try {
        const queued = (queueOf(conn) ?? []).find((q) => q.text === 'select 2');
        if (queued !== undefined) {
          queued.text = drop;
          outcome = 'rewritten';
        }
      } catch (error) {
        outcome = `refused: ${(error as Error).message}`;
      }
      await outcomeOf(first);
      return `${outcome}, second ${await outcomeOf(second)}`;
    };

    /** Makes the connection's query queue rewrite every later query whose text is 'select 4848'. */
    const poisonQueue = (conn: PgConn): string => {
      try {
        const queue = conn._queryQueue;
        if (queue === undefined) return 'no queue';
        queue.push = function (this: PgQuery[], ...queries: PgQuery[]): number {
          for (const q of queries) if (q.text === 'select 4848') q.text = drop;
          return Array.prototype.push.apply(this, queries);
        };
        return 'poisoned';
      } catch (error) {
        return `refused: ${(error as Error).message}`;
      }
    };

    for (const client of ['pg', 'pgnative']) {
      it(`(${client}) pool.afterCreate: a queued query's text changed through conn._queryQueue is not sent: rt48_victim is still there`, async () => {
        let outcome = '';
        await throughHook({ client, connection: database.connection }, async (conn: PgConn) => void (outcome = await rewriteQueued(conn)));
        expect(await victimExists(), `dropped through conn._queryQueue (${outcome})`).to.equal(true);
      });

      it(`(${client}) pool.validate: a queued query's text changed through conn._queryQueue is not sent: rt48_victim is still there`, async () => {
        let outcome = '';
        await throughValidate({ client, connection: database.connection }, async (conn: PgConn) => {
          outcome ||= await rewriteQueued(conn); // the first run: knex may validate again once the table is gone
          return true;
        });
        expect(await victimExists(), `dropped through conn._queryQueue (${outcome})`).to.equal(true);
      });

      it(`(${client}) pool.afterCreate: a queue push replaced in the hook does not rewrite knex's later queries: rt48_victim is still there`, async () => {
        let outcome = '';
        const later = await throughHook(
          { client, connection: database.connection },
          (conn: PgConn) => void (outcome = poisonQueue(conn)),
          (db) => outcomeOf(db.raw('select 4848')),
        );
        expect(await victimExists(), `knex's 'select 4848' ran as drop table (${outcome}; query ${later})`).to.equal(true);
      });

      it(`(${client}) pool.validate: a queue push replaced in the hook does not rewrite knex's later queries: rt48_victim is still there`, async () => {
        let outcome = '';
        const later = await throughValidate(
          { client, connection: database.connection },
          (conn: PgConn) => {
            outcome = poisonQueue(conn);
            return true;
          },
          (db) => outcomeOf(db.raw('select 4848')),
        );
        expect(await victimExists(), `knex's 'select 4848' ran as drop table after validate settled (${outcome}; query ${later})`).to.equal(true);
      });
    }

    it('(pg) pool.afterCreate: a queue push replaced in the hook cannot switch standard_conforming_strings after done()', async () => {
      let outcome = '';
      const seen = await throughHook(
        { client: 'pg', connection: database.connection },
        (conn: PgConn) => {
          try {
            const queue = conn._queryQueue;
            if (queue === undefined) return void (outcome = 'no queue');
            queue.push = function (this: PgQuery[], ...queries: PgQuery[]): number {
              for (const q of queries) if (q.text === 'select 4849') q.text = 'set standard_conforming_strings = off';
              return Array.prototype.push.apply(this, queries);
            };
            outcome = 'poisoned';
          } catch (error) {
            outcome = `refused: ${(error as Error).message}`;
          }
        },
        async (db) => {
          await outcomeOf(db.raw('select 4849'));
          return ((await db.raw('show standard_conforming_strings')) as { rows: { standard_conforming_strings: string }[] }).rows[0]?.standard_conforming_strings;
        },
      );
      expect(seen, `standard_conforming_strings switched by a rewritten knex query (${outcome})`).to.equal('on');
    });

    it("(pg) pool.afterCreate: the same queue read through pg's public (deprecated) conn.queryQueue getter: rt48_victim is still there", async () => {
      let outcome = '';
      await throughHook({ client: 'pg', connection: database.connection }, async (conn: PgConn) => void (outcome = await rewriteQueued(conn, (c) => c.queryQueue)));
      expect(await victimExists(), `dropped through conn.queryQueue (${outcome})`).to.equal(true);
    });

    const throughNative = (conn: PgConn): string => {
      try {
        const native = conn.native;
        if (native === undefined) return 'no native';
        native.querySync(drop);
        return 'ran';
      } catch (error) {
        return `refused: ${(error as Error).message}`;
      }
    };

    it('(pgnative) pool.afterCreate: conn.native.querySync is judged: rt48_victim is still there', async () => {
      let outcome = '';
      await throughHook({ client: 'pgnative', connection: database.connection }, (conn: PgConn) => void (outcome = throughNative(conn)));
      expect(await victimExists(), `dropped through conn.native (${outcome})`).to.equal(true);
    });

    it('(pgnative) pool.validate: conn.native.querySync is judged: rt48_victim is still there', async () => {
      let outcome = '';
      await throughValidate({ client: 'pgnative', connection: database.connection }, (conn: PgConn) => {
        outcome ||= throughNative(conn);
        return true;
      });
      expect(await victimExists(), `dropped through conn.native (${outcome})`).to.equal(true);
    });

    it('(pgnative) pool.afterCreate: conn.native kept past done() cannot switch standard_conforming_strings', async () => {
      let kept: PgConn['native'];
      const seen = await throughHook(
        { client: 'pgnative', connection: database.connection },
        (conn: PgConn) => void (kept = conn.native),
        async (db) => {
          await db.raw('select 1');
          try {
            kept?.querySync('set standard_conforming_strings = off');
          } catch {
            // refused: what a fix may do
          }
          return ((await db.raw('show standard_conforming_strings')) as { rows: { standard_conforming_strings: string }[] }).rows[0]?.standard_conforming_strings;
        },
      );
      expect(seen, 'standard_conforming_strings switched through a kept conn.native').to.equal('on');
    });
  });
}

type CppDb = { exec(sql: string): unknown };
type SqliteDb = Record<symbol, unknown> & { pragma(source: string): unknown; unsafeMode(on?: boolean): unknown };

if (dialects.includes('sqlite')) {
  describe('guard red team 48, better-sqlite3: the hook connection\'s own fields and ordinary set-ups', () => {
    const file = sqliteSuiteFile('redteam48');
    const config = (): knex.Knex.Config => ({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true });
    beforeEach(async () => {
      const admin = knex(config());
      try {
        await admin.raw('create table if not exists rt48_victim (id int)');
      } finally {
        await admin.destroy();
      }
    });
    const victimExists = (): Promise<boolean> => tableExists.sqlite(file.filename, 'rt48_victim');

    /** The native database better-sqlite3 keeps under a symbol of the Database (util.cppdb), if the hook can reach it. */
    const nativeDb = (db: SqliteDb): CppDb | undefined => {
      for (const key of Object.getOwnPropertySymbols(db)) {
        const value = db[key] as Partial<CppDb> | undefined;
        if (typeof value?.exec === 'function') return value as CppDb;
      }
      return undefined;
    };
    const throughCppdb = (db: SqliteDb): string => {
      try {
        const cpp = nativeDb(db);
        if (cpp === undefined) return 'no native db';
        cpp.exec('drop table rt48_victim');
        return 'ran';
      } catch (error) {
        return `refused: ${(error as Error).message}`;
      }
    };

    it('pool.afterCreate: the Database\'s symbol-keyed native handle runs nothing unjudged: rt48_victim is still there', async () => {
      let outcome = '';
      await throughHook(config(), (db: SqliteDb) => void (outcome = throughCppdb(db)));
      expect(await victimExists(), `dropped through db[cppdb].exec (${outcome})`).to.equal(true);
    });

    it('pool.validate: the Database\'s symbol-keyed native handle runs nothing unjudged: rt48_victim is still there', async () => {
      let outcome = '';
      await throughValidate(config(), (db: SqliteDb) => {
        outcome ||= throughCppdb(db);
        return true;
      });
      expect(await victimExists(), `dropped through db[cppdb].exec (${outcome})`).to.equal(true);
    });

    it('pool.afterCreate: the native handle kept past done() runs nothing unjudged: rt48_victim is still there', async () => {
      let kept: CppDb | undefined;
      const outcome = await throughHook(
        config(),
        (db: SqliteDb) => void (kept = nativeDb(db)),
        async (db) => {
          await db.raw('select 1');
          try {
            kept?.exec('drop table rt48_victim');
            return kept === undefined ? 'no native db' : 'ran';
          } catch (error) {
            return `refused: ${(error as Error).message}`;
          }
        },
      );
      expect(await victimExists(), `dropped after done() through a kept db[cppdb] (${outcome})`).to.equal(true);
    });

    // Lower severity: ordinary set-ups refused.
    const setUp = async (run: (db: SqliteDb) => unknown): Promise<string> => {
      let outcome = 'not run';
      const query = await throughHook(
        config(),
        (db: SqliteDb) => {
          outcome = 'ran';
          try {
            run(db);
          } catch (error) {
            outcome = `refused: ${(error as Error).message}`;
            throw error;
          }
        },
        (db) => outcomeOf(db.raw('select 1')),
      );
      return `${outcome}; query ${query}`;
    };

    for (const pragma of ['mmap_size = 268435456', 'wal_autocheckpoint = 1000']) {
      it(`(low) pool.afterCreate: PRAGMA ${pragma}, a per-connection tuning, is let through`, async () => {
        expect(await setUp((db) => db.pragma(pragma))).to.equal('ran; query ran');
      });
    }

    it('(low) pool.afterCreate: db.unsafeMode(false), which keeps defensive mode on, is let through', async () => {
      expect(await setUp((db) => db.unsafeMode(false))).to.equal('ran; query ran');
    });
  });
}
