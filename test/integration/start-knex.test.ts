import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { silentServer } from '../support/silent-server';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { Knex } from 'knex';
import { startKnex, type StartOptions } from '../../lib';
import { EnvContractError, KnexRolesError, LoginRefusedError, PrivilegeError, RuntimeDdlError, UnreachableError } from '../../lib/error-classes';
import type { Dialect } from '../../lib/types';
import { testDialects } from '../support/dialects';
import { countingProxy } from '../support/counting-proxy';
import { freePort } from '../support/free-port';
import { testEnv } from '../support/servers';
import { warningsDuring } from '../support/warnings';
import { rejection } from '../support/rejection';

const FAMILY = { postgres: 'PG', mysql: 'DB' } as const;
const WRONG_PASSWORD = `wr0ng'\\$$-pässwörd`;

/** Every password in `env` plus the made-up one: none may appear in any rendering of `error`. */
function expectNoSecrets(error: unknown, env: Record<string, string>): void {
  const secrets = [WRONG_PASSWORD, ...Object.entries(env).filter(([name]) => name.endsWith('_PASSWORD')).map(([, value]) => value)];
  const err = error as Error;
  const texts = [err.message, String(err.stack), JSON.stringify(err), inspect(err, { depth: 5 })];
  for (const text of texts) for (const secret of secrets) expect(text).not.to.include(secret);
}

/** Env without the migration and admin variables: what a runtime process should hold. */
function runtimeOnly(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/_(MIGRATION|ADMIN)_/.test(name)));
}

type Socket = { destroyed?: boolean; writableEnded?: boolean; once(event: 'close' | 'finish', listener: () => void): unknown };

/** A pool hook that records each raw connection's socket, to prove the instance was destroyed. */
function socketSpy(): { options: Pick<StartOptions, 'knex'>; allClosed: () => Promise<boolean>; count: () => number } {
  const sockets: Socket[] = [];
  const afterCreate = (conn: { stream?: unknown; connection?: { stream?: unknown } }, done: (err: Error | null, conn: unknown) => void): void => {
    const stream = (conn.connection?.stream ?? conn.stream) as Socket | undefined;
    if (stream) sockets.push(stream);
    done(null, conn);
  };
  // Ended (our side sent its FIN) or closed: the events, not a poll.
  const closed = (s: Socket): Promise<void> =>
    s.destroyed === true || s.writableEnded === true ? Promise.resolve() : new Promise<void>((resolve) => void (s.once('close', resolve), s.once('finish', resolve)));
  return {
    options: { knex: { pool: { afterCreate } } },
    count: () => sockets.length,
    // A generous bound only so that a socket left open fails with the message below, not a mocha timeout.
    allClosed: async () => {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, 20_000, false)));
      return Promise.race([Promise.all(sockets.map(closed)).then(() => true), bound]).finally(() => clearTimeout(timer));
    },
  };
}

