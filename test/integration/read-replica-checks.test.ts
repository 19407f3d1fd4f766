import { expect } from 'chai';
import { inspect } from 'node:util';
import { doctor, startKnex } from '../../lib';
import { LoginRefusedError, PrivilegeError } from '../../lib/error-classes';
import { formatDoctor } from '../../lib/checks/doctor';
import type { Knex } from 'knex';
import { testDialects } from '../support/dialects';
import { freePort } from '../support/free-port';
import { replicaHarness, type ReplicaHarness } from '../support/replica-harness';
import { TEST_ADMIN } from '../support/servers';
import { warningsDuring } from '../support/warnings';
import { rejection } from '../support/rejection';

const WRONG_PASSWORD = `wr0ng'\\$$-pässwörd`;

/** Env without the migration and admin variables: what a runtime process holds. */
function runtimeOnly(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/_(MIGRATION|ADMIN)_/.test(name)));
}

function expectNoSecrets(texts: string[], env: Record<string, string>): void {
  const secrets = [WRONG_PASSWORD, TEST_ADMIN.password, ...Object.entries(env).filter(([name]) => name.endsWith('_PASSWORD')).map(([, value]) => value)];
  for (const text of texts) for (const secret of secrets) expect(text).not.to.include(secret);
}

for (const dialect of testDialects().filter((d): d is 'postgres' | 'mysql' => d !== 'sqlite')) {
  describe(`startKnex and doctor check the read replicas (${dialect})`, () => {
    let h: ReplicaHarness;
    let env: Record<string, string>;
    let scheme: string;
    let primaryAddress: string;
    const opened: Knex[] = [];

    before(async () => {
      h = await replicaHarness(dialect);
      env = runtimeOnly(h.env);
      scheme = dialect === 'postgres' ? 'postgres' : 'mysql';
      const F = dialect === 'postgres' ? 'PG' : 'DB';
      primaryAddress = `${h.env[`${F}_TEST_HOST`] ?? ''}:${h.env[`${F}_TEST_PORT`] ?? ''}`;
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((instance) => instance.destroy()));
    });

    const start = async (readUrl: string) => {
      const started = await startKnex({ report: true,  env: { ...env, [h.readUrl]: readUrl }, dialect, test: true, attempts: 1 });
      opened.push(started.knex);
      return started;
    };

    it('startKnex verifies each replica: the runtime user, its privileges, read-only', async () => {
      const started = await start(`${scheme}://${h.replicaAddress}`);
      expect(started.replicas).to.have.length(1);
      const [report] = started.replicas ?? [];
      expect(report).to.include({ verdict: 'ok', reachable: true, readOnly: true, variable: h.readUrl, entry: 1 });
      expect(report?.user?.replace(/@.*$/, '')).to.equal(env[dialect === 'postgres' ? 'PG_TEST_RUNTIME_USER' : 'DB_TEST_RUNTIME_USER']);
      expect(report?.problems).to.deep.equal([]);
      const [row] = (dialect === 'postgres' ? (await started.knex.raw(h.whereAmI)).rows : (await started.knex.raw(h.whereAmI))[0]) as Array<{ replica: unknown }>;
      expect(Boolean(row?.replica)).to.equal(true);
    });

    it('a read URL pointing at a writable server (the primary) fails startKnex with E_PRIVILEGES', async () => {
      const error = await rejection(() => start(`${scheme}://${primaryAddress}`));
      expect(error).to.be.instanceOf(PrivilegeError);
      const privilege = error as PrivilegeError;
      expect(privilege.problems.map((p) => p.privilege)).to.deep.equal([dialect === 'postgres' ? 'writes: the server is not a standby (pg_is_in_recovery() is false)' : 'writes: the server runs with read_only = OFF']);
      expect(privilege.remedy).to.include(h.readUrl).and.include('read-only replica');
    });

    it('a replica that logs in as a superuser fails startKnex with E_PRIVILEGES naming the replica', async () => {
      const error = await rejection(() => start(`${scheme}://${encodeURIComponent(TEST_ADMIN.user)}:${encodeURIComponent(TEST_ADMIN.password)}@${h.replicaAddress}`));
      expect(error).to.be.instanceOf(PrivilegeError);
      expect((error as PrivilegeError).user.replace(/@.*$/, '')).to.equal(TEST_ADMIN.user);
      expect((error as PrivilegeError).remedy).to.include(`the read replica ${h.replicaAddress}`);
      expectNoSecrets([String(error), JSON.stringify(error), inspect(error, { depth: 5 })], h.env);
    });

    it('a replica that refuses the login fails startKnex with E_LOGIN_REFUSED naming the read URL', async () => {
      const user = env[dialect === 'postgres' ? 'PG_TEST_RUNTIME_USER' : 'DB_TEST_RUNTIME_USER'] ?? '';
      const error = await rejection(() => start(`${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(WRONG_PASSWORD)}@${h.replicaAddress}`));
      expect(error).to.be.instanceOf(LoginRefusedError);
      expect((error as LoginRefusedError).remedy).to.include(h.readUrl);
      expect((error as LoginRefusedError).variables).to.deep.equal([h.readUrl]);
      expectNoSecrets([String(error), JSON.stringify(error), inspect(error, { depth: 5 }), String((error as Error).stack)], h.env);
    });

    it('a replica that is down does not stop startKnex: a warning, and reads go to the primary', async () => {
      const port = await freePort();
      let started: Awaited<ReturnType<typeof start>> | undefined;
      const warnings = await warningsDuring(async () => {
        started = await start(`${scheme}://127.0.0.1:${port}`);
      });
      expect(warnings.map((w) => w.code)).to.deep.equal(['KNEX_ROLES_REPLICA_DOWN']);
      expect(started?.replicas?.[0]).to.include({ verdict: 'unreachable', reachable: false });
      const [row] = (dialect === 'postgres' ? (await started?.knex.raw(h.whereAmI)).rows : (await started?.knex.raw(h.whereAmI))[0]) as Array<{ replica: unknown }>;
      expect(Boolean(row?.replica)).to.equal(false);
    });

    it('doctor reports each replica of the runtime role, and a writable one as a problem', async () => {
      const report = await doctor({ env: { ...env, [h.readUrl]: `${scheme}://${h.replicaAddress},${scheme}://${primaryAddress}` }, dialect, test: true, roles: ['runtime'] });
      const [runtime] = report.roles;
      expect(runtime?.replicas?.map((r) => [r.target.split('/')[0], r.verdict, r.readOnly])).to.deep.equal([
        [h.replicaAddress, 'ok', true],
        [primaryAddress, 'problems', false],
      ]);
      expect(runtime?.verdict).to.equal('problems');
      expect(report.ok).to.equal(false);
      const text = formatDoctor(report);
      expect(text).to.match(/replica 1 +127\.0\.0\.1:\d+\/\w+ \(\w+_TEST_READ_URL\): OK, user \S+, read-only/);
      expect(text).to.match(/replica 2 +127\.0\.0\.1:\d+\/\w+ \(\w+_TEST_READ_URL, entry 2\): PROBLEMS, user \S+, WRITABLE/);
      expectNoSecrets([text, JSON.stringify(report)], h.env);
    });

    it('doctor: all replicas ok leaves the runtime verdict ok; one that is down is reported unreachable', async () => {
      const ok = await doctor({ env: { ...env, [h.readUrl]: `${scheme}://${h.replicaAddress}` }, dialect, test: true, roles: ['runtime'] });
      expect(ok.roles[0]?.verdict).to.equal('ok');
      const port = await freePort();
      const down = await doctor({ env: { ...env, [h.readUrl]: `${scheme}://127.0.0.1:${port}` }, dialect, test: true, roles: ['runtime'] });
      expect(down.roles[0]?.replicas?.[0]).to.include({ verdict: 'unreachable', reachable: false });
      expect(down.roles[0]?.verdict).to.equal('problems');
    });
  });
}
