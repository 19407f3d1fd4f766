import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { called, mysqlSuperuserDatabase, outcomeOf, throughHook, throughValidate } from '../support/guard-attack';

/*
 * Red team 36 (session 14, found against 42e0034; rewritten in session 15 when its branch was lost
 * with the machine): a query object a hook's driver call returns reaches the raw connection later.
 *
 * lib/guard/raw-connection.ts shielded what a judged method returned only if it held the connection in
 * an own property at the moment it was returned. mysql2 queues a command sent while another runs, and
 * sets its `_connection` only when it starts, so a queued Query came back unshielded:
 * - after it ran, `q._connection.query('drop table …')` reached the raw connection (high: the table was
 *   dropped on MariaDB), from pool.afterCreate and from pool.validate;
 * - before it ran, `q.sql = 'drop table …'` changed the text mysql2 sends when it starts (the same
 *   holds for a queued `prepare`'s `query`, and for any driver that reads its command's text at start).
 * Fix for the class: what a method that sends SQL returns is always seen through the read-only shield,
 * which gives the view wherever the connection is read, at read time.
 */

const dialects = testDialects();

type Query = { on(event: string, listener: (...args: unknown[]) => void): Query; sql?: string; query?: string; _connection?: { query(sql: string, cb: (e: unknown) => void): unknown } | null };
type Conn = { query(sql: string, cb?: (e: unknown) => void): Query; prepare?(sql: string, cb?: (e: unknown) => void): Query };

/** Resolves when `q` emits 'end' (or 'error'). */
const ended = (q: Query): Promise<void> => new Promise((resolve) => void q.on('end', () => resolve()).on('error', () => resolve()));

if (dialects.includes('mysql')) {
  describe('guard red team 36, MariaDB as superuser: a queued query object of a hook', () => {
    const DATABASE = 'knexroles_redteam36_queued';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt36_victim (id int)`);
    });
    const victimExists = async (): Promise<boolean> => (await database.admin.raw('select count(*) as n from information_schema.tables where table_schema = ? and table_name = ?', [DATABASE, 'rt36_victim']))[0][0].n > 0;
    const drop = `drop table ${DATABASE}.rt36_victim`;

    // After the queued query ran: its `_connection`, read through what the hook got back.
    const throughConnection = async (conn: Conn): Promise<string> => {
      conn.query('select 1');
      const q = conn.query('select 2');
      await ended(q);
      const raw = q._connection;
      if (raw === null || raw === undefined) return 'no connection';
      return outcomeOf(called((cb) => raw.query(drop, cb)));
    };

    for (const client of ['mysql2', 'mysql']) {
      it(`(${client}) pool.afterCreate: a queued query's _connection, once it ran, is the guarded view: rt36_victim is still there`, async () => {
        let outcome = '';
        await throughHook({ client, connection: database.connection }, async (conn: Conn) => void (outcome = await throughConnection(conn)));
        expect(await victimExists(), `dropped through q._connection (${outcome})`).to.equal(true);
        expect(outcome).to.match(/^refused: .*E_RUNTIME_DDL|^refused: Refused/);
      });

      it(`(${client}) pool.validate: a queued query's _connection is the guarded view: rt36_victim is still there`, async () => {
        let outcome = '';
        await throughValidate({ client, connection: database.connection }, async (conn: Conn) => {
          outcome = await throughConnection(conn);
          return true;
        });
        expect(await victimExists(), `dropped through q._connection (${outcome})`).to.equal(true);
        expect(outcome).to.match(/^refused: /);
      });

      it(`(${client}) pool.afterCreate: a queued query's text cannot be changed before it starts: rt36_victim is still there`, async () => {
        let changed = 'kept';
        await throughHook({ client, connection: database.connection }, async (conn: Conn) => {
          conn.query('select 1');
          const q = conn.query('select 2');
          try {
            q.sql = drop;
          } catch (error) {
            changed = `refused: ${(error as Error).message}`;
          }
          await ended(q);
        });
        expect(await victimExists(), 'the queued query ran the text assigned after the check').to.equal(true);
        expect(changed).to.match(/^refused: /);
      });
    }

    it('(mysql2) pool.afterCreate: a queued prepare\'s text cannot be changed before it starts: rt36_victim is still there', async () => {
      let changed = 'kept';
      await throughHook({ client: 'mysql2', connection: database.connection }, async (conn: Conn) => {
        conn.query('select 1');
        const p = (conn.prepare as (sql: string, cb: (e: unknown, statement?: { execute(v: unknown[], cb: (e: unknown) => void): void; close(): void }) => void) => Query)('select 2', (error, statement) => {
          if (!error && statement) statement.execute([], () => statement.close());
        });
        try {
          p.query = drop;
        } catch (error) {
          changed = `refused: ${(error as Error).message}`;
        }
        await new Promise((resolve) => setTimeout(resolve, 0));
        await called((cb) => conn.query('select 3', cb));
      });
      expect(await victimExists(), 'the queued prepare ran the text assigned after the check').to.equal(true);
      expect(changed).to.match(/^refused: /);
    });

    it('(mysql2) ordinary: a queued query\'s events and the text it ran are read through the shield', async () => {
      const seen: unknown[] = [];
      await throughHook({ client: 'mysql2', connection: database.connection }, async (conn: Conn) => {
        conn.query('select 1');
        const q = conn.query('select 2 as two');
        q.on('result', (row) => seen.push({ ...(row as object) }));
        await ended(q);
        seen.push(q.sql);
      });
      expect(seen).to.deep.equal([{ two: 2 }, 'select 2 as two']);
    });
  });
}
