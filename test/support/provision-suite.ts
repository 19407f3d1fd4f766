import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { join } from 'node:path';
import type { AdminConnection, ProvisionPlan, ProvisionReport } from '../../lib/dialects/provision-plan';
import { KnexRolesError } from '../../lib/errors';
import { serverDialects, type ServerDialect } from './dialects';

/**
 * The provisioning scenarios both server dialects go through (test/integration/
 * provision.postgres.test.ts and provision.mysql.test.ts), written once. A dialect file
 * passes the hooks that say how its server answers, and adds its own tests through the
 * `extra` callbacks. Every test makes the state it needs in its own hooks (provisioned,
 * migrated, or dropped back to nothing), so each passes alone and in any order.
 */

/** A server's error code: PostgreSQL's SQLSTATE, MySQL's errno. */
export type ServerCode = string | number;

export interface Account {
  user: string;
  password: string;
}

export interface ProvisionDialect {
  dialect: ServerDialect;
  /** 'PostgreSQL' or 'MariaDB', for titles. */
  name: string;
  /** Starts the test servers and takes the admin (the suite's `before`). */
  start(): Promise<void>;
  /** The knex client of the migrator's instance. */
  client: 'pg' | 'mysql2';
  /** The all-powerful admin of the test server, as the dialect's describe titles it. */
  superAdmin: { title: string; admin(): AdminConnection };
  /** A plan per scenario, with passwords that break naive quoting. */
  planFor(prefix: string): ProvisionPlan;
  /** Drops the plan's database and both accounts, so a test starts from nothing. */
  drop(plan: ProvisionPlan): Promise<void>;
  provision(plan: ProvisionPlan, admin: AdminConnection): Promise<ProvisionReport>;
  /** How step descriptions name an account (`"user"`, `'user'@'%'`). */
  accountLabel(user: string): string;
  /** Logs in and returns the account the server says the session runs as. */
  loginAs(account: Account, database: string): Promise<string>;
  /** What loginAs returns for `user`. */
  sessionAccount(user: string): string;
  /** The server's code when a login is refused for a wrong password (28P01, 1045). */
  wrongPasswordCode: ServerCode;
  /** Runs `sql` as `account`, expecting the server to refuse it; returns the server's code. */
  refusal(account: Account, database: string, sql: string): Promise<ServerCode>;
  /** Checks the changes of a first run on a fresh server. */
  expectFirstRun(changes: string[]): void;
  /** Checks the number of steps of a run (every step is reported, changed or not). */
  expectStepCount(count: number): void;
  /** The app reads and writes the fixture tables (ids included) and leaves them as found. */
  appReadsAndWrites(plan: ProvisionPlan): Promise<void>;
  appRefusals(plan: ProvisionPlan): Array<[string, ServerCode]>;
  migratorRefusals(plan: ProvisionPlan): Array<[string, ServerCode]>;
  /** Drift added by hand by an all-powerful admin, what provision reports revoking, and the state after. */
  drift: { title: string; add(plan: ProvisionPlan): Promise<void>; expectRevoked(report: ProvisionReport): void; expectNone(plan: ProvisionPlan): Promise<void>; cleanup?(): Promise<void> };
  /** A managed-service admin: created for the plan, and the state before its first run. */
  managed: { title: string; create(plan: ProvisionPlan): Promise<AdminConnection>; reset(plan: ProvisionPlan): Promise<void>; expectFirstRun(changes: string[]): void };
}

export interface ScenarioContext {
  readonly plan: ProvisionPlan;
  /** The admin of the describe the callback adds to (valid inside tests and hooks). */
  admin(): AdminConnection;
}

export interface Extras {
  /** Tests on a provisioned plan (provisioned again before each test). */
  provisioned?(ctx: ScenarioContext): void;
  /** Tests once the migrator also ran the fixture migrations. */
  migrated?(ctx: ScenarioContext): void;
  /** Tests with the managed-service admin, on a provisioned plan. */
  managed?(ctx: ScenarioContext): void;
  /** More describes of the dialect's own. */
  more?(): void;
}

const MIGRATIONS = join(__dirname, '..', 'fixtures', 'migrations');

