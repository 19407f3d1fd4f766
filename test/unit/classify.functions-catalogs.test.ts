import { expect } from 'chai';
import { classifySql } from '../../lib/guard/classify';
import { describeCaseGroups, type Case } from '../support/classify-cases';

/**
 * Issue 8: server functions and system catalogs (lib/dialects/<d>/guard-rules.ts), refused
 * wherever they appear and however they are spelled; the harmless neighbours stay allowed.
 */

const PG_FUNCTIONS: Case[] = [
  ["select pg_read_file('/etc/passwd')", 'refused', 'PG_READ_FILE()'],
  ["SELECT PG_READ_FILE('/etc/passwd')", 'refused', 'PG_READ_FILE()'],
  ["select pg_catalog.pg_read_file('/etc/passwd')", 'refused', 'PG_READ_FILE()'],
  ["select \"pg_catalog\".\"pg_read_file\"('/etc/passwd')", 'refused', 'PG_READ_FILE()'],
  ["select pg_catalog /* c */ . /* c */ pg_read_file /* c */ ('/etc/passwd')", 'refused', 'PG_READ_FILE()'],
  ["select pg_read_file\n\t(\n'/etc/passwd')", 'refused', 'PG_READ_FILE()'],
  ["select\fpg_read_file\f(\r'/etc/passwd')", 'refused', 'PG_READ_FILE()'],
  ["select pg_read_file/*a/*nested*/b*/('/etc/passwd')", 'refused', 'PG_READ_FILE()'],
  ["select pg_read_file--c\n('/etc/passwd')", 'refused', 'PG_READ_FILE()'],
  ["select pg_read_file(E'/etc/\\x70asswd')", 'refused', 'PG_READ_FILE()'],
  ["select pg_read_file($f$/etc/passwd$f$)", 'refused', 'PG_READ_FILE()'],
  ["select U&\"pg\\005fread\\005ffile\"('/etc/passwd')", 'refused', 'PG_READ_FILE()'],
  ["select u&\"pg\\+00005fread_file\"('/etc/passwd')", 'refused', 'PG_READ_FILE()'],
  ["select U&\"pg!005fread_file\" UESCAPE '!' ('/etc/passwd')", 'refused'],
  ["select pg_read_binary_file('/etc/passwd')", 'refused', 'PG_READ_BINARY_FILE()'],
  ["select * from pg_ls_dir('.')", 'refused', 'PG_LS_DIR()'],
  ['select * from pg_ls_waldir()', 'refused', 'PG_LS_WALDIR()'],
  ['select * from pg_ls_logdir()', 'refused', 'PG_LS_LOGDIR()'],
  ["select pg_stat_file('postgresql.conf')", 'refused', 'PG_STAT_FILE()'],
  ["select lo_import('/etc/passwd')", 'refused', 'LO_IMPORT()'],
  ["select lo_export(16400, '/tmp/x')", 'refused', 'LO_EXPORT()'],
  ["select lo_from_bytea(0, 'x')", 'refused', 'LO_FROM_BYTEA()'],
  ['select lo_unlink(16400)', 'refused', 'LO_UNLINK()'],
  ["select dblink_exec('dbname=x', 'drop table t')", 'refused', 'DBLINK_EXEC()'],
  ["select * from dblink('dbname=x', 'select 1') as t(a int)", 'refused', 'DBLINK()'],
  ["select dblink_connect('x')", 'refused', 'DBLINK_CONNECT()'],
  ['select pg_reload_conf()', 'refused', 'PG_RELOAD_CONF()'],
  ['select pg_rotate_logfile()', 'refused', 'PG_ROTATE_LOGFILE()'],
  ["select pg_import_system_collations('pg_catalog')", 'refused', 'PG_IMPORT_SYSTEM_COLLATIONS()'],
  ['select pg_terminate_backend(1234)', 'refused', 'PG_TERMINATE_BACKEND()'],
  ["select query_to_xml('drop table t', true, false, '')", 'refused', 'QUERY_TO_XML()'],
  ["select t.pg_read_file from (select 'PG_VERSION'::text) t", 'refused', 'PG_READ_FILE()'],
  ['select (t).lo_unlink from t', 'refused', 'LO_UNLINK()'],
  ['select t.id, t.name from t', 'read', 'SELECT'],
  ['select u.dblink_url, u.pg_create_time from u', 'read', 'SELECT'],
  ["select * from pg_logical_slot_get_changes('s', null, null)", 'refused', 'PG_LOGICAL_SLOT_GET_CHANGES()'],
  ['select pg_wal_replay_pause()', 'refused', 'PG_WAL_REPLAY_PAUSE()'],
  ['select pg_stat_statements_reset()', 'refused', 'PG_STAT_STATEMENTS_RESET()'],
  ["select pg_create_logical_replication_slot('s', 'pgoutput')", 'refused', 'PG_CREATE_LOGICAL_REPLICATION_SLOT()'],
  ["select * from users where id = 1 and pg_read_file('x') is not null", 'refused', 'PG_READ_FILE()'],
  ["with a as (select pg_read_file('x')) select * from a", 'refused', 'PG_READ_FILE()'],
  ["select * from (select pg_read_file('x')) s", 'refused', 'PG_READ_FILE()'],
  ["insert into logs (body) select pg_read_file('x')", 'refused', 'PG_READ_FILE()'],
  ["update users set bio = pg_read_file('x') where id = 1", 'refused', 'PG_READ_FILE()'],
  ["explain analyze select pg_read_file('x')", 'refused'],
  ["select 1; select pg_read_file('x')", 'refused', 'PG_READ_FILE()'],
  ["create temporary table x as select pg_read_file('x')", 'refused', 'PG_READ_FILE()'],
  ['create temp table x as select * from pg_ls_dir(\'.\')', 'refused', 'PG_LS_DIR()'],
  ['create temporary table x (a int)', 'refused', 'CREATE TEMPORARY TABLE'],
  // Neighbours that are fine.
  ["select 'pg_read_file(1)'", 'read', 'SELECT'],
  ["select $$ pg_read_file('x') $$", 'read', 'SELECT'],
  ["select 1 -- pg_read_file('x')", 'read', 'SELECT'],
  ["select pg_read_file_count from stats", 'read', 'SELECT'],
  ['select pg_backend_pid(), pg_advisory_lock(1), pg_notify(\'c\', \'m\')', 'read', 'SELECT'],
  ["select hello_lo_import from t", 'read', 'SELECT'],
  ['select * from pg_class', 'read', 'SELECT'],
];

