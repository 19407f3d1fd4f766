import { expect } from 'chai';
import type { Knex } from 'knex';
import { join } from 'node:path';
import { provision as provisionMysql } from '../../lib/dialects/mysql/provision';
import { provision as provisionPostgres } from '../../lib/dialects/postgres/provision';
import type { AdminConnection, ProvisionPlan, ProvisionReport } from '../../lib/dialects/provision-plan';
import { createKnex } from '../../lib/knexfile';
import type { Dialect, Role } from '../../lib/types';
import { verifyPrivileges } from '../../lib/checks/verify-privileges';
import { testDialects } from '../support/dialects';
import { planEnv } from '../support/plan-env';
import { testServers } from '../support/servers';

// Issue 9 item 4: one migrator and one app for several databases (one per service, as
// Backstage keeps them). Provisioning one database corrects drift there only, leaves the
// other databases' grants alone and reports them.

const MIGRATIONS = join(__dirname, '..', 'fixtures', 'migrations');
const MIGRATOR = { user: 'kr_shared_migrator', password: `sM'ig\\$$-ü` };
const APP = { user: 'kr_shared_app', password: `sA'pp\\$$-ß` };
const PLANS: ProvisionPlan[] = ['kr_shared_one', 'kr_shared_two'].map((database) => ({ database, migrator: { ...MIGRATOR }, app: { ...APP } }));
const changed = (report: ProvisionReport): string[] => report.steps.filter((s) => s.changed).map((s) => s.description);

for (const dialect of testDialects().filter((d): d is Exclude<Dialect, 'sqlite'> => d !== 'sqlite')) {
  describe(`one user pair for two databases on ${dialect}`, () => {
    let admin: AdminConnection;
    let adminKnex: Knex;
    const open: Knex[] = [];
    const provision = (plan: ProvisionPlan): Promise<ProvisionReport> => (dialect === 'postgres' ? provisionPostgres(plan, admin) : provisionMysql(plan, admin));
    const instance = (database: string, role: Role): Knex => {
      const env = planEnv(dialect, admin, { database, migrator: MIGRATOR, app: APP });
      const db = createKnex({ env, test: true, role, dialect, knex: { pool: { min: 0, max: 2 }, migrations: { directory: MIGRATIONS, loadExtensions: ['.js'] } } });
      open.push(db);
      return db;
    };
    const problems = async (database: string, role: Role): Promise<string[]> =>
      (await verifyPrivileges(instance(database, role), { role })).problems.map((p) => `${p.problem}: ${p.privilege}`);
    /** The app writes and reads a row: its data privileges work in `database`. */
    const appWorks = async (database: string): Promise<void> => {
      const db = instance(database, 'runtime');
      const [row] = (await db('fixture_owners').insert({ email: `${database}@example.org`, name: database }, ['id'])) as Array<{ id: number } | number>;
      expect(row).not.to.equal(undefined);
      expect(await db('fixture_owners').where({ email: `${database}@example.org` }).update({ name: 'renamed' })).to.equal(1);
      expect(await db('fixture_owners').where({ email: `${database}@example.org` }).delete()).to.equal(1);
    };
    const grantExtra = dialect === 'postgres' ? null : `GRANT DROP ON \`kr\\_shared\\_one\`.* TO '${APP.user}'@'%'`;

    before(async () => {
      const server = (await testServers())[dialect];
      admin = { host: server.host, port: server.port, ...server.admin };
      for (const plan of PLANS) await provision(plan);
      for (const plan of PLANS) await instance(plan.database, 'migration').migrate.latest();
    });

    after(async () => {
      await Promise.all(open.splice(0).map((db) => db.destroy()));
      await adminKnex?.destroy();
    });

    it('provisioning the second database keeps the first one working for both users', async () => {
      await provision(PLANS[1] as ProvisionPlan);
      for (const plan of PLANS) {
        // The migrator still changes both schemas…
        const migrator = instance(plan.database, 'migration');
        expect((await migrator.migrate.rollback())[1]).to.have.length(3);
        expect((await migrator.migrate.latest())[1]).to.have.length(3);
      }
      for (const plan of PLANS) await appWorks(plan.database); // …and the app still writes both
    });

    it('verify is clean for both roles on both databases', async () => {
      for (const plan of PLANS) {
        for (const role of ['runtime', 'migration'] as const) expect(await problems(plan.database, role), `${role} ${plan.database}`).to.deep.equal([]);
      }
    });

    it("reports the other database's grants as left alone, and changes nothing on a re-run of either", async () => {
      const [one, two] = PLANS as [ProvisionPlan, ProvisionPlan];
      const report = await provision(two);
      expect(changed(report)).to.deep.equal([]);
      const left = report.steps.map((s) => s.description).filter((d) => d.includes('left alone on other databases') || d.startsWith('Left alone on other databases'));
      expect(left.join(' ')).to.include(dialect === 'postgres' ? `on database ${one.database}` : '`kr\\_shared\\_one`.*');
      expect(changed(await provision(one))).to.deep.equal([]);
    });

    it('corrects drift only inside the target database: an extra grant on the first survives provisioning the second, not the first', async () => {
      const [one, two] = PLANS as [ProvisionPlan, ProvisionPlan];
      const superuser = createKnex({
        env: planEnv(dialect, admin, { database: one.database, migrator: admin, app: APP }),
        test: true,
        role: 'migration',
        dialect,
        knex: { pool: { min: 0, max: 1 } },
      });
      adminKnex = superuser;
      await superuser.raw(grantExtra ?? `GRANT CREATE ON SCHEMA public TO ${APP.user}`);
      const excess = dialect === 'postgres' ? 'excess: CREATE on schema "public"' : 'excess: DROP on `kr\\_shared\\_one`.*';
      expect(await problems(one.database, 'runtime')).to.include(excess);

      await provision(two);
      expect(await problems(one.database, 'runtime')).to.include(excess);
      // MySQL's grants are server-wide data, so verify on the second names the first's excess; PostgreSQL checks per database.
      expect(await problems(two.database, 'runtime')).to.deep.equal(dialect === 'postgres' ? [] : ['excess: DROP on `kr\\_shared\\_one`.* (another database)']);

      expect(changed(await provision(one)).length).to.be.greaterThan(0);
      expect(await problems(one.database, 'runtime')).to.deep.equal([]);
      for (const plan of PLANS) await appWorks(plan.database);
    });
  });
}
