import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { silentServer } from '../support/silent-server';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import { doctor, formatDoctor, type DoctorReport } from '../../lib/checks/doctor';
import { knexConfig } from '../../lib/knexfile';
import type { Dialect } from '../../lib/types';
import { testDialects } from '../support/dialects';
import { freePort } from '../support/free-port';
import { testEnv } from '../support/servers';

const FAMILY = { postgres: 'PG', mysql: 'DB' } as const;
const WRONG_PASSWORD = `wr0ng'\\$$-pässwörd`;
const FOREIGN_SECRET = `f0reign'\\$$-secret`;

/** Every password value in `env`, plus the made-up ones: none may appear in any rendering. */
function expectNoSecrets(report: DoctorReport, env: Record<string, string>): void {
  const secrets = [WRONG_PASSWORD, FOREIGN_SECRET, ...Object.entries(env).filter(([name]) => name.endsWith('_PASSWORD')).map(([, value]) => value)];
  for (const text of [JSON.stringify(report), formatDoctor(report)]) {
    for (const secret of secrets) expect(text).not.to.include(secret);
  }
}

function role(report: DoctorReport, name: 'runtime' | 'migration') {
  const found = report.roles.find((r) => r.role === name);
  if (!found) throw new Error(`no ${name} entry in the report`);
  return found;
}

