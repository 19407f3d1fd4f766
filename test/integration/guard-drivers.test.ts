import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guard } from '../../lib';
import { RuntimeDdlError } from '../../lib/error-classes';
import { refused } from '../support/guard-attack';
import { testClients } from '../support/knex-clients';
import { testServers } from '../support/servers';
import { rejection } from '../support/rejection';

/*
 * The guard on each knex client for MySQL/MariaDB (mysql2, mysql, mariadb), attacked as
 * the MariaDB admin with stacked statements on, so only the guard stands between a runtime
 * connection and `drop table victim`. The drivers write bound values into the text on the
 * client, each by its own reading of where a `?` is a placeholder (mysql2 and mysql: every
 * `?`; the mariadb connector: its own lexer, which is not the server's). The guard judges
 * the text with the values written in, and that text is what is sent.
 */

const HOSTILE = [`it's`, `back\\slash\\`, `\\'; drop table victim; --`, `*/; drop table victim; -- `, `" ; drop table victim; -- `, 'what?', '\\?', '?', '`tick`', '日本語ソ表', '"quoted"', `é\u0101\\'`, 'a\nb\r\tc\u001a\u0000d'];

type Done = (error: Error | null, connection: unknown) => void;
type Call = (...args: unknown[]) => unknown;
type Raw = Record<'query' | 'queryStream' | 'batch' | 'execute' | 'importFile', Call>;
const DATABASE = 'knexroles_drivers';
// knex logs each failed acquire; here those failures are the point.
const log = { warn: () => undefined };

