import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { RuntimeDdlError } from '../../lib/error-classes';
import { testServers, type TestServers } from './servers';

/** Runs `run` and returns the guard's refusal; any other outcome fails the test. */
export async function refused(run: () => Promise<unknown>): Promise<RuntimeDdlError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof RuntimeDdlError) return err;
    throw err;
  }
  throw new Error('expected the guard to refuse');
}

/** The throwaway PostgreSQL server's superuser on its `postgres` database: only the guard stands in the way. */
export function pgSuperuser(servers: TestServers): { host: string; port: number; user: string; password: string; database: string } {
  const { postgres } = servers;
  return { host: postgres.host, port: postgres.port, user: postgres.admin.user, password: postgres.admin.password, database: 'postgres' };
}

/** What pgSuperuserDatabase() holds for its suite; set by its `before` hook. */
export interface SuperuserDatabase {
  /** The superuser's connection settings on the suite's own database. */
  connection: ReturnType<typeof pgSuperuser>;
  /** An unguarded superuser instance on it, for setting up and checking. */
  admin: Knex;
}

/**
 * Registers, in the caller's describe, a throwaway database `name` on the test PostgreSQL
 * server for the superuser (made before the suite, dropped after it, sessions and all).
 */
export function pgSuperuserDatabase(name: string, poolMax = 2): SuperuserDatabase {
  const suite = {} as SuperuserDatabase;
  before(async () => {
    const server = pgSuperuser(await testServers());
    const root = knex({ client: 'pg', connection: server });
    await root.raw(`drop database if exists ${name}`);
    await root.raw(`create database ${name}`);
    await root.destroy();
    suite.connection = { ...server, database: name };
    suite.admin = knex({ client: 'pg', connection: suite.connection, pool: { min: 0, max: poolMax } });
  });
  after(async () => {
    await suite.admin?.destroy();
    const root = knex({ client: 'pg', connection: pgSuperuser(await testServers()) });
    await root.raw(`drop database if exists ${name} with (force)`);
    await root.destroy();
  });
  return suite;
}

/** The test MariaDB server's superuser, without a default database. */
export async function mysqlSuperuser(): Promise<Omit<SuperuserDatabase['connection'], 'database'>> {
  const { mysql } = await testServers();
  return { host: mysql.host, port: mysql.port, user: mysql.admin.user, password: mysql.admin.password };
}

/**
 * pgSuperuserDatabase's twin on the test MariaDB server: database `name` made before the
 * suite, dropped after it; `admin` (mysql2, no default database) sets up and checks.
 */
export function mysqlSuperuserDatabase(name: string): SuperuserDatabase {
  const suite = {} as SuperuserDatabase;
  before(async () => {
    const server = await mysqlSuperuser();
    suite.admin = knex({ client: 'mysql2', connection: server, pool: { min: 0, max: 1 } });
    await suite.admin.raw(`create database if not exists ${name}`);
    suite.connection = { ...server, database: name };
  });
  after(async () => {
    await suite.admin?.raw(`drop database if exists ${name}`);
    await suite.admin?.destroy();
  });
  return suite;
}

/**
 * Whether another session cannot take the rows of mysql.innodb_table_stats FOR UPDATE NOWAIT
 * (ER_LOCK_WAIT_TIMEOUT, 1205): a runtime connection holds a lock on that system table.
 */
export function innodbStatsRowsLocked(admin: Knex): Promise<boolean> {
  return admin.transaction(async (trx) => {
    try {
      await trx.raw('select * from mysql.innodb_table_stats for update nowait');
      return false;
    } catch (error) {
      if ((error as { errno?: number }).errno === 1205) return true;
      throw error;
    }
  });
}

/** A SQLite file in a temporary folder made before the suite and removed after it. */
export function sqliteSuiteFile(prefix: string): { readonly filename: string } {
  const suite = { filename: '' };
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    suite.filename = join(dir, 'app.sqlite');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return suite;
}

/** Whether `table` exists: on PostgreSQL (search_path), in MySQL database `schema`, or in the SQLite file. */
export const tableExists = {
  postgres: async (admin: Knex, table: string): Promise<boolean> => (await admin.raw('select to_regclass(?) is not null as e', [table])).rows[0].e,
  mysql: async (admin: Knex, schema: string, table: string): Promise<boolean> =>
    (await admin.raw('select count(*) as n from information_schema.tables where table_schema = ? and table_name = ?', [schema, table]))[0][0].n > 0,
  sqlite: async (filename: string, table: string): Promise<boolean> => {
    const check = knex({ client: 'better-sqlite3', connection: { filename }, useNullAsDefault: true });
    try {
      return (await check.raw('select count(*) as n from sqlite_master where name = ?', [table]))[0].n > 0;
    } finally {
      await check.destroy();
    }
  },
};

