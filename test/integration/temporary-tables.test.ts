import { expect } from 'chai';
import type { Knex } from 'knex';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { provision as provisionMysql } from '../../lib/dialects/mysql/provision';
import { provision as provisionPostgres } from '../../lib/dialects/postgres/provision';
import type { AdminConnection, ProvisionPlan, ProvisionReport } from '../../lib/dialects/provision-plan';
import { doctor } from '../../lib/checks/doctor';
import { RuntimeDdlError } from '../../lib/errors';
import { createKnex } from '../../lib/knexfile';
import { runMigrations } from '../../lib/migrate/run-migrations';
import type { Dialect, Role } from '../../lib/types';
import { verifyPrivileges } from '../../lib/checks/verify-privileges';
import { testDialects } from '../support/dialects';
import { planEnv } from '../support/plan-env';
import { runCli } from '../support/run-command';
import { testServers } from '../support/servers';

// Issue 9 item 2: temporary tables are the migrator's by default and the app's by opt-in
// (appTemporaryTables / KNEX_ROLES_APP_TEMPORARY_TABLES), and provision, the guard, verify
// and doctor agree on it. Proven as the provisioned users on the real servers.

const DIRECTORY = join(__dirname, '..', 'fixtures', 'migrate-temp-tables');
const PLAN: ProvisionPlan = {
  database: 'kr_temp_db',
  migrator: { user: 'kr_temp_migrator', password: `tM'ig\\$$-ü` },
  app: { user: 'kr_temp_app', password: `tA'pp\\$$-ß` },
};
const changed = (report: ProvisionReport): string[] => report.steps.filter((s) => s.changed).map((s) => s.description);

