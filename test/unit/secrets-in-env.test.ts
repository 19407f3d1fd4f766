import { expect } from 'chai';
import { EnvContractError } from '../../lib/errors';
import { checkSecrets, isStrict, secretsInEnv } from '../../lib/checks/secrets-in-env';
import type { Role } from '../../lib/types';

const SECRET = 's3cr3t-value-ünï';

// [title, env, role, expected variable names]
const CASES: Array<[string, Record<string, string>, Role, string[]]> = [
  ['empty environment', {}, 'runtime', []],
  ['runtime credentials only', { PG_RUNTIME_USER: 'app', PG_RUNTIME_PASSWORD: SECRET, PG_PASSWORD: SECRET }, 'runtime', []],
  ['shared DB_PASSWORD is the runtime fallback, not a secret of another role', { DB_USER: 'app', DB_PASSWORD: SECRET }, 'runtime', []],
  ['PG_MIGRATION_PASSWORD', { PG_MIGRATION_PASSWORD: SECRET }, 'runtime', ['PG_MIGRATION_PASSWORD']],
  ['DB_ADMIN_PASSWORD', { DB_ADMIN_PASSWORD: SECRET }, 'runtime', ['DB_ADMIN_PASSWORD']],
  ['test variants', { DB_TEST_MIGRATION_PASSWORD: SECRET, PG_TEST_ADMIN_PASSWORD: SECRET }, 'runtime', ['DB_TEST_MIGRATION_PASSWORD', 'PG_TEST_ADMIN_PASSWORD']],
  ['both families, contract order', { PG_MIGRATION_PASSWORD: SECRET, DB_ADMIN_PASSWORD: SECRET }, 'runtime', ['DB_ADMIN_PASSWORD', 'PG_MIGRATION_PASSWORD']],
  ['user names alone are not secrets', { PG_MIGRATION_USER: 'migrator', DB_ADMIN_USER: 'root' }, 'runtime', []],
  ['an empty password counts as unset', { PG_MIGRATION_PASSWORD: '' }, 'runtime', []],
  ['a password of spaces is a password', { PG_ADMIN_PASSWORD: '   ' }, 'runtime', ['PG_ADMIN_PASSWORD']],
  ['unrelated *_PASSWORD variables are ignored', { REDIS_ADMIN_PASSWORD: SECRET, SMTP_PASSWORD: SECRET }, 'runtime', []],
  ['the migration role is not checked (provisioning runs in the migration job)', { PG_MIGRATION_PASSWORD: SECRET, PG_ADMIN_PASSWORD: SECRET }, 'migration', []],
];

describe('secretsInEnv', () => {
  for (const [title, env, role, expected] of CASES) {
    it(`${role}: ${title} → [${expected.join(', ')}]`, () => {
      const found = secretsInEnv(env, role);
      expect(found).to.deep.equal(expected);
      expect(found.join(' ')).not.to.include(SECRET);
    });
  }
});

describe('isStrict', () => {
  const STRICT: Array<[Record<string, string>, { strict?: boolean }, boolean]> = [
    [{}, {}, false],
    [{}, { strict: true }, true],
    [{ KNEX_ROLES_STRICT: '1' }, {}, true],
    [{ KNEX_ROLES_STRICT: 'TRUE' }, {}, true],
    [{ KNEX_ROLES_STRICT: '0' }, {}, false],
    [{ KNEX_ROLES_STRICT: '' }, {}, false],
    // The variable can only add strictness: code cannot opt out of an operator's choice.
    [{ KNEX_ROLES_STRICT: '1' }, { strict: false }, true],
  ];
  for (const [env, options, expected] of STRICT) {
    it(`${JSON.stringify(env)} ${JSON.stringify(options)} → ${expected}`, () => {
      expect(isStrict(env, options)).to.equal(expected);
    });
  }
});

describe('checkSecrets', () => {
  let warnings: Array<{ message: string; code: unknown }> = [];
  const original = process.emitWarning;

  beforeEach(() => {
    warnings = [];
    process.emitWarning = ((warning: string | Error, options?: unknown) => {
      const code = typeof options === 'object' && options !== null ? (options as { code?: unknown }).code : undefined;
      warnings.push({ message: String(warning), code });
    }) as typeof process.emitWarning;
  });
  afterEach(() => {
    process.emitWarning = original;
  });

  it('is silent for a clean runtime environment', () => {
    expect(checkSecrets({ PG_RUNTIME_PASSWORD: SECRET }, 'runtime')).to.deep.equal([]);
    expect(warnings).to.deep.equal([]);
  });

  it('warns with code KNEX_ROLES_SECRETS naming the variables, never the values', () => {
    const found = checkSecrets({ PG_MIGRATION_PASSWORD: SECRET, DB_ADMIN_PASSWORD: SECRET }, 'runtime');
    expect(found).to.deep.equal(['DB_ADMIN_PASSWORD', 'PG_MIGRATION_PASSWORD']);
    expect(warnings).to.have.length(1);
    const [warning] = warnings;
    expect(warning?.code).to.equal('KNEX_ROLES_SECRETS');
    expect(warning?.message).to.include('DB_ADMIN_PASSWORD').and.to.include('PG_MIGRATION_PASSWORD').and.not.to.include(SECRET);
  });

  for (const [title, env, options] of [
    ['option strict: true', { PG_MIGRATION_PASSWORD: SECRET }, { strict: true }],
    ['KNEX_ROLES_STRICT=1', { PG_MIGRATION_PASSWORD: SECRET, KNEX_ROLES_STRICT: '1' }, {}],
  ] as Array<[string, Record<string, string>, { strict?: boolean }]>) {
    it(`throws E_ENV_SECRETS in strict mode (${title})`, () => {
      let caught: unknown;
      try {
        checkSecrets(env, 'runtime', options);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(EnvContractError);
      const error = caught as EnvContractError;
      expect(error.code).to.equal('E_ENV_SECRETS');
      expect(error.variables).to.deep.equal(['PG_MIGRATION_PASSWORD']);
      expect(error.message).to.include('PG_MIGRATION_PASSWORD').and.not.to.include(SECRET);
      expect(JSON.stringify(error)).not.to.include(SECRET);
      expect(warnings).to.deep.equal([]);
    });
  }

  it('strict mode with a clean environment does not throw', () => {
    expect(checkSecrets({ KNEX_ROLES_STRICT: '1', PG_RUNTIME_PASSWORD: SECRET }, 'runtime')).to.deep.equal([]);
  });
});
