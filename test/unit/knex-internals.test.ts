import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { isKnexRolesError } from '../../lib/errors';
import {
  APPLY_PARSED_VERSION,
  KNEX_INTERNALS,
  KNEX_PRIVATE_MEMBERS,
  knexApplyServerVersion,
  knexDefaultLoadExtensions,
  knexDialectClass,
  knexEnsureTable,
  knexFsMigrations,
  knexInternal,
  knexMergedMigratorConfig,
  knexRunnerClass,
  type KnexInternal,
} from '../../lib/knex-internals';
import { ROOT } from '../support/run-command';

// The knex internals knex-roles relies on (lib/knex-internals.ts), each checked for the
// shape and behaviour the code uses. When one of these fails after a knex upgrade, the
// title names the internal that changed; package.json pins knex to what passes here.
const TESTED_MINOR = '3.3';

type Proto = Record<string, unknown>;
const methodsOf = (cls: unknown): Proto => (cls as { prototype: Proto }).prototype;

function expectMethods(what: string, proto: Proto, names: readonly string[]): void {
  for (const name of names) expect(typeof proto[name], `knex internal changed: ${what} has no method ${name}()`).to.equal('function');
}

describe('knex internals (lib/knex-internals.ts)', () => {
  it(`package.json pins knex to ~${TESTED_MINOR}.x, the versions this file checks, and that is what is installed`, () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['knex'], 'package.json knex range').to.match(new RegExp(`^~${TESTED_MINOR.replace('.', '\\.')}\\.\\d+$`));
    const installed = (require('knex/package.json') as { version: string }).version;
    expect(installed, `installed knex ${installed} is not the ${TESTED_MINOR}.x this file checks`).to.match(new RegExp(`^${TESTED_MINOR.replace('.', '\\.')}\\.`));
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dependencies?: Record<string, string> }> };
    expect(lock.packages['']?.dependencies?.['knex'], 'package-lock.json root knex range').to.equal(pkg.dependencies['knex']);
  });

  for (const name of Object.keys(KNEX_INTERNALS) as KnexInternal[]) {
    const { module, member } = KNEX_INTERNALS[name];
    it(`knex internal ${module}${member ? ` › ${member}` : ''} loads with the expected shape`, () => {
      expect(() => knexInternal(name), `knex internal ${module} ${member} changed`).not.to.throw();
      expect(knexInternal(name)).to.equal(knexInternal(name));
    });
  }

  it('knex/lib/dialects › getDialectByNameOrAlias gives the client classes the guard subclasses, with the methods it overrides', () => {
    for (const client of ['pg', 'mysql2', 'better-sqlite3']) {
      const Client = knexDialectClass<new (config: Knex.Config) => Proto>(client);
      expectMethods(`the ${client} client class`, methodsOf(Client), ['query', 'stream', '_query', '_stream', 'acquireRawConnection']);
      expect(new Client({ client })['driverName'], `knex internal changed: ${client} client driverName`).to.equal(client);
    }
    expectMethods('the pg client class', methodsOf(knexDialectClass('pg')), ['positionBindings']);
    expect(() => knexDialectClass('no-such-client'), 'an unknown name is refused').to.throw(/no-such-client/);
  });

  it('knex/lib/execution/runner is the Runner class read routing subclasses, with the methods it overrides', () => {
    expectMethods('knex/lib/execution/runner', methodsOf(knexRunnerClass()), ['ensureConnection', 'query', 'queryArray', 'run', 'stream']);
  });

  it(`the MySQL client's private ${APPLY_PARSED_VERSION} sets the server version and kind as knex's version check does`, () => {
    const Mysql2 = knexDialectClass<new (config: Knex.Config) => { isMariaDB?: boolean }>('mysql2');
    const mariadb = new Mysql2({ client: 'mysql2' });
    knexApplyServerVersion(mariadb, '10.11.6-MariaDB-0+deb12u1');
    expect(mariadb.isMariaDB, `knex internal changed: mysql2 client ${APPLY_PARSED_VERSION} no longer sets isMariaDB`).to.equal(true);
    const mysql = new Mysql2({ client: 'mysql2' });
    knexApplyServerVersion(mysql, '8.4.3');
    expect(mysql.isMariaDB, `knex internal changed: mysql2 client ${APPLY_PARSED_VERSION} no longer sets isMariaDB`).to.equal(false);
  });

  it(`a missing ${APPLY_PARSED_VERSION} is E_KNEX_INTERNALS naming it, not a TypeError`, () => {
    let thrown: unknown;
    try {
      knexApplyServerVersion({}, '8.4.3');
    } catch (error) {
      thrown = error;
    }
    expect(isKnexRolesError(thrown)).to.equal(true);
    expect((thrown as { code: string }).code).to.equal('E_KNEX_INTERNALS');
    expect((thrown as Error).message).to.contain(APPLY_PARSED_VERSION).and.to.match(/knex 3\.\d+\.\d+/);
  });

  it('MigrationsLoader › DEFAULT_LOAD_EXTENSIONS lists the JavaScript and TypeScript extensions', () => {
    expect(knexDefaultLoadExtensions(), 'knex internal changed: DEFAULT_LOAD_EXTENSIONS').to.include.members(['.js', '.ts', '.cjs']);
  });

  it('fs-migrations › FsMigrations lists, names and loads migration files in order', async () => {
    const source = knexFsMigrations([join(ROOT, 'test/fixtures/migrate-basic')], false, ['.js']);
    const migrations = await source.getMigrations(['.js']);
    const names = migrations.map((m) => source.getMigrationName(m));
    expect(names.length, 'knex internal changed: FsMigrations found no migrations').to.be.greaterThan(1);
    expect(names, 'knex internal changed: FsMigrations order').to.deep.equal([...names].sort());
    const loaded = (await source.getMigration(migrations[0])) as { up?: unknown };
    expect(typeof loaded.up, 'knex internal changed: FsMigrations.getMigration').to.equal('function');
  });

  it('migrator-configuration-merger › getMergedConfig applies knex defaults (./migrations, the default extensions)', () => {
    const merged = knexMergedMigratorConfig({ directory: join(ROOT, 'test/fixtures/migrate-basic') });
    expect(merged.loadExtensions, 'knex internal changed: getMergedConfig loadExtensions').to.deep.equal(knexDefaultLoadExtensions());
    expect(typeof merged.migrationSource.getMigrations, 'knex internal changed: getMergedConfig migrationSource').to.equal('function');
  });

  it('table-creator › ensureTable creates the migrations table, its lock table and one unlocked lock row, once', async () => {
    const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    try {
      await db.transaction((trx) => knexEnsureTable('my_migrations', undefined, trx));
      await db.transaction((trx) => knexEnsureTable('my_migrations', undefined, trx));
      expect(await db.schema.hasTable('my_migrations'), 'knex internal changed: ensureTable table').to.equal(true);
      expect(await db('my_migrations_lock').select('is_locked'), 'knex internal changed: ensureTable lock row').to.deep.equal([{ is_locked: 0 }]);
    } finally {
      await db.destroy();
    }
  });
});

