import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Query } from 'pg';
import { guard } from '../../lib';
import { RuntimeDdlError } from '../../lib/error-classes';
import { testDialects } from '../support/dialects';
import { pgSuperuserDatabase, refused, type SuperuserDatabase } from '../support/guard-attack';
import { testServers } from '../support/servers';

/*
 * Red team 4 (issue 8), connected as a superuser / the MariaDB admin so that only the guard
 * stands in the way. Each case failed before its fix: the lock was really taken, the
 * statement really ran, the history row was really written.
 */

const dialects = testDialects();

type Done = (error: Error | null, connection: unknown) => void;
// The raw driver connection, as loosely as a user's hook sees it.
type Raw = { query(...args: unknown[]): unknown; execute(...args: unknown[]): unknown; promise(): { query(...args: unknown[]): Promise<unknown> } };
type Hook = (conn: Raw) => Promise<unknown>;
// knex logs each failed acquire; here those failures are the point.
const log = { warn: () => undefined };

/** Builds a guarded instance whose pool.afterCreate runs `hook`, makes one query and returns how the hook ended. */
async function throughHook(config: Knex.Config, hook: Hook): Promise<{ hookError: unknown; result: unknown }> {
  let hookError: unknown;
  const guarded = guard(
    knex({
      ...config,
      log,
      acquireConnectionTimeout: 10000,
      pool: {
        min: 0,
        max: 1,
        afterCreate: (conn: Raw, done: Done) => {
          Promise.resolve().then(() => hook(conn)).then(
            () => done(null, conn),
            (error: Error) => {
              hookError = error;
              done(error, conn);
            },
          );
        },
      },
    }),
  );
  try {
    const result = await guarded.raw('select 1 as one').catch((error: unknown) => error);
    return { hookError, result };
  } finally {
    await guarded.destroy();
  }
}

/** pg's callback-or-promise query, as a promise. */
const pgSubmit = (conn: Raw, query: Query): Promise<unknown> =>
  new Promise((resolve, reject) => {
    (query as unknown as { callback: (error: Error | null, result: unknown) => void }).callback = (error, result) => (error ? reject(error) : resolve(result));
    try {
      conn.query(query);
    } catch (error) {
      reject(error);
    }
  });