const PG_SET_CONFIG: Case[] = [
  ["select set_config('role', 'postgres', false)", 'refused', 'SET ROLE'],
  ["SELECT SET_CONFIG('ROLE', 'postgres', false)", 'refused', 'SET ROLE'],
  ["select pg_catalog.set_config('session_authorization', 'postgres', false)", 'refused', 'SET SESSION AUTHORIZATION'],
  ["select set_config('session_replication_role', 'replica', false)", 'refused', 'SET SESSION_REPLICATION_ROLE'],
  ["select set_config('allow_system_table_mods', 'on', false)", 'refused', 'SET ALLOW_SYSTEM_TABLE_MODS'],
  ['set session_replication_role = replica', 'refused', 'SET SESSION_REPLICATION_ROLE'],
  ['SET LOCAL session_replication_role TO replica', 'refused', 'SET SESSION_REPLICATION_ROLE'],
  ['set "session_replication_role" = replica', 'refused', 'SET SESSION_REPLICATION_ROLE'],
  ['set session allow_system_table_mods = on', 'refused', 'SET ALLOW_SYSTEM_TABLE_MODS'],
  ['set zero_damaged_pages = on', 'refused', 'SET ZERO_DAMAGED_PAGES'],
  ['set statement_timeout = 1000', 'session', 'SET'],
  ["select set_config($$role$$, 'postgres', false)", 'refused', 'SET ROLE'],
  ["select set_config(E'rol\\x65', 'postgres', false)", 'refused', 'SET_CONFIG()'],
  ["select set_config($1, 'postgres', false)", 'refused', 'SET_CONFIG()'],
  ["select set_config(setting_name => 'role', new_value => 'postgres', is_local => false)", 'refused', 'SET_CONFIG()'],
  ["select set_config('ro' || 'le', 'postgres', false)", 'refused', 'SET_CONFIG()'],
  ["select set_config('client_encoding', 'SJIS', false)", 'refused', 'SET'],
  ["select set_config('standard_conforming_strings', 'off', false)", 'refused', 'SET'],
  ["select set_config('client_encoding', $1, false)", 'refused', 'SET'],
  ["select * from users where set_config('role', 'postgres', true) is not null", 'refused', 'SET ROLE'],
  ["select set_config('role', 'none', false)", 'read', 'SELECT'],
  ["select set_config('app.tenant_id', $1, true)", 'read', 'SELECT'],
  ["select set_config('search_path', 'public', false)", 'read', 'SELECT'],
  ["select set_config('client_encoding', 'UTF8', false)", 'read', 'SELECT'],
  ["select current_setting('role')", 'read', 'SELECT'],
];

