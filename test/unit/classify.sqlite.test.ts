import { expect } from 'chai';
import { classifySql, type Classification, type StatementKind } from '../../lib/guard/classify';

// [sql, expected, keyword?]: an allowed kind (every statement allowed, the first of that
// kind and keyword), 'refused' (the keyword is the first refused statement's) or 'empty'.
type Expected = Exclude<StatementKind, 'ddl' | 'privilege' | 'other'> | 'refused' | 'empty';
type Case = [sql: string, expected: Expected, keyword?: string];

function checkInvariants(sql: string, result: Classification): void {
  let previousEnd = 0;
  for (const statement of result.statements) {
    expect(statement.start, 'start').to.be.at.least(previousEnd);
    expect(statement.end, 'end').to.be.above(statement.start);
    expect(statement.end, 'end').to.be.at.most(sql.length);
    if (statement.kind === 'other') expect(statement.allowedOnRuntime, 'other is refused').to.equal(false);
    if (!statement.allowedOnRuntime) expect(statement.reason, 'refusals say why').to.be.a('string');
    previousEnd = statement.end;
  }
  expect(result.allowedOnRuntime).to.equal(result.statements.every((statement) => statement.allowedOnRuntime));
}

function check(sql: string, expected: Expected, keyword?: string): void {
  const result = classifySql(sql, 'sqlite');
  const shown = JSON.stringify(result);
  checkInvariants(sql, result);
  if (expected === 'empty') {
    expect(result, shown).to.deep.equal({ allowedOnRuntime: true, statements: [] });
  } else if (expected === 'refused') {
    expect(result.allowedOnRuntime, shown).to.equal(false);
    if (keyword !== undefined) expect(result.statements.find((statement) => !statement.allowedOnRuntime)?.keyword, shown).to.equal(keyword);
  } else {
    expect(result.allowedOnRuntime, shown).to.equal(true);
    expect(result.statements[0]?.kind, shown).to.equal(expected);
    if (keyword !== undefined) expect(result.statements[0]?.keyword, shown).to.equal(keyword);
  }
}

const READS: Case[] = [
  ['select 1', 'read', 'SELECT'],
  ['SELECT 1', 'read', 'SELECT'],
  ['select * from `users` where `id` = ? limit ?', 'read', 'SELECT'],
  ['select * from "users" where "id" = ?1', 'read'],
  ['select * from [users] where [id] = :id', 'read'],
  ['select * from users where id = @id', 'read'],
  ['select * from users where id = $id', 'read'],
  ['select * from users where id = $a::b', 'read'],
  ['select * from users where id = #x', 'read'],
  ["select * from sqlite_master where type = 'table' and name = ?", 'read', 'SELECT'],
  ["select name from sqlite_schema where type = 'index'", 'read'],
  ["select * from pragma_table_info('users')", 'read'],
  ['values (1), (2)', 'read', 'VALUES'],
  ['with x as (select 1) select * from x', 'read', 'SELECT'],
  ['with recursive t(n) as (values (1) union all select n + 1 from t where n < 5) select * from t', 'read'],
  ['with x as materialized (select 1) select * from x', 'read'],
  ['with x as not materialized (select 1) select * from x', 'read'],
  ['with x as (select 1) values (2)', 'read', 'VALUES'],
  ['select 1 union all select 2', 'read'],
  ['select created_at, drop_count, "drop", [create], `alter` from t', 'read'],
  ['select "create" from t', 'read'],
  ["select 'drop table x'", 'read'],
  ["select 'it''s'", 'read'],
  ["select 'a\\'", 'read'],
  ["select 'C:\\path\\'", 'read'],
  ["select x'0102', X'ff'", 'read'],
  ['select "a""b" from t', 'read'],
  ['select `a``b` from t', 'read'],
  ['select [a;b] from t', 'read'],
  ['select [a"b] from t', 'read'],
  ['select [a`b] from t', 'read'],
  ['select 1 -- ; drop table x', 'read'],
  ['select 1 /* ; drop table x */', 'read'],
  ['select 1 /* /* */', 'read'],
  ['/* a */ select 1', 'read'],
  ['-- a\nselect 1', 'read'],
  ['select 1 # 2', 'read'],
  ['select count(*) from t', 'read'],
  ['select min(a), max(b) from t', 'read'],
  ['select * from t where a in (select b from u)', 'read'],
  ["select json_extract(data, '$.a') from t", 'read'],
  ["select data ->> '$.a' from t", 'read'],
  ['select * from t order by a desc limit 10 offset 5', 'read'],
  ['select * from t1 join t2 on t1.id = t2.t1_id', 'read'],
  ['select * from t where a like ? escape ?', 'read'],
  ['select 1.5e10, .5, 1e-3, 0x1F', 'read'],
  ['select t.into from t', 'read'],
  ['select 1 into t', 'read'],
  ["select 'ü' from \"tä\"", 'read'],
  ["select '😀'", 'read'],
  ['select 1; select 2', 'read'],
  ['select 1;', 'read'],
  ['explain select 1', 'read', 'EXPLAIN'],
  ['explain query plan select * from t', 'read', 'EXPLAIN QUERY PLAN'],
  ['EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = ?', 'read', 'EXPLAIN QUERY PLAN'],
  ['explain delete from t', 'read', 'EXPLAIN'],
  ['explain query plan insert into t values (1)', 'read', 'EXPLAIN QUERY PLAN'],
  ['select `u`.*, `p`.`title` from `users` as `u` inner join `posts` as `p` on `u`.`id` = `p`.`user_id`', 'read'],
  ['select * from `t` where `a` = ? and `b` in (?, ?)', 'read'],
  ['select exists(select 1 from t)', 'read'],
  ['select case when a then 1 else 0 end from t', 'read'],
  ['select cast(a as text) from t', 'read'],
  ['select group_concat(a, \';\') from t', 'read'],
  ['select $$ from t', 'read'],
  ['select $a$ from t', 'read'],
  ['select * from t where a = ?; select * from u', 'read'],
];