for (const dialect of testDialects().filter((d): d is Exclude<Dialect, 'sqlite'> => d !== 'sqlite')) {
  describe(`doctor on ${dialect}`, () => {
    const F = FAMILY[dialect];
    let env: Record<string, string>;

    before(async () => {
      env = { ...(await testEnv()), DB_TEST_CONNECTION: dialect };
    });

    it('a good environment is ok for both roles, with targets and users and no password anywhere', async () => {
      const report = await doctor({ env, test: true });
      expect(report.ok).to.equal(true, formatDoctor(report));
      expect(report.test).to.equal(true);
      expect(report.roles.map((r) => [r.role, r.verdict])).to.deep.equal([
        ['runtime', 'ok'],
        ['migration', 'ok'],
      ]);
      const target = `${env[`${F}_TEST_HOST`]}:${env[`${F}_TEST_PORT`]}/${env[`${F}_TEST_NAME`]}`;
      for (const entry of report.roles) {
        expect(entry).to.include({ dialect, target, reachable: true, guardOnly: false });
        expect(entry.problems).to.deep.equal([]);
        expect(entry.found).not.to.be.empty;
      }
      expect(role(report, 'runtime').user).to.include(env[`${F}_TEST_RUNTIME_USER`]);
      expect(role(report, 'migration').user).to.include(env[`${F}_TEST_MIGRATION_USER`]);
      // testEnv() holds every role's credentials, so the runtime entry names the others' secrets.
      expect(role(report, 'runtime').secrets).to.include(`${F}_TEST_MIGRATION_PASSWORD`).and.include(`${F}_TEST_ADMIN_PASSWORD`);
      expect(role(report, 'migration').secrets).to.equal(undefined);
      expect(JSON.parse(JSON.stringify(report))).to.deep.equal(report);
      const text = formatDoctor(report);
      expect(text).to.include('runtime').and.include('migration').and.include(target).and.include('verdict');
      expectNoSecrets(report, env);
    });

    it('a wrong password shows an authentication failure, and no password', async () => {
      const report = await doctor({ env: { ...env, [`${F}_TEST_RUNTIME_PASSWORD`]: WRONG_PASSWORD }, test: true });
      expect(report.ok).to.equal(false);
      const runtime = role(report, 'runtime');
      expect(runtime).to.include({ verdict: 'misconfigured', reachable: true });
      expect(runtime.error?.code).to.equal(dialect === 'postgres' ? '28P01' : 'ER_ACCESS_DENIED_ERROR');
      expect(runtime.error?.message).to.match(/^Authentication failed: /);
      expect(runtime.remedy).to.include(`${F}_TEST_RUNTIME_PASSWORD`);
      expect(role(report, 'migration').verdict).to.equal('ok');
      expect(formatDoctor(report)).to.include('MISCONFIGURED').and.include('Authentication failed');
      expectNoSecrets(report, env);
    });

    it('a closed port is unreachable on the refusal itself (ECONNREFUSED, not a timeout)', async () => {
      const port = await freePort();
      // A bound far longer than a refusal takes: waiting for it would report ETIMEDOUT instead.
      const report = await doctor({ env: { ...env, [`${F}_TEST_PORT`]: String(port) }, test: true, timeoutMs: 20_000 });
      for (const entry of report.roles) {
        expect(entry).to.include({ verdict: 'unreachable', reachable: false, target: `${env[`${F}_TEST_HOST`]}:${port}/${env[`${F}_TEST_NAME`]}` });
        expect(entry.error?.code).to.equal('ECONNREFUSED');
      }
      expect(formatDoctor(report)).to.include('UNREACHABLE');
      expectNoSecrets(report, env);
    });

    it('a server that accepts but never answers is unreachable after timeoutMs', async () => {
      const silent = await silentServer();
      const { port } = silent;
      try {
        // Two bounds ten times apart: each lasts at least its bound, the long one most of
        // the difference longer, so timeoutMs (not a driver default) ends the wait.
        const waited: number[] = [];
        for (const timeoutMs of [250, 2500]) {
          const started = Date.now();
          const report = await doctor({ env: { ...env, [`${F}_TEST_PORT`]: String(port) }, test: true, roles: ['runtime'], timeoutMs });
          waited.push(Date.now() - started);
          expect(waited.at(-1)).to.be.at.least(timeoutMs);
          expect(role(report, 'runtime')).to.include({ verdict: 'unreachable', reachable: false });
          expect(role(report, 'runtime').error).to.deep.equal({ code: 'ETIMEDOUT', message: `No answer from ${env[`${F}_TEST_HOST`]}:${port}/${env[`${F}_TEST_NAME`]} within ${timeoutMs} ms.` });
        }
        const [short = 0, long = 0] = waited;
        expect(long - short, `timeoutMs 250 waited ${short} ms, 2500 waited ${long} ms`).to.be.at.least(1125);
      } finally {
        await silent.close();
      }
    });

    it('the migrator configured as runtime has problems, with the remedy', async () => {
      const report = await doctor({
        env: { ...env, [`${F}_TEST_RUNTIME_USER`]: env[`${F}_TEST_MIGRATION_USER`] ?? '', [`${F}_TEST_RUNTIME_PASSWORD`]: env[`${F}_TEST_MIGRATION_PASSWORD`] ?? '' },
        test: true,
        roles: ['runtime'],
      });
      const runtime = role(report, 'runtime');
      expect(runtime.verdict).to.equal('problems');
      expect(runtime.problems.some((p) => p.problem === 'excess' && p.privilege.startsWith('CREATE'))).to.equal(true);
      expect(runtime.remedy).to.include('not the migrator');
      expect(formatDoctor(report)).to.include('excess: CREATE');
      expectNoSecrets(report, env);
    });

    it('a runtime environment holding PG_MIGRATION_PASSWORD / DB_ADMIN_PASSWORD gets a secrets warning naming them', async () => {
      const runtimeOnly = Object.fromEntries(Object.entries(env).filter(([name]) => !/_(MIGRATION|ADMIN)_/.test(name)));
      const clean = await doctor({ env: runtimeOnly, test: true, roles: ['runtime'] });
      expect(role(clean, 'runtime').secrets).to.deep.equal([]);

      const leaky = { ...runtimeOnly, PG_MIGRATION_PASSWORD: FOREIGN_SECRET, DB_ADMIN_PASSWORD: FOREIGN_SECRET };
      const report = await doctor({ env: leaky, test: true, roles: ['runtime'] });
      const runtime = role(report, 'runtime');
      expect(runtime.verdict).to.equal('ok'); // a warning, not a failure…
      expect(runtime.secrets).to.deep.equal(['DB_ADMIN_PASSWORD', 'PG_MIGRATION_PASSWORD']);
      expect(formatDoctor(report)).to.include('DB_ADMIN_PASSWORD, PG_MIGRATION_PASSWORD');
      expectNoSecrets(report, env);

      // …unless strict, where startKnex would refuse to start.
      const strict = await doctor({ env: { ...leaky, KNEX_ROLES_STRICT: '1' }, test: true, roles: ['runtime'] });
      expect(role(strict, 'runtime')).to.include({ verdict: 'misconfigured' });
      expect(role(strict, 'runtime').error).to.deep.include({ code: 'E_ENV_SECRETS', variables: ['DB_ADMIN_PASSWORD', 'PG_MIGRATION_PASSWORD'] });
      expect(strict.ok).to.equal(false);
      expectNoSecrets(strict, env);
    });

    it('a missing variable is misconfigured with the EnvContractError code, without connecting', async () => {
      const { [`${F}_TEST_MIGRATION_USER`]: _migrator, [`${F}_TEST_USER`]: _shared, ...rest } = env;
      const report = await doctor({ env: rest, test: true, roles: ['migration'] });
      const migration = role(report, 'migration');
      expect(migration).to.include({ verdict: 'misconfigured', reachable: false });
      expect(migration.error?.code).to.equal('E_ENV_MISSING');
      expect(migration.error?.variables).to.include(`${F}_TEST_MIGRATION_USER`);
      expect(migration.target).to.equal(undefined);
      expect(formatDoctor(report)).to.include('E_ENV_MISSING');
    });
  });
}

