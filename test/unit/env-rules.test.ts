import { expect } from 'chai';
import { join } from 'node:path';
import { resolveConnection, type ResolveOptions } from '../../lib';
import { EnvContractError } from '../../lib/error-classes';
import { resolveRole } from '../../lib/env/resolve-role';

type Expect =
  | { dialect?: string; role?: string; test?: boolean; connection?: Record<string, unknown>; sources?: Record<string, string> }
  | { error: string; variables: string[] };

// The project directory the cases resolve in (embedded SQLite files land under it); never read.
const PROJECT = '/srv/knex-roles-app';
const PG = { PG_USER: 'u', PG_NAME: 'd' };
const MY = { DB_USER: 'u', DB_NAME: 'd' };

// [title, env, options, expected]
const CASES: Array<[string, Record<string, string>, ResolveOptions, Expect]> = [
  // Role
  ['ELOQUENT_DB_ROLE unset → runtime', MY, {}, { role: 'runtime' }],
  ['ELOQUENT_DB_ROLE=migration', { ...MY, ELOQUENT_DB_ROLE: 'migration' }, {}, { role: 'migration', sources: { role: 'ELOQUENT_DB_ROLE' } }],
  ['ELOQUENT_DB_ROLE=" Migration " (trimmed, case-insensitive)', { ...MY, ELOQUENT_DB_ROLE: ' Migration ' }, {}, { role: 'migration' }],
  ['ELOQUENT_DB_ROLE="" counts as unset', { ...MY, ELOQUENT_DB_ROLE: '' }, {}, { role: 'runtime', sources: { role: 'default' } }],
  ['ELOQUENT_DB_ROLE=admin is an error', { ...MY, ELOQUENT_DB_ROLE: 'admin' }, {}, { error: 'E_ENV_ROLE', variables: ['ELOQUENT_DB_ROLE'] }],
  ['role option overrides ELOQUENT_DB_ROLE', { ...MY, ELOQUENT_DB_ROLE: 'runtime' }, { role: 'migration' }, { role: 'migration', sources: { role: 'option' } }],

  // Dialect selector
  ...(['mysql', 'mysql2', 'mariadb', 'MySQL', 'mysql_test', 'mariadb_test'].map((value) => [`DB_CONNECTION=${value} → mysql`, { ...MY, DB_CONNECTION: value }, {}, { dialect: 'mysql' }]) as Array<[string, Record<string, string>, ResolveOptions, Expect]>),
  ...(['pg', 'postgres', 'postgresql', 'pg_test', 'postgresql_test'].map((value) => [`DB_CONNECTION=${value} → postgres`, { ...PG, DB_CONNECTION: value }, {}, { dialect: 'postgres' }]) as Array<[string, Record<string, string>, ResolveOptions, Expect]>),
  ...(['sqlite', 'sqlite3', 'better-sqlite3', 'sqlite_test', 'better-sqlite3_test'].map((value) => [`DB_CONNECTION=${value} → sqlite`, { DB_CONNECTION: value }, {}, { dialect: 'sqlite' }]) as Array<[string, Record<string, string>, ResolveOptions, Expect]>),
  ['DB_CONNECTION=oracle is an error', { DB_CONNECTION: 'oracle' }, {}, { error: 'E_ENV_DIALECT', variables: ['DB_CONNECTION'] }],
  ['DB_TEST_CONNECTION wins in test mode', { DB_CONNECTION: 'mysql', DB_TEST_CONNECTION: 'pg', PG_TEST_USER: 'u', PG_TEST_NAME: 'd' }, { test: true }, { dialect: 'postgres', sources: { dialect: 'DB_TEST_CONNECTION' } }],
  ['test mode falls back to DB_CONNECTION', { DB_CONNECTION: 'pg', PG_TEST_USER: 'u', PG_TEST_NAME: 'd' }, { test: true }, { dialect: 'postgres', sources: { dialect: 'DB_CONNECTION' } }],
  ['DB_TEST_CONNECTION is ignored outside test mode', { DB_TEST_CONNECTION: 'pg', ...MY }, {}, { dialect: 'mysql' }],
  ['DB_TEST_CONNECTION=bogus is an error naming it', { DB_TEST_CONNECTION: 'bogus' }, { test: true }, { error: 'E_ENV_DIALECT', variables: ['DB_TEST_CONNECTION'] }],
  ['dialect option overrides DB_CONNECTION', { DB_CONNECTION: 'mysql', ...PG }, { dialect: 'postgres' }, { dialect: 'postgres', sources: { dialect: 'option' } }],

  // Inference
  ['nothing set → embedded SQLite', {}, {}, { dialect: 'sqlite', sources: { dialect: 'default', filename: 'embedded' } }],
  ['only PG_* → postgres', PG, {}, { dialect: 'postgres', sources: { dialect: 'inferred from PG_USER' } }],
  ['only DB_* → mysql', MY, {}, { dialect: 'mysql' }],
  ['only SQLITE_PATH → sqlite', { SQLITE_PATH: '/tmp/x.db' }, {}, { dialect: 'sqlite', connection: { filename: '/tmp/x.db' } }],
  ['PG_* and DB_* together is ambiguous', { ...PG, ...MY }, {}, { error: 'E_ENV_AMBIGUOUS', variables: ['DB_USER', 'PG_USER'] }],
  ['ambiguity is settled by DB_CONNECTION', { ...PG, ...MY, DB_CONNECTION: 'pg' }, {}, { dialect: 'postgres' }],
  ['runtime inference ignores PG_MIGRATION_*', { PG_MIGRATION_USER: 'm', ...MY }, {}, { dialect: 'mysql' }],
  ['migration inference ignores DB_RUNTIME_*', { DB_RUNTIME_USER: 'r', ...PG }, { role: 'migration' }, { dialect: 'postgres' }],
  ['test mode with only live variables is an error, not the embedded file', { ...PG }, { test: true }, { error: 'E_ENV_NOT_READ', variables: ['PG_USER', 'PG_NAME'] }],
  ['ambiguity in test mode asks for DB_TEST_CONNECTION', { PG_TEST_USER: 'u', DB_TEST_USER: 'u' }, { test: true }, { error: 'E_ENV_AMBIGUOUS', variables: ['DB_TEST_USER', 'PG_TEST_USER'] }],

  // Precedence
  ['DB_RUNTIME_USER beats DB_USER', { ...MY, DB_RUNTIME_USER: 'app' }, {}, { connection: { user: 'app' }, sources: { user: 'DB_RUNTIME_USER' } }],
  ['DB_MIGRATION_USER beats DB_USER', { ...MY, DB_MIGRATION_USER: 'mig' }, { role: 'migration' }, { connection: { user: 'mig' } }],
  ['runtime never reads DB_MIGRATION_USER', { DB_NAME: 'd', DB_MIGRATION_USER: 'mig' }, {}, { error: 'E_ENV_MISSING', variables: ['DB_RUNTIME_USER', 'DB_USER'] }],
  ['migration never reads DB_RUNTIME_USER', { DB_NAME: 'd', DB_RUNTIME_USER: 'app' }, { role: 'migration' }, { error: 'E_ENV_MISSING', variables: ['DB_MIGRATION_USER', 'DB_USER'] }],
  ['DB_TEST_RUNTIME_NAME beats DB_TEST_NAME', { DB_TEST_USER: 'u', DB_TEST_NAME: 'a', DB_TEST_RUNTIME_NAME: 'b' }, { test: true, dialect: 'mysql' }, { connection: { database: 'b' } }],
  ['test mode never reads DB_USER', { DB_CONNECTION: 'mysql', ...MY, DB_TEST_NAME: 'd' }, { test: true }, { error: 'E_ENV_MISSING', variables: ['DB_TEST_RUNTIME_USER', 'DB_TEST_USER'] }],
  ['test mode never reads PG_NAME', { DB_CONNECTION: 'pg', PG_TEST_USER: 'u', PG_NAME: 'prod' }, { test: true }, { error: 'E_ENV_MISSING', variables: ['PG_TEST_RUNTIME_NAME', 'PG_TEST_RUNTIME_DB_NAME', 'PG_TEST_NAME', 'PG_TEST_DB_NAME'] }],
  ['test mode never reads SQLITE_PATH', { SQLITE_PATH: '/tmp/prod.db', DB_CONNECTION: 'sqlite' }, { test: true }, { connection: { filename: join(PROJECT, 'data/test.sqlite3') } }],
  ['SQLITE_TEST_PATH serves both test roles', { SQLITE_TEST_PATH: '/tmp/t.db' }, { test: true, role: 'migration' }, { connection: { filename: '/tmp/t.db' } }],
  ['NODE_ENV=test turns on test mode', { NODE_ENV: 'test', PG_TEST_USER: 'u', PG_TEST_NAME: 'd' }, {}, { test: true, dialect: 'postgres' }],
  ['test: false overrides NODE_ENV=test', { NODE_ENV: 'test', ...PG }, { test: false }, { test: false, dialect: 'postgres' }],
  ['PG_RUNTIME_DB_NAME is the same as PG_RUNTIME_NAME', { PG_USER: 'u', PG_RUNTIME_DB_NAME: 'x' }, {}, { connection: { database: 'x' } }],
  ['PG_RUNTIME_NAME and PG_RUNTIME_DB_NAME equal is fine', { PG_USER: 'u', PG_RUNTIME_NAME: 'x', PG_RUNTIME_DB_NAME: 'x' }, {}, { connection: { database: 'x' } }],
  ['PG_RUNTIME_NAME and PG_RUNTIME_DB_NAME differing is an error', { PG_USER: 'u', PG_RUNTIME_NAME: 'x', PG_RUNTIME_DB_NAME: 'y' }, {}, { error: 'E_ENV_CONFLICT', variables: ['PG_RUNTIME_NAME', 'PG_RUNTIME_DB_NAME'] }],
  ['PG_NAME and PG_DB_NAME differing is an error', { PG_USER: 'u', PG_NAME: 'x', PG_DB_NAME: 'y' }, {}, { error: 'E_ENV_CONFLICT', variables: ['PG_NAME', 'PG_DB_NAME'] }],
  ['a specific name wins over a differing shared synonym', { PG_USER: 'u', PG_RUNTIME_NAME: 'x', PG_DB_NAME: 'y' }, {}, { connection: { database: 'x' } }],

  // Required values, defaults, ports
  ['no default user (mysql)', { DB_CONNECTION: 'mysql', DB_NAME: 'd' }, {}, { error: 'E_ENV_MISSING', variables: ['DB_RUNTIME_USER', 'DB_USER'] }],
  ['database name required (postgres)', { DB_CONNECTION: 'pg', PG_USER: 'u' }, {}, { error: 'E_ENV_MISSING', variables: ['PG_RUNTIME_NAME', 'PG_RUNTIME_DB_NAME', 'PG_NAME', 'PG_DB_NAME'] }],
  ['empty value counts as unset', { DB_CONNECTION: 'mysql', DB_USER: '', DB_NAME: 'd' }, {}, { error: 'E_ENV_MISSING', variables: ['DB_RUNTIME_USER', 'DB_USER'] }],
  ['empty specific value falls back', { ...MY, DB_RUNTIME_USER: '' }, {}, { connection: { user: 'u' }, sources: { user: 'DB_USER' } }],
  ['mysql port defaults to 3306, host to 127.0.0.1', MY, {}, { connection: { host: '127.0.0.1', port: 3306 }, sources: { host: 'default', port: 'default' } }],
  ['postgres port defaults to 5432', PG, {}, { connection: { port: 5432 } }],
  ['port is parsed as a number', { ...PG, PG_PORT: ' 6543 ' }, {}, { connection: { port: 6543 } }],
  ['port 65535 is valid', { ...PG, PG_PORT: '65535' }, {}, { connection: { port: 65535 } }],
  ['port 0 is an error', { ...PG, PG_PORT: '0' }, {}, { error: 'E_ENV_PORT', variables: ['PG_PORT'] }],
  ['port 65536 is an error', { ...MY, DB_RUNTIME_PORT: '65536' }, {}, { error: 'E_ENV_PORT', variables: ['DB_RUNTIME_PORT'] }],
  ['port "abc" is an error', { ...MY, DB_PORT: 'abc' }, {}, { error: 'E_ENV_PORT', variables: ['DB_PORT'] }],
  ['port "5432.5" is an error', { ...PG, PG_PORT: '5432.5' }, {}, { error: 'E_ENV_PORT', variables: ['PG_PORT'] }],
  ['port "-1" is an error', { ...PG, PG_PORT: '-1' }, {}, { error: 'E_ENV_PORT', variables: ['PG_PORT'] }],
  ['test port "x" names DB_TEST_MIGRATION_PORT', { DB_TEST_USER: 'u', DB_TEST_NAME: 'd', DB_TEST_MIGRATION_PORT: 'x' }, { test: true, role: 'migration', dialect: 'mysql' }, { error: 'E_ENV_PORT', variables: ['DB_TEST_MIGRATION_PORT'] }],

  // SQLite and production
  ['embedded development file', {}, {}, { connection: { filename: join(PROJECT, 'data/development.sqlite3') } }],
  ['embedded test file', {}, { test: true }, { connection: { filename: join(PROJECT, 'data/test.sqlite3') } }],
  ['relative SQLITE_PATH resolves against cwd', { SQLITE_PATH: 'db/app.sqlite3' }, { cwd: '/srv/app' }, { connection: { filename: '/srv/app/db/app.sqlite3' } }],
  ['SQLITE_PATH=:memory: stays as is', { SQLITE_PATH: ':memory:' }, {}, { connection: { filename: ':memory:' } }],
  ['SQLITE_RUNTIME_PATH beats SQLITE_PATH', { SQLITE_PATH: '/a.db', SQLITE_RUNTIME_PATH: '/b.db' }, {}, { connection: { filename: '/b.db' } }],
  ['SQLITE_MIGRATION_PATH beats SQLITE_PATH', { SQLITE_PATH: '/a.db', SQLITE_MIGRATION_PATH: '/c.db' }, { role: 'migration' }, { connection: { filename: '/c.db' } }],
  ['production with nothing configured is an error', { NODE_ENV: 'production' }, {}, { error: 'E_ENV_NO_DATABASE', variables: ['DB_CONNECTION', 'SQLITE_RUNTIME_PATH', 'SQLITE_PATH'] }],
  ['production sqlite needs a path', { NODE_ENV: 'production', DB_CONNECTION: 'sqlite' }, {}, { error: 'E_ENV_MISSING', variables: ['SQLITE_RUNTIME_PATH', 'SQLITE_PATH'] }],
  ['production sqlite with a path is fine', { NODE_ENV: 'production', SQLITE_PATH: '/var/app.db' }, {}, { connection: { filename: '/var/app.db' } }],
];

