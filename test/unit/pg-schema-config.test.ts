import { expect } from 'chai';
import { knexConfig } from '../../lib/knexfile';

// Issue 9 item 5: PG_SCHEMA reaches the knex config as searchPath and migrations.schemaName;
// explicit knex settings win; MySQL and SQLite configs are untouched.

const PG = { PG_USER: 'u', PG_NAME: 'd', PG_PASSWORD: 'p' };

describe('PG_SCHEMA in the knex config', () => {
  for (const role of ['runtime', 'migration'] as const) {
    it(`${role}: searchPath and knex's schemaName are the schema`, () => {
      const config = knexConfig({ env: { ...PG, PG_SCHEMA: 'catalog' }, role, dialect: 'postgres', cwd: '/nonexistent' });
      expect(config.searchPath).to.deep.equal(['catalog']);
      expect(config.migrations?.schemaName).to.equal('catalog');
      expect(config.connection).not.to.have.property('schema');
    });
  }

  it('explicit knex settings win over PG_SCHEMA', () => {
    const config = knexConfig({
      env: { ...PG, PG_SCHEMA: 'catalog' },
      role: 'migration',
      dialect: 'postgres',
      cwd: '/nonexistent',
      knex: { searchPath: ['mine', 'public'], migrations: { schemaName: 'bookkeeping', tableName: 'm' } },
    });
    expect(config.searchPath).to.deep.equal(['mine', 'public']);
    expect(config.migrations).to.deep.include({ schemaName: 'bookkeeping', tableName: 'm' });
  });

  it('the schema option wins over PG_SCHEMA; unset means no searchPath (the server default, public)', () => {
    expect(knexConfig({ env: { ...PG, PG_SCHEMA: 'catalog' }, role: 'migration', dialect: 'postgres', cwd: '/nonexistent', schema: 'other' }).searchPath).to.deep.equal(['other']);
    const plain = knexConfig({ env: PG, role: 'migration', dialect: 'postgres', cwd: '/nonexistent' });
    expect(plain.searchPath).to.equal(undefined);
    expect(plain.migrations?.schemaName).to.equal(undefined);
  });

  it('PG_SCHEMA does not touch a MySQL config', () => {
    const config = knexConfig({ env: { DB_USER: 'u', DB_NAME: 'd', PG_SCHEMA: 'catalog' }, role: 'migration', dialect: 'mysql', cwd: '/nonexistent' });
    expect(config.searchPath).to.equal(undefined);
    expect(config.migrations?.schemaName).to.equal(undefined);
  });
});
