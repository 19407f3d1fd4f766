import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { knexDialectClass } from '../../lib/knex-internals';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, outcomeOf, pgSuperuserDatabase, tableExists, type SuperuserDatabase } from '../support/guard-attack';

/**
 * knex's clients send SQL of their own on a new connection, outside `query`: pg
 * `select version()` and `set search_path to …`, MySQL `select version()`. The guard runs
 * those methods (RawConnectionMethods.clientSends) on a guarded view of the connection, so
 * whatever text they send is judged, not only today's (red team 30 wrote SQL through
 * `searchPath`). Here a client class whose version check sends a DROP stands in for a knex
 * that sends other text: connected as a superuser, only the guard stands in the way.
 */

type Sender = (connection: { query(sql: string, callback: (error: Error | null) => void): unknown }) => Promise<unknown>;

/** `client`'s knex class with a checkVersion that sends `sql` on the new connection. */
function clientSending(client: string, sql: string): typeof Knex.Client {
  const Base = knexDialectClass<new (config: Knex.Config) => object>(client);
  const checkVersion: Sender = (connection) => new Promise((resolve, reject) => connection.query(sql, (error) => (error ? reject(error) : resolve('15.0'))));
  return class extends Base {
    checkVersion(connection: Parameters<Sender>[0]): Promise<unknown> {
      return checkVersion(connection);
    }
  } as unknown as typeof Knex.Client;
}

const dialects = testDialects();

const cases: Array<{ dialect: 'postgres' | 'mysql'; client: string; suite: () => SuperuserDatabase; exists: (suite: SuperuserDatabase) => Promise<boolean> }> = [
  { dialect: 'postgres', client: 'pg', suite: () => pgSuperuserDatabase('knexroles_knex_setup'), exists: (s) => tableExists.postgres(s.admin, 'setup_victim') },
  { dialect: 'mysql', client: 'mysql2', suite: () => mysqlSuperuserDatabase('knexroles_knex_setup'), exists: (s) => tableExists.mysql(s.admin, 'knexroles_knex_setup', 'setup_victim') },
];

for (const { dialect, client, suite, exists } of cases) {
  if (!dialects.includes(dialect)) continue;
  describe(`guard: the SQL knex's ${client} client sends itself on a new connection is judged (${dialect}, as superuser)`, () => {
    const database = suite();
    beforeEach(async () => {
      await database.admin.raw(dialect === 'mysql' ? 'create table if not exists knexroles_knex_setup.setup_victim (id int)' : 'create table if not exists setup_victim (id int)');
    });

    it('refuses a DROP sent by the client class\'s own version check: setup_victim is still there', async () => {
      const db = guard(knex({ client: clientSending(client, 'drop table setup_victim'), connection: database.connection, pool: { min: 0, max: 1 } }));
      let outcome: string;
      try {
        // pg fails the connection; knex's MySQL client warns that it cannot tell the version and goes on.
        outcome = await outcomeOf(db.raw('select 1 as one'));
      } finally {
        await db.destroy();
      }
      expect(await exists(database), `the version check's DROP ran (query: ${outcome})`).to.equal(true);
      if (dialect === 'postgres') expect(outcome).to.match(/^refused: Refused DROP TABLE/);
    });

    it('lets the version check knex really sends through: a guarded instance connects and reads', async () => {
      const db = guard(knex({ client, connection: database.connection, pool: { min: 0, max: 1 } }));
      try {
        expect(await outcomeOf(db.raw('select 1 as one'))).to.equal('ran');
        expect((db.client as { version?: string }).version).to.be.a('string').and.match(/^\d+\.\d+/);
      } finally {
        await db.destroy();
      }
    });
  });
}
