import { expect } from 'chai';
import { resolveConnection, type ResolveOptions } from '../../lib';
import { passwordOf } from '../../lib/env/hide-password';
import { secretValues } from '../../lib/env/secret-values';
import { expectEnvError } from '../support/env-error';

type Replica = { host: string; port: number; user: string; database: string; password?: string; ssl?: unknown };
type Expect = { replicas: Replica[]; variable?: string } | { error: string; variables: string[]; message?: RegExp; remedy?: RegExp };

const PG = { PG_USER: 'app', PG_PASSWORD: 'hunter2', PG_NAME: 'shop', PG_HOST: 'primary' };
const PG_TEST = { PG_TEST_USER: 'app', PG_TEST_PASSWORD: 'hunter2', PG_TEST_NAME: 'shop_test' };
const DB = { DB_USER: 'app', DB_PASSWORD: 'hunter2', DB_NAME: 'shop' };
const MIGRATION = { PG_MIGRATION_USER: 'mig', PG_MIGRATION_PASSWORD: 'm1gr8', PG_NAME: 'shop', PG_HOST: 'primary' };

// [title, env, options, expected]
const CASES: Array<[string, Record<string, string>, ResolveOptions, Expect]> = [
  ['no read URL: no replicas', { ...PG }, {}, { replicas: [] }],
  ['PG_READ_URL: one replica; user, password and database from the runtime connection', { ...PG, PG_READ_URL: 'postgres://replica1' }, {},
    { replicas: [{ host: 'replica1', port: 5432, user: 'app', password: 'hunter2', database: 'shop' }], variable: 'PG_READ_URL' }],
  ['a comma-separated list, in order, spaces trimmed', { ...PG, PG_READ_URL: 'postgres://r1:5433, postgres://r2:5434' }, {},
    { replicas: [{ host: 'r1', port: 5433, user: 'app', password: 'hunter2', database: 'shop' }, { host: 'r2', port: 5434, user: 'app', password: 'hunter2', database: 'shop' }] }],
  ['PG_RUNTIME_READ_URL beats PG_READ_URL (the whole list)', { ...PG, PG_READ_URL: 'postgres://shared1,postgres://shared2', PG_RUNTIME_READ_URL: 'postgres://own' }, {},
    { replicas: [{ host: 'own', port: 5432, user: 'app', password: 'hunter2', database: 'shop' }], variable: 'PG_RUNTIME_READ_URL' }],
  ['a URL with its own user and password uses them', { ...PG, PG_READ_URL: 'postgres://reader:s3cret@r1/other' }, {},
    { replicas: [{ host: 'r1', port: 5432, user: 'reader', password: 's3cret', database: 'other' }] }],
  ['another user without a password gets no password (not the runtime one)', { ...PG, PG_READ_URL: 'postgres://reader@r1' }, {},
    { replicas: [{ host: 'r1', port: 5432, user: 'reader', database: 'shop' }] }],
  ['the runtime user without a password gets the runtime password', { ...PG, PG_READ_URL: 'postgres://app@r1' }, {},
    { replicas: [{ host: 'r1', port: 5432, user: 'app', password: 'hunter2', database: 'shop' }] }],
  ['the port is the URL\'s or the dialect default, never the primary\'s', { ...PG, PG_PORT: '6543', PG_READ_URL: 'postgres://r1' }, {},
    { replicas: [{ host: 'r1', port: 5432, user: 'app', password: 'hunter2', database: 'shop' }] }],
  ['TLS from the runtime connection', { ...PG, PG_SSLMODE: 'require', PG_READ_URL: 'postgres://r1' }, {},
    { replicas: [{ host: 'r1', port: 5432, user: 'app', password: 'hunter2', database: 'shop', ssl: { rejectUnauthorized: false } }] }],
  ['TLS from the URL wins', { ...PG, PG_SSLMODE: 'require', PG_READ_URL: 'postgres://r1?sslmode=disable' }, {},
    { replicas: [{ host: 'r1', port: 5432, user: 'app', password: 'hunter2', database: 'shop', ssl: false }] }],
  ['credentials from a runtime URL', { PG_RUNTIME_URL: 'postgres://app:hunter2@primary/shop', PG_READ_URL: 'postgres://r1' }, {},
    { replicas: [{ host: 'r1', port: 5432, user: 'app', password: 'hunter2', database: 'shop' }] }],
  ['DB_READ_URL for MySQL, mariadb:// too', { ...DB, DB_READ_URL: 'mysql://r1:3307,mariadb://r2' }, {},
    { replicas: [{ host: 'r1', port: 3307, user: 'app', password: 'hunter2', database: 'shop' }, { host: 'r2', port: 3306, user: 'app', password: 'hunter2', database: 'shop' }] }],
  ['test mode reads PG_TEST_READ_URL', { ...PG_TEST, PG_TEST_READ_URL: 'postgres://rt' }, { test: true },
    { replicas: [{ host: 'rt', port: 5432, user: 'app', password: 'hunter2', database: 'shop_test' }], variable: 'PG_TEST_READ_URL' }],
  ['test mode: PG_TEST_RUNTIME_READ_URL beats PG_TEST_READ_URL', { ...PG_TEST, PG_TEST_READ_URL: 'postgres://shared', DB_TEST_RUNTIME_READ_URL: 'mysql://x', PG_TEST_RUNTIME_READ_URL: 'postgres://own' }, { test: true },
    { replicas: [{ host: 'own', port: 5432, user: 'app', password: 'hunter2', database: 'shop_test' }] }],
  ['test mode never reads PG_READ_URL', { ...PG_TEST, PG_READ_URL: 'postgres://live' }, { test: true }, { replicas: [] }],
  ['live mode never reads PG_TEST_READ_URL', { ...PG, PG_TEST_READ_URL: 'postgres://test' }, {}, { replicas: [] }],
  ['the migration role never reads them', { ...MIGRATION, PG_READ_URL: 'postgres://r1' }, { role: 'migration' }, { replicas: [] }],
  ['the migration role is not broken by a malformed one', { ...MIGRATION, PG_READ_URL: 'postgres://u:p@r1:notaport,', PG_RUNTIME_READ_URL: 'mysql://x' }, { role: 'migration' }, { replicas: [] }],
  ['another family\'s read URL is not read (DB_CONNECTION picks)', { ...PG, DB_READ_URL: 'mysql://r1' }, {}, { replicas: [] }],

  // Errors, on the runtime role
  ['a malformed entry is E_ENV_URL naming the variable and the entry', { ...PG, PG_READ_URL: 'postgres://r1,postgres://u:hunter2@r2:notaport' }, {},
    { error: 'E_ENV_URL', variables: ['PG_READ_URL'], message: /^entry 2 of PG_READ_URL/ }],
  ['an empty entry is E_ENV_URL', { ...PG, PG_READ_URL: 'postgres://r1,' }, {}, { error: 'E_ENV_URL', variables: ['PG_READ_URL'], message: /entry 2 of PG_READ_URL .*is empty/ }],
  ['a URL without a host is E_ENV_URL', { ...PG, PG_READ_URL: 'postgres:///shop' }, {}, { error: 'E_ENV_URL', variables: ['PG_READ_URL'], message: /names no host/ }],
  ['a port out of range is E_ENV_URL naming the variable', { ...PG, PG_READ_URL: 'postgres://r1:99999' }, {}, { error: 'E_ENV_URL', variables: ['PG_READ_URL'] }],
  ['an unknown parameter is E_ENV_URL_PARAM', { ...PG, PG_READ_URL: 'postgres://r1?target_session_attrs=read-only' }, {}, { error: 'E_ENV_URL_PARAM', variables: ['PG_READ_URL'], message: /target_session_attrs/ }],
  ['a mysql URL in PG_READ_URL is E_ENV_URL_DIALECT pointing at DB_READ_URL', { ...PG, PG_READ_URL: 'mysql://r1' }, {}, { error: 'E_ENV_URL_DIALECT', variables: ['PG_READ_URL'], remedy: /DB_READ_URL/ }],
  ['a postgres URL in DB_READ_URL is E_ENV_URL_DIALECT even on PostgreSQL', { ...PG, DB_READ_URL: 'postgres://r1' }, {}, { error: 'E_ENV_URL_DIALECT', variables: ['DB_READ_URL'], remedy: /PG_READ_URL/ }],
  ['a sqlite URL is E_ENV_URL_DIALECT', { ...PG, PG_READ_URL: 'sqlite:x.db' }, {}, { error: 'E_ENV_URL_DIALECT', variables: ['PG_READ_URL'] }],
  ['a read URL with DB_CONNECTION=sqlite is E_ENV_NOT_READ (SQLite has no replicas)', { DB_CONNECTION: 'sqlite', PG_READ_URL: 'postgres://r1' }, {}, { error: 'E_ENV_NOT_READ', variables: ['PG_READ_URL'], message: /SQLite has no read replicas/ }],
  ['a read URL with SQLITE_PATH is E_ENV_NOT_READ', { SQLITE_PATH: '/tmp/x.db', DB_READ_URL: 'mysql://r1' }, {}, { error: 'E_ENV_NOT_READ', variables: ['DB_READ_URL'], message: /from SQLITE_PATH/ }],
  ['a read URL and nothing else is E_ENV_NOT_READ: no primary', { PG_READ_URL: 'postgres://r1' }, {}, { error: 'E_ENV_NOT_READ', variables: ['PG_READ_URL'], remedy: /no primary is configured: set PG_RUNTIME_\* or PG_\* \(or PG_URL\)/ }],
  ['a read URL and nothing else, migration role: E_ENV_NOT_READ as for any runtime variable', { PG_READ_URL: 'postgres://r1' }, { role: 'migration' }, { error: 'E_ENV_NOT_READ', variables: ['PG_READ_URL'], remedy: /the role is migration/ }],
];

