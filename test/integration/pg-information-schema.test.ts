import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { INFORMATION_SCHEMA_WRITABLE } from '../../lib/dialects/postgres/guard-rules';
import { testDialects } from '../support/dialects';
import { pgSuperuser } from '../support/guard-attack';
import { testServers } from '../support/servers';

/**
 * The guard knows information_schema's writable relations by bare name (a search_path set
 * from a bound value may put the schema first): the list against the running server, so a
 * major that adds a table, or a view the server lets a write reach (enabled_roles is a view
 * of pg_authid that takes DELETE), fails here. Every major of the matrix runs it.
 */
if (testDialects().includes('postgres')) {
  describe('PostgreSQL information_schema: the writable relations the guard knows by bare name match the server', () => {
    let admin: Knex;

    before(async () => {
      admin = knex({ client: 'pg', connection: pgSuperuser(await testServers()) });
    });
    after(async () => {
      await admin?.destroy();
    });

    it('lists every table of information_schema and every view of it that takes INSERT, UPDATE or DELETE', async () => {
      const { rows } = await admin.raw(
        `select c.relname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'information_schema' and (c.relkind in ('r', 'p') or pg_catalog.pg_relation_is_updatable(c.oid, true) <> 0)`,
      );
      const names = (rows as Array<{ relname: string }>).map((row) => row.relname);
      expect(names).to.include('sql_features');
      expect(names.filter((name) => !INFORMATION_SCHEMA_WRITABLE.has(name)), 'add them to INFORMATION_SCHEMA_WRITABLE').to.deep.equal([]);
    });
  });
}
