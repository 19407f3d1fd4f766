import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { types as pgTypes } from 'pg';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { mysqlSuperuser, pgSuperuserDatabase, throughHook, type SuperuserDatabase } from '../support/guard-attack';

/*
 * The guard's session read (lib/dialects/<d>/guard-text.ts) is a query like any other to
 * the driver, so the connection's result options apply to it unless the read brings its
 * own: a process-wide pg type parser, a knex connection's mysql2 `typeCast` or
 * `rowsAsArray`. The read must see what the server sent, whatever the app set: neither a
 * false refusal of every query nor a setting read as what it is not.
 */

const dialects = testDialects();

/** What a query failed with (its code and E_GUARD_SESSION variable), or undefined when it ran. */
async function outcome(run: () => Promise<unknown>): Promise<{ code?: string; variable?: string } | undefined> {
  try {
    await run();
    return undefined;
  } catch (err) {
    const { code, variable } = err as { code?: string; variable?: string };
    return { code, variable };
  }
}

if (dialects.includes('postgres')) {
  describe('guard session read, PostgreSQL: type parsers the app sets do not change it', () => {
    let connection: SuperuserDatabase['connection'];
    const database = pgSuperuserDatabase('knexroles_session_read', 1);
    before(() => {
      ({ connection } = database);
    });
    type PgConn = { setTypeParser(oid: number, parse: (value: string) => unknown): void };
    /** What `use` gives on a guarded instance of `client` with startup `options`, its connection set up by `hook`. */
    const using = <T>(client: 'pg' | 'pgnative', use: (db: Knex) => Promise<T>, options = '', hook: (conn: PgConn) => void = () => undefined): Promise<T> =>
      throughHook({ client, connection: { ...connection, options } as Knex.PgConnectionConfig }, hook, use);
    // Marks every text value (knex's own `select version()` still parses).
    const marked = (value: string): string => `${value}!`;

    describe('with a process-wide parser for text (pg.types.setTypeParser(25, …))', () => {
      const before25 = pgTypes.getTypeParser(25, 'text');
      beforeEach(() => pgTypes.setTypeParser(25, marked));
      afterEach(() => pgTypes.setTypeParser(25, before25));

      it('pg: queries run, and the parser still applies to them', async () => {
        const rows = await using('pg', async (db) => (await db.raw("select 'abc'::text as t")).rows);
        expect(rows).to.deep.equal([{ t: 'abc!' }]);
      });

      it('pgnative (which applies it to every query, the read too): every query is refused as a session read it cannot trust', async () => {
        expect(await using('pgnative', (db) => outcome(() => db.raw('select 1')))).to.deep.equal({ code: 'E_GUARD_SESSION', variable: 'session read' });
      });
    });

    it('pg: a text parser set in pool.afterCreate does not change the read: a setting the session started with is refused by its name', async () => {
      const read = await using('pg', (db) => outcome(() => db.raw('select 1')), '-c session_replication_role=replica', (conn) => conn.setTypeParser(25, marked));
      expect(read).to.deep.equal({ code: 'E_GUARD_SESSION', variable: 'session_replication_role' });
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard session read, MySQL: a connection\'s typeCast and rowsAsArray do not change it', () => {
    let server: Awaited<ReturnType<typeof mysqlSuperuser>>;
    before(async () => {
      server = await mysqlSuperuser();
    });
    // mysql2 and mysql name a field by a property, mariadb by a method.
    type Field = { name: string | (() => string) };
    // Says a column `d` holds 'app': the read's database() among them.
    const sayApp = (field: Field, next: () => unknown): unknown => ((typeof field.name === 'function' ? field.name() : field.name) === 'd' ? 'app' : next());

    for (const client of ['mysql2', 'mysql', 'mariadb']) {
      describe(client, () => {
        const run = async (connection: Record<string, unknown>, sql: string): Promise<{ result?: unknown; failed?: { code?: string; variable?: string } }> => {
          const guarded = guard(knex({ client, connection: { ...server, ...connection }, pool: { min: 0, max: 1 } }));
          try {
            return { result: await guarded.raw(sql) };
          } catch (err) {
            const { code, variable } = err as { code?: string; variable?: string };
            return { failed: { code, variable } };
          } finally {
            await guarded.destroy();
          }
        };

        it("(control) the connection's typeCast rewrites what its queries return", async () => {
          const { result, failed } = await run({ typeCast: sayApp }, "select 'x' as d");
          expect(failed).to.equal(undefined);
          const rows = (result as unknown[])[0] as Array<Record<string, unknown>>;
          expect(rows[0]?.['d']).to.equal('app');
        });

        it('a typeCast that says the default database is another does not hide a system schema: refused by database()', async () => {
          const { failed } = await run({ database: 'mysql', typeCast: sayApp }, 'select 1');
          expect(failed).to.deep.equal({ code: 'E_GUARD_SESSION', variable: 'database()' });
        });

        it('charset binary (every column a Buffer, the read too): queries run', async () => {
          const { failed } = await run({ charset: 'BINARY' }, 'select 1 as one');
          expect(failed).to.equal(undefined);
        });

        it('charset binary does not hide a system schema as the default database: refused by database()', async () => {
          const { failed } = await run({ charset: 'BINARY', database: 'mysql' }, 'select 1');
          expect(failed).to.deep.equal({ code: 'E_GUARD_SESSION', variable: 'database()' });
        });

        // mysql has no rowsAsArray.
        if (client !== 'mysql') it('rowsAsArray: true: queries run (the read is not taken for an unreadable session)', async () => {
          const { result, failed } = await run({ rowsAsArray: true }, 'select 1 as one');
          expect(failed).to.equal(undefined);
          expect(result).to.not.equal(undefined);
        });
      });
    }
  });
}
