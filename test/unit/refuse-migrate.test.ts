import { expect } from 'chai';
import knex from 'knex';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnex, guard, knexConfig } from '../../lib';
import { RuntimeDdlError } from '../../lib/error-classes';

// Every changing knex.migrate command on a runtime instance refuses at once and sends
// nothing; the read-only ones need the migrations table and never create it; `make`
// (writes a file) works.
const COMMANDS = ['latest', 'up', 'down', 'rollback', 'forceFreeMigrationsLock'] as const;
const READ_ONLY = ['status', 'list', 'currentVersion'] as const;

for (const [title, make] of [
  ['createKnex() runtime', () => createKnex({ env: { SQLITE_PATH: ':memory:' } })],
  ['guard(knex)', () => guard(knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true }))],
] as const) {
  describe(`${title}: knex.migrate`, () => {
    for (const command of COMMANDS) {
      it(`${command}() is refused with E_RUNTIME_MIGRATE, nothing sent`, async () => {
        const db = make();
        const sent: string[] = [];
        db.on('query', (query: { sql: string }) => sent.push(query.sql));
        try {
          const error = await (db.migrate[command] as () => Promise<unknown>)().then(() => undefined, (err: unknown) => err);
          expect(error).to.be.instanceOf(RuntimeDdlError);
          expect((error as RuntimeDdlError).code).to.equal('E_RUNTIME_MIGRATE');
          expect(sent).to.deep.equal([]);
        } finally {
          await db.destroy();
        }
      });
    }

    for (const command of READ_ONLY) {
      it(`${command}() without a migrations table fails with E_NOT_MIGRATED and creates nothing`, async () => {
        const db = make();
        const sent: string[] = [];
        db.on('query', (query: { sql: string }) => sent.push(query.sql));
        try {
          const error = await (db.migrate[command] as () => Promise<unknown>)().then(() => undefined, (err: unknown) => err);
          expect((error as { code?: string }).code).to.equal('E_NOT_MIGRATED');
          expect(sent.every((sql) => /^select /i.test(sql)), sent.join('; ')).to.equal(true);
          expect(await db.schema.hasTable('knex_migrations')).to.equal(false);
        } finally {
          await db.destroy();
        }
      });
    }

    it('make() still writes a migration file', async () => {
      const db = make();
      const directory = mkdtempSync(join(tmpdir(), 'knex-roles-make-'));
      try {
        expect(await db.migrate.make('add_things', { directory, extension: 'js' })).to.match(/_add_things\.js$/);
      } finally {
        await db.destroy();
      }
    });
  });
}

describe('runtime knex.migrate reads the status of a migrated database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'knex-roles-status-'));
  const directory = join(dir, 'migrations');
  const env = { SQLITE_PATH: join(dir, 'app.sqlite3') };
  const migrations = { directory, tableName: 'app_migrations' };

  before(async () => {
    mkdirSync(directory);
    writeFileSync(join(directory, '20260101000001_one.js'), "exports.up = (k) => k.schema.createTable('one', (t) => t.increments('id'));\nexports.down = (k) => k.schema.dropTable('one');\n");
    writeFileSync(join(directory, '20260101000002_two.js'), "exports.up = (k) => k.schema.createTable('two', (t) => t.increments('id'));\nexports.down = (k) => k.schema.dropTable('two');\n");
    const migrator = createKnex({ env, role: 'migration', knex: { migrations } });
    await migrator.migrate.up();
    await migrator.destroy();
  });

  it('list, status and currentVersion answer; latest and unlock are still refused', async () => {
    const db = createKnex({ env, knex: { migrations } });
    try {
      const [completed, pending] = (await db.migrate.list()) as [Array<{ name: string }>, Array<{ file: string }>];
      expect(completed.map((m) => m.name)).to.deep.equal(['20260101000001_one.js']);
      expect(pending.map((m) => m.file)).to.deep.equal(['20260101000002_two.js']);
      expect(await db.migrate.status()).to.equal(-1);
      expect(await db.migrate.currentVersion()).to.equal('20260101000001');
      for (const command of ['latest', 'forceFreeMigrationsLock'] as const) {
        const error = await (db.migrate[command] as () => Promise<unknown>)().then(() => undefined, (err: unknown) => err);
        expect((error as { code?: string }).code, command).to.equal('E_RUNTIME_MIGRATE');
      }
    } finally {
      await db.destroy();
    }
  });

  it('a plain knex built from the runtime config (as the knex CLI builds it) cannot write knex_migrations*', async () => {
    const db = knex(knexConfig({ env, knex: { migrations } }));
    try {
      expect(((await db.migrate.list()) as unknown[][])[1]).to.have.length(1);
      for (const run of [() => db.migrate.latest(), () => db.migrate.forceFreeMigrationsLock(), () => db.migrate.rollback(), () => db('app_migrations_lock').update({ is_locked: 1 }), () => db('app_migrations').insert({ name: 'x', batch: 9, migration_time: new Date() })]) {
        const error = await run().then(() => undefined, (err: unknown) => err);
        expect(String((error as Error).message)).to.include('Refused to run migrations on a runtime connection');
      }
      expect(await db.schema.hasTable('two')).to.equal(false);
      expect(((await db('app_migrations').select('name')) as unknown[]).length).to.equal(1);
      expect(((await db('app_migrations_lock').select('is_locked')) as Array<{ is_locked: number }>)[0]?.is_locked).to.equal(0);
    } finally {
      await db.destroy();
    }
  });
});
