import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { detectPooler } from '../../lib/dialects/postgres/pooler';
import { doctor, formatDoctor } from '../../lib/checks/doctor';
import { PooledMigrationError, RuntimeDdlError } from '../../lib/errors';
import { createKnex } from '../../lib/knexfile';
import { runMigrations } from '../../lib/migrate/run-migrations';
import { startKnex } from '../../lib/start-knex';
import { FIXTURES, TABLE, cleanup, inspector, options, recorded } from '../fixtures/migrate-support';
import { startPgbouncer, type PgBouncer } from '../support/pgbouncer-server';
import { runCli } from '../support/run-command';
import { TEST_APP, TEST_DATABASE, TEST_MIGRATOR, testEnv, testServers, type TestServers } from '../support/servers';
import { serverDialects } from '../support/dialects';

// The app through a real PgBouncer in transaction mode (the pooled URL), migrations direct:
// what works through the pooler, what doctor says about it, and migrate refusing it.

const ITEMS = 'pb_items';
/** knex-roles' advisory lock class ('knxr', lib/migrate/wait-for-lock.ts). */
const LOCK_CLASS = 0x6b6e7872;

if (serverDialects().includes('postgres')) describe('PostgreSQL through PgBouncer (transaction pooling for the app, direct migrations)', () => {
  let servers: TestServers;
  let direct: Record<string, string>;
  /** Both roles through the transaction-mode pooler. */
  let pooled: Record<string, string>;
  let transaction: PgBouncer;
  let session: PgBouncer;
  let dir: string;
  let superuser: Client;
  const open: Knex[] = [];

  const through = (bouncer: PgBouncer, scope: 'RUNTIME' | 'MIGRATION'): Record<string, string> => ({ [`PG_TEST_${scope}_HOST`]: bouncer.host, [`PG_TEST_${scope}_PORT`]: String(bouncer.port) });
  const runtime = (env: Record<string, string>, pool: Knex.PoolConfig = { min: 0, max: 4 }): Knex => {
    const db = createKnex({ env, test: true, role: 'runtime', dialect: 'postgres', knex: { pool } });
    open.push(db);
    return db;
  };
  /** A raw pg client through `bouncer` as the app, for what knex hides (which server process answers). */
  const appClient = async (bouncer: PgBouncer): Promise<Client> => {
    const client = new Client({ host: bouncer.host, port: bouncer.port, user: TEST_APP.user, password: TEST_APP.password, database: TEST_DATABASE });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const pid = async (db: Knex | Knex.Transaction | Client): Promise<number> => {
    const sql = 'select pg_backend_pid() as pid';
    const result = (db instanceof Client ? await db.query(sql) : await db.raw(sql)) as { rows: Array<{ pid: number }> };
    return Number(result.rows[0]?.pid);
  };

  before(async () => {
    const base = await testEnv();
    servers = await testServers();
    direct = { ...base, DB_TEST_CONNECTION: 'pg', NODE_ENV: 'test' };
    dir = mkdtempSync(join(tmpdir(), 'knex-roles-pgbouncer-'));
    chmodSync(dir, 0o755); // PgBouncer runs as the postgres account and must reach its files
    const users = [TEST_APP.user, TEST_MIGRATOR.user];
    [transaction, session] = await Promise.all([
      startPgbouncer(join(dir, 'transaction'), servers.postgres, users, { poolMode: 'transaction', poolSize: 4 }),
      startPgbouncer(join(dir, 'session'), servers.postgres, users, { poolMode: 'session', poolSize: 4 }),
    ]);
    pooled = { ...direct, ...through(transaction, 'RUNTIME'), ...through(transaction, 'MIGRATION') };
    superuser = new Client({ host: servers.postgres.host, port: servers.postgres.port, ...servers.postgres.admin, database: TEST_DATABASE });
    await superuser.connect();
    const migrator = inspector({ ...direct, ELOQUENT_DB_ROLE: 'migration' });
    try {
      await migrator.schema.dropTableIfExists(ITEMS);
      await migrator.schema.createTable(ITEMS, (t) => {
        t.increments('id');
        t.string('title');
      });
    } finally {
      await migrator.destroy();
    }
  });

  after(async () => {
    for (const db of open) await db.destroy();
    const migrator = inspector({ ...direct, ELOQUENT_DB_ROLE: 'migration' });
    try {
      await migrator.schema.dropTableIfExists(ITEMS);
      await cleanup(migrator, 'postgres');
      await migrator.schema.dropTableIfExists(`${TABLE}_lock`);
      await migrator.schema.dropTableIfExists(TABLE);
    } finally {
      await migrator.destroy();
    }
    await superuser?.end();
    await Promise.all([transaction?.process.stop('SIGINT'), session?.process.stop('SIGINT')]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('detection', () => {
    it('a direct connection: the process ID sent at login is pg_backend_pid()', async () => {
      const detection = await detectPooler(runtime(direct));
      expect(detection.mode).to.equal('direct');
    });

    it('PgBouncer in transaction mode: found, and its mode proven', async () => {
      const detection = await detectPooler(runtime(pooled));
      expect(detection.mode).to.equal('transaction');
      expect(detection.evidence).to.include('not pg_backend_pid()');
    });

    it('PgBouncer in session mode: found, and each client keeps its server process', async () => {
      const detection = await detectPooler(runtime({ ...direct, ...through(session, 'RUNTIME') }));
      expect(detection.mode).to.equal('session');
    });

    it('why migrations need a session: a session lock taken through the transaction pooler outlives the unlock', async () => {
      const [holder, other] = [await appClient(transaction), await appClient(transaction)];
      try {
        const locked = (await holder.query('select pg_try_advisory_lock(42, 42) as ok, pg_backend_pid() as pid')).rows[0] as { ok: boolean; pid: number };
        expect(locked.ok).to.equal(true);
        await other.query('begin'); // takes the idle server process, the one holding the lock
        expect(await pid(other)).to.equal(locked.pid);
        const unlocked = (await holder.query('select pg_advisory_unlock(42, 42) as ok')).rows[0] as { ok: boolean };
        expect(unlocked.ok).to.equal(false); // sent to another server process: the lock stays
        expect((await superuser.query(`select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = 42 and objid = 42 and pid = $1`, [locked.pid])).rows[0].n).to.equal(1);
        await other.query('select pg_advisory_unlock_all()');
        await other.query('commit');
      } finally {
        await Promise.all([holder.end(), other.end()]);
      }
    });
  });

  describe('the runtime role through the pooler', () => {
    it('guarded CRUD works, and DDL is still refused by the guard', async () => {
      const db = runtime(pooled);
      const [id] = (await db(ITEMS).insert({ title: 'pooled' }).returning('id')) as Array<{ id: number }>;
      expect((await db(ITEMS).where({ id: id?.id }).first())?.title).to.equal('pooled');
      expect(await db(ITEMS).where({ id: id?.id }).update({ title: 'renamed' })).to.equal(1);
      expect(await db(ITEMS).where({ id: id?.id }).delete()).to.equal(1);
      const error = await db.schema.createTable('pb_intruder', (t) => t.increments()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(RuntimeDdlError);
    });

    it('a transaction stays on one server process: it commits, rolls back, and keeps its savepoints', async () => {
      const db = runtime(pooled);
      await db.transaction(async (trx) => {
        const first = await pid(trx);
        await trx(ITEMS).insert({ title: 'kept' });
        await trx.transaction(async (inner) => {
          await inner(ITEMS).insert({ title: 'inner' });
        });
        expect(await pid(trx)).to.equal(first);
      });
      const rolledBack = await db
        .transaction(async (trx) => {
          await trx(ITEMS).insert({ title: 'gone' });
          throw new Error('roll back');
        })
        .catch((e: Error) => e.message);
      expect(rolledBack).to.equal('roll back');
      expect(await db(ITEMS).whereIn('title', ['kept', 'inner', 'gone']).orderBy('title').pluck('title')).to.deep.equal(['inner', 'kept']);
      await db(ITEMS).delete();
    });

    it('twelve concurrent transactions over four server connections each see only their own work', async () => {
      const db = runtime(pooled, { min: 0, max: 12 });
      const counts = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          db.transaction(async (trx) => {
            await trx(ITEMS).insert([{ title: `c${i}` }, { title: `c${i}` }]);
            const seen = Number((await trx(ITEMS).where({ title: `c${i}` }).count({ n: '*' }))[0]?.['n']);
            if (i % 2 === 1) throw Object.assign(new Error('odd: roll back'), { seen });
            return seen;
          }).catch((e: { seen?: number }) => -(e.seen ?? 0)),
        ),
      );
      expect(counts).to.deep.equal(Array.from({ length: 12 }, (_, i) => (i % 2 === 1 ? -2 : 2)));
      expect(Number((await db(ITEMS).count({ n: '*' }))[0]?.['n'])).to.equal(12);
      await db(ITEMS).delete();
    });

    it('knex and pg send unnamed statements: no server-side prepared statement is left on any session', async () => {
      const db = runtime(pooled, { min: 0, max: 1 });
      const sent: Array<{ name?: unknown }> = [];
      const connection = (await db.client.acquireConnection()) as { query: (config: unknown, ...rest: unknown[]) => unknown };
      const query = connection.query.bind(connection);
      connection.query = (config: unknown, ...rest: unknown[]) => {
        if (typeof config === 'object' && config !== null) sent.push(config as { name?: unknown });
        return query(config, ...rest);
      };
      await db.client.releaseConnection(connection);
      try {
        for (let i = 0; i < 5; i += 1) await db(ITEMS).where({ id: i }).select('title');
        await db.transaction(async (trx) => {
          await trx(ITEMS).where({ id: 1 }).select('title');
          expect(Number(((await trx.raw('select count(*) as n from pg_prepared_statements')) as { rows: Array<{ n: string }> }).rows[0]?.n)).to.equal(0);
        });
      } finally {
        connection.query = query;
      }
      expect(sent.length).to.be.at.least(6);
      expect(sent.filter((config) => config.name !== undefined)).to.deep.equal([]);
    });

    it("the guard's session reading stays true when PgBouncer moves the client to another server process", async () => {
      // A pooler of its own, so the only server process is the one this test's client got.
      const fresh = await startPgbouncer(join(dir, 'fresh'), servers.postgres, [TEST_APP.user], { poolMode: 'transaction', poolSize: 4 });
      const db = runtime({ ...direct, ...through(fresh, 'RUNTIME') }, { min: 0, max: 1 });
      const holder = await appClient(fresh);
      try {
        // A safe encoding: the guard allows it, and PgBouncer keeps it per client.
        await db.raw("set client_encoding = 'LATIN1'");
        const first = await pid(db);
        // Server processes started from now on begin with standard_conforming_strings = off.
        await superuser.query(`ALTER ROLE ${TEST_APP.user} SET standard_conforming_strings = off`);
        await holder.query('begin');
        expect(await pid(holder)).to.equal(first); // the holder has the client's server process now
        const row = ((await db.raw(`select pg_backend_pid() as pid, current_setting('standard_conforming_strings') as scs, current_setting('client_encoding') as enc, 'a\\' as text`)) as {
          rows: Array<{ pid: number; scs: string; enc: string; text: string }>;
        }).rows[0];
        expect(row?.pid).not.to.equal(first);
        // The client's values, not the new server process's defaults: the text was read as the guard read it.
        expect(row).to.include({ scs: 'on', enc: 'LATIN1', text: 'a\\' });
        const later = (await superuser.query('select (select backend_start from pg_stat_activity where pid = $1) > (select backend_start from pg_stat_activity where pid = $2) as later', [row?.pid, first])).rows[0];
        expect(later).to.deep.equal({ later: true });
        const refused = await db.raw('set standard_conforming_strings = off').then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(refused).to.be.instanceOf(RuntimeDdlError);
        await holder.query('commit');
      } finally {
        await superuser.query(`ALTER ROLE ${TEST_APP.user} RESET standard_conforming_strings`);
        await holder.end();
        await db.destroy();
        await fresh.process.stop('SIGINT');
      }
    });

    it("startKnex's privilege verification works through the pooler, and still finds excess privileges", async () => {
      const { knex: db, privileges } = await startKnex({ report: true,  env: pooled, test: true, attempts: 1 });
      open.push(db);
      expect(privileges?.ok).to.equal(true, JSON.stringify(privileges?.problems));
      expect(privileges?.user).to.include(TEST_APP.user);
      const wrong = { ...pooled, PG_TEST_RUNTIME_USER: TEST_MIGRATOR.user, PG_TEST_RUNTIME_PASSWORD: TEST_MIGRATOR.password };
      const error = await startKnex({ report: true,  env: wrong, test: true, attempts: 1 }).then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      expect(error?.code).to.equal('E_PRIVILEGES');
    });
  });

  describe('doctor', () => {
    it('says the runtime role goes through a transaction-mode pooler, and that the migration role must not', async () => {
      const report = await doctor({ env: pooled, test: true });
      const [app, migration] = report.roles;
      expect(app).to.include({ role: 'runtime', verdict: 'ok' });
      expect(app?.pooler?.mode).to.equal('transaction');
      expect(migration).to.include({ role: 'migration', verdict: 'problems' });
      expect(migration?.pooler?.mode).to.equal('transaction');
      expect(migration?.error?.code).to.equal('E_POOLED_MIGRATION');
      expect(migration?.error?.variables).to.deep.equal(['PG_TEST_MIGRATION_HOST', 'PG_TEST_MIGRATION_PORT']);
      expect(migration?.remedy).to.include('directly');
      expect(formatDoctor(report)).to.match(/pooler +transaction-mode pooler: /);
    });

    it('direct: no pooler; a session-mode pooler is fine for migrations; PG_POOLED=1 declares one that detection cannot see', async () => {
      const plain = await doctor({ env: direct, test: true });
      expect(plain.ok).to.equal(true, formatDoctor(plain));
      expect(plain.roles.map((r) => r.pooler?.mode)).to.deep.equal(['direct', 'direct']);
      const viaSession = await doctor({ env: { ...direct, ...through(session, 'MIGRATION') }, test: true, roles: ['migration'] });
      expect(viaSession.roles[0]).to.include({ verdict: 'ok' });
      expect(viaSession.roles[0]?.pooler?.mode).to.equal('session');
      const declared = await doctor({ env: { ...direct, PG_TEST_MIGRATION_POOLED: '1' }, test: true, roles: ['migration'] });
      expect(declared.roles[0]).to.include({ verdict: 'problems' });
      expect(declared.roles[0]?.pooler).to.include({ mode: 'direct', declared: 'PG_TEST_MIGRATION_POOLED' });
      expect(declared.roles[0]?.error?.variables).to.include('PG_TEST_MIGRATION_POOLED');
    });
  });

  describe('knex-roles migrate', () => {
    const migrationEnv = (env: Record<string, string>): Record<string, string> => ({ ...env, ELOQUENT_DB_ROLE: 'migration' });

    it('through the transaction pooler fails at once with E_POOLED_MIGRATION, taking no lock and applying nothing', async () => {
      const run = options(migrationEnv(pooled), FIXTURES.basic);
      const error = await runMigrations('latest', run).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(PooledMigrationError);
      const pooledError = error as PooledMigrationError;
      expect(pooledError.code).to.equal('E_POOLED_MIGRATION');
      expect(pooledError.variables).to.deep.equal(['PG_TEST_MIGRATION_HOST', 'PG_TEST_MIGRATION_PORT']);
      expect(pooledError.how).to.match(/^detected: /);
      expect(pooledError.remedy).to.include('PG_MIGRATION_URL');
      expect(run.events).to.deep.equal([]);
      expect((await superuser.query(`select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = $1`, [LOCK_CLASS])).rows[0].n).to.equal(0);
      // Direct, the same run works at once: nothing was left locked.
      const directRun = await runMigrations('latest', { ...options(migrationEnv(direct), FIXTURES.basic), lockTimeoutMs: 1000 });
      expect(directRun.applied).to.have.length(3);
      await runMigrations('rollback', { ...options(migrationEnv(direct), FIXTURES.basic), all: true });
    });

    it('through the transaction pooler, status and a dry run work (one transaction, no session state)', async () => {
      const status = await runMigrations('status', options(migrationEnv(pooled), FIXTURES.basic));
      expect(status.pending).to.have.length(3);
      const dry = await runMigrations('latest', options(migrationEnv(pooled), FIXTURES.basic, { dryRun: true }));
      expect(dry).to.include({ mode: 'dry-run', ok: true });
      expect(dry.applied).to.have.length(3);
    });

    it('the CLI exits 3 with the code, the variables and the fix', async () => {
      const result = await runCli(['migrate', 'latest', '--test'], migrationEnv(pooled));
      expect(result.code).to.equal(3, result.output);
      expect(result.stderr).to.include('E_POOLED_MIGRATION').and.include('PG_TEST_MIGRATION_PORT').and.include('fix:');
      for (const secret of [TEST_APP.password, TEST_MIGRATOR.password, servers.postgres.admin.password]) expect(result.output).not.to.include(secret);
    });

    it('declared with pgbouncer=true in the URL: refused before connecting', async () => {
      // Port 9 (discard): nothing listens there, so only a refusal before connecting passes.
      const env = migrationEnv({ ...direct, PG_TEST_MIGRATION_URL: `postgres://127.0.0.1:9/${TEST_DATABASE}?pgbouncer=true`, PG_TEST_MIGRATION_HOST: '', PG_TEST_MIGRATION_PORT: '' });
      const error = (await runMigrations('latest', options(env, FIXTURES.basic)).then(
        () => undefined,
        (e: unknown) => e,
      )) as PooledMigrationError;
      expect(error?.code).to.equal('E_POOLED_MIGRATION');
      expect(error.how).to.equal('declared by PG_TEST_MIGRATION_URL');
      expect(error.variables).to.deep.equal(['PG_TEST_MIGRATION_URL']);
    });

    it('through a session-mode pooler, migrations run', async () => {
      const env = migrationEnv({ ...direct, ...through(session, 'MIGRATION') });
      const result = await runMigrations('latest', { ...options(env, FIXTURES.basic), lockTimeoutMs: 1000 });
      expect(result.applied).to.have.length(3);
      const db = inspector(migrationEnv(direct));
      try {
        expect(await recorded(db)).to.have.length(3);
      } finally {
        await db.destroy();
      }
      await runMigrations('rollback', { ...options(env, FIXTURES.basic), all: true });
    });
  });
});
