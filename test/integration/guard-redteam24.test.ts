import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, outcomeOf } from '../support/guard-attack';
import { startMariadb, type MariadbServer } from '../support/mariadb-server';
import { TEST_ADMIN } from '../support/servers';

/*
 * Red team 24 (session 12), against d23d84b (the tip of s12 this branch started from): each
 * attack test here fails on it and asserts the effect on the real server (MariaDB 10.11 as
 * superuser).
 *
 * 1. MariaDB `SET STATEMENT var = v FOR <write>`: lib/guard/bookkeeping-writes.ts statementWrites
 *    (MySQL's "a write names a bookkeeping table anywhere" rule, catalogAnywhereInWrites) skips a
 *    write verb whose previous word is `for` (meant for `FOR UPDATE`) or `key` (`ON DUPLICATE KEY
 *    UPDATE`), so behind `SET STATEMENT … FOR` only the target scan is left, and it knows only a
 *    name right after INTO / UPDATE / TABLE or the first one after DELETE … FROM. Passed and ran
 *    on the superuser: `… FOR REPLACE knex_migrations_lock VALUES (1, 1)` and `… FOR INSERT
 *    knex_migrations (…)` (INTO is optional in MySQL), `… FOR DELETE FROM k USING knex_migrations k`,
 *    `… FOR DELETE k FROM t JOIN knex_migrations k` (multi-table: the first table is not the one
 *    deleted from), and in a transaction `… FOR INSERT INTO t SELECT … FROM knex_migrations_lock`,
 *    which holds the lock row in share mode (the locking-subquery rule needs `( SELECT`). Severity
 *    high: the migrator is locked out (is_locked = 1, or its FOR UPDATE waits), migration records
 *    are forged or the history erased. The SET STATEMENT head itself is judged as its statement
 *    (allowed writes), and the catalog rule (content/judge.ts) has no such exemption: `… FOR
 *    DELETE … USING mysql.t` is refused. Fix: decide "is this a write verb" by the statement's
 *    head (past SET STATEMENT … FOR, EXPLAIN, ANALYZE), not by the word before it; or count the
 *    exemption only for FOR UPDATE / FOR SHARE / ON DUPLICATE KEY UPDATE themselves.
 * 2. MySQL `UPDATE (t, knex_migrations_lock) SET is_locked = 1` (also `UPDATE (t JOIN
 *    knex_migrations_lock)`, `UPDATE ((t), …)`), no SET STATEMENT needed: the same rule skips a
 *    write verb followed by `(` (meant for the REPLACE() / INSERT() string functions), and the
 *    target scan steps over the `(` and looks at the first table only. MySQL takes a parenthesized
 *    table_references list in UPDATE and writes every table in it: the lock row is set, or
 *    knex_migrations rewritten. Severity high (plain statement). The catalog rule refuses `update
 *    (t, mysql.x)`. Fix: treat `(` after UPDATE as the start of a table list, not as a call (UPDATE
 *    is never a function), and walk a parenthesized list like LOCK / TRUNCATE lists.
 * 3. MariaDB with `lower_case_table_names = 1` (the Windows default; 2 on macOS compares names the
 *    same way): the server lower-cases table names with its Unicode case table, where U+212A KELVIN
 *    SIGN folds to ASCII `k`, so `update \u212Anex_migrations_lock …` writes knex_migrations_lock.
 *    lib/guard/bookkeeping-writes.ts compares the statement's names folded by sql-values.ts nameOf
 *    (asciiLower) with the configured names: no match, the update runs. Red team 22's fix assumed the
 *    servers fold identifiers ASCII-only; MySQL does not when lower_case_table_names > 0 (the same
 *    holds for database names). Severity medium (needs that server setting). Fix: on MySQL, also
 *    compare names with full Unicode lower-casing (and İ / K-like characters mapped as the server's
 *    utf8mb3_general_ci casedn does), or refuse non-ASCII names that fold to a protected one.
 *
 * Near-misses (the guard handled them, or the server did not do it): `update .knex_migrations_lock`
 * / `select … from .knex_migrations_lock for update` (ODBC leading dot), multi-table `delete k from t
 * join knex_migrations k`, `insert knex_migrations …` without INTO outside SET STATEMENT, `VALUES (1),
 * ((select … for update))`, `ANALYZE FORMAT=JSON DELETE FROM knex_migrations`, `select 1 … where (select
 * … from knex_migrations_lock) … for update` (all refused); `SET STATEMENT … FOR UPDATE t JOIN
 * knex_migrations_lock …` (refused: `for update` reads as a row lock); `SET STATEMENT … FOR` a write
 * naming mysql.* (catalog rule refuses); MariaDB CREATE OR REPLACE TEMPORARY TABLE over a permanent
 * table (appTemporaryTables: drops only a temporary one, the permanent table stays), `TYPE=` engine
 * (syntax error), default_tmp_storage_engine (no installed engine outside the allowed ones takes
 * temporary tables: CSV refuses them, CONNECT / FEDERATED are not loaded); non-ASCII system variable
 * names (`foreign_\u212Aey_checks`, `\u017Fql_mode`: the server does not fold them); SQLite table-valued
 * pragmas with a hidden `arg` column given by WHERE (`pragma_journal_mode where arg = 'wal'`): in
 * SQLite 3.53 only the catalog reads and `optimize` (refused) have one, so WHERE cannot set a value.
 * Read in code only, no bypass found: knex 3.3's own sends to the driver (mysql checkVersion, cancel,
 * better-sqlite3 prepare of one statement), SQLite bookkeeping targets (INTO is required there).
 * The guard's RuntimeDdlError for these is E_RUNTIME_MIGRATE (bookkeeping); the tests assert the effect
 * and that the attempt was refused, whatever the code.
 */