/** Runs `run` on a driver session (a pg Client, a mysql2 Connection), ending it afterwards. */
export async function withSession<C extends { end(): Promise<unknown> }, T>(session: Promise<C>, run: (c: C) => Promise<T>): Promise<T> {
  const c = await session;
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

export const changed = (report: ProvisionReport): string[] => report.steps.filter((s) => s.changed).map((s) => s.description);

/** The error a server raised for `run`; never one of ours. */
export async function serverError<E = { code?: string; errno?: number; message: string }>(run: () => Promise<unknown>): Promise<E> {
  try {
    await run();
  } catch (error) {
    expect(error).not.to.be.instanceOf(KnexRolesError);
    return error as E;
  }
  throw new Error('expected the server to refuse');
}

/** The KnexRolesError `run` rejects with. */
export async function provisionError(run: Promise<unknown>): Promise<KnexRolesError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(KnexRolesError);
  return error as KnexRolesError;
}

/** Everything a password must never appear in. */
export function expectNoSecrets(error: KnexRolesError, secrets: string[]): void {
  const texts = [error.message, error.remedy, String(error.cause), JSON.stringify(error.toJSON()), JSON.stringify(error.cause) ?? ''];
  for (const secret of secrets) for (const text of texts) expect(text).not.to.include(secret);
}

/** Runs the fixture migrations (`latest`, or every one back with `rollback`) as the plan's migrator. */
export async function asMigrator(d: ProvisionDialect, server: { host: string; port: number }, plan: ProvisionPlan, command: 'latest' | 'rollback'): Promise<void> {
  const db: Knex = knex({
    client: d.client,
    connection: { host: server.host, port: server.port, user: plan.migrator.user, password: plan.migrator.password, database: plan.database },
    migrations: { directory: MIGRATIONS, loadExtensions: ['.js'] },
    pool: { min: 0, max: 2 },
  });
  try {
    if (command === 'latest') await db.migrate.latest();
    else await db.migrate.rollback(undefined, true);
    const hasOwners = await db.schema.hasTable('fixture_owners');
    expect(hasOwners, `fixture tables after ${command}`).to.equal(command === 'latest');
  } finally {
    await db.destroy();
  }
}

/** The dialect's provisioning suite, when DIALECTS selects it: the shared scenarios, then `extras`. */
export function provisionSuite(d: ProvisionDialect, prefix: string, extras: Extras = {}): void {
  if (!serverDialects().includes(d.dialect)) return;
  describe(`provisioning on a real ${d.name} server`, () => {
    before(() => d.start());
    provisionScenarios(d, prefix, extras);
    extras.more?.();
  });
}