/** A Node-style callback call (mysql2 `query(sql, cb)`) as a promise: rejected with the callback's error. */
export function called(send: (callback: (error: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => send((error) => (error ? reject(error) : resolve())));
}

/**
 * One guarded knex instance of `config` whose single pooled connection is set up by `hook`
 * as its pool.afterCreate (sync or async; a throw or rejection fails the set-up), used by
 * `use` and destroyed. By default `use` runs one query and asserts nothing about it: a fix
 * may refuse any step (the hook's call, the session, the query), so attack tests assert the effect.
 */
export async function throughHook<C, T = unknown>(config: Knex.Config, hook: (conn: C) => unknown, use: (db: Knex) => Promise<T> = (db) => db.raw('select 1').catch(() => undefined)): Promise<T> {
  const guarded = guard(
    knex({
      ...config,
      pool: {
        min: 0,
        max: 1,
        afterCreate: (conn: C, done: (error: unknown, conn: C) => void) =>
          void Promise.resolve()
            .then(() => hook(conn))
            .then(
              () => done(null, conn),
              (error: unknown) => done(error, conn),
            ),
      },
    }),
  );
  try {
    return await use(guarded);
  } finally {
    await guarded.destroy();
  }
}

/**
 * One guarded knex instance of `config` whose single pooled connection is checked by `validate`
 * as its pool.validate (knex 3.3+ calls it each time the pool hands the connection out again):
 * two queries, so it runs once, then `use` (by default the second query's outcome). A refused
 * validate fails every connection, and knex then makes new ones until the acquire times out:
 * kept short. Destroyed after.
 */
export async function throughValidate<T = string>(config: Knex.Config, validate: (conn: never) => unknown, use?: (db: Knex) => Promise<T>): Promise<T> {
  const db = guard(knex({ ...config, acquireConnectionTimeout: 1500, pool: { min: 0, max: 1, validate: validate as never } }));
  try {
    await outcomeOf(db.raw('select 1'));
    const second = await outcomeOf(db.raw('select 1'));
    return use === undefined ? (second as T) : await use(db);
  } finally {
    await db.destroy();
  }
}

/** A Node-style driver callback. */
export type Callback = (error: unknown, ...results: unknown[]) => void;

/** Runs `attack`, never letting it throw or hang the hook: what came of it, for failure messages. */
export function attempt(attack: (report: (outcome: string) => void) => void): Promise<string> {
  return new Promise((resolve) => {
    try {
      attack(resolve);
    } catch (error) {
      resolve(`refused: ${(error as Error).message}`);
    }
  });
}

/** An outcome callback for a node-style driver call. */
export const reporting = (report: (outcome: string) => void): Callback => (error) => report(error ? `refused: ${(error as Error).message}` : 'ran');

/** 'ran', or 'refused: <message>': what a query attempt came to, for a failure message. */
export function outcomeOf(run: PromiseLike<unknown>): Promise<string> {
  return Promise.resolve(run).then(
    () => 'ran',
    (e: Error) => `refused: ${e.message}`,
  );
}

/** What `sql` came to (outcomeOf) on a guarded instance of `client` with `connection` and one pooled connection, destroyed after. */
export async function guardedOutcomeWith(client: string, connection: unknown, sql: string): Promise<string> {
  const db = guard(knex({ client, connection: connection as Knex.Config['connection'], pool: { min: 0, max: 1 } }));
  try {
    return await outcomeOf(db.raw(sql));
  } finally {
    await db.destroy();
  }
}

/** knex's two bookkeeping tables in `admin`'s PostgreSQL database, as knex makes them, with one migration recorded and the lock row unlocked. */
export async function seedPgBookkeeping(admin: Knex): Promise<void> {
  await admin.raw('create table if not exists knex_migrations (id serial primary key, name varchar(255), batch int, migration_time timestamptz)');
  await admin.raw('create table if not exists knex_migrations_lock (index serial primary key, is_locked int)');
  await admin.raw('delete from knex_migrations');
  await admin.raw('delete from knex_migrations_lock');
  await admin.raw("insert into knex_migrations (name, batch) values ('001_init.js', 1)");
  await admin.raw('insert into knex_migrations_lock (is_locked) values (0)');
}

/** A raw whose toSQL() gives one plain query object that `keep` holds on to (so a 'query' listener can change it). */
export function keptRaw(db: Knex, sql: string, keep: (query: Record<string, unknown>) => void): Knex.Raw {
  const raw = db.raw(sql);
  const query: Record<string, unknown> = { bindings: [], method: 'raw', options: {}, sql };
  keep(query);
  (raw as unknown as { toSQL: () => unknown }).toSQL = () => query;
  return raw;
}

/**
 * Runs `sql` in a transaction on a guarded pg instance of `database` and counts, while it is
 * open, the locks other sessions (the runtime one) hold on `regclass`; with what came of it.
 */
export async function lockedInGuardedTransaction(database: SuperuserDatabase, sql: string, regclass: string): Promise<{ held: number; outcome: string }> {
  const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));
  let held = 0;
  try {
    const outcome = await outcomeOf(
      db.transaction(async (trx) => {
        await trx.raw(sql);
        held = (await database.admin.raw('select count(*)::int as n from pg_locks where relation = ?::regclass and pid <> pg_backend_pid()', [regclass])).rows[0].n;
      }),
    );
    return { held, outcome };
  } finally {
    await db.destroy();
  }
}
