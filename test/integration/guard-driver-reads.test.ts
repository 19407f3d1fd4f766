import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, outcomeOf, pgSuperuserDatabase, sqliteSuiteFile, tableExists } from '../support/guard-attack';

/**
 * A query object (from a raw's own toSQL()) whose property is an accessor that answers what
 * the guard judged to every reader but the knex dialect's `_query`, where the driver call is
 * made: the guard's last look before sending (stillJudged, when `_query` is entered) sees the
 * judged text, the driver another. Only refusing accessors there stops it; comparing values
 * does not. Sessions 10 and 11 kept knex's own objects uncopied and check them when sent, so
 * these tests fail if that check stops looking at how the properties are defined.
 */
function driverReadRaw(db: Knex, key: 'sql' | 'options' | 'bindings', judged: unknown, sent: unknown, driverFolder: string): Knex.Raw {
  const raw = db.raw('select 1');
  const query: Record<string, unknown> = { bindings: [], method: 'raw', options: {}, sql: 'select 1' };
  const fromDriver = (): boolean => (new Error().stack ?? '').includes(`knex/lib/dialects/${driverFolder}/`);
  Object.defineProperty(query, key, {
    enumerable: true,
    get: () => (fromDriver() ? sent : judged),
    // knex writes the positioned text back (obj.sql = positionBindings(obj.sql)): kept as judged.
    set: () => undefined,
  });
  (raw as unknown as { toSQL: () => unknown }).toSQL = () => query;
  return raw;
}

const dialects = testDialects();

if (dialects.includes('sqlite')) {
  describe('guard: a query object whose accessor answers the driver differently (SQLite)', () => {
    const file = sqliteSuiteFile('knexroles-driver-reads');
    it('(better-sqlite3) a sql accessor that answers only the driver with a DROP cannot drop the table', async () => {
      const admin = knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true });
      await admin.raw('create table if not exists dr_victim (id int)');
      await admin.destroy();
      const db = guard(knex({ client: 'better-sqlite3', connection: { filename: file.filename }, useNullAsDefault: true }));
      let outcome = '';
      try {
        outcome = await outcomeOf(driverReadRaw(db, 'sql', 'select 1', 'drop table dr_victim', 'better-sqlite3'));
      } finally {
        await db.destroy();
      }
      expect(await tableExists.sqlite(file.filename, 'dr_victim'), `the guard judged 'select 1' (${outcome}) and SQLite dropped dr_victim`).to.equal(true);
      expect(outcome).to.include('changed after the guard');
    });
  });
}

if (dialects.includes('postgres')) {
  describe('guard: a query object whose accessor answers the driver differently (PostgreSQL as superuser)', () => {
    const database = pgSuperuserDatabase('knexroles_driver_reads');
    const attempt = async (key: 'sql' | 'options', judged: unknown, sent: unknown): Promise<string> => {
      await database.admin.raw('create table if not exists dr_victim (id int)');
      const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));
      try {
        return await outcomeOf(driverReadRaw(db, key, judged, sent, 'postgres'));
      } finally {
        await db.destroy();
      }
    };
    it('(pg) a sql accessor that answers only the driver with a DROP cannot drop the table', async () => {
      const outcome = await attempt('sql', 'select 1', 'drop table dr_victim');
      expect(await tableExists.postgres(database.admin, 'dr_victim'), `the guard judged 'select 1' (${outcome}) and the server dropped dr_victim`).to.equal(true);
      expect(outcome).to.include('changed after the guard');
    });
    it('(pg) an options accessor that gives only the driver { text } cannot drop the table', async () => {
      const outcome = await attempt('options', {}, { text: 'drop table dr_victim' });
      expect(await tableExists.postgres(database.admin, 'dr_victim'), `the guard judged 'select 1' (${outcome}) and the server dropped dr_victim`).to.equal(true);
      expect(outcome).to.match(/^refused: /);
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard: a query object whose accessor answers the driver differently (MariaDB as superuser)', () => {
    const database = mysqlSuperuserDatabase('knexroles_driver_reads');
    it('(mysql2) a sql accessor that answers only the driver with a DROP cannot drop the table', async () => {
      await database.admin.raw('create table if not exists knexroles_driver_reads.dr_victim (id int)');
      const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        outcome = await outcomeOf(driverReadRaw(db, 'sql', 'select 1', 'drop table dr_victim', 'mysql'));
      } finally {
        await db.destroy();
      }
      expect(await tableExists.mysql(database.admin, 'knexroles_driver_reads', 'dr_victim'), `the guard judged 'select 1' (${outcome}) and the server dropped dr_victim`).to.equal(true);
      expect(outcome).to.match(/^refused: /);
    });
  });
}
