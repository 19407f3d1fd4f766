import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { POSTGRES_SUPERUSER_SETTINGS } from '../../lib/dialects/postgres/superuser-settings';
import { SUPERUSER_CONTEXTS, SUPERUSER_SETTINGS_QUERY } from '../../scripts/pg-superuser-settings';
import { testDialects } from '../support/dialects';
import { pgSuperuser } from '../support/guard-attack';
import { testServers } from '../support/servers';

/**
 * The generated list of superuser-only PostgreSQL settings (lib/dialects/postgres/
 * superuser-settings.ts) against the running server's pg_settings, so it cannot drift: a
 * new superuser setting, or one that changed context, fails here until
 * `npx ts-node scripts/pg-superuser-settings.ts` is run again.
 */
if (testDialects().includes('postgres')) {
  describe('PostgreSQL superuser-only settings: the generated list matches the server', () => {
    let admin: Knex;

    before(async () => {
      admin = knex({ client: 'pg', connection: pgSuperuser(await testServers()) });
    });
    after(async () => {
      await admin?.destroy();
    });

    it("lists every setting whose pg_settings.context is 'superuser' or 'superuser-backend' on this server", async () => {
      const { rows } = await admin.raw(SUPERUSER_SETTINGS_QUERY);
      const missing = (rows as Array<{ name: string }>).map((row) => row.name).filter((name) => !POSTGRES_SUPERUSER_SETTINGS.includes(name));
      expect(missing, 'run npx ts-node scripts/pg-superuser-settings.ts').to.deep.equal([]);
      expect(rows.length).to.be.above(20);
    });

    it('lists no setting that this server lets any user set (names from other versions excepted)', async () => {
      const { rows } = await admin.raw('select name, context from pg_settings where name = any(?)', [[...POSTGRES_SUPERUSER_SETTINGS]]);
      const drifted = (rows as Array<{ name: string; context: string }>).filter((row) => !(SUPERUSER_CONTEXTS as readonly string[]).includes(row.context)).map((row) => `${row.name} (${row.context})`);
      expect(drifted, 'run npx ts-node scripts/pg-superuser-settings.ts').to.deep.equal([]);
    });
  });
}
