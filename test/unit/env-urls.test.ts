import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveConnection, type ResolveOptions } from '../../lib';
import { findEnvFile, loadEnv } from '../../lib/env/load-env';
import { passwordOf } from '../../lib/env/hide-password';
import { resolveRole } from '../../lib/env/resolve-role';
import { expectEnvError } from '../support/env-error';

type Expect =
  | { dialect?: string; connection?: Record<string, unknown>; password?: string; ssl?: unknown; sources?: Record<string, string> }
  | { error: string; variables: string[]; message?: RegExp; remedy?: RegExp };

// The project directory the cases resolve in (embedded SQLite files land under it); never read.
const PROJECT = '/srv/knex-roles-app';
const CA_DIR = mkdtempSync(join(tmpdir(), 'knex-roles-ca-'));
const CA = join(CA_DIR, 'ca.pem');
writeFileSync(CA, '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n');

// [title, env, options, expected]
const CASES: Array<[string, Record<string, string>, ResolveOptions, Expect]> = [
  // URLs: parsing
  ['PG_URL supplies every field', { PG_URL: 'postgres://app:s3cret@db.example:6543/shop' }, {},
    { dialect: 'postgres', connection: { host: 'db.example', port: 6543, user: 'app', database: 'shop' }, password: 's3cret', sources: { host: 'PG_URL', port: 'PG_URL', user: 'PG_URL', password: 'PG_URL', database: 'PG_URL', dialect: 'inferred from PG_URL' } }],
  ['postgresql:// is postgres', { PG_URL: 'postgresql://app@h/shop' }, {}, { dialect: 'postgres', connection: { host: 'h', port: 5432 }, sources: { port: 'default' } }],
  ['percent-encoded user, password and database are decoded', { PG_URL: 'postgres://a%40b:p%40%3A%2F%25ss@h/my%20db' }, {}, { connection: { user: 'a@b', database: 'my db' }, password: 'p@:/%ss' }],
  ['IPv6 host loses its brackets', { DB_URL: 'mysql://u:p@[::1]:3307/d' }, {}, { dialect: 'mysql', connection: { host: '::1', port: 3307 } }],
  ['mariadb:// is mysql', { DB_URL: 'mariadb://u@h/d' }, {}, { dialect: 'mysql', connection: { port: 3306 } }],
  ['a URL without a password leaves it unset', { PG_URL: 'postgres://u@h/d' }, {}, { password: undefined }],
  ['a malformed URL is E_ENV_URL naming it', { PG_URL: 'postgres://u:p@h:notaport/d' }, {}, { error: 'E_ENV_URL', variables: ['PG_URL'] }],
  ['an unknown scheme is E_ENV_URL', { DATABASE_URL: 'oracle://u:p@h/d' }, {}, { error: 'E_ENV_URL', variables: ['DATABASE_URL'] }],
  ['a bad percent-encoding is E_ENV_URL', { PG_URL: 'postgres://u:%E0%A4%A@h/d' }, {}, { error: 'E_ENV_URL', variables: ['PG_URL'] }],
  ['an unknown query parameter is E_ENV_URL_PARAM naming it', { PG_URL: 'postgres://u@h/d?application_name=x' }, {}, { error: 'E_ENV_URL_PARAM', variables: ['PG_URL'], message: /application_name/ }],
  ['a database path of two segments is E_ENV_URL', { PG_URL: 'postgres://u@h/a/b' }, {}, { error: 'E_ENV_URL', variables: ['PG_URL'] }],

  // URLs: the ladder
  ['PG_RUNTIME_URL beats PG_URL', { PG_URL: 'postgres://shared@h/d', PG_RUNTIME_URL: 'postgres://app@h/d' }, {}, { connection: { user: 'app' }, sources: { user: 'PG_RUNTIME_URL' } }],
  ['a field variable wins over the URL of its level', { PG_URL: 'postgres://u@h/d', PG_USER: 'field' }, {}, { connection: { user: 'field', host: 'h' }, sources: { user: 'PG_USER', host: 'PG_URL' } }],
  ['a URL of a more specific level wins over a field of a less specific one', { PG_USER: 'shared', PG_NAME: 'd', PG_RUNTIME_URL: 'postgres://app@h/d' }, {}, { connection: { user: 'app' }, sources: { user: 'PG_RUNTIME_URL', database: 'PG_RUNTIME_URL' } }],
  ['fields the URL lacks come from the next level', { PG_RUNTIME_URL: 'postgres://app@h', PG_NAME: 'shop' }, {}, { connection: { database: 'shop' }, sources: { database: 'PG_NAME' } }],
  ['PG_MIGRATION_URL for the migration role', { PG_MIGRATION_URL: 'postgres://mig@h/d', PG_RUNTIME_URL: 'postgres://app@h/d' }, { role: 'migration' }, { connection: { user: 'mig' } }],
  ['the runtime role never reads PG_MIGRATION_URL', { PG_MIGRATION_URL: 'postgres://mig@h/d', PG_NAME: 'd', DB_CONNECTION: 'pg' }, {}, { error: 'E_ENV_MISSING', variables: ['PG_RUNTIME_USER', 'PG_USER'] }],
  ['PG_TEST_URL in test mode', { PG_TEST_URL: 'postgres://t@h/test' }, { test: true }, { connection: { user: 't' }, sources: { user: 'PG_TEST_URL' } }],
  ['PG_TEST_MIGRATION_URL beats PG_TEST_URL', { PG_TEST_URL: 'postgres://t@h/test', PG_TEST_MIGRATION_URL: 'postgres://tm@h/test' }, { test: true, role: 'migration' }, { connection: { user: 'tm' } }],
  ['DB_TEST_RUNTIME_URL in test mode', { DB_TEST_RUNTIME_URL: 'mysql://tr@h/test' }, { test: true }, { dialect: 'mysql', connection: { user: 'tr' } }],
  ['test mode never reads PG_URL', { PG_URL: 'postgres://u@h/d', DB_CONNECTION: 'pg', PG_TEST_NAME: 'x' }, { test: true }, { error: 'E_ENV_MISSING', variables: ['PG_TEST_RUNTIME_USER', 'PG_TEST_USER'], remedy: /never reads PG_URL/ }],

  // DATABASE_URL
  ['DATABASE_URL names the dialect by its scheme', { DATABASE_URL: 'postgres://u:p@h/d' }, {}, { dialect: 'postgres', sources: { dialect: 'inferred from DATABASE_URL', user: 'DATABASE_URL' } }],
  ['DATABASE_URL mysql://', { DATABASE_URL: 'mysql://u@h/d' }, {}, { dialect: 'mysql' }],
  ['DATABASE_URL sqlite: relative path', { DATABASE_URL: 'sqlite:db/app.sqlite3' }, { cwd: '/srv/app' }, { dialect: 'sqlite', connection: { filename: '/srv/app/db/app.sqlite3' }, sources: { filename: 'DATABASE_URL' } }],
  ['DATABASE_URL sqlite:/// absolute path', { DATABASE_URL: 'sqlite:///var/app.db' }, {}, { connection: { filename: '/var/app.db' } }],
  ['DATABASE_URL file: path', { DATABASE_URL: 'file:./x.db' }, { cwd: '/srv' }, { dialect: 'sqlite', connection: { filename: '/srv/x.db' } }],
  ['DATABASE_URL is the lowest level', { DATABASE_URL: 'postgres://low@h/d', PG_USER: 'field' }, {}, { connection: { user: 'field', database: 'd' }, sources: { database: 'DATABASE_URL' } }],
  ['PG_URL beats DATABASE_URL', { DATABASE_URL: 'postgres://low@h/d', PG_URL: 'postgres://mid@h/d' }, {}, { connection: { user: 'mid' } }],
  ['DATABASE_URL is never read in test mode', { DATABASE_URL: 'postgres://u@h/d' }, { test: true }, { error: 'E_ENV_NOT_READ', variables: ['DATABASE_URL'], remedy: /test mode never reads it/ }],
  ['DATABASE_URL of another dialect than DB_CONNECTION is an error', { DB_CONNECTION: 'mysql', DATABASE_URL: 'postgres://u@h/d', DB_USER: 'u', DB_NAME: 'd' }, {}, { error: 'E_ENV_URL_DIALECT', variables: ['DATABASE_URL', 'DB_CONNECTION'] }],
  ['PG_URL with a mysql:// scheme is an error', { PG_URL: 'mysql://u@h/d' }, {}, { error: 'E_ENV_URL_DIALECT', variables: ['PG_URL'], remedy: /DB_URL/ }],
  ['DATABASE_URL of one dialect with variables of another is ambiguous', { DATABASE_URL: 'mysql://u@h/d', PG_USER: 'u' }, {}, { error: 'E_ENV_AMBIGUOUS', variables: ['PG_USER', 'DATABASE_URL'] }],

  // A URL in a field
  ...(['PG_HOST', 'PG_RUNTIME_HOST', 'PG_USER', 'PG_NAME', 'PG_DB_NAME', 'PG_TEST_HOST'] as const).map((variable): [string, Record<string, string>, ResolveOptions, Expect] => [
    `a URL in ${variable} is E_ENV_URL_IN_FIELD pointing at ${variable.replace(/_(HOST|USER|NAME|DB_NAME)$/, '_URL')}`,
    { DB_CONNECTION: 'pg', PG_USER: 'u', PG_NAME: 'd', PG_TEST_USER: 'u', PG_TEST_NAME: 'd', [variable]: 'postgres://app:hunter2@db/x' },
    { test: variable.includes('TEST') },
    { error: 'E_ENV_URL_IN_FIELD', variables: [variable], remedy: new RegExp(variable.replace(/_(HOST|USER|NAME|DB_NAME)$/, '_URL')) },
  ]),
  ['user:pass@host in DB_HOST is E_ENV_URL_IN_FIELD', { DB_HOST: 'app:hunter2@db', DB_USER: 'u', DB_NAME: 'd' }, {}, { error: 'E_ENV_URL_IN_FIELD', variables: ['DB_HOST'], remedy: /DB_URL/ }],
  ['a URL in SQLITE_PATH is E_ENV_URL_IN_FIELD', { SQLITE_PATH: 'postgres://a:b@h/d' }, {}, { error: 'E_ENV_URL_IN_FIELD', variables: ['SQLITE_PATH'] }],
  ['a URL in DB_CONNECTION is E_ENV_URL_IN_FIELD pointing at DATABASE_URL', { DB_CONNECTION: 'postgres://a:hunter2@h/d' }, {}, { error: 'E_ENV_URL_IN_FIELD', variables: ['DB_CONNECTION'], remedy: /DATABASE_URL/ }],
  ['an IPv6 host in PG_HOST is fine', { PG_HOST: '::1', PG_USER: 'u', PG_NAME: 'd' }, {}, { connection: { host: '::1' } }],

  // TLS
  ['no TLS variable leaves ssl unset', { PG_USER: 'u', PG_NAME: 'd' }, {}, { ssl: undefined }],
  ['PG_SSLMODE=disable', { PG_USER: 'u', PG_NAME: 'd', PG_SSLMODE: 'disable' }, {}, { ssl: false, sources: { sslmode: 'PG_SSLMODE' } }],
  ['PG_SSLMODE=allow is plain text', { PG_USER: 'u', PG_NAME: 'd', PG_SSLMODE: 'allow' }, {}, { ssl: false }],
  ['PG_SSLMODE=prefer is TLS without verification', { PG_USER: 'u', PG_NAME: 'd', PG_SSLMODE: 'prefer' }, {}, { ssl: { rejectUnauthorized: false } }],
  ['PG_SSLMODE=require is TLS without verification', { PG_USER: 'u', PG_NAME: 'd', PG_SSLMODE: ' Require ' }, {}, { ssl: { rejectUnauthorized: false } }],
  ['PG_SSLMODE=require with PG_SSL_CA verifies the chain (libpq)', { PG_USER: 'u', PG_NAME: 'd', PG_SSLMODE: 'require', PG_SSL_CA: CA }, {}, { ssl: { rejectUnauthorized: true, ca: 'pem', checkServerIdentity: 'fn' } }],
  ['PG_SSLMODE=verify-ca skips the host name', { PG_USER: 'u', PG_NAME: 'd', PG_SSLMODE: 'verify-ca', PG_SSL_CA: CA }, {}, { ssl: { rejectUnauthorized: true, ca: 'pem', checkServerIdentity: 'fn' } }],
  ['PG_SSLMODE=verify-full checks the host name', { PG_USER: 'u', PG_NAME: 'd', PG_SSLMODE: 'verify-full', PG_SSL_CA: CA }, {}, { ssl: { rejectUnauthorized: true, ca: 'pem' } }],
  ['PG_SSLMODE=verify-full without a CA uses the system store', { PG_USER: 'u', PG_NAME: 'd', PG_SSLMODE: 'verify-full' }, {}, { ssl: { rejectUnauthorized: true } }],
  ['PG_SSL_CA alone means verify-full', { PG_USER: 'u', PG_NAME: 'd', PG_SSL_CA: CA }, {}, { ssl: { rejectUnauthorized: true, ca: 'pem' } }],
  ['PG_RUNTIME_SSLMODE beats PG_SSLMODE', { PG_USER: 'u', PG_NAME: 'd', PG_SSLMODE: 'disable', PG_RUNTIME_SSLMODE: 'require' }, {}, { ssl: { rejectUnauthorized: false }, sources: { sslmode: 'PG_RUNTIME_SSLMODE' } }],
  ['PG_TEST_MIGRATION_SSLMODE in test mode', { PG_TEST_USER: 'u', PG_TEST_NAME: 'd', PG_TEST_MIGRATION_SSLMODE: 'require' }, { test: true, role: 'migration' }, { ssl: { rejectUnauthorized: false } }],
  ['sslmode from the URL', { PG_URL: 'postgres://u@h/d?sslmode=require' }, {}, { ssl: { rejectUnauthorized: false }, sources: { sslmode: 'PG_URL' } }],
  ['PG_SSLMODE wins over the URL of its level', { PG_URL: 'postgres://u@h/d?sslmode=require', PG_SSLMODE: 'disable' }, {}, { ssl: false }],
  ['?ssl=true is verify-full', { PG_URL: 'postgres://u@h/d?ssl=true' }, {}, { ssl: { rejectUnauthorized: true } }],
  ['?sslrootcert= is the CA', { PG_URL: `postgres://u@h/d?sslmode=verify-full&sslrootcert=${encodeURIComponent(CA)}` }, {}, { ssl: { rejectUnauthorized: true, ca: 'pem' }, sources: { sslca: 'PG_URL' } }],
  ['PG_SSLMODE=bogus is E_ENV_SSL', { PG_USER: 'u', PG_NAME: 'd', PG_SSLMODE: 'bogus' }, {}, { error: 'E_ENV_SSL', variables: ['PG_SSLMODE'] }],
  ['an unreadable PG_SSL_CA is E_ENV_SSL naming it', { PG_USER: 'u', PG_NAME: 'd', PG_SSLMODE: 'verify-full', PG_SSL_CA: '/nonexistent/ca.pem' }, {}, { error: 'E_ENV_SSL', variables: ['PG_SSL_CA'], message: /ENOENT/ }],
  ['a CA with TLS off is E_ENV_SSL', { PG_USER: 'u', PG_NAME: 'd', PG_SSLMODE: 'disable', PG_SSL_CA: CA }, {}, { error: 'E_ENV_SSL', variables: ['PG_SSL_CA', 'PG_SSLMODE'] }],
  ['DB_SSL=true is verify-full (host checked)', { ...{ DB_USER: 'u', DB_NAME: 'd' }, DB_SSL: 'true' }, {}, { ssl: { rejectUnauthorized: true, verifyIdentity: true } }],
  ['DB_SSL=false is no TLS', { DB_USER: 'u', DB_NAME: 'd', DB_SSL: 'false' }, {}, { ssl: false }],
  ['DB_SSL=require is TLS without verification', { DB_USER: 'u', DB_NAME: 'd', DB_SSL: 'require' }, {}, { ssl: { rejectUnauthorized: false } }],
  ['DB_SSL=verify-ca with DB_SSL_CA', { DB_USER: 'u', DB_NAME: 'd', DB_SSL: 'verify-ca', DB_SSL_CA: CA }, {}, { ssl: { rejectUnauthorized: true, ca: 'pem', verifyIdentity: false } }],
  ['DB_MIGRATION_SSL_CA for the migration role', { DB_USER: 'u', DB_NAME: 'd', DB_MIGRATION_SSL_CA: CA }, { role: 'migration' }, { ssl: { rejectUnauthorized: true, ca: 'pem', verifyIdentity: true } }],
  ['DB_SSL=prefer is E_ENV_SSL (mysql2 cannot fall back)', { DB_USER: 'u', DB_NAME: 'd', DB_SSL: 'prefer' }, {}, { error: 'E_ENV_SSL', variables: ['DB_SSL'] }],
  ['?ssl-mode=VERIFY_IDENTITY on a MySQL URL', { DB_URL: 'mysql://u@h/d?ssl-mode=VERIFY_IDENTITY' }, {}, { ssl: { rejectUnauthorized: true, verifyIdentity: true } }],

  // No silent embedded fallback
  ['nothing at all → the embedded file', {}, {}, { dialect: 'sqlite', connection: { filename: join(PROJECT, 'data/development.sqlite3') } }],
  ['only PG_MIGRATION_* for the runtime role is an error', { PG_MIGRATION_USER: 'm', PG_MIGRATION_NAME: 'd' }, {}, { error: 'E_ENV_NOT_READ', variables: ['PG_MIGRATION_USER', 'PG_MIGRATION_NAME'], remedy: /^PG_MIGRATION_USER, PG_MIGRATION_NAME are set but the role is runtime: set PG_RUNTIME_\* or PG_\*, or run with ELOQUENT_DB_ROLE=migration\.$/ }],
  ['the issue\'s own example, word for word', { PG_MIGRATION_USER: 'm' }, {}, { error: 'E_ENV_NOT_READ', variables: ['PG_MIGRATION_USER'], remedy: /^PG_MIGRATION_USER is set but the role is runtime: set PG_RUNTIME_\* or PG_\*, or run with ELOQUENT_DB_ROLE=migration\.$/ }],
  ['mixed mistakes: one sentence each', { PG_MIGRATION_USER: 'm', PG_TEST_USER: 't' }, {}, { error: 'E_ENV_NOT_READ', variables: ['PG_MIGRATION_USER', 'PG_TEST_USER'], remedy: /^PG_MIGRATION_USER is set but the role is runtime: .*\. PG_TEST_USER is set but only test mode/ }],
  ['only DB_MIGRATION_* for the runtime role is an error', { DB_MIGRATION_USER: 'm' }, {}, { error: 'E_ENV_NOT_READ', variables: ['DB_MIGRATION_USER'], remedy: /set DB_RUNTIME_\* or DB_\*/ }],
  ['only DB_RUNTIME_* for the migration role is an error', { DB_RUNTIME_USER: 'r' }, { role: 'migration' }, { error: 'E_ENV_NOT_READ', variables: ['DB_RUNTIME_USER'], remedy: /ELOQUENT_DB_ROLE=runtime/ }],
  ['test mode with PG_HOST only', { PG_HOST: 'h' }, { test: true }, { error: 'E_ENV_NOT_READ', variables: ['PG_HOST'], remedy: /PG_HOST is set but test mode reads only PG_TEST_\*/ }],
  ['live mode with PG_TEST_* only', { PG_TEST_USER: 'u' }, {}, { error: 'E_ENV_NOT_READ', variables: ['PG_TEST_USER'], remedy: /only test mode/ }],
  ['a URL of another role', { PG_MIGRATION_URL: 'postgres://m:hunter2@h/d' }, {}, { error: 'E_ENV_NOT_READ', variables: ['PG_MIGRATION_URL'] }],
  ['only admin variables', { PG_ADMIN_USER: 'admin' }, {}, { error: 'E_ENV_NOT_READ', variables: ['PG_ADMIN_USER'], remedy: /provision/ }],
  ['only SQLITE_TEST_PATH in live mode', { SQLITE_TEST_PATH: '/tmp/t.db' }, {}, { error: 'E_ENV_NOT_READ', variables: ['SQLITE_TEST_PATH'] }],
  ['DB_CONNECTION=sqlite picks the embedded file on purpose', { DB_CONNECTION: 'sqlite', PG_MIGRATION_USER: 'm' }, {}, { dialect: 'sqlite', sources: { filename: 'embedded' } }],

  // Messages that help
  ['DB_CONNECTION=postgress suggests postgres', { DB_CONNECTION: 'postgress' }, {}, { error: 'E_ENV_DIALECT', variables: ['DB_CONNECTION'], message: /did you mean postgres\?/ }],
  ['DB_CONNECTION=mysq suggests mysql', { DB_CONNECTION: 'mysq' }, {}, { error: 'E_ENV_DIALECT', variables: ['DB_CONNECTION'], remedy: /^Set DB_CONNECTION to mysql,/ }],
  ['DB_CONNECTION=oracle suggests nothing', { DB_CONNECTION: 'oracle' }, {}, { error: 'E_ENV_DIALECT', variables: ['DB_CONNECTION'], message: /^DB_CONNECTION names no supported dialect\./ }],
  ['a bad PG_PORT hint says 5432', { PG_USER: 'u', PG_NAME: 'd', PG_PORT: 'x' }, {}, { error: 'E_ENV_PORT', variables: ['PG_PORT'], remedy: /5432/ }],
  ['a bad DB_PORT hint says 3306', { DB_USER: 'u', DB_NAME: 'd', DB_PORT: 'x' }, {}, { error: 'E_ENV_PORT', variables: ['DB_PORT'], remedy: /3306/ }],
  ['a missing user says the other role has one', { PG_NAME: 'd', PG_MIGRATION_USER: 'm', DB_CONNECTION: 'pg' }, {}, { error: 'E_ENV_MISSING', variables: ['PG_RUNTIME_USER', 'PG_USER'], remedy: /PG_MIGRATION_USER is for the migration role only/ }],
];

