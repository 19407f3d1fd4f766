import { expect } from 'chai';
import { mkdtempSync, mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnexfile, knexConfig } from '../../lib';
import { EnvContractError } from '../../lib/error-classes';
import { loadEnv } from '../../lib/env/load-env';

describe('knexfile', () => {
  it('loading never throws for an environment that is not selected', () => {
    const knexfile = createKnexfile({ env: { NODE_ENV: 'production', DB_CONNECTION: 'oracle' } });
    expect(Object.keys(knexfile)).to.deep.equal(['development', 'test', 'production']);
    expect(() => knexfile.production.client).to.throw(EnvContractError);
  });

  it('spreading it into a bigger knexfile resolves nothing', () => {
    const knexfile = { ...createKnexfile({ env: { NODE_ENV: 'production', DB_CONNECTION: 'oracle' } }), staging: { client: 'pg' } };
    expect(Object.keys(knexfile)).to.deep.equal(['development', 'test', 'production', 'staging']);
    expect(() => knexfile.development.connection).to.throw(EnvContractError);
  });

  it('extra environments resolve with their own options, over the shared ones', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'knex-roles-'));
    const knexfile = createKnexfile({
      cwd,
      env: { SQLITE_PATH: join(cwd, 'live.db') },
      knex: { migrations: { directory: './db/migrations' } },
      environments: { staging: { production: true, knex: { migrations: { directory: './db/staging' }, pool: { min: 0, max: 2 } } } },
    });
    expect(Object.keys(knexfile)).to.deep.equal(['development', 'test', 'production', 'staging']);
    expect(knexfile['staging']?.pool).to.include({ max: 2 });
    expect(knexfile['staging']?.migrations?.directory).to.equal('./db/staging');
    expect(knexfile.development.migrations?.directory).to.equal('./db/migrations');
  });

  it('an environment it does not have is named, with the ones it has', () => {
    const knexfile = createKnexfile({ env: { SQLITE_PATH: ':memory:' }, environments: { staging: {} } });
    // What the knex CLI does with `--env nope`: the entry, else the whole file as the config.
    const config = (knexfile as Record<string, unknown>)['nope'] ?? knexfile;
    // …and then writes its own settings onto it, which are not environments.
    Object.assign(config as object, { ext: 'ts', migrations: { extension: 'ts' } });
    let caught: unknown;
    try {
      void (config as { client?: unknown }).client;
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(EnvContractError).and.include({ code: 'E_KNEXFILE_ENV' });
    expect((caught as EnvContractError).message).to.match(/no environment "nope"/);
    expect((caught as EnvContractError).remedy).to.match(/Use one of development, test, production, staging \(/);
  });

  it('the migration settings reach knex on the runtime role too', () => {
    const migrations = { directory: './db/migrations', loadExtensions: ['.ts'], tableName: 'history', schemaName: 'app' };
    expect(knexConfig({ env: { PG_USER: 'u', PG_NAME: 'd' }, knex: { migrations } }).migrations).to.deep.equal(migrations);
  });

  it('development, test and production entries resolve their own mode', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'knex-roles-'));
    const knexfile = createKnexfile({ cwd, env: { SQLITE_PATH: join(cwd, 'live.db'), SQLITE_TEST_PATH: join(cwd, 'test.db') } });
    expect(knexfile.development.connection).to.deep.equal({ filename: join(cwd, 'live.db') });
    expect(knexfile.test.connection).to.deep.equal({ filename: join(cwd, 'test.db') });
    expect(knexfile.production.connection).to.deep.equal({ filename: join(cwd, 'live.db') });
  });

  it('each entry resolves once', () => {
    const knexfile = createKnexfile({ env: { SQLITE_PATH: ':memory:' } });
    expect(knexfile.development).to.equal(knexfile.development);
  });

  it('the embedded default creates its data directory on demand', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'knex-roles-'));
    const config = knexConfig({ cwd, env: {}, role: 'migration' });
    expect(config.client).to.equal('better-sqlite3');
    expect(config.connection).to.deep.equal({ filename: join(cwd, 'data/development.sqlite3') });
    expect(existsSync(join(cwd, 'data'))).to.equal(true);
  });

  it('a runtime config of the embedded default creates no directory: a runtime connection never creates the database', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'knex-roles-'));
    const config = knexConfig({ cwd, env: {} });
    expect(config.connection).to.deep.equal({ filename: join(cwd, 'data/development.sqlite3') });
    expect(existsSync(join(cwd, 'data'))).to.equal(false);
  });

  it("takes a relative SQLite path from the project's root (the nearest package.json), not the current folder", () => {
    const project = mkdtempSync(join(tmpdir(), 'knex-roles-project-'));
    writeFileSync(join(project, 'package.json'), '{}');
    const src = join(project, 'src', 'jobs');
    mkdirSync(src, { recursive: true });
    for (const cwd of [project, src]) {
      expect(knexConfig({ cwd, env: { SQLITE_PATH: 'data/app.sqlite3' }, role: 'migration' }).connection, cwd).to.deep.equal({ filename: join(project, 'data/app.sqlite3') });
      expect(knexConfig({ cwd, env: {} }).connection, cwd).to.deep.equal({ filename: join(project, 'data/development.sqlite3') });
    }
    expect(existsSync(join(src, 'data'))).to.equal(false);
  });

  it('maps dialects to knex clients for the migration role', () => {
    expect(knexConfig({ env: { PG_USER: 'u', PG_NAME: 'd' }, role: 'migration' }).client).to.equal('pg');
    expect(knexConfig({ env: { DB_USER: 'u', DB_NAME: 'd' }, role: 'migration' }).client).to.equal('mysql2');
  });

  it('runtime configs carry a guarded client class', () => {
    const client = knexConfig({ env: { PG_USER: 'u', PG_NAME: 'd' } }).client;
    expect(client).to.be.a('function');
    expect((client as { name: string }).name).to.match(/^Guarded/);
  });

  it('user knex settings are merged, client and connection stay ours', () => {
    const config = knexConfig({ env: { PG_USER: 'u', PG_NAME: 'd' }, role: 'migration', knex: { pool: { min: 0, max: 3 }, migrations: { tableName: 'schema_history' } } });
    expect(config.pool).to.deep.equal({ min: 0, max: 3 });
    expect(config.migrations).to.deep.equal({ tableName: 'schema_history' });
  });
});

describe('.env loading', () => {
  it('reads .env in cwd and lets the real environment win', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'knex-roles-'));
    writeFileSync(join(cwd, '.env'), 'KNEX_ROLES_FROM_FILE=file\nKNEX_ROLES_BOTH=file\n');
    process.env['KNEX_ROLES_BOTH'] = 'real';
    try {
      const env = loadEnv(cwd);
      expect(env['KNEX_ROLES_FROM_FILE']).to.equal('file');
      expect(env['KNEX_ROLES_BOTH']).to.equal('real');
      expect(process.env['KNEX_ROLES_FROM_FILE']).to.equal(undefined);
    } finally {
      delete process.env['KNEX_ROLES_BOTH'];
    }
  });

  it('drives resolution when no env is passed', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'knex-roles-'));
    writeFileSync(join(cwd, '.env'), 'SQLITE_PATH=from-dotenv.db\n');
    expect(knexConfig({ cwd, role: 'migration' }).connection).to.deep.equal({ filename: join(cwd, 'from-dotenv.db') });
  });
});