const PRAGMAS: Case[] = [
  ['PRAGMA table_info(`users`)', 'read', 'PRAGMA TABLE_INFO'],
  ['pragma table_info("users")', 'read', 'PRAGMA TABLE_INFO'],
  ["pragma table_info('users')", 'read'],
  ['pragma main.table_info(users)', 'read', 'PRAGMA TABLE_INFO'],
  ['pragma table_xinfo(users)', 'read', 'PRAGMA TABLE_XINFO'],
  ['pragma table_list', 'read', 'PRAGMA TABLE_LIST'],
  ['pragma index_list(users)', 'read', 'PRAGMA INDEX_LIST'],
  ['pragma index_info(idx)', 'read', 'PRAGMA INDEX_INFO'],
  ['pragma index_xinfo(idx)', 'read'],
  ['pragma foreign_key_list(users)', 'read', 'PRAGMA FOREIGN_KEY_LIST'],
  ['pragma foreign_key_check', 'read'],
  ['pragma foreign_key_check(users)', 'read'],
  ['pragma integrity_check', 'read'],
  ['pragma quick_check(10)', 'read'],
  ['pragma database_list', 'read', 'PRAGMA DATABASE_LIST'],
  ['pragma collation_list', 'read'],
  ['pragma function_list', 'read'],
  ['pragma compile_options', 'read'],
  ['pragma data_version', 'read'],
  ['pragma page_count', 'read'],
  ['pragma table_info = users', 'read'],
  ['pragma foreign_keys', 'read', 'PRAGMA FOREIGN_KEYS'],
  ['pragma foreign_keys = on', 'session', 'PRAGMA FOREIGN_KEYS'],
  ['PRAGMA foreign_keys = OFF', 'session'],
  ['pragma foreign_keys(1)', 'session'],
  ['pragma busy_timeout = 5000', 'session', 'PRAGMA BUSY_TIMEOUT'],
  ['pragma cache_size = -2000', 'session', 'PRAGMA CACHE_SIZE'],
  ['pragma temp_store = memory', 'session'],
  ['pragma synchronous = normal', 'session'],
  ['pragma recursive_triggers = 1', 'session'],
  ['pragma case_sensitive_like = 1', 'session'],
  ['pragma defer_foreign_keys = on', 'session'],
  ['pragma query_only = 1', 'session'],
  ['pragma reverse_unordered_selects = 1', 'session'],
  ['pragma cache_spill = 0', 'session'],
  ['pragma automatic_index = 0', 'session'],
  ['pragma analysis_limit = 100', 'session'],
  ['pragma journal_mode', 'read', 'PRAGMA JOURNAL_MODE'],
  ['pragma user_version', 'read', 'PRAGMA USER_VERSION'],
  ['pragma application_id', 'read'],
  ['pragma schema_version', 'read'],
  ['pragma page_size', 'read'],
  ['pragma auto_vacuum', 'read'],
  ['pragma encoding', 'read'],
  ['pragma locking_mode', 'read'],
  ['pragma main.journal_mode', 'read', 'PRAGMA JOURNAL_MODE'],
  ['pragma "foreign_keys" = on', 'session', 'PRAGMA FOREIGN_KEYS'],
  ['pragma [foreign_keys] = on', 'session', 'PRAGMA FOREIGN_KEYS'],
  ['pragma journal_mode = wal', 'refused', 'PRAGMA JOURNAL_MODE'],
  ['PRAGMA journal_mode = WAL', 'refused', 'PRAGMA JOURNAL_MODE'],
  ['pragma journal_mode(wal)', 'refused', 'PRAGMA JOURNAL_MODE'],
  ['pragma main.journal_mode = delete', 'refused', 'PRAGMA JOURNAL_MODE'],
  ['pragma user_version = 3', 'refused', 'PRAGMA USER_VERSION'],
  ['pragma application_id = 1', 'refused', 'PRAGMA APPLICATION_ID'],
  ['pragma schema_version = 1', 'refused', 'PRAGMA SCHEMA_VERSION'],
  ['pragma writable_schema = on', 'refused', 'PRAGMA WRITABLE_SCHEMA'],
  ['pragma writable_schema', 'read', 'PRAGMA WRITABLE_SCHEMA'],
  ['pragma auto_vacuum = full', 'refused', 'PRAGMA AUTO_VACUUM'],
  ['pragma page_size = 8192', 'refused', 'PRAGMA PAGE_SIZE'],
  ["pragma encoding = 'UTF-16'", 'refused', 'PRAGMA ENCODING'],
  ['pragma max_page_count = 10', 'refused', 'PRAGMA MAX_PAGE_COUNT'],
  ['pragma locking_mode = exclusive', 'refused', 'PRAGMA LOCKING_MODE'],
  ['pragma mmap_size = 268435456', 'refused', 'PRAGMA MMAP_SIZE'],
  ['pragma trusted_schema = on', 'refused', 'PRAGMA TRUSTED_SCHEMA'],
  ['pragma legacy_alter_table = on', 'refused', 'PRAGMA LEGACY_ALTER_TABLE'],
  ['pragma ignore_check_constraints = on', 'refused', 'PRAGMA IGNORE_CHECK_CONSTRAINTS'],
  ['pragma secure_delete = off', 'refused', 'PRAGMA SECURE_DELETE'],
  ['pragma soft_heap_limit = 1', 'refused', 'PRAGMA SOFT_HEAP_LIMIT'],
  ['pragma optimize', 'refused', 'PRAGMA OPTIMIZE'],
  ['pragma optimize(0x10002)', 'refused', 'PRAGMA OPTIMIZE'],
  ['pragma shrink_memory', 'refused', 'PRAGMA SHRINK_MEMORY'],
  ['pragma wal_checkpoint(truncate)', 'refused', 'PRAGMA WAL_CHECKPOINT'],
  ['pragma wal_checkpoint', 'refused', 'PRAGMA WAL_CHECKPOINT'],
  ['pragma incremental_vacuum(10)', 'refused', 'PRAGMA INCREMENTAL_VACUUM'],
  ['pragma frobnicate', 'refused', 'PRAGMA FROBNICATE'],
  ['pragma frobnicate = 1', 'refused', 'PRAGMA FROBNICATE'],
  ['pragma', 'refused', 'PRAGMA'],
  ['pragma foreign_keys on', 'refused', 'PRAGMA FOREIGN_KEYS'],
  ['pragma table_info(t); pragma journal_mode = wal', 'refused', 'PRAGMA JOURNAL_MODE'],
  ['pragma foreign_keys = off; drop table t', 'refused', 'DROP TABLE'],
];