const PG_CATALOGS: Case[] = [
  ['update pg_authid set rolsuper = true', 'refused', 'CATALOG WRITE'],
  ['UPDATE PG_AUTHID SET rolsuper = true', 'refused', 'CATALOG WRITE'],
  ['update pg_catalog.pg_authid set rolsuper = true', 'refused', 'CATALOG WRITE'],
  ['update "pg_catalog"."pg_authid" set rolsuper = true', 'refused', 'CATALOG WRITE'],
  ['update only pg_class set relname = \'x\'', 'refused', 'CATALOG WRITE'],
  ['update U&"pg\\005fclass" set relname = \'x\'', 'refused', 'CATALOG WRITE'],
  ["update pg_settings set setting = 'SJIS' where name = 'client_encoding'", 'refused', 'CATALOG WRITE'],
  ['delete from pg_description', 'refused', 'CATALOG WRITE'],
  ['delete from only pg_catalog /**/ . pg_description where objoid = 1', 'refused', 'CATALOG WRITE'],
  ["insert into pg_catalog.pg_description values (1, 2, 0, 'x')", 'refused', 'CATALOG WRITE'],
  ['insert into information_schema.sql_features values (1)', 'refused', 'CATALOG WRITE'],
  ['merge into pg_class c using t on true when matched then delete', 'refused', 'CATALOG WRITE'],
  ['with d as (delete from pg_description returning *) select * from d', 'refused', 'CATALOG WRITE'],
  ['with u as (update pg_authid set rolsuper = true returning 1) select 1', 'refused', 'CATALOG WRITE'],
  ['copy pg_authid from stdin', 'refused', 'CATALOG WRITE'],
  ['COPY pg_catalog.pg_description (objoid, classoid, objsubid, description) FROM STDIN', 'refused', 'CATALOG WRITE'],
  ['copy users from stdin', 'write', 'COPY'],
  ['set search_path = information_schema', 'refused', 'SET SEARCH_PATH'],
  ['SET LOCAL search_path TO public, "information_schema"', 'refused', 'SET SEARCH_PATH'],
  ["set session search_path = 'INFORMATION_SCHEMA'", 'refused', 'SET SEARCH_PATH'],
  ["select set_config('search_path', 'information_schema, public', false)", 'refused', 'SET SEARCH_PATH'],
  ["select set_config('search_path', $1, true)", 'read', 'SELECT'],
  ['set search_path to "app", public', 'session', 'SET'],
  ["select set_config('search_path', 'app, public', true)", 'read', 'SELECT'],
  ['copy (select * from pg_class) to stdout', 'read', 'COPY'],
  ['update users set a = 1 from pg_class where users.id = pg_class.oid', 'write', 'UPDATE'],
  ['insert into pg_temp.scratch values (1)', 'write', 'INSERT'],
  ["select * from users for update", 'read', 'SELECT'],
  ["insert into users (id) values (1) on conflict (id) do update set id = 2", 'write', 'INSERT'],
];

