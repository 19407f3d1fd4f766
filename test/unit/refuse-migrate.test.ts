import { expect } from 'chai';
import knex from 'knex';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnex, guard, RuntimeDdlError } from '../../lib';

// Every knex.migrate command on a runtime instance refuses at once and sends nothing;
// only `make` (writes a file) works.
const COMMANDS = ['latest', 'up', 'down', 'rollback', 'status', 'list', 'currentVersion', 'forceFreeMigrationsLock'] as const;

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
