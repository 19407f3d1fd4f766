import { expect } from 'chai';
import { bookkeepingWriteCheck } from '../../lib/guard/bookkeeping-writes';
import type { Dialect } from '../../lib/types';

/**
 * Writes to knex's bookkeeping tables (knex_migrations, knex_migrations_lock, or the
 * configured tableName) refused at token level in every spelling; reads and look-alikes pass.
 * [sql, refused?]
 */
type Case = [sql: string, refused: boolean];

const EVERYWHERE: Case[] = [
  // The shapes knex compiles.
  ['insert into "knex_migrations" ("batch", "migration_time", "name") values (?, ?, ?)', true],
  ['update "knex_migrations_lock" set "is_locked" = ?', true],
  ['delete from "knex_migrations" where "name" = ?', true],
  ['create table if not exists "knex_migrations" ("id" integer not null primary key)', true],
  // Hand-written: case, comments between words, WITH in front.
  ['DELETE FROM KNEX_MIGRATIONS', true],
  ['delete /**/ from knex_migrations', true],
  ['delete/* a */from/* b */knex_migrations', true],
  ['delete\n  -- why\n  from\tknex_migrations', true],
  ['with x as (select 1) delete from knex_migrations', true],
  ['WITH x AS (SELECT 1) UPDATE knex_migrations_lock SET is_locked = 0', true],
  ['with x as (select 1) insert into knex_migrations (name, batch) select name, 1 from x', true],
  ['select 1; delete from knex_migrations', true],
  ['update knex_migrations_lock set is_locked = 0 where 1 = 1', true],
  ['truncate knex_migrations', true],
  ['drop table knex_migrations_lock', true],
  ['alter table knex_migrations add column x int', true],
  // Reads and look-alikes stay allowed.
  ['select * from knex_migrations order by id', false],
  ['select * from "knex_migrations_lock"', false],
  ['with x as (select * from knex_migrations) select * from x', false],
  ["insert into t (name) values ('delete from knex_migrations')", false],
  ['update knex_migrations_archive set a = 1', false],
  ['update my_knex_migrations set a = 1', false],
  ['-- delete from knex_migrations\nselect 1', false],
];