for (const dialect of testDialects().filter((d): d is Exclude<Dialect, 'sqlite'> => d !== 'sqlite')) {
  describe(`startKnex on ${dialect}`, () => {
    const F = FAMILY[dialect];
    let full: Record<string, string>;
    let env: Record<string, string>;
    const opened: Knex[] = [];

    before(async () => {
      full = { ...(await testEnv()), DB_TEST_CONNECTION: dialect, NODE_ENV: 'test' };
      env = runtimeOnly(full);
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((db) => db.destroy()));
    });

    it('a good runtime environment resolves to a guarded instance with an ok privileges report', async () => {
      const warnings = await warningsDuring(async () => {
        const started = await startKnex({ report: true,  env });
        opened.push(started.knex);
        expect(started.privileges).to.include({ ok: true, role: 'runtime', dialect, guardOnly: false });
        expect(started.privileges?.user).to.include(env[`${F}_TEST_RUNTIME_USER`]);
        expect(started.privileges?.problems).to.deep.equal([]);
        const result = (await started.knex.raw('select 1 as one')) as { rows: unknown[] } | [unknown[], unknown];
        expect('rows' in result ? result.rows : result[0]).to.deep.equal([{ one: 1 }]);
        const refused = await rejection(() => started.knex.raw('create table start_knex_probe (id int)'));
        expect(refused).to.be.instanceOf(RuntimeDdlError);
        expect((refused as RuntimeDdlError).code).to.equal('E_RUNTIME_DDL');
      });
      expect(warnings.filter((w) => w.code === 'KNEX_ROLES_SECRETS')).to.deep.equal([]);
    });

    it('the migrator configured as runtime fails with PrivilegeError E_PRIVILEGES, the instance destroyed', async () => {
      const spy = socketSpy();
      const error = await rejection(() =>
        startKnex({ report: true, 
          env: { ...env, [`${F}_TEST_RUNTIME_USER`]: full[`${F}_TEST_MIGRATION_USER`] ?? '', [`${F}_TEST_RUNTIME_PASSWORD`]: full[`${F}_TEST_MIGRATION_PASSWORD`] ?? '' },
          ...spy.options,
        }),
      );
      expect(error).to.be.instanceOf(PrivilegeError);
      expect((error as PrivilegeError).code).to.equal('E_PRIVILEGES');
      expect((error as PrivilegeError).problems.some((p) => p.problem === 'excess')).to.equal(true);
      expect(spy.count()).to.be.above(0);
      expect(await spy.allClosed()).to.equal(true, 'the instance was not destroyed');
      expectNoSecrets(error, full);
    });

    it('a closed port fails with UnreachableError E_UNREACHABLE on the refusal itself (not a timeout), naming host:port', async () => {
      const port = await freePort();
      const error = await rejection(() => startKnex({ report: true,  env: { ...env, [`${F}_TEST_PORT`]: String(port) }, attempts: 2, delayMs: 50 }));
      expect(error).to.be.instanceOf(UnreachableError);
      const unreachable = error as UnreachableError;
      expect(unreachable).to.include({ code: 'E_UNREACHABLE', host: env[`${F}_TEST_HOST`], port, attempts: 2 });
      expect(unreachable.message).to.include(`${env[`${F}_TEST_HOST`]}:${port}`).and.include('ECONNREFUSED');
      expect(unreachable.variables).to.deep.equal([`${F}_TEST_HOST`, `${F}_TEST_PORT`]);
      expectNoSecrets(error, full);
    });

    it('a server that accepts and never answers fails with E_UNREACHABLE after attempts × timeoutMs', async () => {
      const silent = await silentServer();
      const { port } = silent;
      try {
        // Two bounds ten times apart: each run connects once per attempt and lasts at least
        // attempts × timeoutMs, and the long one lasts most of the difference longer, so
        // timeoutMs (not a driver default) ends each attempt.
        const waited: number[] = [];
        for (const timeoutMs of [200, 2000]) {
          const before = silent.connections();
          const started = Date.now();
          const error = await rejection(() =>
            startKnex({ report: true,  env: { ...env, [`${F}_TEST_HOST`]: '127.0.0.1', [`${F}_TEST_PORT`]: String(port) }, attempts: 2, delayMs: 50, timeoutMs }),
          );
          waited.push(Date.now() - started);
          expect(waited.at(-1)).to.be.at.least(2 * timeoutMs + 50);
          expect(error).to.be.instanceOf(UnreachableError);
          expect(error).to.include({ code: 'E_UNREACHABLE', host: '127.0.0.1', port, attempts: 2 });
          expect(silent.connections() - before, 'connections, one per attempt').to.equal(2);
          expectNoSecrets(error, full);
        }
        const [short = 0, long = 0] = waited;
        expect(long - short, `timeoutMs 200 waited ${short} ms, 2000 waited ${long} ms`).to.be.at.least(1800);
      } finally {
        await silent.close();
      }
    });

    it('a wrong password fails at once with LoginRefusedError E_LOGIN_REFUSED, no retries and no password anywhere', async () => {
      // Through a proxy that counts connections: one login attempt, though five are allowed.
      const proxy = await countingProxy({ host: env[`${F}_TEST_HOST`] ?? '', port: Number(env[`${F}_TEST_PORT`]) });
      let error: unknown;
      try {
        error = await rejection(() =>
          startKnex({ report: true,  env: { ...env, [`${F}_TEST_HOST`]: proxy.host, [`${F}_TEST_PORT`]: String(proxy.port), [`${F}_TEST_RUNTIME_PASSWORD`]: WRONG_PASSWORD }, attempts: 5, delayMs: 50 }),
        );
        expect(proxy.connections()).to.equal(1);
      } finally {
        await proxy.close();
      }
      expect(error).to.be.instanceOf(LoginRefusedError).and.instanceOf(KnexRolesError);
      const refused = error as LoginRefusedError;
      expect(refused).to.include({
        code: 'E_LOGIN_REFUSED',
        host: proxy.host,
        port: proxy.port,
        user: env[`${F}_TEST_RUNTIME_USER`],
        database: env[`${F}_TEST_NAME`],
      });
      expect((refused.cause as { code?: string }).code).to.equal(dialect === 'postgres' ? '28P01' : 'ER_ACCESS_DENIED_ERROR');
      expect(refused.remedy).to.include(`${F}_TEST_RUNTIME_USER`).and.include(`${F}_TEST_RUNTIME_PASSWORD`);
      expect(refused.variables).to.deep.equal([`${F}_TEST_RUNTIME_USER`, `${F}_TEST_RUNTIME_PASSWORD`, `${F}_TEST_NAME`]);
      expect(refused.message).to.include(`${proxy.host}:${proxy.port}`);
      expect(JSON.parse(JSON.stringify(refused))).to.include({ name: 'LoginRefusedError', code: 'E_LOGIN_REFUSED', user: env[`${F}_TEST_RUNTIME_USER`] });
      expectNoSecrets(error, full);
    });

    it('a database that does not exist fails with LoginRefusedError E_LOGIN_REFUSED', async () => {
      const error = await rejection(() => startKnex({ report: true,  env: { ...env, [`${F}_TEST_NAME`]: 'knexroles_absent' }, attempts: 3, delayMs: 2000 }));
      expect(error).to.be.instanceOf(LoginRefusedError);
      expect(error).to.include({ code: 'E_LOGIN_REFUSED', database: 'knexroles_absent' });
      expect((error as LoginRefusedError).remedy).to.include(`${F}_TEST_NAME`);
      expect((error as LoginRefusedError).variables).to.include(`${F}_TEST_NAME`);
      expectNoSecrets(error, full);
    });

    it(`strict mode refuses a runtime environment holding ${F}_TEST_MIGRATION_PASSWORD; without strict it warns`, async () => {
      const leaky = { ...env, [`${F}_TEST_MIGRATION_PASSWORD`]: full[`${F}_TEST_MIGRATION_PASSWORD`] ?? '' };
      const spy = socketSpy();
      const error = await rejection(() => startKnex({ report: true,  env: leaky, strict: true, ...spy.options }));
      expect(error).to.be.instanceOf(EnvContractError);
      expect(error).to.include({ code: 'E_ENV_SECRETS' });
      expect((error as EnvContractError).variables).to.deep.equal([`${F}_TEST_MIGRATION_PASSWORD`]);
      expect(spy.count()).to.equal(0); // refused before connecting
      expectNoSecrets(error, full);

      const viaVariable = await rejection(() => startKnex({ report: true,  env: { ...leaky, KNEX_ROLES_STRICT: '1' } }));
      expect(viaVariable).to.be.instanceOf(EnvContractError).and.include({ code: 'E_ENV_SECRETS' });

      const warnings = await warningsDuring(async () => {
        const started = await startKnex({ report: true,  env: leaky });
        opened.push(started.knex);
        expect(started.privileges?.ok).to.equal(true);
      });
      const secrets = warnings.filter((w) => w.code === 'KNEX_ROLES_SECRETS');
      expect(secrets).to.have.length(1);
      expect(secrets[0]?.message).to.include(`${F}_TEST_MIGRATION_PASSWORD`);
      for (const secret of [full[`${F}_TEST_MIGRATION_PASSWORD`] ?? '']) expect(secrets[0]?.message).not.to.include(secret);
    });
  });
}

