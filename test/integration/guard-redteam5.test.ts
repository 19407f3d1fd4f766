import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { GuardSessionError, RuntimeDdlError } from '../../lib/errors';
import { testDialects } from '../support/dialects';
import { pgSuperuserDatabase, type SuperuserDatabase } from '../support/guard-attack';

/*
 * Red team 5 (issue 8), connected as a superuser so that only the guard stands in the way.
 * Each case failed before its fix: the catalog row was really written.
 */

const dialects = testDialects();

if (dialects.includes('postgres')) {
  describe('guard red team 5, PostgreSQL as superuser', () => {
    const DATABASE = 'knexroles_redteam5';
    let connection: SuperuserDatabase['connection'];
    let admin: Knex;

    const database = pgSuperuserDatabase(DATABASE, 1);
    before(() => {
      ({ connection, admin } = database);
    });

    const comments = async (): Promise<unknown> =>
      (await admin.raw(`select comments from information_schema.sql_features where feature_id = 'B011'`)).rows[0].comments;

    // `SET search_path = information_schema` is refused (sql_features & co. are writable metadata
    // tables there); a search_path the session starts with must be judged the same way.
    // knex's own `set search_path to …` is judged as it is sent (red team 30), so refused there,
    // before the session has it; a path from startup options is refused when the session is read.
    const atSend = (error: unknown): void => void expect(error).to.be.instanceOf(RuntimeDdlError).with.property('keyword', 'SET SEARCH_PATH');
    const atRead = (error: unknown): void => void expect(error).to.be.instanceOf(GuardSessionError).with.property('variable', 'search_path');
    const sessionPaths: Array<[string, () => Knex.Config, (error: unknown) => void]> = [
      ['knex searchPath', () => ({ client: 'pg', connection, searchPath: ['information_schema', 'public'] }), atSend],
      ['startup options -c search_path', () => ({ client: 'pg', connection: { ...connection, options: '-c search_path=information_schema,public' } }), atRead],
      ['startup options, pg_toast', () => ({ client: 'pg', connection: { ...connection, options: '-c search_path=public,pg_toast' } }), atRead],
    ];
    for (const [title, config, refusedAs] of sessionPaths) {
      it(`refuses every query on a session whose search_path reaches information_schema or pg_toast (${title}): sql_features is not written`, async () => {
        const mark = `redteam5 ${title}`;
        const guarded = guard(knex({ ...config(), pool: { min: 0, max: 1 } }));
        try {
          const error = await guarded('sql_features').where({ feature_id: 'B011' }).update({ comments: mark }).then(() => undefined, (e: unknown) => e);
          refusedAs(error);
        } finally {
          await guarded.destroy();
        }
        expect(await comments()).to.not.equal(mark);
      });
    }

    it('refuses every query on a session started with a refused setting (options: -c session_replication_role=replica): the foreign key still holds', async () => {
      await admin.raw('drop table if exists rt5_child, rt5_parent');
      await admin.raw('create table rt5_parent (id int primary key)');
      await admin.raw('create table rt5_child (id int primary key, parent_id int not null references rt5_parent (id))');
      const guarded = guard(knex({ client: 'pg', connection: { ...connection, options: '-c session_replication_role=replica' }, pool: { min: 0, max: 1 } }));
      try {
        const error = await guarded('rt5_child').insert({ id: 1, parent_id: 999 }).then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(GuardSessionError);
        expect((error as GuardSessionError).variable).to.equal('session_replication_role');
      } finally {
        await guarded.destroy();
      }
      expect((await admin.raw('select count(*)::int as n from rt5_child')).rows[0].n).to.equal(0);
      await admin.raw('drop table rt5_child, rt5_parent');
    });

    it('a session search_path of ordinary schemas still works', async () => {
      const guarded = guard(knex({ client: 'pg', connection: { ...connection, options: '-c search_path=app,public' }, searchPath: ['app', 'public'], pool: { min: 0, max: 1 } }));
      try {
        expect((await guarded.raw('select 1 as one')).rows[0].one).to.equal(1);
      } finally {
        await guarded.destroy();
      }
    });
  });
}
