import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { RuntimeDdlError } from '../../lib/error-classes';
import { testDialects } from '../support/dialects';
import { testServers } from '../support/servers';

/*
 * Red team 3 (issue 8), as the MariaDB admin so that only the guard stands in the way.
 * BYPASS (fixed in lib/guard/raw-connection.ts + lib/dialects/mysql/raw-connection-methods.ts):
 * mysql2's idiomatic `conn.promise().query(sql)` in pool.afterCreate. `promise()` wrapped
 * the raw connection it was bound to, not the guarded view, so its query ran unjudged:
 * `DROP TABLE victim` really dropped the table. The callback form was already refused.
 */

if (testDialects().includes('mysql')) {
  describe('guard red team 3, MariaDB as admin', () => {
    let admin: Knex;
    let connection: { host: string; port: number; user: string; password: string; database: string };

    before(async () => {
      const { mysql } = await testServers();
      connection = { host: mysql.host, port: mysql.port, user: mysql.admin.user, password: mysql.admin.password, database: 'knexroles_redteam3' };
      const server = knex({ client: 'mysql2', connection: { ...connection, database: undefined } });
      await server.raw('create database if not exists knexroles_redteam3');
      await server.destroy();
      admin = knex({ client: 'mysql2', connection });
    });
    beforeEach(async () => {
      await admin.raw('drop table if exists victim');
      await admin.raw('create table victim (id int)');
    });
    after(async () => {
      await admin?.raw('drop database if exists knexroles_redteam3');
      await admin?.destroy();
    });

    const victimExists = async (): Promise<boolean> =>
      Number((await admin.raw(`select count(*) as n from information_schema.tables where table_schema = database() and table_name = 'victim'`))[0][0].n) === 1;

    it('judges conn.promise().query() in pool.afterCreate: DROP TABLE is refused and nothing is dropped', async () => {
      const hookErrors: unknown[] = [];
      const guarded = guard(
        knex({
          client: 'mysql2',
          connection,
          acquireConnectionTimeout: 5000,
          pool: {
            min: 0,
            max: 1,
            afterCreate: (conn: { promise(): { query(sql: string): Promise<unknown> } }, done: (error: Error | null, conn: unknown) => void) => {
              conn.promise().query('drop table victim').then(
                () => done(null, conn),
                (error: Error) => {
                  hookErrors.push(error);
                  done(error, conn);
                },
              );
            },
          },
        }),
      );
      try {
        await guarded.raw('select 1').catch(() => undefined);
      } finally {
        await guarded.destroy();
      }
      expect(await victimExists(), 'victim still exists').to.equal(true);
      expect(hookErrors[0]).to.be.instanceOf(RuntimeDdlError);
      expect((hookErrors[0] as RuntimeDdlError).keyword).to.equal('DROP TABLE');
    });

    it('conn.promise() set-up that the guard allows still works', async () => {
      const guarded = guard(
        knex({
          client: 'mysql2',
          connection,
          pool: {
            min: 0,
            max: 1,
            afterCreate: (conn: { promise(): { query(sql: string): Promise<unknown> } }, done: (error: Error | null, conn: unknown) => void) => {
              conn.promise().query("SET time_zone = '+00:00'").then(() => done(null, conn), (error: Error) => done(error, conn));
            },
          },
        }),
      );
      try {
        const [rows] = await guarded.raw('select @@session.time_zone as tz');
        expect(rows[0].tz).to.equal('+00:00');
      } finally {
        await guarded.destroy();
      }
    });
  });
}
