import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QueryStream from 'pg-query-stream';
import { createKnex, guard, type Dialect } from '../../lib';
import { RuntimeDdlError, UnguardedPathError } from '../../lib/error-classes';
import { KNEX_CLIENTS, testClients } from '../support/knex-clients';
import { pgSuperuser, refused } from '../support/guard-attack';
import { testServers } from '../support/servers';
import { rejection } from '../support/rejection';

/*
 * The paths around guard(knex), attacked as a SUPERUSER (PostgreSQL superuser, MariaDB
 * admin, SQLite file), so that only the guard stands between them and `drop table victim`:
 * what knex made from the instance before guard() was called (withUserParams copies,
 * transactions, transaction providers) and the raw connection the pool's afterCreate hook
 * receives. Each is refused end to end or covered, and ordinary work keeps working.
 */

type Done = (error: Error | null, connection: unknown) => void;
type AfterCreate = (connection: never, done: Done) => void;
// The raw driver connections, as loosely as a user's hook sees them.
type Call = (...args: unknown[]) => unknown;
interface Raw {
  query: Call;
  execute: Call;
  exec: Call;
  prepare: Call;
  pragma: Call;
  loadExtension: Call;
  format: (sql: string, values: unknown) => string;
}

/** A hook whose body reports to a node-style callback. */
const viaCallback =
  (run: (conn: Raw, callback: (error?: Error | null) => void) => void): AfterCreate =>
  (conn: never, done: Done) =>
    run(conn, (error) => done(error ?? null, conn));
/** A hook whose body returns a promise. */
const viaPromise =
  (run: (conn: Raw) => Promise<unknown>): AfterCreate =>
  (conn: never, done: Done) =>
    void run(conn).then(() => done(null, conn), (error: Error) => done(error, conn));
/** A hook whose body is synchronous (better-sqlite3); a throw fails the hook. */
const inline =
  (run: (conn: Raw) => void): AfterCreate =>
  (conn: never, done: Done) => {
    run(conn);
    done(null, conn);
  };

type Hook = [title: string, hook: AfterCreate, keyword: string];

interface Target {
  /** A plain (unguarded) knex config connected as the superuser / to the file. */
  config(pool?: Knex.PoolConfig): Knex.Config;
  /** The same connection built by createKnex() as a runtime instance, guarded from the start: only on the dialect's default client. */
  created?: (pool: Knex.PoolConfig) => Knex;
  admin: Knex;
  createVictim(): Promise<void>;
  victimExists(): Promise<boolean>;
  /** Hooks that try what a runtime connection may not, with the keyword they are refused as. */
  hostileHooks: Hook[];
  /** Session set-up the hook may do, and how to read it back on the guarded instance. */
  setup: { hook: AfterCreate; read(db: Knex): Promise<unknown>; value: unknown };
  close(): Promise<void>;
}

const MYSQL_DATABASE = 'knexroles_paths';
// knex logs each failed acquire ("Acquire connection error: …"); here those failures are the point.
const log = { warn: () => undefined };

