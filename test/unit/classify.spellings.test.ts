import { expect } from 'chai';
import { classifySql, type Classification } from '../../lib/guard/classify';
import type { Dialect } from '../../lib/types';
import { check, type Expected } from '../support/classify-cases';
import { baseSpelling, spellingVariants } from '../support/spelling-variants';

/**
 * Issue 8, "Done when": every class of statement the guard decides on, per dialect, in
 * many spellings. Each base statement (a template: see test/support/spelling-variants.ts)
 * is checked as written, then respelled (letter case, comments and odd whitespace between
 * words, quoted identifiers, schema qualification, PostgreSQL `U&"…"`) and each respelling
 * must get the base's verdict: allowed with the same kind and keyword, or refused with the
 * same keyword. The respellings are seeded (KNEX_ROLES_TEST_SPELLING_SEED picks another
 * seed; a failure names the seed), and only spellings the servers read as the same
 * statement are produced.
 */

type Row = [template: string, expected: Expected, keyword: string];
type Classes = Record<string, Row[]>;

const POSTGRES: Classes = {
  'refused DDL': [
    ['drop table {?public.victim}', 'refused', 'DROP TABLE'],
    ['create table {?public.t} (id int)', 'refused', 'CREATE TABLE'],
    ['alter table {?public.t} add column {c} int', 'refused', 'ALTER TABLE'],
    ['truncate {?public.t}', 'refused', 'TRUNCATE'],
    ['create index {i} on {?public.t} ({c})', 'refused', 'CREATE INDEX'],
    ["comment on table {?public.t} is 'x'", 'refused', 'COMMENT'],
    ['select 1 into {t}', 'refused', 'SELECT INTO'],
    ['create table {t} as select 1', 'refused', 'CREATE TABLE'],
    ["do 'begin null; end'", 'refused', 'DO'],
    ["copy {?public.t} to '/tmp/x'", 'refused', 'COPY'],
    ["copy {?public.t} from program 'id'", 'refused', 'COPY'],
    ["alter system set {work_mem} = '1MB'", 'refused', 'ALTER SYSTEM'],
    ['vacuum {?public.t}', 'refused', 'VACUUM'],
    ['checkpoint', 'refused', 'CHECKPOINT'],
    ["load '/tmp/x.so'", 'refused', 'LOAD'],
    ['refresh materialized view {?public.mv}', 'refused', 'REFRESH MATERIALIZED VIEW'],
    ['select 1; drop table {?public.victim}', 'refused', 'DROP TABLE'],
    ['explain analyze create table {t} as select 1', 'refused', 'CREATE TABLE'],
    ['prepare {p} as select 1; drop table {victim}', 'refused', 'DROP TABLE'],
  ],
  privilege: [
    ['grant select on {?public.t} to {u}', 'refused', 'GRANT'],
    ['revoke select on {?public.t} from {u}', 'refused', 'REVOKE'],
    ['create role {r} superuser', 'refused', 'CREATE ROLE'],
    ['alter role {r} superuser', 'refused', 'ALTER ROLE'],
    ['set role {postgres}', 'refused', 'SET ROLE'],
    ['set local role {postgres}', 'refused', 'SET ROLE'],
    ['set session authorization {postgres}', 'refused', 'SET SESSION AUTHORIZATION'],
    ["select {?pg_catalog.set_config}('role', 'postgres', false)", 'refused', 'SET ROLE'],
    ["select {?pg_catalog.set_config}('session_authorization', 'postgres', false)", 'refused', 'SET SESSION AUTHORIZATION'],
  ],
  'refused functions': [
    ["select {?pg_catalog.pg_read_file}('/etc/passwd')", 'refused', 'PG_READ_FILE()'],
    ["select * from {?pg_catalog.pg_ls_dir}('.')", 'refused', 'PG_LS_DIR()'],
    ["select {?pg_catalog.lo_import}('/etc/passwd')", 'refused', 'LO_IMPORT()'],
    ["select {?pg_catalog.lo_export}(1, '/tmp/x')", 'refused', 'LO_EXPORT()'],
    ["select {?public.dblink_exec}('dbname=postgres', 'drop table victim')", 'refused', 'DBLINK_EXEC()'],
    ['select {?pg_catalog.pg_reload_conf}()', 'refused', 'PG_RELOAD_CONF()'],
    ["select {?pg_catalog.pg_import_system_collations}('pg_catalog')", 'refused', 'PG_IMPORT_SYSTEM_COLLATIONS()'],
    ["select * from {t} where {?pg_catalog.pg_read_file}('x') is not null", 'refused', 'PG_READ_FILE()'],
    ["with {a} as (select {?pg_catalog.pg_read_file}('x')) select * from {a}", 'refused', 'PG_READ_FILE()'],
    ["update {t} set {b} = {?pg_catalog.pg_read_file}('x') where {id} = 1", 'refused', 'PG_READ_FILE()'],
    ['select * from {?pg_catalog.pg_file_settings}', 'refused', 'PG_FILE_SETTINGS()'],
    ["select {?pg_catalog.query_to_xml}('drop table victim', true, false, '')", 'refused', 'QUERY_TO_XML()'],
  ],
  'catalog DML': [
    ['update {?pg_catalog.pg_authid} set {rolsuper} = true', 'refused', 'CATALOG WRITE'],
    ['delete from {?pg_catalog.pg_description}', 'refused', 'CATALOG WRITE'],
    ["insert into {?pg_catalog.pg_description} values (1, 2, 0, 'x')", 'refused', 'CATALOG WRITE'],
    ["update {?pg_catalog.pg_settings} set {setting} = 'SJIS' where {name} = 'client_encoding'", 'refused', 'CATALOG WRITE'],
    ['with {d} as (delete from {?pg_catalog.pg_description} returning *) select * from {d}', 'refused', 'CATALOG WRITE'],
    ['copy {?pg_catalog.pg_authid} from stdin', 'refused', 'CATALOG WRITE'],
    ['update {information_schema.sql_features} set {comments} = 1', 'refused', 'CATALOG WRITE'],
    ['lock table {?pg_catalog.pg_authid} in access exclusive mode', 'refused', 'LOCK CATALOG'],
  ],
  'lexing-relevant settings': [
    ["set {client_encoding} to 'SJIS'", 'refused', 'SET CLIENT_ENCODING'],
    ["set session {client_encoding} = 'GBK'", 'refused', 'SET CLIENT_ENCODING'],
    ["set local {client_encoding} to 'BIG5'", 'refused', 'SET CLIENT_ENCODING'],
    ['set {client_encoding} to default', 'refused', 'SET CLIENT_ENCODING'],
    ["set names 'SJIS'", 'refused', 'SET NAMES'],
    ['set {standard_conforming_strings} = off', 'refused', 'SET STANDARD_CONFORMING_STRINGS'],
    ['set {backslash_quote} = on', 'refused', 'SET BACKSLASH_QUOTE'],
    ['reset {client_encoding}', 'refused', 'RESET'],
    ['reset all', 'refused', 'RESET'],
    ['discard all', 'refused', 'DISCARD'],
    ["select {?pg_catalog.set_config}('client_encoding', 'SJIS', false)", 'refused', 'SET'],
    ["select {?pg_catalog.set_config}('standard_conforming_strings', 'off', false)", 'refused', 'SET'],
  ],
  'superuser settings and integrity switches': [
    ['set {session_replication_role} = replica', 'refused', 'SET SESSION_REPLICATION_ROLE'],
    ["select {?pg_catalog.set_config}('session_replication_role', 'replica', true)", 'refused', 'SET SESSION_REPLICATION_ROLE'],
    ['set {allow_system_table_mods} = on', 'refused', 'SET ALLOW_SYSTEM_TABLE_MODS'],
    ["set local {log_statement} = 'none'", 'refused', 'SET LOG_STATEMENT'],
    ["select {?pg_catalog.set_config}('log_statement', 'none', false)", 'refused', 'SET LOG_STATEMENT'],
    ['set {search_path} = {information_schema}', 'refused', 'SET SEARCH_PATH'],
  ],
  'allowed reads and writes': [
    ['select * from {?public.users} where {id} = 1', 'read', 'SELECT'],
    ['select {u.id}, {u.name} from {?public.users} {u} order by {u.id} limit 10', 'read', 'SELECT'],
    ["insert into {?public.users} ({id}, {name}) values (1, 'a') returning {id}", 'write', 'INSERT'],
    ["update {?public.users} set {name} = 'b' where {id} = 1", 'write', 'UPDATE'],
    ['delete from {?public.users} where {id} = 1', 'write', 'DELETE'],
    ['insert into {users} ({id}) values (1) on conflict ({id}) do update set {id} = 2', 'write', 'INSERT'],
    ['with {d} as (delete from {users} returning *) select * from {d}', 'write', 'SELECT'],
    ['explain select * from {?public.users}', 'read', 'EXPLAIN'],
    ['select * from {?pg_catalog.pg_class}', 'read', 'SELECT'],
    ['select {?pg_catalog.pg_advisory_lock}(1)', 'read', 'SELECT'],
    ["select {?pg_catalog.current_setting}('role')", 'read', 'SELECT'],
    ["select {?pg_catalog.set_config}('app.tenant', '1', true)", 'read', 'SELECT'],
    ['select * from {users} for update', 'read', 'SELECT'],
    ['copy {?public.users} from stdin', 'write', 'COPY'],
  ],
  'allowed transaction and session statements': [
    ['begin', 'transaction', 'BEGIN'],
    ['start transaction isolation level serializable', 'transaction', 'START TRANSACTION'],
    ['savepoint {s}', 'transaction', 'SAVEPOINT'],
    ['rollback to savepoint {s}', 'transaction', 'ROLLBACK'],
    ['commit', 'transaction', 'COMMIT'],
    ['set transaction isolation level repeatable read', 'transaction', 'SET TRANSACTION'],
    ['lock table {?public.users} in share mode', 'transaction', 'LOCK TABLE'],
    ['set {statement_timeout} = 5000', 'session', 'SET'],
    ["set {client_encoding} to 'UTF8'", 'session', 'SET'],
    ['set {search_path} to {app}, {public}', 'session', 'SET'],
    ['reset role', 'session', 'RESET'],
    ['set role none', 'session', 'SET ROLE'],
    ['listen {chan}', 'session', 'LISTEN'],
  ],
};