const WRITES: Case[] = [
  ['insert into `users` (`email`) values (?)', 'write', 'INSERT'],
  ['insert into t values (1) returning *', 'write'],
  ['insert or replace into t values (1)', 'write'],
  ['insert or ignore into t values (1)', 'write'],
  ['insert or abort into t values (1)', 'write'],
  ['insert into t (a) values (1) on conflict (a) do update set b = excluded.b', 'write'],
  ['insert into t (a) values (1) on conflict do nothing', 'write'],
  ['insert into t select * from u', 'write'],
  ['insert into t default values', 'write'],
  ['replace into t values (1)', 'write', 'REPLACE'],
  ['update t set "alter" = 1', 'write', 'UPDATE'],
  ['update or ignore t set a = 1', 'write'],
  ['update t set a = a + 1 where id = ? returning a', 'write'],
  ['update t set a = u.a from u where t.id = u.id', 'write'],
  ['delete from t where id = ?', 'write', 'DELETE'],
  ['delete from `users`', 'write', 'DELETE'],
  ['delete from t returning *', 'write'],
  ['with x as (select 1) insert into t select * from x', 'write', 'INSERT'],
  ['with x as (select 1) update t set a = 1', 'write', 'UPDATE'],
  ['with x as (select 1) delete from t', 'write', 'DELETE'],
  ['with x as (select 1) replace into t select * from x', 'write', 'REPLACE'],
  ["insert into t values ('drop table x; --')", 'write'],
  ["insert into t values ('it''s'); insert into t values (2)", 'write'],
];

