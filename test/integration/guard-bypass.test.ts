import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guard } from '../../lib';
import { GuardSessionError, RuntimeDdlError } from '../../lib/error-classes';
import { testDialects } from '../support/dialects';
import { pgSuperuser, refused } from '../support/guard-attack';
import { KNEX_CLIENTS } from '../support/knex-clients';
import { testServers } from '../support/servers';

/*
 * The guard attacked end to end as a SUPERUSER (PostgreSQL superuser, MariaDB root-like
 * admin, SQLite file): the server itself would run anything, so only the guard stands in
 * the way. Each bypass below dropped the table before the guard was fixed.
 */

const HOSTILE = [`it's`, `back\\slash\\`, `\\'; drop table victim; --`, `$$ ; drop table victim; $$`, `what?`, `\\?`, `$1`, `日本語ソ表`, `"quoted"`, `é\u0101\\'`];

const dialects = testDialects();

/** A row with BigInt columns (the mariadb connector's integers) as numbers. */
const numbers = (row: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));

if (dialects.includes('postgres')) {
  for (const client of KNEX_CLIENTS.postgres) describe(`guard bypasses, PostgreSQL as superuser, knex client ${client}`, () => {
    let admin: Knex;
    let guarded: Knex;

    before(async () => {
      const connection = pgSuperuser(await testServers());
      admin = knex({ client: 'pg', connection });
      // One connection, so a session setting made by one statement is seen by the next.
      guarded = guard(knex({ client, connection, pool: { min: 1, max: 1 } }));
    });
    beforeEach(async () => {
      await admin.raw('drop table if exists victim');
      await admin.raw('create table victim (id serial primary key, b text)');
    });
    after(async () => {
      await admin?.raw('drop table if exists victim');
      await guarded?.destroy();
      await admin?.destroy();
    });

    const victimExists = async (): Promise<boolean> => (await admin.raw(`select to_regclass('public.victim') as t`)).rows[0].t !== null;

    it('judges the text after knex rewrites placeholders: `$?` becomes `$$1`, a dollar quote', async () => {
      for (const sql of [
        `select $?::text, '$$ ; drop table victim; -- '`,
        // `$x?` becomes `$x$1`: a tagged dollar quote.
        `select $x?::text, ' $x$ ; drop table victim; -- '`,
      ]) {
        const error = await refused(() => guarded.raw(sql));
        expect(error.keyword, sql).to.equal('DROP TABLE');
      }
      expect(await victimExists()).to.equal(true);
    });

    it('refuses switching client_encoding to a client-only multibyte encoding, however spelled', async () => {
      for (const sql of [
        `SET client_encoding TO 'SJIS'`,
        `set names 'GBK'`,
        `SET SESSION client_encoding = big5`,
        `SET LOCAL client_encoding TO 'GB18030'`,
        `select set_config('client_encoding', 'SJIS', false)`,
        `select pg_catalog.set_config('client_encoding', 'SJIS', false)`,
        `update pg_settings set setting = 'SJIS' where name = 'client_encoding'`,
        `update pg_catalog.pg_settings set setting = 'SJIS' where name = 'client_encoding'`,
      ]) {
        await refused(() => guarded.raw(sql)).catch((err: Error) => {
          throw new Error(`${sql}: ${err.message}`);
        });
      }
      expect((await guarded.raw('show client_encoding')).rows[0].client_encoding).to.equal('UTF8');
      // The payload that followed the switch: with UTF-8 it stays a string, whatever the server.
      await guarded.raw(`select E'\u0101\\' ; drop table victim; -- '`);
      expect(await victimExists()).to.equal(true);
    });

    it('refuses every query on a session that starts in a client-only encoding (read from the server)', async () => {
      const connection = pgSuperuser(await testServers());
      // node-postgres always logs in with client_encoding UTF8, so only SQL after login can
      // switch it: here the pool's afterCreate hook, which the guard lets do so only when
      // dangerouslyAllow names the keyword. The guard then reads the session as it is.
      const sjis = guard(
        knex({
          client,
          connection,
          pool: { min: 1, max: 1, afterCreate: (conn: { query(sql: string): Promise<unknown> }, done: (err: unknown, conn: unknown) => void) => void conn.query(`set client_encoding = 'SJIS'`).then(() => done(null, conn), (err) => done(err, conn)) },
        }),
        { dangerouslyAllow: ['SET CLIENT_ENCODING'] },
      );
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          const error = await sjis.raw(`select E'\u0101\\' ; drop table victim; -- '`).then(() => undefined, (err: unknown) => err);
          expect(error).to.be.instanceOf(GuardSessionError);
          expect(error).to.include({ code: 'E_GUARD_SESSION', variable: 'client_encoding', value: 'SJIS' });
        }
      } finally {
        await sjis.destroy();
      }
      expect(await victimExists()).to.equal(true);
    });

    it('refuses standard_conforming_strings = off', async () => {
      await refused(() => guarded.raw('set standard_conforming_strings = off'));
      await refused(() => guarded.raw(`select set_config('standard_conforming_strings', 'off', false)`));
      expect((await guarded.raw('show standard_conforming_strings')).rows[0].standard_conforming_strings).to.equal('on');
    });

    it('refuses .options({ text | values }) that would replace the judged text (knex merges options over { text, values })', async () => {
      for (const run of [
        () => guarded.raw('select 1').options({ text: 'drop table victim' }),
        () => guarded('victim').select('id').options({ text: 'drop table victim' }),
        () => guarded.transaction((trx) => trx.raw('select 1').options({ text: 'drop table victim' })),
        () => guarded.raw('select ?::text as v', ['a']).options({ values: ['b'] }),
        () => guarded('victim').select('id').options({ submit: () => undefined }),
      ]) {
        const error = await refused(run);
        expect(error).to.include({ code: 'E_RUNTIME_DDL', keyword: 'QUERY OPTIONS' });
        expect(error.remedy).to.match(/knex\.raw/);
      }
      expect(await victimExists()).to.equal(true);
      // Options that only shape the result still pass.
      expect((await guarded.raw('select 1 as a').options({ rowMode: 'array' })).rows).to.deep.equal([[1]]);
    });

    it('refuses superuser-only logging, statistics and resource settings (SET and set_config)', async () => {
      for (const sql of [
        `set log_statement = 'none'`,
        `set log_min_duration_statement = -1`,
        `set log_min_error_statement = panic`,
        `select set_config('log_statement', 'none', false)`,
        `set track_activities = off`,
        `set temp_file_limit = -1`,
      ]) {
        await refused(() => guarded.raw(sql)).catch((err: Error) => {
          throw new Error(`${sql}: ${err.message}`);
        });
      }
      // The test server logs every statement (log_statement = all); the session still does.
      const { rows } = await guarded.raw(`select current_setting('log_statement') as l, current_setting('track_activities') as t`);
      expect(rows).to.deep.equal([{ l: 'all', t: 'on' }]);
    });

    it('refuses row locks on system catalogs (FOR UPDATE / SHARE on pg_class would block every migration)', async () => {
      for (const sql of [
        `select * from pg_class where relname = 'victim' for update`,
        `select 1 from pg_catalog.pg_class for no key update`,
        `select * from pg_authid for share`,
      ]) {
        const error = await refused(() => guarded.transaction((trx) => trx.raw(sql))).catch((err: Error) => {
          throw new Error(`${sql}: ${err.message}`);
        });
        expect(error.keyword, sql).to.equal('LOCK CATALOG');
      }
      // Row locks on the app's own tables stay allowed.
      await guarded.transaction((trx) => trx('victim').select('id').forUpdate());
    });

    it('keeps ordinary CRUD with hostile bound values working', async () => {
      for (const b of HOSTILE) {
        const [row] = await guarded('victim').insert({ b }, ['id']);
        expect((await guarded('victim').where({ b }).first())?.id).to.equal(row.id);
        expect(await guarded('victim').where({ id: row.id }).update({ b: `${b}!` })).to.equal(1);
        expect((await guarded.raw('select b from victim where id = ? and b = ?', [row.id, `${b}!`])).rows).to.deep.equal([{ b: `${b}!` }]);
      }
      expect(await victimExists()).to.equal(true);
    });
  });
}