const MYSQL: Case[] = [
  ["select LOAD_FILE('/etc/passwd')", 'refused', 'LOAD_FILE()'],
  ["select load_file('/etc/passwd')", 'refused', 'LOAD_FILE()'],
  ["select `load_file`('/etc/passwd')", 'refused', 'LOAD_FILE()'],
  ["select load_file /* c */ ('/etc/passwd')", 'refused', 'LOAD_FILE()'],
  ["select load_file#c\n('/etc/passwd')", 'refused', 'LOAD_FILE()'],
  ["select load_file-- c\n('/etc/passwd')", 'refused', 'LOAD_FILE()'],
  ["select\tLoAd_FiLe\r\n(0x2f6574632f706173737764)", 'refused', 'LOAD_FILE()'],
  ["select /*!50000 load_file */ ('/etc/passwd')", 'refused', 'LOAD_FILE()'],
  ["select /*!LOAD_FILE*/('/etc/passwd')", 'refused', 'LOAD_FILE()'],
  ["select 1 from dual where load_file('/etc/passwd') is not null", 'refused', 'LOAD_FILE()'],
  ["select * from (select load_file('/x') as f) t", 'refused', 'LOAD_FILE()'],
  ["insert into t (body) values (load_file('/x'))", 'refused', 'LOAD_FILE()'],
  ["select sys_exec('id')", 'refused', 'SYS_EXEC()'],
  ["select \"load_file\"('/etc/passwd')", 'refused', 'LOAD_FILE()'],
  ["select \"load_file\" as x", 'read', 'SELECT'],
  ["create temporary table x as select load_file('/etc/passwd') as f", 'refused', 'LOAD_FILE()'],
  ["select 'load_file(1)'", 'read', 'SELECT'],
  ["select 1 # load_file('x')", 'read', 'SELECT'],
  ['update mysql.user set authentication_string = \'\'', 'refused', 'CATALOG WRITE'],
  ['update `mysql`.`user` set authentication_string = \'\'', 'refused', 'CATALOG WRITE'],
  ['UPDATE MySQL . User SET x = 1', 'refused', 'CATALOG WRITE'],
  ["insert into mysql.db values ('%', 'x', 'y')", 'refused', 'CATALOG WRITE'],
  ['delete from mysql.global_priv', 'refused', 'CATALOG WRITE'],
  ['replace into mysql.user values (1)', 'refused', 'CATALOG WRITE'],
  ['update t join mysql.user u on u.User = t.name set u.Host = \'%\'', 'refused', 'CATALOG WRITE'],
  ['update t, mysql.user u set u.Host = \'%\'', 'refused', 'CATALOG WRITE'],
  ['delete u from t join mysql.user u on true', 'refused', 'CATALOG WRITE'],
  ['create temporary table mysql.user (a int)', 'refused', 'CATALOG WRITE'],
  ['create temporary table t as select * from mysql.user', 'refused', 'CATALOG WRITE'],
  ['create temporary table t (a int)', 'refused', 'CREATE TEMPORARY TABLE'],
  ['set sql_log_bin = 0', 'refused', 'SET SQL_LOG_BIN'],
  ['SET SESSION sql_log_bin = OFF', 'refused', 'SET SQL_LOG_BIN'],
  ['set @@session.sql_log_bin = 0', 'refused', 'SET SQL_LOG_BIN'],
  ['set @@sql_log_bin = 0', 'refused', 'SET SQL_LOG_BIN'],
  ['set `sql_log_bin` = 0', 'refused', 'SET SQL_LOG_BIN'],
  ['set foreign_key_checks = 0, sql_log_off = 1', 'refused', 'SET SQL_LOG_OFF'],
  ['set statement sql_log_bin = 0 for delete from t', 'refused', 'SET SQL_LOG_BIN'],
  ['set @sql_log_bin = 0', 'session', 'SET'],
  ['set session wait_timeout = 60', 'session', 'SET'],
  ["call sys.ps_setup_enable_consumer('events')", 'refused', 'CATALOG WRITE'],
  ["update performance_schema.setup_instruments set ENABLED = 'NO'", 'refused', 'CATALOG WRITE'],
  ["select /*!99999 1, */ load_file('/etc/passwd')", 'refused', 'LOAD_FILE()'],
  ["select /*M! load_file('/etc/passwd'), */ 1", 'refused', 'LOAD_FILE()'],
  ['call app_proc(1)', 'write', 'CALL'],
  ['use mysql', 'refused', 'USE CATALOG'],
  ['USE `mysql`', 'refused', 'USE CATALOG'],
  ['use information_schema', 'refused', 'USE CATALOG'],
  ['use app', 'session', 'USE'],
  ['select * from mysql.user', 'read', 'SELECT'],
  ['select * from information_schema.tables where table_schema = database()', 'read', 'SELECT'],
];