const dialects = testDialects();

/** knex's two MySQL bookkeeping tables in `schema`, as knex makes them, with one migration recorded and the lock row unlocked. */
async function seedMysqlBookkeeping(admin: Knex, schema: string): Promise<void> {
  await admin.raw(`create table if not exists ${schema}.knex_migrations (id int unsigned not null auto_increment primary key, name varchar(255), batch int, migration_time timestamp null) engine=InnoDB`);
  await admin.raw(`create table if not exists ${schema}.knex_migrations_lock (\`index\` int unsigned not null auto_increment primary key, is_locked int) engine=InnoDB`);
  await admin.raw(`create table if not exists ${schema}.rt24_t (id int, a int) engine=InnoDB`);
  await admin.raw(`delete from ${schema}.knex_migrations`);
  await admin.raw(`delete from ${schema}.knex_migrations_lock`);
  await admin.raw(`delete from ${schema}.rt24_t`);
  await admin.raw(`insert into ${schema}.knex_migrations (name, batch, migration_time) values ('001_init.js', 1, now())`);
  await admin.raw(`insert into ${schema}.knex_migrations_lock (\`index\`, is_locked) values (1, 0)`);
  await admin.raw(`insert into ${schema}.rt24_t values (1, 1)`);
}

/** What the bookkeeping tables of `schema` hold: the migration names (in id order) and the lock flag. */
async function bookkeepingState(admin: Knex, schema: string): Promise<{ names: string[]; locked: number }> {
  const names = ((await admin.raw(`select name from ${schema}.knex_migrations order by id`)) as [{ name: string }[]])[0].map((row) => row.name);
  const rows = ((await admin.raw(`select is_locked from ${schema}.knex_migrations_lock`)) as [{ is_locked: number }[]])[0];
  return { names, locked: rows.reduce((sum, row) => sum + Number(row.is_locked), 0) };
}

/** Whether another session cannot take knex_migrations_lock's rows FOR UPDATE NOWAIT (ER_LOCK_WAIT_TIMEOUT 1205): what the migrator's lock would wait on. */
function lockRowHeld(admin: Knex, schema: string): Promise<boolean> {
  return admin.transaction(async (trx) => {
    try {
      await trx.raw(`select * from ${schema}.knex_migrations_lock for update nowait`);
      return false;
    } catch (error) {
      if ((error as { errno?: number }).errno === 1205) return true;
      throw error;
    }
  });
}

/** `sql`, sent by a guarded mysql2 instance, is refused and leaves knex's tables as they were. */
async function expectRefusedUnchanged(database: ReturnType<typeof mysqlSuperuserDatabase>, name: string, sql: string): Promise<void> {
  const before = await bookkeepingState(database.admin, name);
  const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
  let outcome = '';
  try {
    outcome = await outcomeOf(db.raw(sql));
  } finally {
    await db.destroy();
  }
  expect(await bookkeepingState(database.admin, name), `${sql}: ${outcome}`).to.deep.equal(before);
  expect(outcome).to.match(/^refused/);
}

