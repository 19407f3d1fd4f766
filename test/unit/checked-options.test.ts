import { expect } from 'chai';
import type { Knex } from 'knex';
import { checkSecrets, createKnex, createKnexfile, knexConfig, provision, resolveConnection, startKnex, verifyPrivileges } from '../../lib';
import { UsageError } from '../../lib/error-classes';

// Plain JavaScript reaches the public functions unchecked: a typo, a string where a
// boolean belongs or a positional argument is E_USAGE naming the option, never a
// TypeError from deep inside and never an option silently read as something else.
const env = { SQLITE_PATH: ':memory:' };

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(UsageError).with.property('code', 'E_USAGE');
    return error as UsageError;
  }
  throw new Error('no error');
}

async function usageRejection(run: () => Promise<unknown>): Promise<UsageError> {
  const error = await run().then(() => undefined, (e: unknown) => e);
  expect(error, String(error)).to.be.instanceOf(UsageError).with.property('code', 'E_USAGE');
  return error as UsageError;
}

describe('public functions check the options plain JavaScript passes', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['an unknown dialect', () => resolveConnection({ env, dialect: 'postgress' as never }), /option dialect must be one of .*"postgres"/],
    ['a string where a boolean belongs', () => knexConfig({ env, test: 'false' as never }), /option test must be a boolean, not a string/],
    ["production: 'false'", () => createKnexfile({ env, production: 'false' as never }), /option production must be a boolean/],
    ['an env that is not an object', () => resolveConnection({ env: 'x' as never }), /option env must be an object, not a string/],
    ['env: null', () => createKnex({ env: null as never }), /option env must be an object, not null/],
    ['a cwd that is not a string', () => knexConfig({ env, cwd: 42 as never }), /option cwd must be a string, not a number/],
    ['a positional role', () => createKnex('migration' as never), /createKnex\(\) takes an options object, not a string/],
    ['a typo in an option name', () => createKnex({ env, rol: 'migration' } as never), /createKnex\(\) has no option "rol" \(did you mean role\?\)/],
    ['knex settings that are not an object', () => knexConfig({ env, knex: 'pool' as never }), /option knex must be an object/],
    ['an unknown option with { resolved }', () => knexConfig({ resolved: resolveConnection({ env }), role: 'migration' } as never), /knexConfig\(\) has no option "role"/],
    ['an unknown knexfile option', () => createKnexfile({ env, enviroments: {} } as never), /has no option "enviroments" \(did you mean environments\?\)/],
    ['checkSecrets without an environment', () => checkSecrets(undefined as never, 'runtime'), /checkSecrets\(\) takes the environment/],
    ['checkSecrets with a role that is no role', () => checkSecrets({}, 'admin' as never), /second argument: runtime or migration/],
  ];
  for (const [title, run, message] of cases) {
    it(`${title}: E_USAGE`, () => {
      expect(usageError(run).message).to.match(message);
    });
  }

  it('startKnex: a count given as a string, and an unknown option, are E_USAGE before anything connects', async () => {
    expect((await usageRejection(() => startKnex({ env, attempts: '3' as never }))).message).to.match(/option attempts must be a number, not a string/);
    expect((await usageRejection(() => startKnex({ env, timeout: 5 } as never))).message).to.match(/no option "timeout"/);
  });

  it('verifyPrivileges needs its role; provision names what it is missing', async () => {
    expect((await usageRejection(() => verifyPrivileges({} as Knex, undefined as never))).message).to.match(/needs the role/);
    expect((await usageRejection(() => provision({} as never))).message).to.equal('provision() needs dialect, plan, admin.');
    expect((await usageRejection(() => provision({ dialect: 'postgres', dryRun: true } as never))).message).to.equal('provision() needs plan.');
  });

  it('never echoes a value: only its type', () => {
    const error = usageError(() => knexConfig({ env, schema: { password: 's3cret' } as never }));
    expect(error.message).to.match(/option schema must be a string, not an object/).and.not.include('s3cret');
  });

  it('the options as documented pass', () => {
    expect(knexConfig({ env, test: false, production: false, cwd: process.cwd(), knex: { pool: { min: 0 } }, dangerouslyAllow: [] }).client).to.be.a('function');
    expect(resolveConnection({ env, role: 'migration', dialect: 'sqlite', appTemporaryTables: true, schema: undefined }).role).to.equal('migration');
  });
});