if (dialects.includes('mysql')) {
  for (const client of KNEX_CLIENTS.mysql) describe(`guard bypasses, MariaDB as admin, knex client ${client}`, () => {
    const database = 'knexroles_bypass';
    let admin: Knex;
    let connection: Knex.MySql2ConnectionConfig;

    before(async () => {
      const { mysql } = await testServers();
      connection = { host: mysql.host, port: mysql.port, user: mysql.admin.user, password: mysql.admin.password, multipleStatements: true };
      admin = knex({ client: 'mysql2', connection });
      await admin.raw(`create database if not exists ${database}`);
      connection = { ...connection, database };
    });
    beforeEach(async () => {
      await admin.raw(`drop table if exists ${database}.victim`);
      await admin.raw(`create table ${database}.victim (id int auto_increment primary key, b text)`);
    });
    after(async () => {
      await admin?.raw(`drop database if exists ${database}`);
      await admin?.destroy();
    });

    const victimExists = async (): Promise<boolean> =>
      (await admin.raw(`select count(*) as n from information_schema.tables where table_schema = ? and table_name = 'victim'`, [database]))[0][0].n === 1;

    /** Runs `run` while the server's default sql_mode (what new sessions start with) is `mode`, as a DBA may set it. */
    const withServerSqlMode = async (mode: string, run: () => Promise<void>): Promise<void> => {
      const [[{ previous }]] = await admin.raw('select @@global.sql_mode as previous');
      await admin.raw('set global sql_mode = ?', [mode]);
      try {
        await run();
      } finally {
        await admin.raw('set global sql_mode = ?', [previous]);
      }
    };

    it('reads "…" as an identifier where the session runs with sql_mode=ANSI', () =>
      withServerSqlMode('ANSI', async () => {
        const ansi = guard(knex({ client, connection, pool: { min: 1, max: 1 } }));
        try {
          const error = await refused(() => ansi.raw(`select 1 as "\\" , '\\'' ; drop table victim; -- '"`));
          expect(error.keyword).to.equal('DROP TABLE');
          // Read the one way the server reads it: "x\" is an identifier here, no guessing (the
          // default reading sees an unterminated string and would refuse it).
          const [[row]] = await ansi.raw(`select 1 as "x\\"`);
          expect(row).to.deep.equal({ 'x\\': 1 });
          // The session keeps its reading: leaving ANSI_QUOTES is a change too.
          await refused(() => ansi.raw(`set sql_mode = 'TRADITIONAL'`));
          await ansi.raw(`set sql_mode = 'ANSI,STRICT_ALL_TABLES'`);
        } finally {
          await ansi.destroy();
        }
        expect(await victimExists()).to.equal(true);
      }));

    // mysql2 and mysql format with their connection's format(); the mariadb connector has none (guard-drivers.test.ts).
    if (client !== 'mariadb') it('judges the text the driver sends, with the bound values it formats in on the client', async () => {
      // A formatter that reads placeholders differently from the guard (here: one that
      // breaks out of the statement) stands for any disagreement; the guard judges its output.
      const driver = guard(
        knex({
          client,
          connection,
          pool: {
            min: 1,
            max: 1,
            afterCreate: (conn: { format(sql: string, values: unknown[] | undefined): string }, done: (err: Error | null, conn: unknown) => void) => {
              const format = conn.format.bind(conn);
              // (The mysql driver formats every query, values or none.)
              conn.format = (sql, values) => (values?.[0] === 'break out' ? 'select 1; drop table victim' : format(sql, values));
              done(null, conn);
            },
          },
        }),
      );
      try {
        expect(await driver('victim').where('b', 'stays a value').first()).to.equal(undefined);
        const error = await refused(() => driver('victim').where('b', 'break out').first());
        expect(error.keyword).to.equal('DROP TABLE');
      } finally {
        await driver.destroy();
      }
      expect(await victimExists()).to.equal(true);
    });

    it('refuses .options({ sql | values | namedPlaceholders }) that would replace the judged text, in query and stream', async () => {
      const guarded = guard(knex({ client, connection, pool: { min: 1, max: 1 } }));
      try {
        for (const run of [
          () => guarded.raw('select 1').options({ sql: 'drop table victim' }),
          () => guarded('victim').select('id').options({ sql: 'drop table victim' }),
          () => guarded.raw('select ?', ['a']).options({ values: ['b'] }),
          () => guarded.raw('select :v').options({ namedPlaceholders: true }),
        ]) {
          expect(await refused(run)).to.include({ code: 'E_RUNTIME_DDL', keyword: 'QUERY OPTIONS' });
        }
        // knex's mysql _stream merges options the same way.
        const streamed = await new Promise<unknown>((resolve) => {
          const stream = guarded('victim').select('id').options({ sql: 'drop table victim' }).stream();
          stream.on('error', resolve);
          stream.on('end', () => resolve(undefined));
          stream.resume();
        });
        expect(streamed).to.be.instanceOf(RuntimeDdlError);
        expect(await victimExists()).to.equal(true);
        // Options that only shape the result still pass.
        // (The mysql driver has no rowsAsArray: there its rows stay objects.)
        const [rows] = await guarded.raw('select 1 as a').options({ rowsAsArray: true });
        expect(rows.map((row: unknown) => (Array.isArray(row) ? [...row] : { ...(row as object) }))).to.deep.equal(client === 'mysql' ? [{ a: 1 }] : [[1]]);
      } finally {
        await guarded.destroy();
      }
    });

    // mysql2 and mysql expand an object binding into `col` = value (the mariadb connector sends JSON).
    if (client !== 'mariadb') it('sends the bound values exactly as judged: the driver does not format them a second time', async () => {
      const guarded = guard(knex({ client, connection, pool: { min: 1, max: 1 } }));
      const events: Array<{ sql: string; bindings: unknown }> = [];
      guarded.on('query', (query: { sql: string; bindings: unknown }) => events.push({ sql: query.sql, bindings: query.bindings }));
      try {
        // A value that answers differently each time it is read: judged as `1`, sent as `1`.
        let calls = 0;
        const value = { toSqlString: () => (calls++ === 0 ? '1' : '1; drop table victim') };
        const [[row]] = await guarded.raw('select ? as v', [value]);
        expect(row).to.deep.equal({ v: 1 });
        expect(calls).to.equal(1);
        // A getter on an object binding (mysql2 expands it to `b` = …): knex reads it once, the guard once.
        let reads = 0;
        const assignment = {
          get b(): unknown {
            return reads++ < 2 ? 'x' : { toSqlString: () => `'x'; drop table victim` };
          },
        };
        await guarded('victim').insert({ b: 'before' });
        await guarded.raw('update victim set ?', [assignment]);
        expect(reads).to.equal(2);
        expect(await guarded('victim').select('b')).to.deep.equal([{ b: 'x' }]);
        // What knex reports (query events, error messages) keeps the SQL and bindings as written.
        expect(events[0]).to.deep.equal({ sql: 'select ? as v', bindings: [value] });
        const error = await guarded.raw('select ? from no_such_table', ['secret-value']).then(() => undefined, (err: Error) => err);
        expect(error?.message).to.match(/no_such_table/);
      } finally {
        await guarded.destroy();
      }
      expect(await victimExists()).to.equal(true);
    });

    it('refuses session settings that hide statements from the logs or replication, like sql_log_bin', async () => {
      const guarded = guard(knex({ client, connection, pool: { min: 1, max: 1 } }));
      try {
        for (const sql of [`set skip_replication = 1`, `set session binlog_row_image = 'MINIMAL'`, `set session slow_query_log = 0`, `set session log_slow_filter = ''`, `set @@session.long_query_time = 1e9`]) {
          await refused(() => guarded.raw(sql)).catch((err: Error) => {
            throw new Error(`${sql}: ${err.message}`);
          });
        }
        const [[row]] = await guarded.raw('select @@skip_replication as r, @@session.binlog_row_image as i');
        expect(numbers(row)).to.deep.equal({ r: 0, i: 'FULL' });
      } finally {
        await guarded.destroy();
      }
    });

    it('refuses switching integrity checks off (foreign_key_checks, unique_checks, check_constraint_checks)', async () => {
      const guarded = guard(knex({ client, connection, pool: { min: 1, max: 1 } }));
      try {
        for (const sql of ['set foreign_key_checks = 0', 'SET SESSION unique_checks = 0', 'set @@check_constraint_checks = 0', 'set statement foreign_key_checks = 0 for delete from victim']) {
          expect((await refused(() => guarded.raw(sql))).keyword, sql).to.match(/^SET (FOREIGN_KEY|UNIQUE|CHECK_CONSTRAINT)_CHECKS$/);
        }
        const [[row]] = await guarded.raw('select @@foreign_key_checks as f, @@unique_checks as u, @@check_constraint_checks as c');
        expect(numbers(row)).to.deep.equal({ f: 1, u: 1, c: 1 });
      } finally {
        await guarded.destroy();
      }
    });

    it('refuses every query on a session that starts with NO_BACKSLASH_ESCAPES (read from the server)', () =>
      withServerSqlMode('NO_BACKSLASH_ESCAPES', async () => {
        const nbe = guard(knex({ client, connection, pool: { min: 1, max: 1 } }));
        try {
          const value = `\\' ; drop table victim; -- `;
          const error = await nbe('victim').where('b', value).delete().then(() => undefined, (err: unknown) => err);
          expect(error).to.be.instanceOf(GuardSessionError);
          expect(error).to.include({ code: 'E_GUARD_SESSION', variable: 'sql_mode' });
        } finally {
          await nbe.destroy();
        }
        expect(await victimExists()).to.equal(true);
      }));

    // The mariadb connector names character sets by its own `collation` option.
    if (client !== 'mariadb') it('refuses every query on a connection made with a multibyte character set such as GBK', async () => {
      const gbk = guard(knex({ client, connection: { ...connection, charset: 'GBK_CHINESE_CI' }, pool: { min: 1, max: 1 } }));
      try {
        const error = await gbk('victim').where('b', '\u5f00\\').first().then(() => undefined, (err: unknown) => err);
        expect(error).to.be.instanceOf(GuardSessionError);
        // Refused before it connects, by the connection's own option: the driver's encoder, not the server's report, decides the bytes.
        expect(error).to.include({ code: 'E_GUARD_SESSION', variable: 'charset', value: 'GBK_CHINESE_CI' });
      } finally {
        await gbk.destroy();
      }
    });

    it('refuses every query on a session whose default database is a system schema (unqualified names would reach its tables)', async () => {
      for (const schema of ['mysql', 'sys', 'performance_schema', 'information_schema']) {
        const system = guard(knex({ client, connection: { ...connection, database: schema }, pool: { min: 1, max: 1 } }));
        try {
          const error = await system.raw('update user set max_connections = 1 where 1 = 0').then(() => undefined, (err: unknown) => err);
          expect(error, schema).to.be.instanceOf(GuardSessionError);
          expect(error, schema).to.include({ code: 'E_GUARD_SESSION', variable: 'database()' });
        } finally {
          await system.destroy();
        }
      }
      // The app's own database is fine.
      const app = guard(knex({ client, connection, pool: { min: 1, max: 1 } }));
      try {
        expect((await app('victim').count('* as n'))[0]).to.have.property('n');
      } finally {
        await app.destroy();
      }
    });

    it('refuses switching sql_mode to NO_BACKSLASH_ESCAPES or the connection to a multibyte charset, however spelled', async () => {
      const guarded = guard(knex({ client, connection, pool: { min: 1, max: 1 } }));
      try {
        for (const sql of [
          `SET sql_mode = 'NO_BACKSLASH_ESCAPES'`,
          `set session sql_mode='no_backslash_escapes'`,
          `SET @@session.sql_mode = 'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES'`,
          `SET @@sql_mode := CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')`,
          `/*!40101 SET sql_mode = 'NO_BACKSLASH_ESCAPES' */`,
          `SET STATEMENT sql_mode = 'NO_BACKSLASH_ESCAPES' FOR SELECT 1`,
          // The same mode as a bitmask and as a hex string.
          `SET sql_mode = 2097152`,
          `SET sql_mode = 0x4E4F5F4241434B534C4153485F45534341504553`,
          `SET NAMES gbk`,
          `SET CHARACTER SET sjis`,
          `SET character_set_client = big5`,
        ]) {
          await refused(() => guarded.raw(sql)).catch((err: Error) => {
            throw new Error(`${sql}: ${err.message}`);
          });
        }
        const [[mode]] = await guarded.raw('select @@session.sql_mode as m, @@session.character_set_client as c');
        expect(mode.m).not.to.match(/NO_BACKSLASH_ESCAPES/);
        // mysql2 and mariadb default to utf8mb4, the mysql driver to utf8 (utf8mb3).
        expect(mode.c).to.match(/^utf8(mb[34])?$/);
        // The bound value that became SQL once the mode was switched stays a value.
        const value = `\\' ; drop table victim; -- `;
        await guarded('victim').insert({ b: value });
        expect((await guarded('victim').where('b', value).first())?.b).to.equal(value);
        for (const b of HOSTILE) {
          const [id] = await guarded('victim').insert({ b });
          // The mariadb connector reports insert ids as BigInt.
          expect(Number((await guarded('victim').where({ b }).first())?.id)).to.equal(Number(id));
          expect(await guarded('victim').where({ id }).update({ b: `${b}!` })).to.equal(1);
        }
      } finally {
        await guarded.destroy();
      }
      expect(await victimExists()).to.equal(true);
    });
  });
}