const MYSQL: Classes = {
  'refused DDL': [
    ['drop table {!victim}', 'refused', 'DROP TABLE'],
    ['create table {!t} ({id} int)', 'refused', 'CREATE TABLE'],
    ['alter table {!t} add {c} int', 'refused', 'ALTER TABLE'],
    ['truncate table {!t}', 'refused', 'TRUNCATE'],
    ['rename table {!a} to {!b}', 'refused', 'RENAME TABLE'],
    ['create index {i} on {!t} ({c})', 'refused', 'CREATE INDEX'],
    ['create temporary table {!t} ({a} int)', 'refused', 'CREATE TEMPORARY TABLE'],
    ["select 1 into outfile '/tmp/x'", 'refused', 'SELECT INTO OUTFILE'],
    ["load data infile '/etc/passwd' into table {!t}", 'refused', 'LOAD DATA'],
    ["prepare {s} from 'drop table victim'", 'refused', 'PREPARE'],
    ['execute {s}', 'refused', 'EXECUTE'],
    ['lock tables {!t} write', 'refused', 'LOCK TABLES'],
    ['flush privileges', 'refused', 'FLUSH'],
    ['optimize table {!t}', 'refused', 'OPTIMIZE TABLE'],
    ['set global {max_connections} = 10', 'refused', 'SET GLOBAL'],
    ['set @@global.max_connections = 10', 'refused', 'SET GLOBAL'],
    ['select 1; drop table {!victim}', 'refused', 'DROP TABLE'],
  ],
  privilege: [
    ["grant all on *.* to 'x'@'%'", 'refused', 'GRANT'],
    ["revoke all on *.* from 'x'@'%'", 'refused', 'REVOKE'],
    ["create user 'x'@'%' identified by 'y'", 'refused', 'CREATE USER'],
    ["alter user 'x'@'%' identified by 'y'", 'refused', 'ALTER USER'],
    ["set password = 'x'", 'refused', 'SET PASSWORD'],
    ['set role {r}', 'refused', 'SET ROLE'],
  ],
  'refused functions': [
    ["select {load_file}('/etc/passwd')", 'refused', 'LOAD_FILE()'],
    ["select * from {!t} where {load_file}('/x') is not null", 'refused', 'LOAD_FILE()'],
    ["insert into {!t} ({b}) values ({load_file}('/x'))", 'refused', 'LOAD_FILE()'],
    ["select {sys_exec}('id')", 'refused', 'SYS_EXEC()'],
    ["select {spider_direct_sql}('drop table t', 'tmp', 'srv')", 'refused', 'SPIDER_DIRECT_SQL()'],
  ],
  'catalog DML': [
    ["update {!mysql.user} set {authentication_string} = ''", 'refused', 'CATALOG WRITE'],
    ['delete from {!mysql.global_priv}', 'refused', 'CATALOG WRITE'],
    ["insert into {!mysql.db} values ('%', 'x', 'y')", 'refused', 'CATALOG WRITE'],
    ['replace into {!mysql.user} values (1)', 'refused', 'CATALOG WRITE'],
    ["update {!t} join {!mysql.user} {!u} on {!u}.{User} = {!t}.{name} set {!u}.{Host} = '%'", 'refused', 'CATALOG WRITE'],
    ["update {!performance_schema.setup_instruments} set {ENABLED} = 'NO'", 'refused', 'CATALOG WRITE'],
    ['use {!mysql}', 'refused', 'USE CATALOG'],
  ],
  'lexing-relevant settings': [
    ["set {sql_mode} = 'NO_BACKSLASH_ESCAPES'", 'refused', 'SET SQL_MODE'],
    ["set session {sql_mode} = 'ANSI'", 'refused', 'SET SQL_MODE'],
    ["set @@session.sql_mode = 'ANSI_QUOTES'", 'refused', 'SET SQL_MODE'],
    ["set @@sql_mode = 'ORACLE'", 'refused', 'SET SQL_MODE'],
    ['set {sql_mode} = default', 'refused', 'SET SQL_MODE'],
    ["set statement {sql_mode} = 'NO_BACKSLASH_ESCAPES' for select 1", 'refused', 'SET SQL_MODE'],
    ['set names gbk', 'refused', 'SET NAMES'],
    ["set names 'sjis'", 'refused', 'SET NAMES'],
    ['set character set cp932', 'refused', 'SET CHARACTER SET'],
    ['set {character_set_client} = gbk', 'refused', 'SET CHARACTER_SET_CLIENT'],
  ],
  'superuser settings and integrity switches': [
    ['set {sql_log_bin} = 0', 'refused', 'SET SQL_LOG_BIN'],
    ['set session {sql_log_off} = 1', 'refused', 'SET SQL_LOG_OFF'],
    ['set {skip_replication} = 1', 'refused', 'SET SKIP_REPLICATION'],
    ['set {foreign_key_checks} = 0', 'refused', 'SET FOREIGN_KEY_CHECKS'],
    ['set @@session.foreign_key_checks = 0', 'refused', 'SET FOREIGN_KEY_CHECKS'],
    ['set {unique_checks} = 0', 'refused', 'SET UNIQUE_CHECKS'],
    ['set {check_constraint_checks} = 0', 'refused', 'SET CHECK_CONSTRAINT_CHECKS'],
    ['set statement {foreign_key_checks} = 0 for delete from {!parent}', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ],
  'allowed reads and writes': [
    ['select * from {!users} where {id} = 1', 'read', 'SELECT'],
    ['select {!u}.{id}, {!u}.{name} from {!users} {!u} order by {!u}.{id} limit 10', 'read', 'SELECT'],
    ["insert into {!users} ({id}, {name}) values (1, 'a')", 'write', 'INSERT'],
    ["update {!users} set {name} = 'b' where {id} = 1", 'write', 'UPDATE'],
    ['delete from {!users} where {id} = 1', 'write', 'DELETE'],
    ['replace into {!users} ({id}) values (1)', 'write', 'REPLACE'],
    ["insert into {!users} ({id}) values (1) on duplicate key update {name} = 'c'", 'write', 'INSERT'],
    ['select * from {!mysql.user}', 'read', 'SELECT'],
    ['select {id} from {!users} for update', 'read', 'SELECT'],
    ['show tables', 'read', 'SHOW'],
    ['set statement {max_statement_time} = 1 for select 1', 'read', 'SET STATEMENT'],
  ],
  'allowed transaction and session statements': [
    ['begin', 'transaction', 'BEGIN'],
    ['start transaction', 'transaction', 'START TRANSACTION'],
    ['savepoint {s}', 'transaction', 'SAVEPOINT'],
    ['commit', 'transaction', 'COMMIT'],
    ['set session {wait_timeout} = 60', 'session', 'SET'],
    ['set @x = 1', 'session', 'SET'],
    ['set names utf8mb4', 'session', 'SET'],
    ["set {sql_mode} = 'STRICT_TRANS_TABLES'", 'session', 'SET'],
    ["set {time_zone} = '+00:00'", 'session', 'SET'],
    ['use {!app}', 'session', 'USE'],
  ],
};

const SQLITE: Classes = {
  'refused DDL': [
    ['drop table {?main.victim}', 'refused', 'DROP TABLE'],
    ['create table {?main.t} ({id} int)', 'refused', 'CREATE TABLE'],
    ['alter table {?main.t} add column {c} int', 'refused', 'ALTER TABLE'],
    ['create index {i} on {t} ({c})', 'refused', 'CREATE INDEX'],
    ["attach database '/tmp/x.db' as {x}", 'refused', 'ATTACH'],
    ["attach '/tmp/x.db' as {x}", 'refused', 'ATTACH'],
    ['vacuum', 'refused', 'VACUUM'],
    ["vacuum into '/tmp/x.db'", 'refused', 'VACUUM'],
    ['reindex', 'refused', 'REINDEX'],
    ['analyze', 'refused', 'ANALYZE'],
    ['pragma {?main.journal_mode} = delete', 'refused', 'PRAGMA JOURNAL_MODE'],
    ['pragma {?main.writable_schema} = on', 'refused', 'PRAGMA WRITABLE_SCHEMA'],
    ['pragma {?main.user_version} = 5', 'refused', 'PRAGMA USER_VERSION'],
    ['select 1; drop table {victim}', 'refused', 'DROP TABLE'],
  ],
  'refused functions': [
    ["select {load_extension}('/tmp/evil.so')", 'refused', 'LOAD_EXTENSION()'],
    ["select 1 where {load_extension}('/tmp/evil.so') is null", 'refused', 'LOAD_EXTENSION()'],
    ["select {readfile}('/etc/passwd')", 'refused', 'READFILE()'],
    ['select * from {?main.pragma_optimize}', 'refused', 'PRAGMA_OPTIMIZE()'],
    ["select * from {?main.pragma_journal_mode}('delete')", 'refused', 'PRAGMA_JOURNAL_MODE()'],
  ],
  'catalog DML': [
    ["update {?main.sqlite_master} set {sql} = 'x'", 'refused', 'CATALOG WRITE'],
    ['delete from {?main.sqlite_schema}', 'refused', 'CATALOG WRITE'],
    ["insert or replace into {?main.sqlite_sequence} values ('users', 1)", 'refused', 'CATALOG WRITE'],
    ["update {?main.sqlite_stat1} set {stat} = '1'", 'refused', 'CATALOG WRITE'],
  ],
  'integrity switches': [
    ['pragma {?main.foreign_keys} = off', 'refused', 'PRAGMA FOREIGN_KEYS'],
    ['pragma {foreign_keys}(0)', 'refused', 'PRAGMA FOREIGN_KEYS'],
    ['pragma {ignore_check_constraints} = on', 'refused', 'PRAGMA IGNORE_CHECK_CONSTRAINTS'],
  ],
  'allowed reads and writes': [
    ['select * from {?main.users} where {id} = 1', 'read', 'SELECT'],
    ['select {u.id}, {u.name} from {?main.users} {u} order by {u.id} limit 10', 'read', 'SELECT'],
    ["insert into {?main.users} ({id}, {name}) values (1, 'a') returning {id}", 'write', 'INSERT'],
    ["update {?main.users} set {name} = 'b' where {id} = 1", 'write', 'UPDATE'],
    ['delete from {?main.users} where {id} = 1', 'write', 'DELETE'],
    ['replace into {users} ({id}) values (1)', 'write', 'REPLACE'],
    ["delete from {?main.sqlite_sequence} where {name} = 'users'", 'write', 'DELETE'],
    ['select * from {?main.sqlite_master}', 'read', 'SELECT'],
    ["select * from {?main.pragma_table_info}('users')", 'read', 'SELECT'],
    ['explain query plan select * from {users}', 'read', 'EXPLAIN QUERY PLAN'],
  ],
  'allowed transaction and session statements': [
    ['begin', 'transaction', 'BEGIN'],
    ['begin immediate', 'transaction', 'BEGIN'],
    ['savepoint {s}', 'transaction', 'SAVEPOINT'],
    ['release {s}', 'transaction', 'RELEASE'],
    ['commit', 'transaction', 'COMMIT'],
    ['pragma {?main.foreign_keys} = on', 'session', 'PRAGMA FOREIGN_KEYS'],
    ['pragma {busy_timeout} = 5000', 'session', 'PRAGMA BUSY_TIMEOUT'],
    ["pragma {?main.table_info}('users')", 'read', 'PRAGMA TABLE_INFO'],
  ],
};

const TABLES: Record<Dialect, Classes> = { postgres: POSTGRES, mysql: MYSQL, sqlite: SQLITE };

const SEED = Number(process.env['KNEX_ROLES_TEST_SPELLING_SEED'] ?? 20261202);
const VARIANTS = 60;

/**
 * Spellings today's classifier refuses outright, whatever the statement (fail closed, not
 * a bypass): PostgreSQL `U&"…" UESCAPE '…'` anywhere, and a `U&"…"`-escaped setting name
 * in SET. Such a variant must get the base's verdict or be refused for exactly this
 * reason; it may never be allowed where the base is refused.
 */
const FAIL_CLOSED: ReadonlyArray<[spelling: RegExp, reason: string]> = [
  [/UESCAPE/i, 'Unicode escapes with UESCAPE in a name'],
  [/u&"/i, 'setting name with Unicode escapes'],
];

function refusedOnPurpose(sql: string, result: Classification): boolean {
  return result.statements.some((statement) => !statement.allowedOnRuntime && FAIL_CLOSED.some(([spelling, reason]) => spelling.test(sql) && statement.reason === reason));
}

/** What the guard decided, in the terms a variant must agree on. */
function verdict(result: Classification): string {
  if (result.allowedOnRuntime) return `allowed ${result.statements[0]?.kind ?? '-'} ${result.statements[0]?.keyword ?? '-'}`;
  return `refused ${result.statements.find((statement) => !statement.allowedOnRuntime)?.keyword ?? '-'}`;
}

/** A stable per-template seed, so adding a row does not respell the others. */
function seedFor(template: string): number {
  let h = SEED >>> 0;
  for (let i = 0; i < template.length; i++) h = Math.imul(h ^ template.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

for (const dialect of ['postgres', 'mysql', 'sqlite'] as const) {
  describe(`classifySql: spellings on ${dialect} (seed ${SEED})`, () => {
    for (const [group, rows] of Object.entries(TABLES[dialect])) {
      describe(group, () => {
        for (const [template, expected, keyword] of rows) {
          const base = baseSpelling(template);
          it(base, () => {
            check(dialect, base, expected, keyword);
            const want = verdict(classifySql(base, dialect));
            const variants = spellingVariants(dialect, template, seedFor(template), VARIANTS);
            const wrong = variants
              .map((sql) => ({ sql, result: classifySql(sql, dialect) }))
              .map(({ sql, result }) => ({ sql, got: verdict(result), onPurpose: refusedOnPurpose(sql, result) }))
              .filter(({ got, onPurpose }) => got !== want && !onPurpose);
            expect(wrong.map(({ sql, got }) => `${JSON.stringify(sql)}: ${got}`), `${want}; ${variants.length} spellings`).to.deep.equal([]);
          });
        }
      });
    }
  });
}

describe('spellingVariants', () => {
  it('is deterministic for one seed and differs for another', () => {
    const template = "select {?pg_catalog.pg_read_file}('/etc/passwd')";
    expect(spellingVariants('postgres', template, 1, 30)).to.deep.equal(spellingVariants('postgres', template, 1, 30));
    expect(spellingVariants('postgres', template, 1, 30)).not.to.deep.equal(spellingVariants('postgres', template, 2, 30));
  });

  it('produces each kind of respelling the issue lists', () => {
    const pg = spellingVariants('postgres', "select {?pg_catalog.pg_read_file}('/etc/passwd')", 7, VARIANTS).join('\u0000');
    for (const kind of ['PG_READ_FILE', 'Select', '/*', '--', '\t', '\f', '\r', '"pg_read_file"', 'pg_catalog.', 'U&"', 'u&"', 'UESCAPE']) {
      expect(pg, kind).to.include(kind);
    }
    const my = spellingVariants('mysql', "select {load_file}('/etc/passwd')", 7, VARIANTS).join('\u0000');
    for (const kind of ['`load_file`', '#', '\v', '-- ']) expect(my, kind).to.include(kind);
    const lite = spellingVariants('sqlite', 'select * from {?main.pragma_optimize}', 7, VARIANTS).join('\u0000');
    for (const kind of ['[pragma_optimize]', '"main"', '`pragma_optimize`', 'main.']) expect(lite, kind).to.include(kind);
  });

  it('never quotes a keyword or changes a string literal', () => {
    for (const sql of spellingVariants('postgres', "set {client_encoding} to 'SJIS'", 3, VARIANTS)) {
      expect(sql).to.include("'SJIS'");
      expect(sql).not.to.match(/"set"|"to"/i);
    }
  });
});