describe('env contract: URLs, TLS, no silent fallback', () => {
  for (const [title, env, options, expected] of CASES) {
    it(title, () => {
      if ('error' in expected) {
        expectEnvError(() => resolveConnection({ cwd: PROJECT, ...options, env }), expected);
        return;
      }
      const resolved = resolveConnection({ cwd: PROJECT, ...options, env });
      if (expected.dialect) expect(resolved.dialect).to.equal(expected.dialect);
      for (const [key, value] of Object.entries(expected.connection ?? {})) expect((resolved.connection as unknown as Record<string, unknown>)[key], key).to.equal(value);
      if ('password' in expected) expect(passwordOf(resolved.connection)).to.equal(expected.password);
      if ('ssl' in expected) {
        const ssl = (resolved.connection as { ssl?: unknown }).ssl;
        // 'pem' and 'fn' stand for "the CA file's text" and "a function".
        const shape = ssl && typeof ssl === 'object' ? Object.fromEntries(Object.entries(ssl).map(([k, v]) => [k, typeof v === 'function' ? 'fn' : k === 'ca' ? (String(v).includes('BEGIN CERTIFICATE') ? 'pem' : v) : v])) : ssl;
        expect(shape).to.deep.equal(expected.ssl);
      }
      for (const [key, value] of Object.entries(expected.sources ?? {})) expect(resolved.sources[key], key).to.equal(value);
    });
  }
});

