import { expect } from 'chai';
import { inspect } from 'node:util';
import type { Knex } from 'knex';
import { doctor, startKnex, type StartOptions } from '../../lib';
import { TlsError } from '../../lib/error-classes';
import { testDialects } from '../support/dialects';
import { testEnv, testServers, TEST_APP, TEST_DATABASE, TEST_MIGRATOR } from '../support/servers';

const FAMILY = { postgres: 'PG', mysql: 'DB' } as const;
const MODE = { postgres: 'SSLMODE', mysql: 'SSL' } as const;

/** Whether the session of `knex` runs over TLS, as the server reports it. */
async function sessionUsesTls(knex: Knex, dialect: 'postgres' | 'mysql'): Promise<boolean> {
  if (dialect === 'postgres') {
    const result = (await knex.raw('select ssl from pg_stat_ssl where pid = pg_backend_pid()')) as { rows: Array<{ ssl: boolean }> };
    return result.rows[0]?.ssl === true;
  }
  const [rows] = (await knex.raw("show session status like 'Ssl_cipher'")) as [Array<{ Value: string }>];
  return (rows[0]?.Value ?? '') !== '';
}

async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = await run();
  } catch (error) {
    return error;
  }
  // A knex that connected after all must not keep the process alive.
  await (value as { destroy?: () => Promise<void> } | undefined)?.destroy?.();
  throw new Error('expected a rejection');
}

for (const dialect of testDialects().filter((d): d is 'postgres' | 'mysql' => d !== 'sqlite')) {
  const family = FAMILY[dialect];
  const mode = `${family}_TEST_${MODE[dialect]}`;
  const caVariable = `${family}_TEST_SSL_CA`;

  describe(`TLS on ${dialect} (self-signed CA made with openssl; the certificate names only localhost)`, () => {
    let env: Record<string, string>;
    let ca: string;
    let wrongCa: string;
    const start = (extra: Record<string, string>, options: Omit<StartOptions, 'report'> = {}): Promise<Knex> =>
      startKnex({ env: { ...env, DB_TEST_CONNECTION: dialect, ...extra }, test: true, role: 'migration', verify: false, attempts: 1, timeoutMs: 10_000, ...options });

    before(async () => {
      env = await testEnv();
      ({ ca, wrongCa } = (await testServers()).tls);
    });

    for (const [title, extra, tls] of [
      ['no TLS variable: plain text, as before', {}, false],
      [`${mode}=require connects over TLS`, { [mode]: 'require' }, true],
      [`${mode}=verify-ca with the right CA connects (host name not checked)`, { [mode]: 'verify-ca', [caVariable]: 'CA' }, true],
      [`${mode}=verify-full with the right CA connects to localhost`, { [mode]: 'verify-full', [caVariable]: 'CA', [`${family}_TEST_HOST`]: 'localhost' }, true],
      [`${mode}=disable: plain text`, { [mode]: 'disable' }, false],
    ] as Array<[string, Record<string, string>, boolean]>) {
      it(title, async () => {
        const knex = await start(Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v === 'CA' ? ca : v])));
        try {
          expect(await sessionUsesTls(knex, dialect)).to.equal(tls);
        } finally {
          await knex.destroy();
        }
      });
    }

    it(`a ${family}_TEST_URL with TLS parameters connects over TLS`, async () => {
      const { host, port } = (await testServers())[dialect];
      const scheme = dialect === 'postgres' ? 'postgres' : 'mysql';
      const query = dialect === 'postgres' ? `sslmode=verify-ca&sslrootcert=${encodeURIComponent(ca)}` : `ssl-mode=VERIFY_CA&ssl-ca=${encodeURIComponent(ca)}`;
      const url = `${scheme}://${encodeURIComponent(TEST_MIGRATOR.user)}:${encodeURIComponent(TEST_MIGRATOR.password)}@${host}:${port}/${TEST_DATABASE}?${query}`;
      const bare = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith(`${family}_TEST_`) || /_ADMIN_|_RUNTIME_/.test(name)));
      const knex = await startKnex({ env: { ...bare, [`${family}_TEST_MIGRATION_URL`]: url, DB_TEST_CONNECTION: dialect }, test: true, role: 'migration', verify: false, attempts: 1 });
      try {
        expect(await sessionUsesTls(knex, dialect)).to.equal(true);
      } finally {
        await knex.destroy();
      }
    });

    it(`${mode}=verify-full to 127.0.0.1 fails the host-name check: TlsError naming ${mode}`, async () => {
      const error = await rejection(() => start({ [mode]: 'verify-full', [caVariable]: ca }));
      expect(error).to.be.instanceOf(TlsError);
      const tls = error as TlsError;
      expect(tls.code).to.equal('E_TLS');
      expect(tls.variables).to.deep.equal([mode, caVariable]);
      expect(tls.message).to.include(mode);
      expect(String((tls.cause as { code?: unknown }).code)).to.equal('ERR_TLS_CERT_ALTNAME_INVALID');
    });

    it(`${mode}=verify-full with the wrong CA fails: TlsError naming ${caVariable}`, async () => {
      const error = await rejection(() => start({ [mode]: 'verify-full', [caVariable]: wrongCa, [`${family}_TEST_HOST`]: 'localhost' }));
      expect(error).to.be.instanceOf(TlsError);
      const tls = error as TlsError;
      expect(tls.variables).to.include(caVariable);
      expect(tls.remedy).to.include(caVariable);
      for (const text of [tls.message, String(tls.stack), JSON.stringify(tls), inspect(tls, { depth: 6, showHidden: true })]) {
        for (const secret of [TEST_MIGRATOR.password, TEST_APP.password]) expect(text).not.to.include(secret);
      }
    });

    it('the doctor reports the wrong CA as misconfigured (E_TLS), naming the variable', async () => {
      const report = await doctor({ env: { ...env, [mode]: 'verify-full', [caVariable]: wrongCa, [`${family}_TEST_HOST`]: 'localhost', DB_TEST_CONNECTION: dialect }, test: true, roles: ['migration'], timeoutMs: 10_000 });
      const [role] = report.roles;
      expect(role?.verdict).to.equal('misconfigured');
      expect(role?.error?.code).to.equal('E_TLS');
      expect(role?.error?.variables).to.include(caVariable);
      const json = JSON.stringify(report);
      for (const secret of [TEST_MIGRATOR.password, TEST_APP.password]) expect(json).not.to.include(secret);
    });
  });
}
