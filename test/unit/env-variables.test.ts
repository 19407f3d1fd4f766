import { expect } from 'chai';
import { resolveConnection, type Dialect, type Role } from '../../lib';
import { EnvContractError } from '../../lib/error-classes';
import { contractRows } from '../../lib/env/contract';
import { passwordOf } from '../../lib/env/hide-password';

// Every variable named in the seed (shared/seeds/000), written out by hand so the
// contract data in lib/ is checked against the document, not against itself.
// [variable, dialect, role, test mode, field]
type Row = [string, Dialect, Role, boolean, 'host' | 'port' | 'user' | 'password' | 'database' | 'filename'];
const SEED: Row[] = [];
const serverFields = [['HOST', 'host'], ['USER', 'user'], ['PASSWORD', 'password'], ['NAME', 'database'], ['PORT', 'port']] as const;
for (const [family, dialect] of [['DB', 'mysql'], ['PG', 'postgres']] as const) {
  for (const [suffix, field] of serverFields) {
    SEED.push(
      [`${family}_RUNTIME_${suffix}`, dialect, 'runtime', false, field],
      [`${family}_MIGRATION_${suffix}`, dialect, 'migration', false, field],
      [`${family}_TEST_RUNTIME_${suffix}`, dialect, 'runtime', true, field],
      [`${family}_TEST_MIGRATION_${suffix}`, dialect, 'migration', true, field],
      // The shared variables serve both roles.
      [`${family}_${suffix}`, dialect, 'runtime', false, field],
      [`${family}_${suffix}`, dialect, 'migration', false, field],
      [`${family}_TEST_${suffix}`, dialect, 'runtime', true, field],
      [`${family}_TEST_${suffix}`, dialect, 'migration', true, field],
    );
  }
}
for (const scope of ['RUNTIME_', 'MIGRATION_', '', 'TEST_RUNTIME_', 'TEST_MIGRATION_', 'TEST_']) {
  const test = scope.startsWith('TEST');
  const roles: Role[] = scope.includes('RUNTIME') ? ['runtime'] : scope.includes('MIGRATION') ? ['migration'] : ['runtime', 'migration'];
  for (const role of roles) SEED.push([`PG_${scope}DB_NAME`, 'postgres', role, test, 'database']);
}
SEED.push(
  ['SQLITE_RUNTIME_PATH', 'sqlite', 'runtime', false, 'filename'],
  ['SQLITE_MIGRATION_PATH', 'sqlite', 'migration', false, 'filename'],
  ['SQLITE_PATH', 'sqlite', 'runtime', false, 'filename'],
  ['SQLITE_PATH', 'sqlite', 'migration', false, 'filename'],
  ['SQLITE_TEST_RUNTIME_PATH', 'sqlite', 'runtime', true, 'filename'],
  ['SQLITE_TEST_MIGRATION_PATH', 'sqlite', 'migration', true, 'filename'],
  ['SQLITE_TEST_PATH', 'sqlite', 'runtime', true, 'filename'],
  ['SQLITE_TEST_PATH', 'sqlite', 'migration', true, 'filename'],
);

// The minimum a server dialect needs besides the variable under test.
function baseline(dialect: Dialect, test: boolean): Record<string, string> {
  if (dialect === 'sqlite') return {};
  const family = dialect === 'mysql' ? 'DB' : 'PG';
  const scope = test ? 'TEST_' : '';
  return { [`${family}_${scope}USER`]: 'base_user', [`${family}_${scope}NAME`]: 'base_db' };
}

function marker(field: string): string {
  return field === 'port' ? '4242' : field === 'filename' ? '/tmp/knex-roles-marker.sqlite3' : `marker-${field}`;
}