describe('env contract: read replicas (PG_READ_URL, DB_READ_URL …)', () => {
  for (const [title, env, options, expected] of CASES) {
    it(title, () => {
      const resolve = () => resolveConnection({ cwd: process.cwd(), ...options, env });
      if ('error' in expected) {
        expectEnvError(resolve, expected);
        return;
      }
      const resolved = resolve();
      const replicas = (resolved.replicas ?? []).map(({ connection }) => {
        const { host, port, user, database, ssl } = connection;
        const password = passwordOf(connection);
        return { host, port, user, database, ...(password !== undefined ? { password } : {}), ...(ssl !== undefined ? { ssl } : {}) };
      });
      expect(replicas).to.deep.equal(expected.replicas);
      if (expected.variable) expect(resolved.sources['replicas']).to.equal(expected.variable);
      if (expected.replicas.length === 0) expect(resolved).not.to.have.property('replicas');
    });
  }

  it('the migration role resolves exactly as without the read URLs', () => {
    const without = resolveConnection({ env: MIGRATION, role: 'migration' });
    const withThem = resolveConnection({ env: { ...MIGRATION, PG_READ_URL: 'postgres://r1', PG_RUNTIME_READ_URL: 'mysql://broken' }, role: 'migration' });
    expect(withThem).to.deep.equal(without);
    expect(passwordOf(withThem.connection)).to.equal(passwordOf(without.connection));
  });

  it('replica passwords are held like the primary\'s: never a plain property', () => {
    const resolved = resolveConnection({ env: { ...PG, PG_READ_URL: 'postgres://reader:s3cret@r1' } });
    const [replica] = resolved.replicas ?? [];
    expect(replica).not.to.equal(undefined);
    expect(JSON.stringify(resolved)).not.to.include('s3cret');
    expect(require('node:util').inspect(resolved, { showHidden: true, depth: 10 })).not.to.include('s3cret');
  });

  it('secretValues() finds the password of every entry of a read-URL list', () => {
    expect(secretValues({ PG_READ_URL: 'postgres://a:first@r1,postgres://b:sec%2Cond@r2', DB_TEST_READ_URL: 'mysql://c:third@r3' })).to.include.members(['first', 'sec,ond', 'third']);
  });
});