const TRANSACTIONS: Case[] = [
  ['begin', 'transaction', 'BEGIN'],
  ['begin transaction', 'transaction'],
  ['begin deferred', 'transaction'],
  ['begin immediate transaction', 'transaction'],
  ['begin exclusive', 'transaction'],
  ['commit', 'transaction', 'COMMIT'],
  ['commit transaction', 'transaction'],
  ['end', 'transaction', 'END'],
  ['end transaction', 'transaction'],
  ['rollback', 'transaction', 'ROLLBACK'],
  ['rollback transaction to savepoint sp', 'transaction'],
  ['rollback to sp', 'transaction'],
  ['savepoint sp', 'transaction', 'SAVEPOINT'],
  ['release sp', 'transaction', 'RELEASE'],
  ['release savepoint sp', 'transaction'],
  ['begin; insert into t values (1); commit', 'transaction'],
  ['detach database aux', 'session', 'DETACH'],
  ['detach aux', 'session'],
];

const REFUSED: Case[] = [
  ['create table t (a int)', 'refused', 'CREATE TABLE'],
  ['create table if not exists t (a integer primary key autoincrement)', 'refused', 'CREATE TABLE'],
  ['create temp table t (a)', 'refused', 'CREATE TEMPORARY TABLE'],
  ['create temporary table t as select 1', 'refused', 'CREATE TEMPORARY TABLE'],
  ['create table t as select * from u', 'refused', 'CREATE TABLE'],
  ['create table t (a) strict', 'refused', 'CREATE TABLE'],
  ['create virtual table t using fts5(a)', 'refused', 'CREATE VIRTUAL TABLE'],
  ['create index i on t (a)', 'refused', 'CREATE INDEX'],
  ['create unique index if not exists i on t (a)', 'refused', 'CREATE INDEX'],
  ['create view v as select 1', 'refused', 'CREATE VIEW'],
  ['create temp view v as select 1', 'refused', 'CREATE TEMPORARY VIEW'],
  ['create trigger tr after insert on t begin update t set a = 1; end', 'refused', 'CREATE TRIGGER'],
  ['create temp trigger tr before delete on t begin select raise(abort, \'no\'); end', 'refused', 'CREATE TEMPORARY TRIGGER'],
  ['alter table t add column a int', 'refused', 'ALTER TABLE'],
  ['alter table `t` rename to `u`', 'refused', 'ALTER TABLE'],
  ['alter table t rename column a to b', 'refused', 'ALTER TABLE'],
  ['alter table t drop column a', 'refused', 'ALTER TABLE'],
  ['drop table t', 'refused', 'DROP TABLE'],
  ['drop table if exists `t`', 'refused', 'DROP TABLE'],
  ['drop index i', 'refused', 'DROP INDEX'],
  ['drop view v', 'refused', 'DROP VIEW'],
  ['drop trigger tr', 'refused', 'DROP TRIGGER'],
  ["attach database 'other.db' as aux", 'refused', 'ATTACH'],
  ["attach 'file:x?mode=rwc' as aux", 'refused', 'ATTACH'],
  ['vacuum', 'refused', 'VACUUM'],
  ["vacuum into '/tmp/copy.db'", 'refused', 'VACUUM'],
  ['vacuum main', 'refused', 'VACUUM'],
  ['reindex', 'refused', 'REINDEX'],
  ['reindex t', 'refused', 'REINDEX'],
  ['analyze', 'refused', 'ANALYZE'],
  ['analyze t', 'refused', 'ANALYZE'],
  ['truncate t', 'refused', 'TRUNCATE'],
  ['show tables', 'refused', 'SHOW'],
  ['table t', 'refused', 'TABLE'],
  ['set x = 1', 'refused', 'SET'],
  ['grant select on t to u', 'refused', 'GRANT'],
  ['foo', 'refused', 'FOO'],
  ['"select" 1', 'refused', ''],
  ['[select] 1', 'refused', ''],
  ['1', 'refused', ''],
  ['explain drop table t', 'refused', 'DROP TABLE'],
  ['explain query plan create table t (a)', 'refused', 'CREATE TABLE'],
  ['explain', 'refused', 'EXPLAIN'],
  ['with x as (select 1) create table t (a)', 'refused', 'WITH'],
  ['ſelect 1', 'refused'],
];