function provisionScenarios(d: ProvisionDialect, prefix: string, extras: Extras): void {
  const server = (): { host: string; port: number } => d.superAdmin.admin();

  describe(`${d.name} provisioning as ${d.superAdmin.title}`, () => {
    const plan = d.planFor(`${prefix}_super`);
    const ctx: ScenarioContext = { plan, admin: () => d.superAdmin.admin() };

    it('provisions a fresh database and reports the changes', async () => {
      await d.drop(plan);
      d.expectFirstRun(changed(await d.provision(plan, ctx.admin())));
    });

    describe('once provisioned', () => {
      beforeEach(() => d.provision(plan, ctx.admin()));

      it('reports nothing changed on a second run', async () => {
        const report = await d.provision(plan, ctx.admin());
        d.expectStepCount(report.steps.length);
        expect(changed(report)).to.deep.equal([]);
      });

      it('logs both accounts in with passwords holding quotes, backslashes, $$ and non-ASCII', async () => {
        for (const account of [plan.migrator, plan.app]) expect(await d.loginAs(account, plan.database)).to.equal(d.sessionAccount(account.user));
      });

      it('changes only a changed password: the new one logs in, the old one no longer does', async () => {
        const rotated: ProvisionPlan = { ...plan, app: { ...plan.app, password: `${plan.app.password}-rotated'\\` } };
        expect(changed(await d.provision(rotated, ctx.admin()))).to.deep.equal([`app ${d.accountLabel(plan.app.user)}: password (set only when logging in with it fails)`]);
        expect(await d.loginAs(rotated.app, plan.database)).to.equal(d.sessionAccount(plan.app.user));
        const refused = await serverError(() => d.loginAs(plan.app, plan.database));
        expect(typeof d.wrongPasswordCode === 'number' ? refused.errno : refused.code).to.equal(d.wrongPasswordCode);
        expect(changed(await d.provision(rotated, ctx.admin()))).to.deep.equal([]);
      });

      it('fails with E_PROVISION, and no password, when the admin password is wrong', async () => {
        const admin = ctx.admin();
        const wrong = `wrong'\\$$-${admin.password}`;
        const error = await provisionError(d.provision(plan, { ...admin, password: wrong }));
        expectNoSecrets(error, [wrong, admin.password, plan.migrator.password, plan.app.password]);
        expect(error.code).to.equal('E_PROVISION');
        expect(error.message).to.include(admin.user).and.include(String(d.wrongPasswordCode));
      });

      extras.provisioned?.(ctx);

      describe('after the migrator ran knex migrations', () => {
        beforeEach(() => asMigrator(d, server(), plan, 'latest'));
        after(() => asMigrator(d, server(), plan, 'rollback'));

        it('lets the app read and write the new tables, generated ids included', () => d.appReadsAndWrites(plan));

        for (const [sql, code] of d.appRefusals(plan)) {
          it(`refuses the app: ${sql}`, async () => {
            expect(await d.refusal(plan.app, plan.database, sql)).to.equal(code);
          });
        }

        for (const [sql, code] of d.migratorRefusals(plan)) {
          it(`refuses the migrator: ${sql}`, async () => {
            expect(await d.refusal(plan.migrator, plan.database, sql)).to.equal(code);
          });
        }

        it('still reports nothing changed with tables in place', async () => {
          expect(changed(await d.provision(plan, ctx.admin()))).to.deep.equal([]);
        });

        it('lets the migrator roll every migration back', () => asMigrator(d, server(), plan, 'rollback'));

        extras.migrated?.(ctx);
      });
    });
  });

  describe(`${d.name} provisioning corrects drift`, () => {
    const plan = d.planFor(`${prefix}_drift`);
    after(() => d.drift.cleanup?.());

    it(d.drift.title, async () => {
      await d.provision(plan, d.superAdmin.admin());
      await asMigrator(d, server(), plan, 'latest');
      await d.drift.add(plan);
      d.drift.expectRevoked(await d.provision(plan, d.superAdmin.admin()));
      expect(changed(await d.provision(plan, d.superAdmin.admin()))).to.deep.equal([]);
      await d.drift.expectNone(plan);
      await asMigrator(d, server(), plan, 'rollback');
    });
  });

  describe(`${d.name} provisioning as ${d.managed.title}`, () => {
    const plan = d.planFor(`${prefix}_managed`);
    let admin: AdminConnection;
    const ctx: ScenarioContext = { plan, admin: () => admin };

    before(async () => {
      admin = await d.managed.create(plan);
    });

    it('provisions, then reports nothing changed on a second run', async () => {
      await d.managed.reset(plan);
      d.managed.expectFirstRun(changed(await d.provision(plan, admin)));
      expect(changed(await d.provision(plan, admin))).to.deep.equal([]);
    });

    describe('once provisioned', () => {
      beforeEach(() => d.provision(plan, admin));

      it('gives the app access to what the migrator creates later, and the server still refuses both what it refuses them', async () => {
        await asMigrator(d, server(), plan, 'latest');
        try {
          await d.appReadsAndWrites(plan);
          for (const [sql, code] of d.appRefusals(plan)) expect(await d.refusal(plan.app, plan.database, sql), `app: ${sql}`).to.equal(code);
          for (const [sql, code] of d.migratorRefusals(plan)) expect(await d.refusal(plan.migrator, plan.database, sql), `migrator: ${sql}`).to.equal(code);
        } finally {
          await asMigrator(d, server(), plan, 'rollback');
        }
      });

      extras.managed?.(ctx);
    });
  });
}