if (dialects.includes('mysql')) {
  describe('guard red team 24, MariaDB as superuser: SET STATEMENT … FOR a write that names a bookkeeping table other than as INTO / UPDATE / DELETE FROM target', () => {
    const name = 'knexroles_redteam24_setstmt';
    const database = mysqlSuperuserDatabase(name);
    beforeEach(() => seedMysqlBookkeeping(database.admin, name));

    const writes: { sql: string; effect: string }[] = [
      // INSERT / REPLACE without INTO (optional in MySQL): no INTO for the target scan, and the verb follows FOR.
      { sql: 'set statement max_statement_time = 0 for replace knex_migrations_lock values (1, 1)', effect: 'locks the migrator out' },
      { sql: "set statement max_statement_time = 0 for insert knex_migrations (name, batch, migration_time) values ('999_forged.js', 1, now())", effect: 'forges a migration record' },
      { sql: "set statement max_statement_time = 0 for insert low_priority ignore knex_migrations (name, batch) values ('999_forged.js', 1)", effect: 'forges a migration record' },
      // Multi-table DELETE: the DELETE … FROM target is the first table (or the alias), not knex_migrations.
      { sql: 'set statement max_statement_time = 0 for delete from k using knex_migrations k', effect: 'erases the migration history' },
      { sql: 'set statement max_statement_time = 0 for delete k from rt24_t join knex_migrations k', effect: 'erases the migration history' },
    ];
    for (const { sql, effect } of writes) {
      it(`(mysql2) \`${sql}\` is refused (it ${effect})`, async () => {
        await expectRefusedUnchanged(database, name, sql);
      });
    }

    it('(mysql2) `SET STATEMENT … FOR INSERT INTO t SELECT … FROM knex_migrations_lock` in a transaction does not hold the lock row against the migrator', async () => {
      const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      let held = false;
      let outcome = '';
      try {
        outcome = await outcomeOf(
          db.transaction(async (trx) => {
            await trx.raw('set statement max_statement_time = 0 for insert into rt24_t select `index`, is_locked from knex_migrations_lock');
            held = await lockRowHeld(database.admin, name);
          }),
        );
      } finally {
        await db.destroy();
      }
      expect(held, `the guard let it through (${outcome}) and InnoDB holds knex_migrations_lock's row: the migrator's FOR UPDATE waits`).to.equal(false);
      expect(outcome).to.match(/^refused/);
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 24, MariaDB as superuser: UPDATE of a parenthesized table list that holds a bookkeeping table', () => {
    const name = 'knexroles_redteam24_parens';
    const database = mysqlSuperuserDatabase(name);
    beforeEach(() => seedMysqlBookkeeping(database.admin, name));

    for (const sql of [
      'update (rt24_t, knex_migrations_lock) set is_locked = 1',
      'update (rt24_t join knex_migrations_lock) set is_locked = 1',
      'update ((rt24_t), knex_migrations_lock) set is_locked = 1',
      "update (rt24_t, knex_migrations) set name = '001_forged.js'",
    ]) {
      it(`(mysql2) \`${sql}\` is refused`, async () => {
        await expectRefusedUnchanged(database, name, sql);
      });
    }
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 24, MariaDB with lower_case_table_names = 1: a bookkeeping table named with a non-ASCII letter the server folds to ASCII', function () {
    // A server of its own: lower_case_table_names is a start-up option (the Windows default; macOS uses 2).
    this.timeout(120000);
    let dir = '';
    let server: MariadbServer | undefined;
    let connection: { host: string; port: number; user: string; password: string; database: string };
    let admin: Knex;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'knexroles-rt24-lctn-'));
      server = await startMariadb(dir, { ...TEST_ADMIN }, undefined, ['--lower-case-table-names=1']);
      const login = { host: server.host, port: server.port, user: server.admin.user, password: server.admin.password };
      const root = knex({ client: 'mysql2', connection: login, pool: { min: 0, max: 1 } });
      await root.raw('create database rt24_lctn');
      await root.destroy();
      connection = { ...login, database: 'rt24_lctn' };
      admin = knex({ client: 'mysql2', connection, pool: { min: 0, max: 1 } });
    });
    after(async () => {
      await admin?.destroy();
      await server?.process.stop('SIGTERM');
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    // U+212A KELVIN SIGN: MariaDB lower-cases table names with its Unicode case table (K -> k); the guard folds ASCII letters only.
    for (const sql of ['update \u212Anex_migrations_lock set is_locked = 1', 'update `\u212ANEX_MIGRATIONS_LOCK` set is_locked = 1']) {
      it(`(mysql2) \`${sql}\` cannot lock the migrator out`, async () => {
        expect(((await admin.raw('select @@lower_case_table_names as l')) as [{ l: number }[]])[0][0]?.l).to.equal(1);
        await admin.raw('create table if not exists knex_migrations_lock (`index` int unsigned not null auto_increment primary key, is_locked int) engine=InnoDB');
        await admin.raw('delete from knex_migrations_lock');
        await admin.raw('insert into knex_migrations_lock (is_locked) values (0)');
        const db = guard(knex({ client: 'mysql2', connection, pool: { min: 0, max: 1 } }));
        let outcome = '';
        try {
          outcome = await outcomeOf(db.raw(sql));
        } finally {
          await db.destroy();
        }
        const locked = ((await admin.raw('select is_locked from knex_migrations_lock')) as [{ is_locked: number }[]])[0][0]?.is_locked;
        expect(locked, `${sql}: ${outcome}`).to.equal(0);
        expect(outcome).to.match(/^refused/);
      });
    }
  });
}