/** The target on `dialect` through knex client `client`; `created` is undefined where createKnex() would pick another client (its dialect's default). */
async function targetFor(dialect: Dialect, client: string): Promise<Target> {
  if (dialect === 'postgres') {
    const connection = pgSuperuser(await testServers());
    const admin = knex({ client: 'pg', connection });
    const env = { PG_HOST: connection.host, PG_PORT: String(connection.port), PG_USER: connection.user, PG_PASSWORD: connection.password, PG_NAME: connection.database };
    return {
      admin,
      config: (pool) => ({ client, connection, log, pool: { min: 0, max: 2, ...pool } }),
      ...(client === 'pg' ? { created: (pool: Knex.PoolConfig) => createKnex({ env, role: 'runtime', knex: { pool, log } }) } : {}),
      createVictim: async () => {
        await admin.raw('drop table if exists victim');
        await admin.raw('create table victim (id serial primary key, b text)');
      },
      victimExists: async () => (await admin.raw(`select to_regclass('public.victim') as t`)).rows[0].t !== null,
      hostileHooks: [
        ['query(text, callback)', viaCallback((conn, cb) => conn.query('drop table victim', cb)), 'DROP TABLE'],
        ['query({ text }) as a promise', viaPromise((conn) => conn.query({ text: 'select 1; drop table victim' }) as Promise<unknown>), 'DROP TABLE'],
        // Only pg's own Query is accepted as a submittable: another's submit() may send anything.
        ['query(submittable)', inline((conn) => void conn.query(new QueryStream('drop table victim'))), ''],
        ['query(submittable) of allowed text', inline((conn) => void conn.query(new QueryStream('select 1'))), ''],
        ['query() of a shape the guard cannot read', viaCallback((conn, cb) => conn.query({ name: 'prepared-elsewhere' }, cb)), ''],
        ['a client-only client_encoding', viaPromise((conn) => conn.query(`set client_encoding = 'SJIS'`) as Promise<unknown>), 'SET CLIENT_ENCODING'],
        ['another identity', viaPromise((conn) => conn.query(`set session authorization postgres`) as Promise<unknown>), 'SET SESSION AUTHORIZATION'],
      ],
      setup: {
        hook: viaPromise(async (conn) => {
          await conn.query(`set application_name = 'knex-roles-hook'`);
          await conn.query(`select set_config('app.tenant', 't1', false)`);
        }),
        read: async (db) => (await db.raw(`select current_setting('application_name') as a, current_setting('app.tenant') as t`)).rows[0],
        value: { a: 'knex-roles-hook', t: 't1' },
      },
      close: () => admin.destroy(),
    };
  }
  if (dialect === 'mysql') {
    const { mysql } = await testServers();
    const server = { host: mysql.host, port: mysql.port, user: mysql.admin.user, password: mysql.admin.password };
    const admin = knex({ client: 'mysql2', connection: server });
    await admin.raw(`create database if not exists ${MYSQL_DATABASE}`);
    // Stacked statements on, as a superuser's app might have them: only the guard refuses them.
    const connection = { ...server, database: MYSQL_DATABASE, multipleStatements: true };
    const env = { DB_CONNECTION: 'mysql', DB_HOST: mysql.host, DB_PORT: String(mysql.port), DB_USER: server.user, DB_PASSWORD: server.password, DB_NAME: MYSQL_DATABASE };
    return {
      admin,
      config: (pool) => ({ client, connection, log, pool: { min: 0, max: 2, ...pool } }),
      ...(client === 'mysql2' ? { created: (pool: Knex.PoolConfig) => createKnex({ env, role: 'runtime', knex: { pool, log } }) } : {}),
      createVictim: async () => {
        await admin.raw(`drop table if exists ${MYSQL_DATABASE}.victim`);
        await admin.raw(`create table ${MYSQL_DATABASE}.victim (id int auto_increment primary key, b text)`);
      },
      victimExists: async () =>
        (await admin.raw(`select count(*) as n from information_schema.tables where table_schema = ? and table_name = 'victim'`, [MYSQL_DATABASE]))[0][0].n === 1,
      hostileHooks: [
        ['query(sql, callback)', viaCallback((conn, cb) => conn.query(`drop table ${MYSQL_DATABASE}.victim`, cb)), 'DROP TABLE'],
        // mysql2 and mysql show the text they send by their own format(); the mariadb connector has none (connector-format.ts).
        ...(client === 'mariadb'
          ? ([['query({ sql }, values, callback): the text with the values written in the connector\'s way', viaCallback((conn, cb) => conn.query({ sql: 'select 1 /*/ ? */' }, [`*/; drop table ${MYSQL_DATABASE}.victim; -- `], cb)), 'DROP TABLE']] as Hook[])
          : ([['query({ sql }, values, callback): the text with the values formatted in', viaCallback((conn, cb) => {
              conn.format = () => `select 1; drop table ${MYSQL_DATABASE}.victim`;
              conn.query({ sql: 'select ?' }, ['x'], cb);
            }), 'DROP TABLE']] as Hook[])),
        // The mysql driver has no execute().
        ...(client === 'mysql' ? [] : ([['execute(sql, callback)', viaCallback((conn, cb) => conn.execute(`drop table ${MYSQL_DATABASE}.victim`, cb)), 'DROP TABLE']] as Hook[])),
        ['a lexing sql_mode', viaCallback((conn, cb) => conn.query(`set session sql_mode = 'ANSI'`, cb)), 'SET SQL_MODE'],
      ],
      setup: {
        hook: viaCallback((conn, cb) =>
          conn.query(`set session time_zone = '+03:00'`, (error: Error | null) => (error ? cb(error) : conn.query('set @tenant = ?', [`it's \\ t1`], cb))),
        ),
        read: async (db) => (await db.raw('select @@session.time_zone as z, @tenant as t'))[0][0],
        value: { z: '+03:00', t: `it's \\ t1` },
      },
      close: async () => {
        await admin.raw(`drop database if exists ${MYSQL_DATABASE}`);
        await admin.destroy();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'knex-roles-paths-'));
  const filename = join(dir, 'db.sqlite');
  const admin = knex({ client: 'better-sqlite3', connection: { filename }, useNullAsDefault: true });
  return {
    admin,
    config: (pool) => ({ client: 'better-sqlite3', connection: { filename }, useNullAsDefault: true, log, ...(pool ? { pool } : {}) }),
    created: (pool) => createKnex({ env: { SQLITE_PATH: filename }, role: 'runtime', knex: { pool, log } }),
    createVictim: async () => {
      await admin.raw('drop table if exists victim');
      await admin.raw('create table victim (id integer primary key, b text)');
    },
    victimExists: async () => (await admin.raw(`select count(*) as n from sqlite_master where name = 'victim'`))[0].n === 1,
    hostileHooks: [
      ['exec(sql)', inline((conn) => conn.exec('drop table victim')), 'DROP TABLE'],
      ['prepare(sql).run()', inline((conn) => (conn.prepare('drop table victim') as { run(): unknown }).run()), 'DROP TABLE'],
      ['pragma(source)', inline((conn) => conn.pragma('writable_schema = ON')), 'PRAGMA WRITABLE_SCHEMA'],
      ['loadExtension(path)', inline((conn) => conn.loadExtension(join(dir, 'nope'))), 'LOAD_EXTENSION()'],
    ],
    setup: {
      hook: inline((conn) => conn.pragma('cache_size = -1234')),
      read: async (db) => (await db.raw('pragma cache_size'))[0],
      value: { cache_size: -1234 },
    },
    close: async () => {
      await admin.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Inserts, updates, reads, commits and rolls back on `db`: ordinary work under the guard. */
async function crud(db: Knex): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('victim').insert({ b: `it's` });
    await trx.transaction(async (inner) => inner('victim').where({ b: `it's` }).update({ b: 'kept' }));
  });
  await db
    .transaction(async (trx) => {
      await trx('victim').insert({ b: 'rolled back' });
      throw new Error('roll back');
    })
    .catch(() => undefined);
  expect((await db('victim').select('b')).map((row: { b: string }) => row.b)).to.deep.equal(['kept']);
  await db('victim').delete();
}

for (const { dialect, client } of testClients()) {
  describe(`guard() paths, ${dialect === 'sqlite' ? 'SQLite file' : `${dialect} as superuser`}, knex client ${client}`, () => {
    let target: Target;

    before(async () => {
      target = await targetFor(dialect, client);
    });
    beforeEach(async () => target.createVictim());
    after(async () => target?.close());

    /** Runs `run` on `db`, destroys it, then checks that the victim table is still there. */
    const using = async (db: Knex, run: (db: Knex) => Promise<void>, title?: string): Promise<void> => {
      try {
        await run(db);
      } finally {
        await db.destroy();
      }
      expect(await target.victimExists(), title).to.equal(true);
    };

    it('a withUserParams() copy made before guard() gets no connection (E_GUARD_EARLIER_CLONE); copies made after are guarded', () =>
      using(knex(target.config()), async (db) => {
        const early = db.withUserParams({ tenant: 'early' });
        // It worked before guard(): that is the unguarded client it keeps.
        expect(await early('victim').select()).to.deep.equal([]);
        guard(db);
        for (const run of [() => early.raw('drop table victim'), () => early('victim').select(), () => early.transaction((trx) => trx.raw('drop table victim'))]) {
          const error = await rejection(run);
          expect(error).to.be.instanceOf(UnguardedPathError);
          expect(error).to.include({ code: 'E_GUARD_EARLIER_CLONE', path: 'earlier-clone', dialect });
        }
        const late = db.withUserParams({ tenant: 'late' });
        await refused(() => late.raw('drop table victim'));
        await refused(() => late.transaction((trx) => trx.raw('drop table victim')));
        await crud(late);
      }));

    it('guard() refuses while a transaction begun before it holds a connection (E_GUARD_IN_USE), and guards once it is over', async () => {
      const holders: Array<[string, (db: Knex) => Promise<Knex.Transaction>]> = [
        ['knex.transaction()', (db) => db.transaction()],
        ['knex.transactionProvider()()', (db) => db.transactionProvider()()],
        ["a withUserParams() copy's transaction", (db) => db.withUserParams({ tenant: 't' }).transaction()],
      ];
      for (const [title, begin] of holders) {
        await using(
          knex(target.config()),
          async (db) => {
            const trx = await begin(db);
            const error = await rejection(() => guard(db));
            expect(error, title).to.be.instanceOf(UnguardedPathError);
            expect(error, title).to.include({ code: 'E_GUARD_IN_USE', path: 'in-use', dialect });
            await trx.rollback();
            expect(guard(db)).to.equal(db);
            await refused(() => db.transaction((t) => t.raw('drop table victim')));
            await crud(db);
          },
          title,
        );
      }
    });

    it('a transaction or provider asked for before guard() but begun after it is guarded', () =>
      using(knex(target.config()), async (db) => {
        const provider = db.transactionProvider();
        // knex begins a transaction on a later tick: here after guard() returned.
        const pending = db.transaction();
        guard(db);
        const trx = await pending;
        await refused(() => trx.raw('drop table victim'));
        await trx('victim').insert({ b: 'in trx' });
        await trx.commit();
        const provided = await provider();
        await refused(() => provided.raw('drop table victim'));
        await provided('victim').where({ b: 'in trx' }).delete();
        await provided.commit();
        expect(await db('victim').select()).to.deep.equal([]);
      }));

    for (const [path, build] of [
      ['guard(knex)', (pool: Knex.PoolConfig) => guard(knex(target.config(pool)))],
      ...(client === KNEX_CLIENTS[dialect][0] ? ([['createKnex()', (pool: Knex.PoolConfig) => (target.created as (pool: Knex.PoolConfig) => Knex)(pool)]] as const) : []),
    ] as const) {
      it(`${path}: the raw connection pool.afterCreate receives refuses what a runtime connection may not run`, async () => {
        for (const [title, hook, keyword] of target.hostileHooks) {
          await using(
            build({ afterCreate: hook }),
            async (db) => {
              // The hook fails, so the pool makes no connection and the query never runs.
              const error = await rejection(() => db.raw('select 1'));
              expect(error, title).to.be.instanceOf(RuntimeDdlError);
              expect((error as RuntimeDdlError).keyword, title).to.equal(keyword);
            },
            title,
          );
        }
      });

      it(`${path}: session set-up in pool.afterCreate works, and so does ordinary work after it`, () =>
        using(build({ min: 1, max: 1, afterCreate: target.setup.hook }), async (db) => {
          expect(await target.setup.read(db)).to.deep.equal(target.setup.value);
          await crud(db);
          await refused(() => db.raw('drop table victim'));
        }));
    }

    if (dialect === 'sqlite') {
      it('dangerouslyAllow opens a keyword in pool.afterCreate as it does in queries', async () => {
        const wal = inline((conn) => conn.pragma('journal_mode = WAL'));
        await using(guard(knex(target.config({ afterCreate: wal }))), async (strict) => {
          expect(await rejection(() => strict.raw('select 1'))).to.be.instanceOf(RuntimeDdlError).and.include({ keyword: 'PRAGMA JOURNAL_MODE' });
        });
        await using(guard(knex(target.config({ afterCreate: wal })), { dangerouslyAllow: ['PRAGMA JOURNAL_MODE'] }), async (allowing) => {
          expect(await allowing.raw('pragma journal_mode')).to.deep.equal([{ journal_mode: 'wal' }]);
          await refused(() => allowing.raw('drop table victim'));
        });
      });
    }
  });
}