for (const dialect of testDialects().filter((d): d is Exclude<Dialect, 'sqlite'> => d !== 'sqlite')) {
  describe(`temporary tables on ${dialect}`, () => {
    let admin: AdminConnection;
    let env: Record<string, string>;
    const open: Knex[] = [];
    const provision = (plan: ProvisionPlan): Promise<ProvisionReport> => (dialect === 'postgres' ? provisionPostgres(plan, admin) : provisionMysql(plan, admin));
    const instance = (role: Role, extra: { appTemporaryTables?: boolean; env?: Record<string, string> } = {}): Knex => {
      const db = createKnex({ env: { ...env, ...extra.env }, test: true, role, dialect, knex: { pool: { min: 0, max: 2 } }, ...(extra.appTemporaryTables === undefined ? {} : { appTemporaryTables: extra.appTemporaryTables }) });
      open.push(db);
      return db;
    };
    const problems = async (role: Role, appTemporaryTables?: boolean): Promise<string[]> =>
      (await verifyPrivileges(instance(role), { role, ...(appTemporaryTables === undefined ? {} : { appTemporaryTables }) })).problems.map((p) => `${p.problem}: ${p.privilege}`);
    /** Runs one statement as a provisioned user through the raw driver (no guard), as the admin would by hand. */
    const asUser = async (who: 'app' | 'migrator' | 'admin', sql: string): Promise<void> => {
      const { user, password } = who === 'admin' ? admin : PLAN[who];
      if (dialect === 'postgres') {
        const c = new Client({ host: admin.host, port: admin.port, user, password, database: PLAN.database });
        await c.connect();
        try {
          await c.query(sql);
        } finally {
          await c.end();
        }
      } else {
        const c = await createConnection({ host: admin.host, port: admin.port, user, password, database: PLAN.database });
        try {
          await c.query(sql);
        } finally {
          await c.end();
        }
      }
    };
    const serverCode = async (who: 'app' | 'migrator', sql: string): Promise<unknown> => {
      try {
        await asUser(who, sql);
      } catch (error) {
        expect(error).not.to.be.instanceOf(RuntimeDdlError);
        const e = error as { code?: string; errno?: number };
        return dialect === 'postgres' ? e.code : e.errno;
      }
      throw new Error(`expected the server to refuse: ${sql}`);
    };
    const createTemp = dialect === 'postgres' ? 'CREATE TEMP TABLE batch (id int) ON COMMIT DROP' : 'CREATE TEMPORARY TABLE batch (id int)';
    const tempGrant = dialect === 'postgres' ? `TEMPORARY on database "${PLAN.database}"` : 'CREATE TEMPORARY TABLES on `kr\\_temp\\_db`.*';
    const revokeTemp = (user: string): string =>
      dialect === 'postgres' ? `REVOKE TEMPORARY ON DATABASE ${PLAN.database} FROM ${user}` : `REVOKE CREATE TEMPORARY TABLES ON \`kr\\_temp\\_db\`.* FROM '${user}'@'%'`;

    before(async () => {
      const server = (await testServers())[dialect];
      admin = { host: server.host, port: server.port, ...server.admin };
      await provision(PLAN);
      env = planEnv(dialect, server, PLAN);
    });

    after(async () => {
      await Promise.all(open.splice(0).map((db) => db.destroy()));
    });

    it('runs a migration set that dedupes through CREATE TEMP TABLE … AS SELECT as the provisioned migrator', async () => {
      const result = await runMigrations('latest', { env, test: true, role: 'migration', dialect, knex: { migrations: { directory: DIRECTORY, loadExtensions: ['.js'] } } });
      expect(result.applied).to.deep.equal(['20260401000001_create_tt_tags.js', '20260401000002_dedupe_tt_tags.js']);
      const rows = (await instance('migration')('tt_tags').select('name').orderBy('name')) as Array<{ name: string }>;
      expect(rows.map((r) => r.name)).to.deep.equal(['a', 'b', 'c']);
    });

    it('verify expects the migrator grant: clean with it, missing without it, and the next provision puts it back', async () => {
      expect(await problems('migration')).to.deep.equal([]);
      await asUser('admin', revokeTemp(PLAN.migrator.user));
      expect((await problems('migration')).some((p) => p.startsWith(`missing: ${tempGrant}`))).to.equal(true);
      const diagnosed = await doctor({ env, test: true, dialect, roles: ['migration'] });
      expect(diagnosed.roles[0]?.verdict).to.equal('problems');
      expect(diagnosed.roles[0]?.problems.map((p) => p.privilege).join(' ')).to.include(tempGrant);
      expect(changed(await provision(PLAN)).length).to.be.greaterThan(0);
      expect(await problems('migration')).to.deep.equal([]);
      expect(changed(await provision(PLAN))).to.deep.equal([]);
    });

    it('without the opt-in the app is refused by the guard and by the server, and verify is clean', async () => {
      const error = await instance('runtime')
        .transaction((trx) => trx.raw(createTemp))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).to.be.instanceOf(RuntimeDdlError);
      expect((error as RuntimeDdlError).keyword).to.equal('CREATE TEMPORARY TABLE');
      expect(await serverCode('app', dialect === 'postgres' ? 'CREATE TEMP TABLE batch (id int)' : createTemp)).to.equal(dialect === 'postgres' ? '42501' : 1044);
      expect(await problems('runtime')).to.deep.equal([]);
    });

    it('knex-roles provision --print --app-temporary-tables shows the app grant, and the same from KNEX_ROLES_APP_TEMPORARY_TABLES=1', async () => {
      const cliEnv = { ...planEnv(dialect, admin, PLAN, admin), DB_TEST_CONNECTION: dialect };
      const appGrant = dialect === 'postgres' ? `GRANT CONNECT, TEMPORARY ON DATABASE "${PLAN.database}" TO "${PLAN.app.user}"` : `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE TEMPORARY TABLES ON \`kr\\_temp\\_db\`.* TO '${PLAN.app.user}'@'%'`;
      const plain = await runCli(['provision', '--print', '--test'], cliEnv);
      expect(plain.code, plain.output).to.equal(0);
      expect(plain.stdout).not.to.include(appGrant);
      for (const [args, extra] of [
        [['provision', '--print', '--test', '--app-temporary-tables'], {}],
        [['provision', '--print', '--test'], { KNEX_ROLES_APP_TEMPORARY_TABLES: 'true' }],
      ] as const) {
        const result = await runCli([...args], { ...cliEnv, ...extra });
        expect(result.code, result.output).to.equal(0);
        expect(result.stdout).to.include(appGrant);
        expect(result.output).not.to.include(PLAN.app.password);
      }
    });

    describe('with the app opt-in', () => {
      before(async () => {
        expect(changed(await provision({ ...PLAN, appTemporaryTables: true })).length).to.be.greaterThan(0);
      });
      after(async () => {
        await provision(PLAN);
      });

      for (const [how, extra] of [
        ['option appTemporaryTables: true', { appTemporaryTables: true }],
        ['KNEX_ROLES_APP_TEMPORARY_TABLES=1', { env: { KNEX_ROLES_APP_TEMPORARY_TABLES: '1' } }],
      ] as const) {
        it(`lets the app fill a temporary table per batch inside a transaction (${how})`, async () => {
          const db = instance('runtime', extra);
          const counted = await db.transaction(async (trx) => {
            await trx.raw(createTemp);
            await trx.raw('INSERT INTO batch (id) VALUES (1), (2), (3)');
            const rows = (await trx('batch').count({ n: '*' })) as Array<{ n: number | string }>;
            return Number(rows[0]?.n);
          });
          expect(counted).to.equal(3);
        });
      }

      it('lets nothing more through the guard: CREATE TABLE, DROP TABLE and temporary tables that reach other objects stay refused', async () => {
        const db = instance('runtime', { appTemporaryTables: true });
        const reaching =
          dialect === 'postgres'
            ? ['CREATE TEMP TABLE kid () INHERITS (tt_tags)', 'CREATE TEMP TABLE kid (id int) TABLESPACE pg_default']
            : ["CREATE TEMPORARY TABLE kid (a int) ENGINE=CONNECT TABLE_TYPE=CSV FILE_NAME='/etc/hostname'", "CREATE TEMPORARY TABLE kid (a int) DATA DIRECTORY='/tmp'"];
        for (const sql of ['CREATE TABLE intruder (id int)', 'DROP TABLE tt_tags', 'CREATE INDEX intruder ON tt_tags (name)', ...reaching]) {
          const error = await db.raw(sql).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, sql).to.be.instanceOf(RuntimeDdlError);
        }
      });

      it('verify and doctor expect the grant with the opt-in and report it as excess without', async () => {
        expect(await problems('runtime', true)).to.deep.equal([]);
        expect((await problems('runtime')).filter((p) => p.startsWith('excess: '))).to.have.length(1);
        expect((await problems('runtime'))[0]).to.include(`excess: ${tempGrant}`);
        const withOptIn = await doctor({ env, test: true, dialect, roles: ['runtime'], appTemporaryTables: true });
        expect(withOptIn.roles[0]?.problems).to.deep.equal([]);
        expect(withOptIn.ok).to.equal(true);
        const without = await doctor({ env, test: true, dialect, roles: ['runtime'] });
        expect(without.ok).to.equal(false);
      });

      it('is kept by a re-run of provision with the opt-in, and taken back (reported missing) by one without', async () => {
        expect(changed(await provision({ ...PLAN, appTemporaryTables: true }))).to.deep.equal([]);
        await provision(PLAN);
        expect((await problems('runtime', true)).some((p) => p.startsWith(`missing: ${tempGrant}`))).to.equal(true);
        await provision({ ...PLAN, appTemporaryTables: true });
      });
    });
  });
}