if (testDialects().includes('sqlite')) {
  describe('startKnex on sqlite', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'knex-roles-start-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('resolves to a guarded instance, privileges ok and guard only', async () => {
      const env = { DB_TEST_CONNECTION: 'sqlite', NODE_ENV: 'test', SQLITE_TEST_PATH: join(dir, 'start.sqlite3') };
      writeFileSync(env.SQLITE_TEST_PATH, ''); // an empty database
      const started = await startKnex({ report: true, env });
      try {
        expect(started.privileges).to.include({ ok: true, guardOnly: true, dialect: 'sqlite', role: 'runtime' });
        const refused = await rejection(() => started.knex.raw('create table start_knex_probe (id integer)'));
        expect(refused).to.be.instanceOf(RuntimeDdlError);
        expect(refused).to.include({ code: 'E_RUNTIME_DDL' });
      } finally {
        await started.knex.destroy();
      }
    });

    it('refuses to create a database file that does not exist: E_NOT_MIGRATED, and no file is left', async () => {
      const file = join(dir, 'missing.sqlite3');
      const error = (await rejection(() => startKnex({ env: { DB_TEST_CONNECTION: 'sqlite', NODE_ENV: 'test', SQLITE_TEST_PATH: file } }))) as Error & { remedy?: string };
      expect(error).to.include({ name: 'MigrationError', code: 'E_NOT_MIGRATED' });
      expect(error.message).to.include(JSON.stringify(file)).and.include('a runtime connection does not create it');
      expect(error.remedy).to.include('ELOQUENT_DB_ROLE=migration');
      expect(existsSync(file)).to.equal(false);
    });
  });
}
