import { expect } from 'chai';
import type { Knex } from 'knex';
import { resolveConnection, startKnex } from '../../lib';
import { LoginRefusedError } from '../../lib/error-classes';
import { testDialects } from '../support/dialects';
import { testEnv, testServers, TEST_APP, TEST_DATABASE, TEST_MIGRATOR } from '../support/servers';

const FAMILY = { postgres: 'PG', mysql: 'DB' } as const;

async function currentUser(knex: Knex, dialect: 'postgres' | 'mysql'): Promise<string> {
  if (dialect === 'postgres') return ((await knex.raw('select current_user as u')) as { rows: Array<{ u: string }> }).rows[0]?.u ?? '';
  const [rows] = (await knex.raw('select current_user() as u')) as [Array<{ u: string }>];
  return (rows[0]?.u ?? '').replace(/@.*$/, '');
}

for (const dialect of testDialects().filter((d): d is 'postgres' | 'mysql' => d !== 'sqlite')) {
  const family = FAMILY[dialect];

  describe(`connection URLs on ${dialect} (passwords with quotes, $$, emoji, percent-encoded)`, () => {
    let host: string;
    let port: number;
    const url = (user: string, password: string, scheme: string = dialect === 'postgres' ? 'postgresql' : 'mariadb'): string =>
      `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${TEST_DATABASE}`;

    before(async () => {
      await testEnv(); // provisions the users
      ({ host, port } = (await testServers())[dialect]);
    });

    for (const [role, who] of [['runtime', TEST_APP], ['migration', TEST_MIGRATOR]] as const) {
      it(`${family}_TEST_${role.toUpperCase()}_URL logs in as the ${role} user`, async () => {
        const env = { [`${family}_TEST_${role.toUpperCase()}_URL`]: url(who.user, who.password) };
        const knex = await startKnex({ env, test: true, role, verify: false, attempts: 1 });
        try {
          expect(await currentUser(knex, dialect)).to.equal(who.user);
        } finally {
          await knex.destroy();
        }
      });
    }

    it('DATABASE_URL alone (live mode) names the dialect and logs in', async () => {
      const env = { DATABASE_URL: url(TEST_MIGRATOR.user, TEST_MIGRATOR.password, dialect === 'postgres' ? 'postgres' : 'mysql') };
      expect(resolveConnection({ env, test: false, role: 'migration' }).dialect).to.equal(dialect);
      const knex = await startKnex({ env, test: false, production: false, role: 'migration', verify: false, attempts: 1 });
      try {
        expect(await currentUser(knex, dialect)).to.equal(TEST_MIGRATOR.user);
      } finally {
        await knex.destroy();
      }
    });

    it('a field variable wins over the URL of its level (right password over a wrong one)', async () => {
      const env = { [`${family}_TEST_URL`]: url(TEST_APP.user, 'wrong-password'), [`${family}_TEST_PASSWORD`]: TEST_APP.password };
      const knex = await startKnex({ env, test: true, role: 'runtime', verify: false, attempts: 1 });
      try {
        expect(await currentUser(knex, dialect)).to.equal(TEST_APP.user);
      } finally {
        await knex.destroy();
      }
    });

    it('a wrong URL password is LoginRefusedError naming the URL variable, never the password', async () => {
      const wrong = `wr0ng'p@ss:/%`;
      const env = { [`${family}_TEST_URL`]: url(TEST_APP.user, wrong) };
      let caught: unknown;
      try {
        await startKnex({ env, test: true, role: 'runtime', verify: false, attempts: 1 });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(LoginRefusedError);
      const error = caught as LoginRefusedError;
      expect(error.remedy).to.include(`${family}_TEST_URL`);
      for (const text of [error.message, String(error.stack), JSON.stringify(error)]) {
        for (const form of [wrong, encodeURIComponent(wrong)]) expect(text).not.to.include(form);
      }
    });
  });
}