const PER_DIALECT: Record<Dialect, Case[]> = {
  postgres: [
    ['delete from public.knex_migrations', true],
    ['delete from "public"."knex_migrations"', true],
    ['DELETE FROM "KNEX_MIGRATIONS"', true],
    ['delete from only knex_migrations', true],
    ['update only public.knex_migrations_lock set is_locked = 0', true],
    // ONLY ( t ): the parenthesized form (red team 17).
    ['delete from only (knex_migrations)', true],
    ['UPDATE ONLY ( "public"."knex_migrations_lock" ) SET is_locked = 0', true],
    ['update only/**/(/* x */knex_migrations_lock) set is_locked = 0', true],
    ['with x as (select 1) delete from only (public . knex_migrations)', true],
    ['lock table only (knex_migrations_lock) in access exclusive mode', true],
    ['merge into only (knex_migrations) m using t on t.id = m.id when matched then delete', true],
    ['select * from only (knex_migrations)', false],
    // Later items of a LOCK / TRUNCATE list, after ONLY, `*` or ONLY ( t ) (red team 18).
    ['lock table t, only knex_migrations_lock in access exclusive mode', true],
    ['lock table t *, knex_migrations_lock', true],
    ['LOCK ONLY (t), PUBLIC.KNEX_MIGRATIONS_LOCK IN SHARE MODE', true],
    ['lock t, only public.knex_migrations_lock', true],
    ['truncate t, only knex_migrations', true],
    ['truncate table only t *, only (knex_migrations) restart identity', true],
    ['truncate a, b, c, "knex_migrations"', true],
    ['lock table t, u * in share mode', false],
    ['truncate t, only u', false],
    ['delete from U&"knex\\005fmigrations"', true],
    ['insert into knex_migrations (name) values ($$x$$) on conflict do nothing', true],
    ['merge into knex_migrations m using t on t.id = m.id when matched then delete', true],
    ['truncate table only t, knex_migrations restart identity', true],
    ['lock table knex_migrations_lock in access exclusive mode', true],
    ['copy knex_migrations from stdin', true],
    ['copy knex_migrations to stdout', false],
    ['table knex_migrations', false],
    ['update t set a = 1 where b in (select name from knex_migrations)', false],
    ['delete from t where name in (select name from knex_migrations)', false],
    ['update t set a = 1 from knex_migrations m where m.id = t.id', false],
    ["select * from knex_migrations where name = E'\\' ; delete from knex_migrations; -- '", false],
  ],
  mysql: [
    ['delete from `knex_migrations`', true],
    ['delete from app.`knex_migrations`', true],
    ['DELETE LOW_PRIORITY QUICK IGNORE FROM knex_migrations', true],
    ['replace into knex_migrations (id, name, batch) values (1, ?, 99)', true],
    ['insert ignore into knex_migrations (name) values (?)', true],
    ['update t join knex_migrations m on m.id = t.id set m.batch = 9', true],
    ['delete t, m from t join knex_migrations m on m.id = t.id', true],
    ['/*!50000 delete from knex_migrations */', true],
    // A write that names a bookkeeping table anywhere is refused (multi-table UPDATE / DELETE write what they join), reads in it too.
    ['update t set a = 1 where b in (select name from knex_migrations)', true],
    // A row lock on a bookkeeping table blocks the migrator like a write (brief G1, leftover 3; was allowed).
    ['select * from knex_migrations for update', true],
    ['select replace(name, ?, ?) from knex_migrations', false],
    // MariaDB SET STATEMENT … FOR <write> writes like the bare write (red team 24).
    ['set statement max_statement_time=1 for replace knex_migrations_lock values (1, 1)', true],
    ['SET STATEMENT sql_mode=\'\' FOR INSERT LOW_PRIORITY IGNORE knex_migrations (name) VALUES (?)', true],
    ['set statement max_statement_time=1 for delete from k using knex_migrations k', true],
    ['set statement max_statement_time = 1 for delete k from t join knex_migrations k on k.id = t.id', true],
    ['set statement max_statement_time=1 for insert into t select * from knex_migrations_lock', true],
    ['set statement max_statement_time=1 for select * from knex_migrations', false],
    // UPDATE is no function: `UPDATE (a, b)` writes every table of its list (red team 24).
    ['update (t, knex_migrations_lock) set is_locked = 1', true],
    ['UPDATE ((t), `knex_migrations`) SET name = ?', true],
    ['update (t join knex_migrations_lock l on 1) set l.is_locked = 1', true],
    ['select insert(name, 1, 2, ?), truncate(batch, 0) from knex_migrations', false],
    // Names the server folds onto knex's with lower_case_table_names 1 or 2 (KELVIN SIGN, dotted I).
    ['update \u212Anex_migrations_lock set is_locked = 1', true],
    ['delete from `KNEX_M\u0130GRATIONS`', true],
    ['select * from \u212Anex_migrations', false],
  ],
  sqlite: [
    ['delete from main.knex_migrations', true],
    ['delete from "main"."knex_migrations"', true],
    ['delete from [knex_migrations]', true],
    ['delete from `knex_migrations`', true],
    ["delete from 'knex_migrations'", true],
    ["replace into knex_migrations (id, name, batch) values (1, '001_init.js', 99)", true],
    ["insert or replace into knex_migrations (name, batch) values ('999_future.js', 1)", true],
    ["INSERT OR IGNORE INTO knex_migrations (name, batch) VALUES ('x', 1)", true],
    ['update or replace knex_migrations set batch = 9', true],
    ['update or rollback main.knex_migrations_lock set is_locked = 0', true],
    ["select * from knex_migrations where name = 'x'", false],
    ['update t set a = 1 where b in (select name from knex_migrations)', false],
    ['delete from t where name in (select name from knex_migrations)', false],
  ],
};

for (const dialect of ['postgres', 'mysql', 'sqlite'] as const) {
  describe(`bookkeeping writes refused, ${dialect}`, () => {
    const check = bookkeepingWriteCheck(dialect, undefined);
    for (const [sql, refused] of [...EVERYWHERE, ...PER_DIALECT[dialect]]) {
      it(`${refused ? 'refuses' : 'allows'}: ${sql}`, () => {
        const error = check(sql);
        if (refused) expect(error, sql).to.include({ code: 'E_RUNTIME_MIGRATE' });
        else expect(error, sql).to.equal(undefined);
      });
    }
  });
}

