import { expect } from 'chai';
import { bookkeepingWriteCheck } from '../../lib/guard/bookkeeping-writes';
import { describeCaseGroups, type Case } from '../support/classify-cases';

/**
 * MySQL row locks (FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE) on the system schemas' tables
 * and on knex's bookkeeping tables are refused: held by a runtime transaction, they block
 * grant changes and the migrator, like the PostgreSQL catalog row locks
 * (classify.catalog-row-locks.test.ts). Row locks on the app's own tables stay allowed.
 */
const CATALOG: Case[] = [
  ['select * from mysql.user lock in share mode', 'refused', 'LOCK CATALOG'],
  // However the FROM item is written (red team 13).
  ['select * from (mysql.innodb_table_stats) lock in share mode', 'refused', 'LOCK CATALOG'],
  ['select * from t straight_join mysql.user lock in share mode', 'refused', 'LOCK CATALOG'],
  ['select * from { oj t left outer join mysql.user u on true } lock in share mode', 'refused', 'LOCK CATALOG'],
  ['select * from ((mysql.db)) for share', 'refused', 'LOCK CATALOG'],
  ['SELECT * FROM MYSQL.USER LOCK IN SHARE MODE', 'refused', 'LOCK CATALOG'],
  ['select * from `mysql`.`db` for share', 'refused', 'LOCK CATALOG'],
  ['select * from mysql /* c */ . /* c */ tables_priv for /* c */ share nowait', 'refused', 'LOCK CATALOG'],
  ['select *\tfrom\nmysql.proxies_priv\r\nfor share skip locked', 'refused', 'LOCK CATALOG'],
  ['select * from t join mysql.global_priv g on g.User = t.u lock in share mode', 'refused', 'LOCK CATALOG'],
  ['select * from t, sys.sys_config for share', 'refused', 'LOCK CATALOG'],
  ['select * from performance_schema.setup_consumers for share', 'refused', 'LOCK CATALOG'],
  ['begin; select * from mysql.user for share; commit', 'refused', 'LOCK CATALOG'],
  // InnoDB reads the subqueries of SET, DO and SHOW with shared locks (red team 20).
  ['set @v = (select count(*) from mysql.innodb_table_stats)', 'refused', 'LOCK CATALOG'],
  ['SET @v := (SELECT 1 FROM `mysql`.`user` LIMIT 1)', 'refused', 'LOCK CATALOG'],
  ['set session sql_select_limit = (select count(*) from mysql.db)', 'refused', 'LOCK CATALOG'],
  ['do (select count(*) from mysql.innodb_table_stats)', 'refused', 'LOCK CATALOG'],
  ['Do /* c */ (Select 1 From Mysql . Innodb_Index_Stats Limit 1)', 'refused', 'LOCK CATALOG'],
  ['(do (select 1 from mysql.user))', 'refused'],
  ['show tables where (select count(*) from mysql.user) > 0', 'refused', 'LOCK CATALOG'],
  ['select 1; set @v = (select 1 from mysql.user limit 1)', 'refused', 'LOCK CATALOG'],
  // CALL naming a system schema is a catalog write already.
  ['call app_proc((select count(*) from mysql.innodb_table_stats))', 'refused', 'CATALOG WRITE'],
  ['CALL app_proc( ( WITH s AS (SELECT 1 FROM mysql.innodb_index_stats) SELECT 1 FROM s ) )', 'refused'],
  ['set statement max_statement_time = 5 for set @v = (select 1 from mysql.user limit 1)', 'refused', 'LOCK CATALOG'],
  // FOR UPDATE on a system schema was refused already (a write verb naming the schema).
  ['select * from mysql.user for update', 'refused'],
  ['select * from `mysql`.user u for update of u', 'refused'],
  ['Select Host From Mysql.User For Update Nowait', 'refused'],
  // Reads of the system schemas, and row locks on the app's own tables, stay allowed.
  ['select * from mysql.user', 'read', 'SELECT'],
  ["select * from mysql.user where User = 'lock in share mode'", 'read', 'SELECT'],
  ['select * from users where id = 1 for update', 'read', 'SELECT'],
  ['select * from users lock in share mode', 'read', 'SELECT'],
  ['select * from users u join orders o on o.user_id = u.id for share', 'read', 'SELECT'],
  ['set @v = (select count(*) from users)', 'session', 'SET'],
  ['do (select count(*) from users)', 'read', 'DO'],
  ['show tables from mysql', 'read', 'SHOW'],
  // No subquery, or a plain read, or tables without row locks: no lock (the review's false alarms).
  ['show columns from mysql.user', 'read', 'SHOW'],
  ['show index from mysql.innodb_table_stats', 'read', 'SHOW'],
  ['set statement max_statement_time = 5 for select * from mysql.innodb_table_stats', 'read'],
  ['set @n = (select count(*) from information_schema.tables)', 'session', 'SET'],
  ['do (select count(*) from performance_schema.threads)', 'read', 'DO'],
  ['select (select count(*) from mysql.innodb_table_stats)', 'read', 'SELECT'],
];