describe('env contract: rules', () => {
  for (const [title, env, options, expected] of CASES) {
    it(title, () => {
      if ('error' in expected) {
        let caught: unknown;
        try {
          resolveConnection({ cwd: PROJECT, ...options, env });
        } catch (err) {
          caught = err;
        }
        expect(caught).to.be.instanceOf(EnvContractError);
        const error = caught as EnvContractError;
        expect(error.code).to.equal(expected.error);
        expect(error.name).to.equal('EnvContractError');
        expect([...error.variables].sort()).to.deep.equal([...expected.variables].sort());
        for (const variable of expected.variables) expect(error.message).to.include(variable);
        expect(error.remedy).to.be.a('string').and.not.equal('');
        return;
      }
      const resolved = resolveConnection({ cwd: PROJECT, ...options, env });
      if (expected.dialect) expect(resolved.dialect).to.equal(expected.dialect);
      if (expected.role) expect(resolved.role).to.equal(expected.role);
      if (expected.test !== undefined) expect(resolved.test).to.equal(expected.test);
      for (const [key, value] of Object.entries(expected.connection ?? {})) {
        expect((resolved.connection as unknown as Record<string, unknown>)[key], key).to.equal(value);
      }
      for (const [key, value] of Object.entries(expected.sources ?? {})) expect(resolved.sources[key], key).to.equal(value);
    });
  }

  it('a misspelt role names the role it is near, never the value itself', () => {
    const messageOf = (value: string): string => {
      try {
        resolveRole({ ELOQUENT_DB_ROLE: value });
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(messageOf('migrtion')).to.match(/did you mean migration\?/).and.not.include('migrtion');
    expect(messageOf('runtim')).to.match(/did you mean runtime\?/);
    expect(messageOf('s3cr3t-p4ss')).to.not.match(/did you mean/).and.not.include('s3cr3t');
  });

  it('resolveRole reads process.env by default', () => {
    const saved = process.env['ELOQUENT_DB_ROLE'];
    try {
      process.env['ELOQUENT_DB_ROLE'] = 'MIGRATION';
      expect(resolveRole()).to.equal('migration');
    } finally {
      if (saved === undefined) delete process.env['ELOQUENT_DB_ROLE'];
      else process.env['ELOQUENT_DB_ROLE'] = saved;
    }
  });
});