describe('bookkeeping writes: the configured tableName and its _lock table', () => {
  for (const dialect of ['postgres', 'mysql', 'sqlite'] as const) {
    it(dialect, () => {
      const check = bookkeepingWriteCheck(dialect, ['app_migrations']);
      expect(check('delete /**/ from app_migrations')).to.include({ code: 'E_RUNTIME_MIGRATE' });
      expect(check('with x as (select 1) update app_migrations_lock set is_locked = 0')).to.include({ code: 'E_RUNTIME_MIGRATE' });
      expect(check('delete from knex_migrations')).to.equal(undefined);
      expect(check('select * from app_migrations')).to.equal(undefined);
    });
    it(`${dialect}: several names (a config re-pointed after the guard saw it: every name seen stays protected)`, () => {
      const check = bookkeepingWriteCheck(dialect, ['knex_migrations', 'App_Migrations']);
      expect(check('update knex_migrations_lock set is_locked = 1')).to.include({ code: 'E_RUNTIME_MIGRATE' });
      expect(check('delete from app_migrations')).to.include({ code: 'E_RUNTIME_MIGRATE' });
      expect(check('delete from other_migrations')).to.equal(undefined);
    });
  }
});

describe('bookkeeping writes: a session read with ANSI_QUOTES (MySQL) or standard_conforming_strings off (PostgreSQL)', () => {
  it('reads the text the one way the session does', () => {
    const mysql = bookkeepingWriteCheck('mysql', undefined);
    // Default reading: a string; ANSI_QUOTES: an identifier. Refused unless the session is known.
    const sql = `select "\\" ; delete from knex_migrations; -- "`;
    expect(mysql(sql)).to.include({ code: 'E_RUNTIME_MIGRATE' });
    expect(mysql(sql, { ansiQuotes: false })).to.equal(undefined);
    const pg = bookkeepingWriteCheck('postgres', undefined);
    const text = `select '\\' ; delete from knex_migrations; -- '`;
    expect(pg(text)).to.include({ code: 'E_RUNTIME_MIGRATE' });
    // standard_conforming_strings on: '\' is a whole string and the DELETE runs; off: one string.
    expect(pg(text, { altBackslash: false })).to.include({ code: 'E_RUNTIME_MIGRATE' });
    expect(pg(text, { altBackslash: true })).to.equal(undefined);
  });
});

describe('bookkeeping writes: each reading judged on its own', () => {
  it('a text clean under one reading is a write under another, and a repeat keeps its verdict', () => {
    const pg = bookkeepingWriteCheck('postgres', undefined);
    const text = `select '\\' ; delete from knex_migrations; -- '`;
    // Clean when backslashes escape (one string), a write when they do not: the clean answer must not leak.
    expect(pg(text, { altBackslash: true })).to.equal(undefined);
    expect(pg(text, { altBackslash: true })).to.equal(undefined);
    expect(pg(text, { altBackslash: false })).to.include({ code: 'E_RUNTIME_MIGRATE' });
    expect(pg(text)).to.include({ code: 'E_RUNTIME_MIGRATE' });
    expect(pg(text)).to.include({ code: 'E_RUNTIME_MIGRATE' });
    const mysql = bookkeepingWriteCheck('mysql', undefined);
    const sql = `select "\\" ; delete from knex_migrations; -- "`;
    expect(mysql(sql, { ansiQuotes: false })).to.equal(undefined);
    expect(mysql(sql, { ansiQuotes: true })).to.include({ code: 'E_RUNTIME_MIGRATE' });
    expect(mysql(sql)).to.include({ code: 'E_RUNTIME_MIGRATE' });
  });

  it('non-ASCII text takes the full lower-casing test (SQLite reads a string as a table name)', () => {
    const sqlite = bookkeepingWriteCheck('sqlite', undefined);
    expect(sqlite(`delete from 'KNEX_MIGRATIONS' where 'é' = 'é'`)).to.include({ code: 'E_RUNTIME_MIGRATE' });
    expect(sqlite(`select 'é' from knex_migrations`)).to.equal(undefined);
  });
});