for (const { client } of testClients().filter(({ dialect }) => dialect === 'mysql')) {
  describe(`guard on knex client ${client}, MariaDB as admin`, () => {
    let admin: Knex;
    let connection: Knex.MySqlConnectionConfig;
    let dir: string;

    before(async () => {
      const { mysql } = await testServers();
      const server = { host: mysql.host, port: mysql.port, user: mysql.admin.user, password: mysql.admin.password };
      admin = knex({ client: 'mysql2', connection: server });
      await admin.raw(`create database if not exists ${DATABASE}`);
      connection = { ...server, database: DATABASE, multipleStatements: true };
      dir = mkdtempSync(join(tmpdir(), 'knex-roles-drivers-'));
    });
    beforeEach(async () => {
      await admin.raw(`drop table if exists ${DATABASE}.victim`);
      await admin.raw(`create table ${DATABASE}.victim (id int auto_increment primary key, b text, bin blob, at datetime(3))`);
    });
    after(async () => {
      await admin?.raw(`drop database if exists ${DATABASE}`);
      await admin?.destroy();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const victimExists = async (): Promise<boolean> =>
      (await admin.raw(`select count(*) as n from information_schema.tables where table_schema = ? and table_name = 'victim'`, [DATABASE]))[0][0].n === 1;
    /** A guarded instance on `client`, destroyed after `run`; the victim table must still be there. */
    const using = async (run: (db: Knex) => Promise<void>, extra: Partial<Knex.Config> = {}): Promise<void> => {
      const db = guard(knex({ client, connection, log, pool: { min: 1, max: 1 }, ...extra }));
      try {
        await run(db);
      } finally {
        await db.destroy();
      }
      expect(await victimExists()).to.equal(true);
    };
    /** Rows as plain objects: the drivers' row classes differ. */
    const rows = (raw: unknown): unknown[] => ((raw as object[][])[0] ?? []).map((row) => ({ ...row }));

    it('runs CRUD with hostile bound values: quotes, backslashes, ?, comment ends, multibyte, control characters', () =>
      using(async (db) => {
        for (const b of HOSTILE) {
          const id = (await db('victim').insert({ b }))[0] as number;
          // The mariadb connector reports insert ids as BigInt.
          expect(Number((await db('victim').where({ b }).first())?.id), JSON.stringify(b)).to.equal(Number(id));
          expect(await db('victim').where({ id }).update({ b: `${b}!` })).to.equal(1);
          expect(rows(await db.raw('select b from victim where id = ? and b = ?', [id, `${b}!`]))).to.deep.equal([{ b: `${b}!` }]);
          expect(await db('victim').where({ id }).delete()).to.equal(1);
        }
        // Buffers (every byte value), dates, null and numbers keep their values.
        const bin = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        const at = new Date(2026, 11, 2, 20, 15, 30, 123);
        const [id] = await db('victim').insert({ b: null, bin, at });
        const row = await db('victim').where({ id, bin, at }).first();
        expect(Buffer.from(row.bin).equals(bin)).to.equal(true);
        expect(new Date(row.at).getTime()).to.equal(at.getTime());
        expect(row.b).to.equal(null);
        // knex's question-mark escape: `\\?` is a literal `?`, in a string the server reads as text
        // (npm mysql fills every `?`, even in a string: there this is the app's bug, not the guard's).
        if (client !== 'mysql') expect(rows(await db.raw(`select '\\?' as q, ? as v`, ['x']))).to.deep.equal([{ q: '?', v: 'x' }]);
      }));

    // mysql and the mariadb connector fill a `?` that the server reads as part of a comment
    // (mysql: every `?`; mariadb: after `/*/`, which ends a comment for it); mysql2 (sql-escaper)
    // leaves those `?` alone, so there the same texts run with the values unused.
    const fillsInComments = client !== 'mysql2';

    it('streams reads and refuses streamed DDL', () =>
      using(async (db) => {
        await db('victim').insert({ b: 'streamed' });
        const got: unknown[] = [];
        for await (const row of db('victim').select('b').where('b', 'streamed').stream()) got.push({ ...(row as object) });
        expect(got).to.deep.equal([{ b: 'streamed' }]);
        const error = await new Promise<unknown>((resolve) => {
          const stream = db.raw('select 1 /* ? */ /*/ ? */', ['*/; drop table victim; -- ', '*/; drop table victim; -- ']).stream();
          stream.on('error', resolve);
          stream.on('end', () => resolve(undefined));
          stream.resume();
        });
        if (fillsInComments) expect(error).to.be.instanceOf(RuntimeDdlError);
        else expect(error).to.equal(undefined);
      }));

    it('refuses DDL that a bound value carries out of a comment where the driver fills a ?', () =>
      using(async (db) => {
        const value = '*/; drop table victim; -- ';
        // mysql2 and mysql fill the ? inside a comment; the mariadb connector ends the comment at `/*/`.
        const runs: Array<() => Promise<unknown>> = [
          ...['select 1 /* ? */ /*/ ? */', 'select ? /*/ ? */', 'select 1 /*! ? */ /*/ ? */'].map((sql) => async () => db.raw(sql, [value, value])),
          // In the query builder too (values that end up in comments via whereRaw).
          async () => db('victim').whereRaw('1 /*/ ? */ = 1 /* ? */', [value, value]).select('id'),
        ];
        for (const run of runs) {
          if (fillsInComments) expect((await refused(run)).keyword).to.equal('DROP TABLE');
          else await run();
        }
        // The same text with harmless values: where the driver writes them into a comment, refused
        // all the same (red team 38: a value written where the server reads a comment could end it).
        if (fillsInComments) expect((await refused(async () => db.raw('select 1 as one /*/ ? */ /* ? */', ['x', 'y']))).keyword).to.equal('BOUND VALUE');
        else expect(rows(await db.raw('select 1 as one /*/ ? */ /* ? */', ['x', 'y']))).to.deep.equal([{ one: 1 }]);
      }));

    it('refuses DDL that a bound value carries out of a "name" under sql_mode=ANSI', async () => {
      const [[{ previous }]] = await admin.raw('select @@global.sql_mode as previous');
      await admin.raw(`set global sql_mode = 'ANSI'`);
      try {
        await using(async (db) => {
          // ANSI_QUOTES: the server reads "x\" and "?" as names; the mariadb connector reads
          // "x\", 2 as " as a string and fills the ? between, inside the server's name.
          const error = await refused(() => db.raw(`select 1 as "x\\", 2 as "?"`, [`" from dual; drop table victim; -- `]));
          expect(error.keyword).to.equal('DROP TABLE');
        });
      } finally {
        await admin.raw('set global sql_mode = ?', [previous]);
      }
    });

    if (client === 'mariadb') {
      it('the connector options namedPlaceholders and permitSetMultiParamEntries do not change what is judged', async () => {
        const value = '*/; drop table victim; -- ';
        const settings = { ...connection, namedPlaceholders: true, permitSetMultiParamEntries: true } as Knex.MySqlConnectionConfig;
        await using(
          async (db) => {
            expect((await refused(() => db.raw('select 1 /*/ ? */', [value]))).keyword).to.equal('DROP TABLE');
            expect((await refused(() => db.raw('select 1 /*/ :v */', { v: value }))).keyword).to.equal('DROP TABLE');
            // Ordinary work: knex's own placeholders, values written in as judged.
            const id = (await db('victim').insert({ b: `it's` }))[0] as number;
            expect((await db('victim').where({ id }).first())?.b).to.equal(`it's`);
            await db.raw('update victim set ? where id = ?', [{ b: 'set' }, id]);
            expect((await db('victim').where({ id }).first())?.b).to.equal('set');
          },
          { connection: settings },
        );
      });
    }

    /** Hooks that try DDL over the raw connection pool.afterCreate receives, for this driver. */
    const hostileHooks = (): Array<[title: string, run: (conn: Raw, cb: (error?: Error | null) => void) => void, keyword: string]> => {
      const value = '*/; drop table victim; -- ';
      const hooks: Array<[string, (conn: Raw, cb: (error?: Error | null) => void) => void, string]> = [
        ['query(sql, values, cb) with a value carried out of a comment', (conn, cb) => conn.query('select 1 /* ? */ /*/ ? */', [value, value], cb), 'DROP TABLE'],
        ['query({ sql, values }, cb)', (conn, cb) => conn.query({ sql: 'select 1 /* ? */ /*/ ? */', values: [value, value] }, cb), 'DROP TABLE'],
      ];
      if (client !== 'mariadb') return hooks;
      const file = join(dir, 'drop.sql');
      writeFileSync(file, `drop table ${DATABASE}.victim;\n`);
      return [
        ...hooks,
        ['importFile({ file }): SQL the guard does not read', (conn, cb) => conn.importFile({ file }, cb), ''],
        ['batch(sql, values, cb)', (conn, cb) => conn.batch('drop table victim', [[1]], cb), 'DROP TABLE'],
        ['execute(sql, values, cb)', (conn, cb) => conn.execute('drop table victim', [], cb), 'DROP TABLE'],
        [
          'queryStream(sql, values)',
          (conn, cb) => {
            const stream = conn.queryStream('select 1 /*/ ? */', [value]) as NodeJS.EventEmitter;
            stream.on('error', cb).on('end', () => cb()).on('data', () => undefined);
          },
          'DROP TABLE',
        ],
      ];
    };

    // mysql2's hooks are in guard-paths.test.ts.
    if (fillsInComments) it('refuses DDL over the raw connection in pool.afterCreate (query with values, and the connector\'s own methods)', async () => {
      for (const [title, run, keyword] of hostileHooks()) {
        const afterCreate = (conn: Raw, done: Done): void => run(conn, (error) => done(error ?? null, conn));
        await using(
          async (db) => {
            const error = await rejection(() => db.raw('select 1'));
            expect(error, title).to.be.instanceOf(RuntimeDdlError);
            expect((error as RuntimeDdlError).keyword, title).to.equal(keyword);
          },
          { pool: { min: 0, max: 1, afterCreate } },
        );
      }
    });

    it('session set-up with bound values in pool.afterCreate works, the values sent as judged', async () => {
      const tenant = `it's \\ /*/ ? */ t1`;
      const afterCreate = (conn: Raw, done: Done): void =>
        void conn.query('set @tenant = ?, @other = ?', [tenant, 'x'], (error: Error | null) => done(error, conn));
      await using(
        async (db) => {
          expect(rows(await db.raw('select @tenant as t, @other as o'))).to.deep.equal([{ t: tenant, o: 'x' }]);
          await refused(() => db.raw('drop table victim'));
        },
        { pool: { min: 1, max: 1, afterCreate } },
      );
    });
  });
}