describe('knex private members (KNEX_PRIVATE_MEMBERS in lib/knex-internals.ts)', () => {
  type Pool = Record<string, unknown>;
  type Client = { connectionSettings?: unknown; pool?: Pool; acquireConnection(): Promise<Record<string, unknown>>; releaseConnection(c: unknown): Promise<void> };
  let db: Knex;
  beforeEach(() => {
    db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
  });
  afterEach(() => db.destroy());

  it('are the ones this block checks', () => {
    expect(Object.keys(KNEX_PRIVATE_MEMBERS)).to.have.members(['getPoolSettings', 'destroyRawConnection', 'connectionSettings', 'pool', 'builderConnection', 'connectionUid']);
  });

  it('getPoolSettings and destroyRawConnection: every client class has both, and getPoolSettings gives the pool its create and destroy', () => {
    for (const client of ['pg', 'mysql2', 'better-sqlite3']) {
      const Client = knexDialectClass<new (config: Knex.Config) => { getPoolSettings(p: Knex.PoolConfig): Record<string, unknown> }>(client);
      expectMethods(`the ${client} client class`, methodsOf(Client), ['getPoolSettings', 'destroyRawConnection']);
      const settings = new Client({ client, connection: {} }).getPoolSettings({ min: 0, max: 1 });
      expect(typeof settings['create'], `knex internal changed: ${client} getPoolSettings() has no create`).to.equal('function');
      expect(typeof settings['destroy'], `knex internal changed: ${client} getPoolSettings() has no destroy`).to.equal('function');
    }
  });

  it('connectionSettings: the client keeps config.connection as it connects with it', () => {
    expect((db.client as Client).connectionSettings, 'knex internal changed: client.connectionSettings').to.deep.equal({ filename: ':memory:' });
  });

  it("pool: tarn's creator and the counts guard() reads before it guards", async () => {
    await db.raw('select 1');
    const pool = (db.client as Client).pool as Pool;
    expect(typeof pool['creator'], 'knex internal changed: client.pool.creator').to.equal('function');
    for (const count of ['numUsed', 'numPendingAcquires', 'numPendingCreates']) {
      expect(typeof pool[count], `knex internal changed: client.pool.${count}()`).to.equal('function');
      expect((pool[count] as () => number).call(pool), `client.pool.${count}() when idle`).to.equal(0);
    }
  });

  it('builderConnection: .connection(c) keeps c as builder._connection', () => {
    const connection = {};
    expect((db('t').connection(connection) as unknown as { _connection?: unknown })._connection, 'knex internal changed: builder._connection').to.equal(connection);
  });

  it('connectionUid: a pooled connection carries the __knexUid knex logs it by', async () => {
    const client = db.client as Client;
    const connection = await client.acquireConnection();
    try {
      expect(connection['__knexUid'], 'knex internal changed: connection.__knexUid').to.be.a('string');
    } finally {
      await client.releaseConnection(connection);
    }
  });
});