if (dialects.includes('sqlite')) {
  describe('guard bypasses, SQLite file', () => {
    let dir: string;
    let guarded: Knex;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'knex-roles-bypass-'));
      // The schema comes from outside the guard (a migration); the guarded instance only writes rows.
      const plain = knex({ client: 'better-sqlite3', connection: { filename: join(dir, 'db.sqlite') }, useNullAsDefault: true });
      await plain.raw('create table victim (id integer primary key, b text)');
      await plain.destroy();
      guarded = guard(knex({ client: 'better-sqlite3', connection: { filename: join(dir, 'db.sqlite') }, useNullAsDefault: true }));
    });
    after(async () => {
      await guarded?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps ordinary CRUD with hostile bound values working', async () => {
      for (const b of HOSTILE) {
        const [id] = await guarded('victim').insert({ b });
        expect((await guarded('victim').where({ b }).first())?.id).to.equal(id);
      }
      await refused(() => guarded.raw(`select 1; drop table victim`));
    });

    it('lets knex options through: better-sqlite3\'s client reads only safeIntegers, never a replacement text', async () => {
      expect(await guarded.raw('select 1 as a').options({ safeIntegers: true, sql: 'drop table victim', text: 'drop table victim' })).to.deep.equal([{ a: 1n }]);
      expect(await guarded('victim').count({ n: '*' }).first()).to.have.property('n');
    });

    it("refuses hand-written writes to knex's bookkeeping tables, not only the shapes knex compiles", async () => {
      // knex's bookkeeping table as a migration run leaves it, made outside the guard.
      const plain = knex({ client: 'better-sqlite3', connection: { filename: join(dir, 'db.sqlite') }, useNullAsDefault: true });
      await plain.raw('drop table if exists knex_migrations');
      await plain.raw('create table knex_migrations (id integer primary key, name text, batch integer, migration_time datetime)');
      await plain.raw(`insert into knex_migrations (name, batch) values ('001_init.js', 1)`);
      await plain.destroy();
      for (const sql of [
        'delete /**/ from knex_migrations',
        'with x as (select 1) delete from knex_migrations',
        `replace into knex_migrations (id, name, batch) values (1, '001_init.js', 99)`,
        `insert or replace into knex_migrations (name, batch) values ('999_future.js', 1)`,
        `update or replace "main"."knex_migrations" set batch = 99`,
        `delete from 'knex_migrations'`,
      ]) {
        const error = await refused(() => guarded.raw(sql));
        expect(error.code, sql).to.equal('E_RUNTIME_MIGRATE');
      }
      expect(await guarded('knex_migrations').select('name', 'batch')).to.deep.equal([{ name: '001_init.js', batch: 1 }]);
    });

    it('reads the pragmas that take no argument as tables (pragma_user_version), and the read changes nothing', async () => {
      expect(await guarded.raw('select * from pragma_user_version')).to.deep.equal([{ user_version: 0 }]);
      expect(await guarded.raw('select journal_mode from pragma_journal_mode')).to.deep.equal([{ journal_mode: 'delete' }]);
      await refused(() => guarded.raw('select * from pragma_user_version(5)'));
      expect(await guarded.raw('pragma user_version')).to.deep.equal([{ user_version: 0 }]);
    });

    it('refuses switching foreign keys off (the integrity policy), and the checks stay on', async () => {
      const plain = knex({ client: 'better-sqlite3', connection: { filename: join(dir, 'db.sqlite') }, useNullAsDefault: true });
      await plain.raw('create table if not exists parent (id integer primary key)');
      await plain.raw('create table if not exists child (id integer primary key, parent_id integer references parent (id))');
      await plain.destroy();
      await guarded.raw('pragma foreign_keys = on');
      for (const sql of ['pragma foreign_keys = off', 'PRAGMA main.foreign_keys = 0', 'pragma foreign_keys = banana']) {
        expect((await refused(() => guarded.raw(sql))).keyword, sql).to.equal('PRAGMA FOREIGN_KEYS');
      }
      expect(await guarded.raw('pragma foreign_keys')).to.deep.equal([{ foreign_keys: 1 }]);
      const error = await guarded('child').insert({ parent_id: 404 }).then(() => undefined, (err: Error) => err);
      expect(error?.message).to.match(/FOREIGN KEY constraint failed/);
    });

    it('covers withUserParams() clones and transactions made after guard()', async () => {
      const clone = guarded.withUserParams({ tenant: 't1' });
      await refused(() => clone.raw('drop table victim'));
      await refused(() => clone.transaction((trx) => trx.raw('drop table victim')));
      const trx = await guarded.transaction();
      try {
        await refused(() => trx.raw('drop table victim'));
      } finally {
        await trx.rollback().catch(() => undefined);
      }
      expect(await guarded('victim').count({ n: '*' }).first()).to.have.property('n');
    });
  });
}
