import { expect } from 'chai';
import { format, inspect } from 'node:util';
import { knexConfig, resolveConnection } from '../../lib';
import { EnvContractError } from '../../lib/error-classes';
import { configFor } from '../../lib/knexfile';
import { passwordOf } from '../../lib/env/hide-password';
import { resolveProvisioning } from '../../lib/env/resolve-provisioning';

const SECRET = 'hunter2-$$-\'"\\-ünï';

// Every place a password could leak from a resolved configuration.
function renderings(value: unknown): string[] {
  const texts = [
    inspect(value, { depth: 10, showHidden: false }),
    inspect(value, { depth: 10, showHidden: true }),
    format('%o', value),
    JSON.stringify(value) ?? '',
    String(value),
    inspect({ ...(value as object) }, { depth: 10, showHidden: true }),
  ];
  try {
    texts.push(inspect(structuredClone(value), { depth: 10, showHidden: true }));
  } catch {
    // a config holding functions (client class, connection provider) cannot be cloned: nothing revealed
  }
  return texts;
}

describe('secrets never leak', () => {
  const env = { DB_CONNECTION: 'pg', PG_USER: 'app', PG_NAME: 'db', PG_PASSWORD: SECRET, PG_ADMIN_USER: 'admin', PG_ADMIN_PASSWORD: SECRET };

  it('the password reaches the driver (pg calls the password function)', () => {
    const { connection } = resolveConnection({ env });
    expect(passwordOf(connection)).to.equal(SECRET);
    expect(((connection as { password?: () => string }).password as () => string)()).to.equal(SECRET);
  });

  for (const [title, make] of [
    ['resolveConnection()', () => resolveConnection({ env })],
    ['resolveConnection().connection', () => resolveConnection({ env }).connection],
    ['knexConfig() for migration', () => knexConfig({ env, role: 'migration' })],
    ['configFor() for runtime', () => configFor(resolveConnection({ env }))],
    ['resolveProvisioning()', () => resolveProvisioning({ env })],
    ['resolveProvisioning().admin', () => resolveProvisioning({ env }).admin],
    ['resolveConnection().connection (mysql)', () => resolveConnection({ env: { DB_USER: 'u', DB_NAME: 'd', DB_PASSWORD: SECRET } }).connection],
    ['knexConfig().connection (mysql)', () => knexConfig({ env: { DB_USER: 'u', DB_NAME: 'd', DB_PASSWORD: SECRET } }).connection],
    ['resolveConnection() from a URL', () => resolveConnection({ env: { PG_URL: `postgres://u:${encodeURIComponent(SECRET)}@h/d` } })],
  ] as Array<[string, () => unknown]>) {
    it(`${title} hides it from inspect (also %o and showHidden), JSON, structuredClone and spread`, () => {
      for (const text of renderings(make())) expect(text).not.to.include('hunter2');
    });
  }

  for (const [title, badEnv] of [
    ['a bad port next to a password', { ...env, PG_PORT: 'nope' }],
    ['a conflict next to a password', { ...env, PG_DB_NAME: 'other' }],
    ['a missing user next to a password', { DB_CONNECTION: 'pg', PG_NAME: 'db', PG_PASSWORD: SECRET }],
    ['a connection URL put in DB_CONNECTION', { DB_CONNECTION: 'postgres://app:hunter2@db/x' }],
    ['a secret put in ELOQUENT_DB_ROLE', { ELOQUENT_DB_ROLE: 'hunter2' }],
  ] as Array<[string, Record<string, string>]>) {
    it(`errors about ${title} carry no password`, () => {
      let caught: unknown;
      try {
        resolveConnection({ env: badEnv });
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(EnvContractError);
      const error = caught as EnvContractError;
      for (const text of [error.message, String(error.stack), JSON.stringify(error), inspect(error)]) expect(text).not.to.include('hunter2');
    });
  }
});