if (dialects.includes('postgres')) {
  describe('guard red team 4, PostgreSQL as superuser', () => {
    const DATABASE = 'knexroles_redteam4';
    let connection: SuperuserDatabase['connection'];
    let admin: Knex;

    const database = pgSuperuserDatabase(DATABASE, 2);
    before(() => {
      ({ connection, admin } = database);
    });
    beforeEach(async () => {
      await admin.raw('drop table if exists victim');
      await admin.raw('create table victim (id serial primary key, b text)');
    });

    const victimExists = async (): Promise<boolean> => (await admin.raw(`select to_regclass('public.victim') as t`)).rows[0].t !== null;

    it('refuses row locks on knex_migrations_lock (FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE): the migrator is not blocked', async () => {
      await admin.raw('create table if not exists knex_migrations_lock (index serial primary key, is_locked integer)');
      await admin.raw('insert into knex_migrations_lock (is_locked) values (0)');
      const guarded = guard(knex({ client: 'pg', connection, pool: { min: 0, max: 1 } }));
      try {
        await guarded.transaction(async (trx) => {
          for (const strength of ['for update', 'FOR NO KEY UPDATE', 'for /* c */ share', 'for key share nowait']) {
            const error = await refused(() => trx.raw(`select * from "knex_migrations_lock" ${strength}`));
            expect(error.code, strength).to.equal('E_RUNTIME_MIGRATE');
          }
          // While the runtime transaction is open, the migrator's own lock is free.
          await admin.transaction(async (migrator) => {
            const rows = (await migrator.raw('select * from knex_migrations_lock for update nowait')).rows;
            expect(rows).to.have.length(1);
          });
          // Row locks on the app's own tables still work.
          await trx('victim').insert({ b: 'x' });
          expect(await trx('victim').select('b').forUpdate()).to.deep.equal([{ b: 'x' }]);
        });
      } finally {
        await guarded.destroy();
        await admin.raw('drop table if exists knex_migrations_lock');
      }
      expect(await victimExists()).to.equal(true);
    });

    it('refuses pg_read_file_old and pg_rotate_logfile_old, the pre-14 signatures pg_proc still has', async () => {
      const guarded = guard(knex({ client: 'pg', connection, log, pool: { min: 0, max: 1 } }));
      try {
        for (const [sql, keyword] of [
          [`select pg_read_file_old('postgresql.conf', 0, 60) as f`, 'PG_READ_FILE_OLD()'],
          [`select pg_catalog . "pg_read_file_old" ('PG_VERSION', 0, 10) as f`, 'PG_READ_FILE_OLD()'],
          ['select pg_rotate_logfile_old()', 'PG_ROTATE_LOGFILE_OLD()'],
        ] as const) {
          const error = await refused(() => guarded.raw(sql));
          expect(error.keyword, sql).to.equal(keyword);
        }
        // The server has them: the admin reads the file.
        expect((await admin.raw(`select pg_read_file_old('PG_VERSION', 0, 2) as f`)).rows[0].f).to.match(/^\d+/);
      } finally {
        await guarded.destroy();
      }
    });

    it('refuses refused functions called in attribute notation (`x.f` is f(x)), also those refused by prefix', async () => {
      const origins = async (): Promise<number> => Number((await admin.raw('select count(*) as n from pg_replication_origin')).rows[0].n);
      const before = await origins();
      const guarded = guard(knex({ client: 'pg', connection, log, pool: { min: 0, max: 1 } }));
      try {
        for (const [sql, keyword] of [
          [`select ('.'::text).pg_ls_dir`, 'PG_LS_DIR()'],
          [`select (array['.'])[1] . "pg_ls_dir"`, 'PG_LS_DIR()'],
          [`select s.pg_ls_dir from lower('.') s`, 'PG_LS_DIR()'],
          [`select pg_catalog.pg_read_file from lower('PG_VERSION') as pg_catalog`, 'PG_READ_FILE()'],
          [`select ('knex_roles_redteam4'::text).pg_replication_origin_create`, 'PG_REPLICATION_ORIGIN_CREATE()'],
        ] as const) {
          const error = await refused(() => guarded.raw(sql));
          expect(error.keyword, sql).to.equal(keyword);
        }
        expect(await origins(), 'replication origins').to.equal(before);
        // The server runs them: the admin lists the data directory that way.
        expect((await admin.raw(`select s.pg_ls_dir as f from lower('.') s`)).rows.map((r: { f: string }) => r.f)).to.include('PG_VERSION');
      } finally {
        await guarded.destroy();
      }
    });

    it('refuses SQL text that is not a string: knex would read it again after the check', async () => {
      const guarded = guard(knex({ client: 'pg', connection, log, pool: { min: 0, max: 1 } }));
      try {
        // knex.raw(x) without bindings hands x on as is; pg's positionBindings calls x.replace()
        // in the guard's check and again in knex's query, and this one answers differently.
        let calls = 0;
        const shifty = { replace: () => (calls++ === 0 ? 'select 1' : 'drop table victim') };
        const error = await refused(() => guarded.raw(shifty as unknown as string));
        expect(error.kind).to.equal('other');
        expect(await victimExists()).to.equal(true);
        await refused(() => guarded.raw(new String('select 1') as unknown as string));
        expect((await guarded.raw('select 1 as one')).rows).to.deep.equal([{ one: 1 }]);
      } finally {
        await guarded.destroy();
      }
    });

    describe('pool.afterCreate: pg sends the text the guard judged', () => {
      const hostile: Array<[title: string, hook: Hook]> = [
        [
          'a config whose text getter answers the guard and pg differently',
          (conn) => {
            let reads = 0;
            return conn.query({ get text() { return reads++ === 0 ? 'select 1' : 'drop table victim'; } }) as Promise<unknown>;
          },
        ],
        [
          'a submittable with its own submit()',
          (conn) =>
            new Promise((resolve, reject) => {
              try {
                conn.query({
                  text: 'select 1',
                  submit(protocol: { query(text: string): void }) {
                    protocol.query('drop table victim');
                  },
                  callback: (error: Error | null) => (error ? reject(error) : resolve(undefined)),
                  handleReadyForQuery(this: { callback(error: Error | null): void }) { this.callback(null); },
                  handleError(this: { callback(error: Error | null): void }, error: Error) { this.callback(error); },
                  handleCommandComplete() {},
                  handleRowDescription() {},
                  handleDataRow() {},
                  handleEmptyQuery() {},
                });
              } catch (error) {
                reject(error);
              }
            }),
        ],
        [
          'a pg Query whose prepare() is its own',
          (conn) => {
            const query = new Query('select 1') as Query & { requiresPreparation(): boolean; prepare(protocol: { query(text: string): void }): void };
            query.requiresPreparation = () => true;
            query.prepare = (protocol) => protocol.query('drop table victim');
            return pgSubmit(conn, query);
          },
        ],
        [
          'a pg Query whose text is changed while it waits in the queue',
          (conn) => {
            const first = conn.query('select pg_sleep(0.1)') as Promise<unknown>;
            const query = new Query('select 2');
            const queued = pgSubmit(conn, query);
            // The guard pins the judged text: the assignment throws (strict mode), or runs nothing.
            try {
              (query as unknown as { text: string }).text = 'drop table victim';
            } catch {
              // pinned
            }
            return Promise.all([first, queued]);
          },
        ],
      ];
      for (const [title, hook] of hostile) {
        it(`${title}: nothing is dropped`, async () => {
          await throughHook({ client: 'pg', connection }, hook);
          expect(await victimExists(), title).to.equal(true);
        });
      }

      it('pg Query objects, config objects and text still work in the hook', async () => {
        const { hookError, result } = await throughHook({ client: 'pg', connection }, async (conn) => {
          await pgSubmit(conn, new Query(`set application_name = 'redteam4'`));
          await conn.query({ text: `select set_config('app.tenant', $1, false)`, values: [`it's`] });
          await conn.query(`set timezone = 'UTC'`);
        });
        expect(hookError).to.equal(undefined);
        expect((result as { rows: unknown[] }).rows).to.deep.equal([{ one: 1 }]);
      });
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 4, MariaDB as admin', () => {
    const DATABASE = 'knexroles_redteam4';
    let admin: Knex;
    let connection: { host: string; port: number; user: string; password: string; database: string; multipleStatements: boolean };

    before(async () => {
      const { mysql } = await testServers();
      const server = { host: mysql.host, port: mysql.port, user: mysql.admin.user, password: mysql.admin.password };
      const root = knex({ client: 'mysql2', connection: server });
      await root.raw(`create database if not exists ${DATABASE}`);
      await root.destroy();
      // Stacked statements on, as a superuser's app might have them: only the guard refuses them.
      connection = { ...server, database: DATABASE, multipleStatements: true };
      admin = knex({ client: 'mysql2', connection });
    });
    beforeEach(async () => {
      await admin.raw('drop table if exists victim');
      await admin.raw('create table victim (id int)');
    });
    after(async () => {
      await admin?.raw(`drop database if exists ${DATABASE}`);
      await admin?.destroy();
    });

    const victimExists = async (): Promise<boolean> =>
      Number((await admin.raw(`select count(*) as n from information_schema.tables where table_schema = database() and table_name = 'victim'`))[0][0].n) === 1;
    const viaCallback = (run: (conn: Raw, callback: (error: Error | null) => void) => void): Hook => (conn) => new Promise((resolve, reject) => run(conn, (error) => (error ? reject(error) : resolve(undefined))));

    it('refuses system_versioning_insert_history, timestamp and DELETE HISTORY: the history of a system-versioned table cannot be forged or erased', async () => {
      await admin.raw('drop table if exists versioned');
      await admin.raw('create table versioned (id int, x text) with system versioning');
      // One history row: the old version of row 1.
      await admin.raw(`insert into versioned (id, x) values (1, 'old')`);
      await admin.raw(`update versioned set x = 'new' where id = 1`);
      const guarded = guard(knex({ client: 'mysql2', connection, log, pool: { min: 1, max: 1 } }));
      try {
        const forged = `insert into versioned (id, x, row_start, row_end) values (1, 'forged', '2001-01-01', '2002-01-01')`;
        for (const [sql, keyword] of [
          ['set system_versioning_insert_history = 1', 'SET SYSTEM_VERSIONING_INSERT_HISTORY'],
          [`set statement system_versioning_insert_history = 1 for ${forged}`, 'SET SYSTEM_VERSIONING_INSERT_HISTORY'],
          [`set @@session.system_versioning_insert_history = on; ${forged}`, 'SET SYSTEM_VERSIONING_INSERT_HISTORY'],
          ['set timestamp = 1000000000', 'SET TIMESTAMP'],
          [`set statement timestamp = 1000000000 for insert into versioned (id, x) values (2, 'back-dated')`, 'SET TIMESTAMP'],
          ['delete history from versioned', 'DELETE HISTORY'],
          [`delete /* c */ history from versioned before system_time '2100-01-01'`, 'DELETE HISTORY'],
        ] as const) {
          const error = await refused(() => guarded.raw(sql));
          expect(error.keyword, sql).to.equal(keyword);
        }
        // The session still records its changes with the server's own time.
        await guarded('versioned').insert({ id: 3, x: 'now' });
        const history = (await admin.raw('select id, x, year(row_start) as y from versioned for system_time all order by id, row_start'))[0];
        const year = new Date().getUTCFullYear();
        expect(history).to.deep.equal([
          { id: 1, x: 'old', y: year },
          { id: 1, x: 'new', y: year },
          { id: 3, x: 'now', y: year },
        ]);
      } finally {
        await guarded.destroy();
        await admin.raw('drop table if exists versioned');
      }
    });

    describe('pool.afterCreate: mysql2 sends the text the guard judged, values formatted in', () => {
      const stateful = (): { toSqlString(): string } => {
        let calls = 0;
        return { toSqlString: () => (calls++ === 0 ? '1' : '1; drop table victim') };
      };
      // What the guard judged is sent: the benign first answer runs, or the formatted text is refused.
      const hostile: Array<[title: string, hook: Hook, refused: boolean]> = [
        ['a value whose toSqlString() answers differently the second time', viaCallback((conn, cb) => conn.query('select ?', [stateful()], cb)), false],
        [
          'options whose values getter answers differently the second time',
          viaCallback((conn, cb) => {
            let reads = 0;
            conn.query({ sql: 'select ?', get values() { return reads++ === 0 ? [1] : [{ toSqlString: () => '1; drop table victim' }]; } }, cb);
          }),
          false,
        ],
        ['named placeholders asked for by the query itself', viaCallback((conn, cb) => conn.query({ sql: 'select :x', namedPlaceholders: true }, { x: { toSqlString: () => '1; drop table victim' } }, cb)), true],
        ['the same through conn.promise()', (conn) => conn.promise().query('select ?', [stateful()]), false],
      ];
      for (const [title, hook, refusedByGuard] of hostile) {
        it(`${title}: nothing is dropped`, async () => {
          const { hookError } = await throughHook({ client: 'mysql2', connection }, hook);
          if (refusedByGuard) {
            expect(hookError, title).to.be.instanceOf(RuntimeDdlError);
            expect((hookError as RuntimeDdlError).keyword, title).to.equal('DROP TABLE');
          } else {
            expect(hookError, title).to.equal(undefined);
          }
          expect(await victimExists(), title).to.equal(true);
        });
      }

      it('set-up with bound and named values still works in the hook', async () => {
        const guarded = guard(
          knex({
            client: 'mysql2',
            connection,
            log,
            pool: {
              min: 0,
              max: 1,
              afterCreate: (conn: Raw, done: Done) =>
                conn.query('set @tenant = ?', [`it's \\ t1`], (error: Error | null) =>
                  error ? done(error, conn) : conn.query({ sql: 'set @n = :n', namedPlaceholders: true }, { n: 5 }, (e: Error | null) => (e ? done(e, conn) : conn.execute('select ? as x', [1], (e2: Error | null) => done(e2, conn))))),
            },
          }),
        );
        try {
          expect((await guarded.raw('select @tenant as t, @n as n'))[0]).to.deep.equal([{ t: `it's \\ t1`, n: 5 }]);
        } finally {
          await guarded.destroy();
        }
      });
    });
  });
}

describe('guard red team 4, SQLite file', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'knex-roles-redteam4-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('pool.afterCreate: better-sqlite3 backup(path) is judged as VACUUM INTO: no copy of the database is written', async () => {
    const copy = join(dir, 'copy.sqlite');
    writeFileSync(join(dir, 'db.sqlite'), ''); // an existing database: a runtime connection does not create one
    const { hookError } = await throughHook(
      { client: 'better-sqlite3', connection: { filename: join(dir, 'db.sqlite') }, useNullAsDefault: true },
      (conn) => (conn as unknown as { backup(path: string): Promise<unknown> }).backup(copy),
    );
    expect(hookError).to.be.instanceOf(RuntimeDdlError);
    expect((hookError as RuntimeDdlError).keyword).to.equal('VACUUM');
    expect(existsSync(copy), 'copy written').to.equal(false);
  });
});