const SQLITE: Case[] = [
  ["select load_extension('/tmp/evil.so')", 'refused', 'LOAD_EXTENSION()'],
  ["SELECT LOAD_EXTENSION('/tmp/evil.so')", 'refused', 'LOAD_EXTENSION()'],
  ["select \"load_extension\"('/tmp/evil.so')", 'refused', 'LOAD_EXTENSION()'],
  ["select [load_extension]('/tmp/evil.so')", 'refused', 'LOAD_EXTENSION()'],
  ["select `load_extension`('/tmp/evil.so')", 'refused', 'LOAD_EXTENSION()'],
  ["select 1 where load_extension('/tmp/evil.so') is null", 'refused', 'LOAD_EXTENSION()'],
  ["select load_extension/* c */\n('/tmp/evil.so')", 'refused', 'LOAD_EXTENSION()'],
  ["select LoAd_ExTeNsIoN(x'2f746d70')", 'refused', 'LOAD_EXTENSION()'],
  ["select * from\tPRAGMA_OPTIMIZE", 'refused', 'PRAGMA_OPTIMIZE()'],
  ['select * from pragma_optimize', 'refused', 'PRAGMA_OPTIMIZE()'],
  ['select * from pragma_optimize()', 'refused', 'PRAGMA_OPTIMIZE()'],
  ['SELECT * FROM "pragma_optimize"', 'refused', 'PRAGMA_OPTIMIZE()'],
  ["select * from pragma_journal_mode('delete')", 'refused', 'PRAGMA_JOURNAL_MODE()'],
  ["select * from main.pragma_table_info('users')", 'read', 'SELECT'],
  ["select * from pragma_table_info('users')", 'read', 'SELECT'],
  ["select * from pragma_index_list('users')", 'read', 'SELECT'],
  ["update sqlite_master set sql = 'x'", 'refused', 'CATALOG WRITE'],
  ["update sqlite_schema set sql = 'x'", 'refused', 'CATALOG WRITE'],
  ["UPDATE main.SQLITE_MASTER set sql = 'x'", 'refused', 'CATALOG WRITE'],
  ["update \"sqlite_master\" set sql = 'x'", 'refused', 'CATALOG WRITE'],
  ['delete from sqlite_temp_master', 'refused', 'CATALOG WRITE'],
  ["insert or replace into main.sqlite_schema values ('table', 'x', 'x', 0, 'x')", 'refused', 'CATALOG WRITE'],
  ["replace into [sqlite_master] values ('table', 'x', 'x', 0, 'x')", 'refused', 'CATALOG WRITE'],
  ["update or ignore sqlite_master set sql = 'x'", 'refused', 'CATALOG WRITE'],
  ["select * from sqlite_master where type = 'table'", 'read', 'SELECT'],
  ["select * from 'pragma_optimize'", 'refused', 'PRAGMA_OPTIMIZE()'],
  ["select * from 'pragma_optimize'(0x10002)", 'refused', 'PRAGMA_OPTIMIZE()'],
  ["select * from t, 'pragma_optimize'", 'refused', 'PRAGMA_OPTIMIZE()'],
  ["update 'sqlite_master' set sql = 'x'", 'refused', 'CATALOG WRITE'],
  ["delete from main.'sqlite_schema'", 'refused', 'CATALOG WRITE'],
  ["select 'pragma_optimize', 'sqlite_master'", 'read', 'SELECT'],
  ["select * from 'pragma_table_info'('t')", 'read', 'SELECT'],
  ["select * from 'sqlite_master'", 'read', 'SELECT'],
  ["create temp table x as select load_extension('/tmp/evil.so')", 'refused', 'LOAD_EXTENSION()'],
  ['delete from sqlite_sequence where name = \'users\'', 'write', 'DELETE'],
];

describe('classifySql: refused functions and catalog writes on PostgreSQL', () => {
  describeCaseGroups('postgres', [
    ['server functions', PG_FUNCTIONS],
    ['set_config', PG_SET_CONFIG],
    ['system catalogs', PG_CATALOGS],
  ]);
});

describe('classifySql: refused functions and catalog writes on MySQL', () => {
  describeCaseGroups('mysql', [['functions and the mysql schema', MYSQL]]);
});

describe('classifySql: refused functions and catalog writes on SQLite', () => {
  describeCaseGroups('sqlite', [['functions, pragma functions and sqlite_master', SQLITE]]);
});

describe('classifySql: functions and catalogs under a known MySQL ANSI_QUOTES session', () => {
  const ansi = { ansiQuotes: true };
  for (const [sql, keyword] of [
    [`select "load_file"('/etc/passwd')`, 'LOAD_FILE()'],
    [`select "LOAD_FILE" /* x */ ('/etc/passwd')`, 'LOAD_FILE()'],
    [`update "mysql"."user" set Host = '%'`, 'CATALOG WRITE'],
    [`delete from "mysql" . "db"`, 'CATALOG WRITE'],
    [`use "mysql"`, 'USE CATALOG'],
  ] as const) {
    it(sql, () => {
      const result = classifySql(sql, 'mysql', ansi);
      expect(result.allowedOnRuntime, JSON.stringify(result)).to.equal(false);
      expect(result.statements.find((s) => !s.allowedOnRuntime)?.keyword).to.equal(keyword);
    });
  }
  it(`select "mysql"."user"."Host" from "mysql"."user" (a read)`, () => {
    expect(classifySql(`select "mysql"."user"."Host" from "mysql"."user"`, 'mysql', ansi).allowedOnRuntime).to.equal(true);
  });
});