describe('env contract: every seed variable', () => {
  for (const [variable, dialect, role, test, field] of SEED) {
    it(`${variable} → ${role}${test ? ' (test)' : ''} ${dialect} ${field}`, () => {
      const env = { ...baseline(dialect, test), [variable]: marker(field) };
      // A synonym of the baseline name must not conflict with it.
      if (variable.endsWith('DB_NAME')) delete env[variable.replace('DB_NAME', 'NAME')];
      const resolved = resolveConnection({ env, role, test, dialect });
      const value = field === 'password' ? passwordOf(resolved.connection) : (resolved.connection as unknown as Record<string, unknown>)[field];
      expect(String(value)).to.equal(marker(field));
      expect(resolved.sources[field]).to.equal(variable);
    });
  }

  // Issue 9: the PostgreSQL schema is a field like the others, with role and test variants.
  const SCHEMA_VARIABLES: Array<[string, Role, boolean]> = [
    ['PG_RUNTIME_SCHEMA', 'runtime', false],
    ['PG_MIGRATION_SCHEMA', 'migration', false],
    ['PG_SCHEMA', 'runtime', false],
    ['PG_SCHEMA', 'migration', false],
    ['PG_TEST_RUNTIME_SCHEMA', 'runtime', true],
    ['PG_TEST_MIGRATION_SCHEMA', 'migration', true],
    ['PG_TEST_SCHEMA', 'runtime', true],
    ['PG_TEST_SCHEMA', 'migration', true],
  ];
  for (const [variable, role, test] of SCHEMA_VARIABLES) {
    it(`${variable} → ${role}${test ? ' (test)' : ''} postgres schema (not part of the driver connection)`, () => {
      const resolved = resolveConnection({ env: { ...baseline('postgres', test), [variable]: 'marker_schema' }, role, test, dialect: 'postgres' });
      expect(resolved.schema).to.equal('marker_schema');
      expect(resolved.sources['schema']).to.equal(variable);
      expect(resolved.connection).not.to.have.property('schema');
    });
  }
  it('the role-specific schema wins over PG_SCHEMA, and the other role never reads it', () => {
    const env = { ...baseline('postgres', false), PG_SCHEMA: 'shared', PG_MIGRATION_SCHEMA: 'mine' };
    expect(resolveConnection({ env, role: 'migration', test: false, dialect: 'postgres' }).schema).to.equal('mine');
    expect(resolveConnection({ env, role: 'runtime', test: false, dialect: 'postgres' }).schema).to.equal('shared');
    expect(resolveConnection({ env: baseline('postgres', false), role: 'runtime', test: false, dialect: 'postgres' }).schema).to.equal(undefined);
  });

  // Issue 12: PG_POOLED declares a transaction-mode pooler (migrate refuses it, doctor says so).
  const POOLED_VARIABLES: Array<[string, Role, boolean]> = SCHEMA_VARIABLES.map(([variable, role, test]) => [variable.replace(/SCHEMA$/, 'POOLED'), role, test]);
  for (const [variable, role, test] of POOLED_VARIABLES) {
    it(`${variable} → ${role}${test ? ' (test)' : ''} postgres pooled (not part of the driver connection)`, () => {
      const resolved = resolveConnection({ env: { ...baseline('postgres', test), [variable]: 'true' }, role, test, dialect: 'postgres' });
      expect(resolved.pooled).to.equal(true);
      expect(resolved.sources['pooled']).to.equal(variable);
      expect(resolved.connection).not.to.have.property('pooled');
    });
  }
  it('PG_POOLED: 1/true/0/false; anything else is E_ENV_FLAG naming the variable; pgbouncer=true in a URL declares it too', () => {
    const resolve = (extra: Record<string, string>) => resolveConnection({ env: { ...baseline('postgres', false), ...extra }, role: 'runtime', test: false, dialect: 'postgres' });
    expect([resolve({ PG_POOLED: '1' }).pooled, resolve({ PG_POOLED: 'FALSE' }).pooled, resolve({ PG_POOLED: '0' }).pooled, resolve({}).pooled]).to.deep.equal([true, false, false, undefined]);
    expect(() => resolve({ PG_RUNTIME_POOLED: 'yes' })).to.throw(EnvContractError).with.property('variables').that.deep.equals(['PG_RUNTIME_POOLED']);
    const url = resolve({ PG_RUNTIME_URL: 'postgres://app:s3cret@pooler.example:6543/shop?pgbouncer=true' });
    expect(url).to.include({ pooled: true });
    expect(url.sources['pooled']).to.equal('PG_RUNTIME_URL');
    let caught: unknown;
    try {
      resolve({ PG_RUNTIME_URL: 'postgres://app:s3cret@pooler.example:6543/shop?pgbouncer=s3cret' });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(EnvContractError).with.property('code', 'E_ENV_FLAG');
    expect(String((caught as Error).message)).not.to.include('s3cret');
  });

  it('lib/env/contract.ts lists exactly the seed variables plus the admin identities and the PostgreSQL schema', () => {
    const seed = new Set(SEED.map(([variable]) => variable));
    const listed = contractRows().map((row) => row.variable);
    const admin = listed.filter((variable) => /_ADMIN_/.test(variable));
    // TLS variables (issue 10) and PG_SCHEMA (issue 9) are beyond the seed; test/unit/env-urls.test.ts covers TLS.
    const tls = listed.filter((variable) => /_SSL(MODE|_CA)?$/.test(variable));
    expect(tls.sort()).to.deep.equal(
      ['', 'RUNTIME_', 'MIGRATION_', 'TEST_', 'TEST_RUNTIME_', 'TEST_MIGRATION_'].flatMap((scope) => [`DB_${scope}SSL`, `DB_${scope}SSL_CA`, `PG_${scope}SSLMODE`, `PG_${scope}SSL_CA`]).sort(),
    );
    const schema = new Set(SCHEMA_VARIABLES.map(([variable]) => variable));
    const pooled = new Set(POOLED_VARIABLES.map(([variable]) => variable));
    expect(new Set(listed.filter((variable) => !/_ADMIN_/.test(variable) && !schema.has(variable) && !pooled.has(variable) && !tls.includes(variable)))).to.deep.equal(seed);
    expect(new Set(listed.filter((variable) => variable.endsWith('_POOLED')))).to.deep.equal(pooled);
    expect(new Set(listed.filter((variable) => variable.endsWith('_SCHEMA')))).to.deep.equal(schema);
    expect(admin.sort()).to.deep.equal(
      ['DB_ADMIN_PASSWORD', 'DB_ADMIN_USER', 'DB_TEST_ADMIN_PASSWORD', 'DB_TEST_ADMIN_USER', 'PG_ADMIN_PASSWORD', 'PG_ADMIN_USER', 'PG_TEST_ADMIN_PASSWORD', 'PG_TEST_ADMIN_USER'],
    );
  });
});
