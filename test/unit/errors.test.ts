import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as errors from '../../lib/errors';
import { ERROR_CODES, isKnexRolesError, KnexRolesError, type ErrorCode } from '../../lib/errors';
import { CATALOG } from '../../scripts/error-catalog';

type AnyErrorClass = new (code: ErrorCode, message: string, options: Record<string, unknown> & { remedy: string }) => KnexRolesError;

const classes = errors as unknown as Record<string, AnyErrorClass>;

/** The family fields each class adds, with a value to pass for it. */
const FIELDS: Record<string, Record<string, unknown>> = {
  RuntimeDdlError: { kind: 'ddl', keyword: 'DROP', role: 'runtime', dialect: 'postgres', statement: 'drop table t' },
  GuardSessionError: { dialect: 'mysql', variable: 'sql_mode', value: 'NO_BACKSLASH_ESCAPES' },
  UnguardedPathError: { dialect: 'sqlite' },
  PrivilegeError: { user: 'app', role: 'runtime', dialect: 'postgres', problems: [{ privilege: 'SUPERUSER', problem: 'excess' }] },
  UnreachableError: { host: 'db', port: 5432, attempts: 3 },
  LoginRefusedError: { host: 'db', port: 5432, user: 'app', database: 'shop' },
  TlsError: { host: 'db', port: 5432 },
  MigrationError: {},
  MigrationFailedError: { dialect: 'sqlite', migration: '001_init.js', direction: 'up', kept: ['000_base.js'] },
  PooledMigrationError: { host: 'pooler', port: 6432, how: 'declared by PG_POOLED' },
};

const SECRET = 'hunter2-sekret';

