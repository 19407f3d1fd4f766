import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateCommand } from '../../lib/cli/migrate-command';
import { provisionCommand } from '../../lib/cli/provision-command';
import { BOOKKEEPING_GUARD_MESSAGE } from '../../lib/dialects/mysql/bookkeeping';
import { KnexRolesError } from '../../lib/errors';
import { serverDialects } from '../support/dialects';
import { planEnv } from '../support/plan-env';
import { testServers } from '../support/servers';

// Issue 9 item 6, MySQL half: the app's database-level DML cannot exclude knex's tables,
// so `knex-roles migrate` puts triggers on them; the SERVER refuses the app's writes
// there (through a plain mysql2 knex, no guard), reads stay allowed, the migrator's work.

const FIXTURES = join(__dirname, '..', 'fixtures', 'migrations');

for (const tableName of serverDialects().includes('mysql') ? [undefined, 'kr_history'] : []) {
  const table = tableName ?? 'knex_migrations';
  const lock = `${table}_lock`;
  const tag = tableName === undefined ? 'dflt' : 'cstm';

  describe(`MariaDB: the app cannot write ${table} / ${lock}, the server refuses (triggers)`, () => {
    const plan = {
      database: `kr_bk_${tag}_db`,
      migrator: { user: `kr_bk_${tag}_mig`, password: `bkM'ig\\$$-ü-${tag}` },
      app: { user: `kr_bk_${tag}_app`, password: `bkA'pp\\$$-ß-${tag}` },
    };
    let env: Record<string, string>;
    let cwd: string;
    let app: Knex;

    const migrate = async (command: string, all = false): Promise<string> => {
      const lines: string[] = [];
      const code = await migrateCommand([command], { env: { ...env, ELOQUENT_DB_ROLE: 'migration' }, test: true, cwd, values: { all } }, (line) => lines.push(line));
      expect(code, lines.join('\n')).to.equal(0);
      return lines.join('\n');
    };

    /** The server's error for an app write; never one of ours. */
    const refusal = async (run: () => Promise<unknown>): Promise<{ sqlState?: string; sqlMessage?: string }> => {
      try {
        await run();
      } catch (error) {
        expect(error).not.to.be.instanceOf(KnexRolesError);
        return error as { sqlState?: string; sqlMessage?: string };
      }
      throw new Error('expected the server to refuse');
    };

    before(async () => {
      const server = (await testServers()).mysql;
      env = { ...planEnv('mysql', server, plan, server.admin), DB_TEST_CONNECTION: 'mysql' };
      cwd = mkdtempSync(join(tmpdir(), 'knex-roles-bk-'));
      const migrations = { directory: FIXTURES, loadExtensions: ['.js'], ...(tableName ? { tableName } : {}) };
      writeFileSync(join(cwd, 'knexfile.js'), `module.exports = { test: { migrations: ${JSON.stringify(migrations)} } };\n`);
      await provisionCommand({ env, test: true }, () => undefined);
      // Without the guard, with the app's own credentials: the database is the boundary.
      app = knex({ client: 'mysql2', connection: { host: server.host, port: server.port, user: plan.app.user, password: plan.app.password, database: plan.database } });
    });

    // Every test starts migrated (latest is idempotent), whatever ran before it.
    beforeEach(() => migrate('latest'));

    after(async () => {
      await app?.destroy();
      rmSync(cwd, { recursive: true, force: true });
    });

    it('knex-roles migrate latest (as the migrator) applies the migrations and guards both tables', async () => {
      await migrate('rollback', true);
      expect(await app(table).count({ n: '*' })).to.deep.equal([{ n: 0 }]);
      expect(await migrate('latest')).to.include('applied 3 (batch 1)');
      expect(await app(table).count({ n: '*' })).to.deep.equal([{ n: 3 }]);
      expect(await app(lock).select('is_locked')).to.deep.equal([{ is_locked: 0 }]);
    });

    it(`the app's INSERT, UPDATE and DELETE on ${table} and ${lock} fail in the server with SQLSTATE 42000`, async () => {
      const writes: Array<[string, () => Promise<unknown>]> = [
        [`insert ${table}`, () => app(table).insert({ name: 'forged.js', batch: 99, migration_time: new Date() })],
        [`update ${table}`, () => app(table).update({ batch: 99 })],
        [`delete ${table}`, () => app(table).delete()],
        [`insert ${lock}`, () => app(lock).insert({ is_locked: 0 })],
        [`update ${lock}`, () => app(lock).update({ is_locked: 1 })],
        [`delete ${lock}`, () => app(lock).delete()],
      ];
      for (const [what, run] of writes) {
        const error = await refusal(run);
        expect(error.sqlState, what).to.equal('42000');
        expect(error.sqlMessage, what).to.equal(BOOKKEEPING_GUARD_MESSAGE);
      }
      expect(await app(table).count({ n: '*' })).to.deep.equal([{ n: 3 }]);
      expect(await app(lock).select('is_locked')).to.deep.equal([{ is_locked: 0 }]);
    });

    it('accounts whose names only resemble the migrator (`<migrator>@x`, other case) are refused too', async () => {
      const server = (await testServers()).mysql;
      const admin = knex({ client: 'mysql2', connection: { host: server.host, port: server.port, ...server.admin } });
      const lookalikes = [`${plan.migrator.user}@x`, plan.migrator.user.toUpperCase()];
      try {
        for (const user of lookalikes) {
          await admin.raw(`CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY 'look-alike-pw'`, [user]);
          await admin.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ??.* TO ?@'%'`, [plan.database, user]);
          const other = knex({ client: 'mysql2', connection: { host: server.host, port: server.port, user, password: 'look-alike-pw', database: plan.database } });
          try {
            const error = await refusal(() => other(table).delete());
            expect(error.sqlState, user).to.equal('42000');
            expect(error.sqlMessage, user).to.equal(BOOKKEEPING_GUARD_MESSAGE);
          } finally {
            await other.destroy();
          }
        }
      } finally {
        for (const user of lookalikes) await admin.raw(`DROP USER IF EXISTS ?@'%'`, [user]);
        await admin.destroy();
      }
      expect(await app(table).count({ n: '*' })).to.deep.equal([{ n: 3 }]);
    });

    it("the app still writes its own tables (the triggers are on knex's only)", async () => {
      const [id] = await app('fixture_owners').insert({ email: `a-${tag}@example.org`, name: 'a' });
      expect(await app('fixture_owners').where({ id }).delete()).to.equal(1);
    });

    it('the migrator keeps writing them: a second migrate, a rollback and a re-run succeed, triggers stay single', async () => {
      await migrate('latest');
      await migrate('rollback', true);
      expect(await app(table).count({ n: '*' })).to.deep.equal([{ n: 0 }]);
      await migrate('latest');
      expect(await app(table).count({ n: '*' })).to.deep.equal([{ n: 3 }]);
      const [rows] = (await app.raw('SELECT EVENT_OBJECT_TABLE AS t, EVENT_MANIPULATION AS op FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1, 2')) as [
        Array<{ t: string; op: string }>,
      ];
      expect(rows.map((r) => `${r.t} ${r.op}`)).to.deep.equal([table, lock].flatMap((t) => ['DELETE', 'INSERT', 'UPDATE'].map((op) => `${t} ${op}`)));
      expect((await refusal(() => app(table).delete())).sqlState).to.equal('42000');
    });

    it("knex's tables dropped by the migrator (re-created tables carry no triggers) are guarded again by the next migrate", async () => {
      await migrate('rollback', true);
      const server = (await testServers()).mysql;
      const migrator = knex({ client: 'mysql2', connection: { host: server.host, port: server.port, user: plan.migrator.user, password: plan.migrator.password, database: plan.database } });
      try {
        await migrator.schema.dropTable(lock).dropTable(table);
      } finally {
        await migrator.destroy();
      }
      await migrate('latest');
      expect(await app(table).count({ n: '*' })).to.deep.equal([{ n: 3 }]);
      expect((await refusal(() => app(table).delete())).sqlState).to.equal('42000');
      expect((await refusal(() => app(lock).update({ is_locked: 1 }))).sqlState).to.equal('42000');
    });
  });
}