if (testDialects().includes('sqlite')) {
  describe('doctor on sqlite', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'knex-roles-doctor-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('a file that does not exist yet is ok (guard only) and is not created', async () => {
      const file = join(dir, 'absent.sqlite3');
      const report = await doctor({ env: { DB_CONNECTION: 'sqlite', SQLITE_TEST_PATH: file }, test: true });
      expect(report.ok).to.equal(true);
      for (const entry of report.roles) {
        expect(entry).to.include({ dialect: 'sqlite', target: file, verdict: 'ok', guardOnly: true });
        expect(entry.note).to.include('does not exist yet');
      }
      const { existsSync } = await import('node:fs');
      expect(existsSync(file)).to.equal(false);
    });

    it('an existing file is ok, guard only, with the note', async () => {
      const file = join(dir, 'present.sqlite3');
      const env = { DB_CONNECTION: 'sqlite', SQLITE_TEST_PATH: file };
      const make = knex(knexConfig({ env, test: true, role: 'migration' }));
      await make.schema.createTable('t', (t) => t.increments('id'));
      await make.destroy();
      const report = await doctor({ env, test: true });
      expect(report.ok).to.equal(true, formatDoctor(report));
      for (const entry of report.roles) {
        expect(entry).to.include({ verdict: 'ok', reachable: true, guardOnly: true, target: file });
        expect(entry.note).to.include('guard');
      }
      expect(formatDoctor(report)).to.include(file);
    });

    it('pending migrations are reported for both roles, read only (no migrations table is created)', async () => {
      const file = join(dir, 'pending.sqlite3');
      const directory = join(dir, 'migrations');
      mkdirSync(directory);
      for (const name of ['20260101000001_a.js', '20260101000002_b.js']) writeFileSync(join(directory, name), 'exports.up = async () => {};\nexports.down = async () => {};\n');
      const env = { DB_CONNECTION: 'sqlite', SQLITE_TEST_PATH: file };
      const make = knex(knexConfig({ env, test: true, role: 'migration' }));
      await make.schema.createTable('t', (t) => t.increments('id'));
      const before = await doctor({ env, test: true, migrations: { directory } });
      for (const entry of before.roles) expect(entry.pending, entry.role).to.deep.equal(['20260101000001_a.js', '20260101000002_b.js']);
      expect(await make.schema.hasTable('knex_migrations')).to.equal(false);
      expect(formatDoctor(before)).to.include('20260101000002_b.js (not migrated)');
      await make.migrate.up({ directory });
      const after = await doctor({ env, test: true, migrations: { directory } });
      for (const entry of after.roles) expect(entry.pending, entry.role).to.deep.equal(['20260101000002_b.js']);
      await make.destroy();
    });
  });
}