const BOOKKEEPING: Array<[sql: string, refused: boolean]> = [
  ['select * from knex_migrations_lock for update', true],
  ['SELECT * FROM `knex_migrations_lock` FOR UPDATE NOWAIT', true],
  ['select * from knex_migrations for share', true],
  ['select * from `app`.`knex_migrations` lock in share mode', true],
  ['select * from knex_migrations /* c */ for /* c */ update', true],
  ['select *\nfrom\tknex_migrations_lock\r\nLOCK IN SHARE MODE', true],
  ['select * from t join knex_migrations m on m.id = t.id for update of t', true],
  // InnoDB reads the subqueries of SET, DO and SHOW with shared locks (red team 20).
  ['set @rt20 = (select is_locked from knex_migrations_lock)', true],
  ['SET @v := (SELECT `is_locked` FROM `app`.`knex_migrations_lock`)', true],
  ['do (select is_locked from knex_migrations_lock)', true],
  ['DO /* c */ ( SELECT 1 FROM knex_migrations LIMIT 1 )', true],
  ['show tables where (select is_locked from knex_migrations_lock) = 0', true],
  ['(do (select 1 from knex_migrations))', true],
  ['call app_proc((select is_locked from knex_migrations_lock))', true],
  ['set statement max_statement_time = 5 for do (select 1 from knex_migrations_lock)', true],
  // No subquery (knex's hasColumn sends SHOW COLUMNS), or a plain read inside SET STATEMENT: no lock.
  ['show columns from `knex_migrations`', false],
  ['show full fields from knex_migrations', false],
  ['show index from knex_migrations_lock', false],
  ['set statement max_statement_time=5 for select * from knex_migrations', false],
  ['call app_proc(1)', false],
  ['set @v = (select count(*) from users)', false],
  ["show tables like 'knex_migrations'", false],
  ['select * from knex_migrations', false],
  ['select * from knex_migrations order by id', false],
  ["select * from knex_migrations where name = 'for update'", false],
  ['select * from users for update', false],
];

describe('classifySql: MySQL row locks on system tables', () => {
  describeCaseGroups('mysql', [['FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE of a system table', CATALOG]]);
});

describe('bookkeeping writes: MySQL row locks on knex_migrations(_lock)', () => {
  const check = bookkeepingWriteCheck('mysql', undefined);
  for (const [sql, refused] of BOOKKEEPING) {
    it(`${refused ? 'refuses' : 'allows'}: ${sql}`, () => {
      if (refused) expect(check(sql), sql).to.include({ code: 'E_RUNTIME_MIGRATE' });
      else expect(check(sql), sql).to.equal(undefined);
    });
  }
  it('the configured tableName too', () => {
    const custom = bookkeepingWriteCheck('mysql', ['app_migrations']);
    expect(custom('select * from app_migrations_lock for update')).to.include({ code: 'E_RUNTIME_MIGRATE' });
    expect(custom('select * from knex_migrations_lock for update')).to.equal(undefined);
  });
});
