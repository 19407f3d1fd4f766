import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { pgSuperuser, refused } from '../support/guard-attack';
import { testServers } from '../support/servers';

/*
 * Red team 4 (issue 8), connected as a superuser / the MariaDB admin so that only the guard
 * stands in the way. Each case failed before its fix: the lock was really taken, the
 * statement really ran, the history row was really written.
 */

const dialects = testDialects();

if (dialects.includes('postgres')) {
  describe('guard red team 4, PostgreSQL as superuser', () => {
    const DATABASE = 'knexroles_redteam4';
    let connection: ReturnType<typeof pgSuperuser>;
    let admin: Knex;

    before(async () => {
      const server = pgSuperuser(await testServers());
      const root = knex({ client: 'pg', connection: server });
      await root.raw(`drop database if exists ${DATABASE}`);
      await root.raw(`create database ${DATABASE}`);
      await root.destroy();
      connection = { ...server, database: DATABASE };
      admin = knex({ client: 'pg', connection, pool: { min: 0, max: 2 } });
    });
    beforeEach(async () => {
      await admin.raw('drop table if exists victim');
      await admin.raw('create table victim (id serial primary key, b text)');
    });
    after(async () => {
      await admin?.destroy();
      const root = knex({ client: 'pg', connection: pgSuperuser(await testServers()) });
      await root.raw(`drop database if exists ${DATABASE} with (force)`);
      await root.destroy();
    });

    const victimExists = async (): Promise<boolean> => (await admin.raw(`select to_regclass('public.victim') as t`)).rows[0].t !== null;

    it('refuses row locks on knex_migrations_lock (FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE): the migrator is not blocked', async () => {
      await admin.raw('create table if not exists knex_migrations_lock (index serial primary key, is_locked integer)');
      await admin.raw('insert into knex_migrations_lock (is_locked) values (0)');
      const guarded = guard(knex({ client: 'pg', connection, pool: { min: 0, max: 1 } }));
      try {
        await guarded.transaction(async (trx) => {
          for (const strength of ['for update', 'FOR NO KEY UPDATE', 'for /* c */ share', 'for key share nowait']) {
            const error = await refused(() => trx.raw(`select * from "knex_migrations_lock" ${strength}`));
            expect(error.code, strength).to.equal('E_RUNTIME_MIGRATE');
          }
          // While the runtime transaction is open, the migrator's own lock is free.
          await admin.transaction(async (migrator) => {
            const rows = (await migrator.raw('select * from knex_migrations_lock for update nowait')).rows;
            expect(rows).to.have.length(1);
          });
          // Row locks on the app's own tables still work.
          await trx('victim').insert({ b: 'x' });
          expect(await trx('victim').select('b').forUpdate()).to.deep.equal([{ b: 'x' }]);
        });
      } finally {
        await guarded.destroy();
        await admin.raw('drop table if exists knex_migrations_lock');
      }
      expect(await victimExists()).to.equal(true);
    });
  });
}