describe('one error model (lib/errors.ts)', () => {
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    const className = CATALOG[code].thrownAs;

    describe(`${code} as ${className}`, () => {
      const Class = classes[className];
      const fields = FIELDS[className] ?? {};
      const cause = Object.assign(new Error(`driver said ${SECRET}`), { code: 'EDRIVER', errno: 7 });
      const make = (): KnexRolesError => {
        if (!Class) throw new Error(`lib/errors.ts exports no ${className}`);
        return new Class(code, 'Something is wrong.', { remedy: 'Do the right thing.', variables: ['PG_PORT'], cause, ...fields });
      };

      it('is constructed as (code, message, { remedy, variables, cause, …fields }) and keeps each', () => {
        const error = make();
        expect(error).to.be.instanceOf(Class).and.instanceOf(KnexRolesError).and.instanceOf(Error);
        expect(error.name).to.equal(className);
        expect(error.code).to.equal(code);
        expect(error.message).to.equal('Something is wrong.');
        expect(error.remedy).to.equal('Do the right thing.');
        expect(error.variables).to.deep.equal(['PG_PORT']);
        expect(error.cause).to.equal(cause);
        for (const [field, value] of Object.entries(fields)) expect((error as unknown as Record<string, unknown>)[field], field).to.deep.equal(value);
        expect(isKnexRolesError(error)).to.equal(true);
      });

      it('keeps the remedy out of the message, and puts code and fix at the top of the stack', () => {
        const error = make();
        expect(error.message).not.to.include('Do the right thing');
        expect(String(error.stack).split('\n').slice(0, 2)).to.deep.equal([`${className} [${code}]: Something is wrong.`, '  fix: Do the right thing.']);
      });

      it('toJSON gives name, code, message, remedy, variables, the fields and the cause by name and code only', () => {
        const json = JSON.parse(JSON.stringify(make())) as Record<string, unknown>;
        expect(json).to.deep.equal({
          name: className,
          code,
          message: 'Something is wrong.',
          remedy: 'Do the right thing.',
          variables: ['PG_PORT'],
          ...(className === 'UnguardedPathError' ? { path: code === 'E_GUARD_IN_USE' ? 'in-use' : 'earlier-clone' } : {}),
          ...fields,
          cause: { name: 'Error', code: 'EDRIVER', errno: 7 },
        });
        // The foreign cause's text is not repeated: it may quote a value.
        expect(JSON.stringify(make())).not.to.include(SECRET);
      });
    });
  }

  it('a cause of ours is kept whole in toJSON, a cause chain of ours nested', () => {
    const inner = new errors.EnvContractError('E_ENV_PORT', 'PG_PORT is bad.', { remedy: 'Fix PG_PORT.', variables: ['PG_PORT'] });
    const outer = new errors.ConnectionError('E_DRIVER_MISSING', 'No driver.', { remedy: 'npm install pg.', cause: inner });
    expect(outer.toJSON()['cause']).to.deep.equal({ name: 'EnvContractError', code: 'E_ENV_PORT', message: 'PG_PORT is bad.', remedy: 'Fix PG_PORT.', variables: ['PG_PORT'] });
    expect(errors.errorMessage(inner)).to.equal('PG_PORT is bad. Fix PG_PORT.');
  });

  it('each family class is what its kin extend', () => {
    const kin: Array<[string, string]> = [
      ['RuntimeDdlError', 'GuardError'],
      ['GuardSessionError', 'GuardError'],
      ['UnguardedPathError', 'GuardError'],
      ['UnreachableError', 'ConnectionError'],
      ['LoginRefusedError', 'ConnectionError'],
      ['TlsError', 'ConnectionError'],
      ['MigrationFailedError', 'MigrationError'],
      ['PooledMigrationError', 'MigrationError'],
    ];
    for (const [child, family] of kin) expect(classes[child]?.prototype, `${child} extends ${family}`).to.be.instanceOf(classes[family] as AnyErrorClass);
  });

  it('the factories build the messages the fields say', () => {
    expect(errors.RuntimeDdlError.of({ kind: 'ddl', keyword: 'DROP', role: 'runtime', dialect: 'postgres', statement: 'drop   table t' }).message).to.equal('Refused DROP (ddl) on a runtime connection: drop table t.');
    expect(errors.PrivilegeError.of({ user: 'app', role: 'runtime', dialect: 'mysql', problems: [{ privilege: 'DROP', problem: 'excess' }, { privilege: 'SELECT on t', problem: 'missing' }], remedy: 'r' }).message).to.equal('The runtime user "app" on mysql has DROP; lacks SELECT on t.');
    expect(errors.UnreachableError.of({ host: 'db', port: 1, attempts: 2, cause: { code: 'ECONNREFUSED' } }).message).to.equal('Could not reach the database at db:1 after 2 attempts (ECONNREFUSED).');
    expect(errors.UnreachableError.of({ host: 'db', port: 1, attempts: 1, cause: { code: 'ECONNREFUSED' } }).message).to.equal('Could not reach the database at db:1 after 1 attempt (ECONNREFUSED).');
    expect(errors.TlsError.of({ host: 'db', port: 1, variables: [], remedy: 'r' }).message).to.equal('The TLS connection to db:1 failed (TLS settings from defaults).');
    expect(errors.PooledMigrationError.of({ host: 'p', port: 6432, variables: ['PG_MIGRATION_URL'], how: 'declared' }).variables).to.deep.equal(['PG_MIGRATION_URL']);
  });
});

describe('errors are thrown only as their family classes', () => {
  const lib = join(__dirname, '../../lib');
  const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : []));

  it('no `new KnexRolesError(` remains in lib', () => {
    const bare = files(lib).filter((file) => readFileSync(file, 'utf8').includes('new KnexRolesError('));
    expect(bare).to.deep.equal([]);
  });

  it('only lib/cli throws E_CLI_* codes', () => {
    const outside = files(lib).filter((file) => !file.startsWith(join(lib, 'cli')) && /'E_CLI_[A-Z_]+'/.test(readFileSync(file, 'utf8')) && !file.endsWith('errors.ts'));
    expect(outside).to.deep.equal([]);
  });

  it('every code in the catalog names a class lib/errors.ts exports', () => {
    for (const [code, entry] of Object.entries(CATALOG)) expect(classes[entry.thrownAs], `${code} → ${entry.thrownAs}`).to.be.a('function');
  });
});
