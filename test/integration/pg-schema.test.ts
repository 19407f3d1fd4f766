import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrateCommand } from '../../lib/cli/migrate-command';
import { provisionCommand } from '../../lib/cli/provision-command';
import { doctor } from '../../lib/checks/doctor';
import { resolveConnection } from '../../lib/env/resolve-connection';
import { createKnex } from '../../lib/knexfile';
import { startKnex } from '../../lib/start-knex';
import { runKnexCli } from '../support/run-command';
import { serverDialects } from '../support/dialects';
import { planEnv } from '../support/plan-env';
import { testServers } from '../support/servers';

// Issue 9 item 5: a non-public PostgreSQL schema from the env contract (PG_TEST_SCHEMA),
// end to end: provision, `knex-roles migrate`, the knex CLI, runtime CRUD, verify, doctor.

const DATABASE = 'kr_schema_db';
const SCHEMA = 'catalog';
const MIGRATOR = { user: 'kr_schema_migrator', password: `scM'ig\\$$-ü` };
const APP = { user: 'kr_schema_app', password: `scA'pp\\$$-ß` };
const FIXTURES = join(__dirname, '..', 'fixtures', 'migrations');

if (serverDialects().includes('postgres')) describe('a non-public PostgreSQL schema from PG_SCHEMA, end to end', () => {
  let env: Record<string, string>;
  let superuser: Client;
  let cwd: string;
  let provisioned: string[];
  const open: Knex[] = [];
  const tablesIn = async (schema: string): Promise<string[]> =>
    (await superuser.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [schema])).rows.map((r) => r.name);
  const superuserOn = async (database: string): Promise<Client> => {
    const server = (await testServers()).postgres;
    const client = new Client({ host: server.host, port: server.port, ...server.admin, database });
    await client.connect();
    return client;
  };
  /** knex-roles migrate latest with the fixture migrations (the project knexfile.js of `cwd`). */
  const migrateFixtures = async (): Promise<void> => {
    const lines: string[] = [];
    const code = await migrateCommand(['latest'], { env: { ...env, ELOQUENT_DB_ROLE: 'migration' }, test: true, cwd, values: {} }, (line) => lines.push(line));
    expect(code, lines.join('\n')).to.equal(0);
  };

  before(async () => {
    const server = (await testServers()).postgres;
    env = { ...planEnv('postgres', server, { database: DATABASE, migrator: MIGRATOR, app: APP }, server.admin), DB_TEST_CONNECTION: 'pg', PG_TEST_SCHEMA: SCHEMA };
    // A project directory of its own: its knexfile names the fixture migrations and nothing else.
    cwd = mkdtempSync(join(tmpdir(), 'knex-roles-schema-'));
    writeFileSync(join(cwd, 'knexfile.js'), `module.exports = { test: { migrations: { directory: ${JSON.stringify(FIXTURES)}, loadExtensions: ['.js'] } } };\n`);
  });

  // Every test starts from nothing but a fresh provisioning, whatever ran before it.
  beforeEach(async () => {
    const maintenance = await superuserOn('postgres');
    try {
      await maintenance.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
      await maintenance.query(`DROP ROLE IF EXISTS ${MIGRATOR.user}, ${APP.user}`);
    } finally {
      await maintenance.end();
    }
    provisioned = [];
    await provisionCommand({ env, test: true }, (line) => provisioned.push(line));
    superuser = await superuserOn(DATABASE);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((db) => db.destroy()));
    await superuser?.end();
  });

  after(() => rmSync(cwd, { recursive: true, force: true }));

  it('provision takes the schema from PG_SCHEMA (no --schema) and creates it', async () => {
    expect(provisioned.join('\n')).to.include(`schema "${SCHEMA}"`).and.not.include('schema "public"');
    expect(await tablesIn(SCHEMA)).to.deep.equal(['knex_migrations', 'knex_migrations_lock']);
  });

  it('the knex CLI migrates into the schema and rolls back there (knexfile.ts, searchPath and schemaName from the env)', async () => {
    const cli = { ...env, NODE_ENV: 'test', ELOQUENT_DB_ROLE: 'migration' };
    const latest = await runKnexCli(['migrate:latest'], cli);
    expect(latest.code, latest.output).to.equal(0);
    expect(await tablesIn(SCHEMA)).to.include.members(['authors', 'posts', 'knex_migrations']);
    expect(await tablesIn('public')).to.deep.equal([]);
    const rollback = await runKnexCli(['migrate:rollback', '--all'], cli);
    expect(rollback.code, rollback.output).to.equal(0);
    expect(await tablesIn(SCHEMA)).to.deep.equal(['knex_migrations', 'knex_migrations_lock']);
  });

  it('knex-roles migrate latest keeps the schema: tables and knex bookkeeping land in it', async () => {
    await migrateFixtures();
    expect(await tablesIn(SCHEMA)).to.deep.equal(['fixture_items', 'fixture_owners', 'knex_migrations', 'knex_migrations_lock']);
    expect(await tablesIn('public')).to.deep.equal([]);
    expect((await superuser.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.knex_migrations`)).rows[0].n).to.equal(3);
  });

  it("knex-roles migrate fresh re-creates knex's tables read-only for the app (default privileges would give it DML)", async () => {
    await migrateFixtures();
    const lines: string[] = [];
    const code = await migrateCommand(['fresh'], { env: { ...env, ELOQUENT_DB_ROLE: 'migration' }, test: true, cwd, values: {} }, (line) => lines.push(line));
    expect(code, lines.join('\n')).to.equal(0);
    expect(lines.join('\n')).to.include('dropped     knex_migrations');
    const acl = await superuser.query<{ name: string; acl: string }>(
      `SELECT relname AS name, relacl::text AS acl FROM pg_class WHERE relnamespace = $1::regnamespace AND relname LIKE 'knex_migrations%' AND relkind IN ('r', 'S') ORDER BY 1`,
      [SCHEMA],
    );
    for (const row of acl.rows) {
      const app = (row.acl ?? '').split(/[{},]/).find((item) => item.startsWith(`${APP.user}=`));
      expect(app, row.name).to.equal(row.name.endsWith('_seq') ? undefined : `${APP.user}=r/${MIGRATOR.user}`);
    }
  });

  it('the runtime role reads and writes there unqualified, and startKnex verifies the schema clean', async () => {
    await migrateFixtures();
    const { knex: db, privileges } = await startKnex({ report: true,  env, test: true, role: 'runtime', attempts: 1 });
    open.push(db);
    expect(privileges?.schema).to.equal(SCHEMA);
    expect(privileges?.problems).to.deep.equal([]);
    const [row] = (await db('fixture_owners').insert({ email: 'a@example.org', name: 'a' }, ['id'])) as Array<{ id: number }>;
    expect(row?.id).to.be.a('number');
    expect(await db('fixture_owners').where({ id: row?.id }).update({ name: 'b' })).to.equal(1);
    expect(await db('fixture_owners').where({ id: row?.id }).delete()).to.equal(1);
    expect(await db('knex_migrations').count({ n: '*' })).to.deep.equal([{ n: '3' }]);
  });

  it("the app cannot erase the migration history in the schema: the guard refuses, and so does the server (42501)", async () => {
    const failure = async (run: () => Promise<unknown>): Promise<{ code?: string } | undefined> =>
      (await run().then(
        () => undefined,
        (e: unknown) => e,
      )) as { code?: string } | undefined;
    const app = createKnex({ env, test: true, role: 'runtime' });
    open.push(app);
    expect((await failure(() => app('knex_migrations').delete()))?.code).to.equal('E_RUNTIME_MIGRATE');
    // Without the guard, with the app's own credentials: the database is the boundary.
    const unguarded = knex({ client: 'pg', connection: resolveConnection({ env, test: true, role: 'runtime' }).connection, searchPath: [SCHEMA] });
    open.push(unguarded);
    expect((await failure(() => unguarded('knex_migrations').delete()))?.code).to.equal('42501');
  });

  it('doctor checks the schema for both roles and finds nothing wrong', async () => {
    await migrateFixtures();
    const report = await doctor({ env, test: true });
    for (const role of report.roles) {
      expect(role.problems, role.role).to.deep.equal([]);
      expect(role.verdict, role.role).to.equal('ok');
      expect(role.found.join(' '), role.role).to.include(`schema "${SCHEMA}"`);
    }
  });
});