const STACKED_AND_TRICKS: Case[] = [
  ['select 1; drop table x', 'refused', 'DROP TABLE'],
  ['select 1;/**/drop table x', 'refused', 'DROP TABLE'],
  ['select 1 -- x\n; drop table x', 'refused', 'DROP TABLE'],
  ['select 1 -- x\r; drop table x', 'read'],
  ['select 1 /* ; */; drop table x', 'refused', 'DROP TABLE'],
  ["select 'a\\'; drop table x; --'", 'refused', 'DROP TABLE'],
  ["select 'a'';drop table x;--'", 'read'],
  ['select "a"";drop table x;--"', 'read'],
  ['select `a``;drop table x;--`', 'read'],
  ['select [a;drop table x;--]', 'read'],
  ['select [a]]; drop table x', 'refused', 'DROP TABLE'],
  ['select "a\\"; drop table x; --"', 'refused', 'DROP TABLE'],
  ["select 'ü'; drop table x", 'refused', 'DROP TABLE'],
  ['select 1;;drop table x', 'refused', 'DROP TABLE'],
  ['insert into t values (1); delete from t; drop table t', 'refused', 'DROP TABLE'],
  ['begin; drop table x; commit', 'refused', 'DROP TABLE'],
  ['select $a; drop table x', 'refused', 'DROP TABLE'],
  ["select $a(') ; drop table x; --'", 'refused'],
  ['select :a(x)', 'refused'],
  ['select $$; drop table x', 'refused', 'DROP TABLE'],
  ["select x'41'; drop table x", 'refused', 'DROP TABLE'],
  ["select 1 /* x */ ; attach 'x.db' as y", 'refused', 'ATTACH'],
  ['SELECT 1; CREATE TABLE t (a); SELECT 2', 'refused', 'CREATE TABLE'],
  ['select 1 # x\n; drop table x', 'refused', 'DROP TABLE'],
];

const EMPTY_AND_UNTERMINATED: Case[] = [
  ['', 'empty'],
  [';', 'empty'],
  [' ; ; ', 'empty'],
  ['-- x', 'empty'],
  ['/* x */', 'empty'],
  ['/* /* */', 'empty'],
  ["select 'abc", 'refused', ''],
  ['select "abc', 'refused', ''],
  ['select `abc', 'refused', ''],
  ['select [abc', 'refused', ''],
  ["select x'ab", 'refused', ''],
  ['/* abc', 'refused', ''],
  ['select 1 /* abc', 'refused', ''],
  ["select 'a''", 'refused', ''],
  ['select 1\u0000', 'refused', ''],
  ["select 1; select 'x", 'refused', ''],
];

describe('classifySql: sqlite', () => {
  const groups: Array<[string, Case[]]> = [
    ['reads', READS],
    ['PRAGMAs', PRAGMAS],
    ['writes', WRITES],
    ['transactions and DETACH', TRANSACTIONS],
    ['refused statements', REFUSED],
    ['stacked statements and quoting tricks', STACKED_AND_TRICKS],
    ['empty and unterminated input', EMPTY_AND_UNTERMINATED],
  ];
  for (const [name, cases] of groups) {
    describe(name, () => {
      for (const [sql, expected, keyword] of cases) it(sql, () => check(sql, expected, keyword));
    });
  }

  describe('statement offsets', () => {
    it('trims whitespace and comments around each statement', () => {
      const sql = ' -- a\n select 1 /* b */;\n\n pragma journal_mode = wal ;';
      const result = classifySql(sql, 'sqlite');
      expect(result.statements.map((s) => sql.slice(s.start, s.end))).to.deep.equal(['select 1', 'pragma journal_mode = wal']);
    });
  });
});
