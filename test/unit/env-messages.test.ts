import { expect } from 'chai';
import { EnvContractError, MigrationError, MigrationFailedError, RuntimeDdlError, TlsError, UsageError } from '../../lib/error-classes';
import { exitCodeFor } from '../../lib/cli/exit-codes';
import { at, levelOf } from '../../lib/env/level-of';
import { nearest } from '../../lib/env/nearest';

describe('error messages that help', () => {
  for (const [variable, level] of [
    ['PG_RUNTIME_PORT', 'runtime level'],
    ['DB_MIGRATION_HOST', 'migration level'],
    ['PG_PORT', 'shared level'],
    ['PG_TEST_RUNTIME_SSL_CA', 'test runtime level'],
    ['DB_TEST_MIGRATION_SSL', 'test migration level'],
    ['PG_TEST_NAME', 'test shared level'],
    ['PG_ADMIN_USER', 'admin, provision only'],
    ['PG_RUNTIME_URL', 'URL, runtime level'],
    ['DB_TEST_URL', 'URL, test shared level'],
    ['SQLITE_MIGRATION_PATH', 'migration level'],
    ['DATABASE_URL', 'lowest level, never in test mode'],
  ] as const) {
    it(`${variable} is on the ${level}`, () => {
      expect(levelOf(variable)).to.equal(level);
      expect(at(variable)).to.equal(`${variable} (${level})`);
    });
  }

  it('a name outside the contract has no level', () => {
    expect(levelOf('ELOQUENT_DB_ROLE')).to.equal(undefined);
    expect(at('DB_CONNECTION')).to.equal('DB_CONNECTION');
  });

  for (const [word, expected] of [
    ['postgress', 'postgres'],
    ['postgre', 'postgres'],
    ['mysq', 'mysql'],
    ['myslq', 'mysql'],
    ['sqlit', 'sqlite'],
    ['mariabd', 'mariadb'],
    ['oracle', undefined],
    ['sqlserver', undefined],
    ['x', undefined],
    ['pg', undefined], // exact: no suggestion needed
  ] as const) {
    it(`nearest("${word}") → ${String(expected)}`, () => {
      expect(nearest(word, ['mysql', 'mysql2', 'mariadb', 'pg', 'postgres', 'postgresql', 'sqlite', 'sqlite3', 'better-sqlite3'])).to.equal(expected);
    });
  }
});

describe('CLI exit codes follow the cause', () => {
  const env = new EnvContractError('E_ENV_PORT', 'PG_PORT is bad.', { variables: ['PG_PORT'], remedy: 'Fix it.' });
  const refused = RuntimeDdlError.of({ kind: 'ddl', keyword: 'DROP', role: 'runtime', dialect: 'postgres', statement: 'drop table t' });
  const wrapped = (cause: unknown): Error => new Error('driver failed', { cause });
  for (const [title, error, code] of [
    ['an env error', env, 3],
    ['a TLS error', TlsError.of({ host: 'h', port: 1, variables: ['PG_SSLMODE'], remedy: 'Fix it.' }), 3],
    ['a refusal', refused, 4],
    ['a usage error', new UsageError('E_CLI_USAGE', 'Bad.', { remedy: 'Run --help.' }), 2],
    ['a library usage error (an unknown --name)', new UsageError('E_USAGE', 'Bad.', { remedy: 'Use a known name.' }), 2],
    ['a destructive migrate command refused in production', new MigrationError('E_MIGRATE_REFUSED', 'Refused.', { remedy: 'Pass --force --yes.' }), 4],
    ['a foreign error', new Error('boom'), 1],
    ['a foreign error wrapping an env error', wrapped(env), 3],
    ['a foreign error wrapping a refusal two deep', wrapped(wrapped(refused)), 4],
    ['an AggregateError holding an env error', new AggregateError([new Error('a'), env]), 3],
    ['our failed-migration error caused by a refusal', new MigrationFailedError('E_MIGRATION_FAILED', 'Migration failed.', { remedy: 'Fix it.', dialect: 'postgres', cause: refused }), 4],
    ['our failed-migration error with a foreign cause', new MigrationFailedError('E_MIGRATION_FAILED', 'Migration failed.', { remedy: 'Fix it.', dialect: 'postgres', cause: new Error('syntax') }), 1],
  ] as Array<[string, unknown, number]>) {
    it(`${title} exits ${code}`, () => {
      expect(exitCodeFor(error)).to.equal(code);
    });
  }
});