describe('env contract: .env discovery', () => {
  const root = mkdtempSync(join(tmpdir(), 'knex-roles-envwalk-'));
  const project = join(root, 'project');
  const src = join(project, 'src', 'deep');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(project, 'package.json'), '{}');
  writeFileSync(join(project, '.env'), 'ELOQUENT_DB_ROLE=migration\nPG_MIGRATION_USER=from_dotenv\nPG_NAME=d\n');
  // A .env above the package root must never be read.
  writeFileSync(join(root, '.env'), 'PG_PASSWORD=outside\n');

  it('walks up from cwd to the package root', () => {
    expect(findEnvFile(src)).to.equal(join(project, '.env'));
    expect(loadEnv(src)['PG_MIGRATION_USER']).to.equal('from_dotenv');
  });

  it('stops at the nearest package.json', () => {
    const other = join(root, 'other', 'src');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(root, 'other', 'package.json'), '{}');
    expect(findEnvFile(other)).to.equal(undefined);
    expect(loadEnv(other)['PG_PASSWORD']).to.equal(undefined);
  });

  it('without a package.json above cwd, reads only cwd/.env: never a .env of an enclosing folder', () => {
    const outside = mkdtempSync(join(tmpdir(), 'knex-roles-nopkg-'));
    const inner = join(outside, 'inner');
    mkdirSync(inner);
    writeFileSync(join(outside, '.env'), 'PG_PASSWORD=enclosing\n');
    expect(findEnvFile(inner)).to.equal(undefined);
    expect(findEnvFile(outside)).to.equal(join(outside, '.env'));
  });

  it('a .env nearer to cwd wins over the package root one', () => {
    writeFileSync(join(project, 'src', '.env'), 'PG_NAME=nearer\n');
    try {
      expect(findEnvFile(src)).to.equal(join(project, 'src', '.env'));
    } finally {
      writeFileSync(join(project, 'src', '.env'), '');
    }
  });

  it('resolveConnection and resolveRole read it from a subdirectory', () => {
    writeFileSync(join(project, 'src', '.env'), 'ELOQUENT_DB_ROLE=migration\nPG_MIGRATION_USER=from_dotenv\nPG_NAME=d\n');
    const resolved = resolveConnection({ cwd: src });
    expect(resolved.role).to.equal('migration');
    expect(resolved.dialect).to.equal('postgres');
    expect(resolveRole(loadEnv(src))).to.equal('migration');
  });

  it('resolveRole() with no argument reads the .env of the working directory', () => {
    const saved = process.cwd();
    const had = process.env['ELOQUENT_DB_ROLE'];
    delete process.env['ELOQUENT_DB_ROLE'];
    try {
      process.chdir(src);
      expect(resolveRole()).to.equal('migration');
    } finally {
      process.chdir(saved);
      if (had !== undefined) process.env['ELOQUENT_DB_ROLE'] = had;
    }
  });
});
