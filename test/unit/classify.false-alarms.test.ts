import { describeCaseGroups, type Case } from '../support/classify-cases';

/**
 * Issue 8: harmless statements the guard used to refuse, next to the refused statements
 * they resemble (so a fix that allows too much fails here too).
 */
const POSTGRES: Case[] = [
  ['set role none', 'session', 'SET ROLE'],
  ['SET ROLE NONE', 'session', 'SET ROLE'],
  ['set local role none', 'session', 'SET ROLE'],
  ['set session role /* back */ none', 'session', 'SET ROLE'],
  ['set role = none', 'session', 'SET ROLE'],
  ["set role to 'none'", 'session', 'SET ROLE'],
  ['set "role" = none', 'session', 'SET ROLE'],
  ['set session authorization default', 'session', 'SET SESSION AUTHORIZATION'],
  ['SET SESSION AUTHORIZATION DEFAULT;', 'session', 'SET SESSION AUTHORIZATION'],
  ['set local session authorization default', 'session', 'SET SESSION AUTHORIZATION'],
  ['set session_authorization = default', 'session', 'SET SESSION AUTHORIZATION'],
  ['set role none; select 1', 'session', 'SET ROLE'],
  ['set role "none"', 'session', 'SET ROLE'],
  ['set role "NONE"', 'refused', 'SET ROLE'],
  ['set role none_such', 'refused', 'SET ROLE'],
  ['set role none, admin', 'refused', 'SET ROLE'],
  ['set role admin', 'refused', 'SET ROLE'],
  ["set role = 'admin'", 'refused', 'SET ROLE'],
  ['set session authorization "default"', 'refused', 'SET SESSION AUTHORIZATION'],
  ['set session authorization admin', 'refused', 'SET SESSION AUTHORIZATION'],
  ['set role none; set role admin', 'refused', 'SET ROLE'],
];

const MYSQL: Case[] = [
  ['analyze select * from t', 'read', 'ANALYZE'],
  ['ANALYZE SELECT id FROM users WHERE id = 1', 'read', 'ANALYZE'],
  ['analyze format=json select * from t', 'read', 'ANALYZE'],
  ['analyze format = json select * from t', 'read', 'ANALYZE'],
  ['analyze update t set a = 1 where id = 2', 'write', 'ANALYZE'],
  ['analyze delete from t where id = 2', 'write', 'ANALYZE'],
  ['analyze table t', 'refused', 'ANALYZE TABLE'],
  ['analyze local table t', 'refused', 'ANALYZE TABLE'],
  ['analyze no_write_to_binlog table t', 'refused', 'ANALYZE TABLE'],
  ["analyze select 1 into outfile '/tmp/x'", 'refused', 'SELECT INTO OUTFILE'],
  ["analyze select load_file('/etc/passwd')", 'refused', 'LOAD_FILE()'],
  ['analyze drop table t', 'refused', 'DROP TABLE'],
  ['get diagnostics @n = number', 'read', 'GET DIAGNOSTICS'],
  ['GET CURRENT DIAGNOSTICS CONDITION 1 @m = MESSAGE_TEXT', 'read', 'GET DIAGNOSTICS'],
  ['get stacked diagnostics @n = row_count', 'read', 'GET DIAGNOSTICS'],
  ['get diagnostics @n = number; drop table t', 'refused', 'DROP TABLE'],
];

const SQLITE: Case[] = [
  ['select * from pragma_user_version', 'read', 'SELECT'],
  ['SELECT * FROM PRAGMA_USER_VERSION()', 'read', 'SELECT'],
  ['select user_version from main.pragma_user_version', 'read', 'SELECT'],
  ['select * from "pragma_journal_mode"', 'read', 'SELECT'],
  ['select * from [pragma_foreign_keys] /* c */', 'read', 'SELECT'],
  ['select (select journal_mode from pragma_journal_mode), (select * from pragma_page_size)', 'read', 'SELECT'],
  ["select * from 'pragma_application_id'", 'read', 'SELECT'],
  // With an argument, or a pragma that acts or is unknown: still refused.
  ['select * from pragma_user_version(5)', 'refused', 'PRAGMA_USER_VERSION()'],
  ["select * from pragma_journal_mode('wal')", 'refused', 'PRAGMA_JOURNAL_MODE()'],
  ['select * from pragma_optimize', 'refused', 'PRAGMA_OPTIMIZE()'],
  ['select * from pragma_wal_checkpoint', 'refused', 'PRAGMA_WAL_CHECKPOINT()'],
  ['select * from pragma_no_such_pragma', 'refused', 'PRAGMA_NO_SUCH_PRAGMA()'],
];

describe('classifySql: harmless statements that look like refused ones, PostgreSQL', () => {
  describeCaseGroups('postgres', [['RESET forms of SET ROLE / SET SESSION AUTHORIZATION', POSTGRES]]);
});

describe('classifySql: harmless statements that look like refused ones, MySQL', () => {
  describeCaseGroups('mysql', [['ANALYZE stmt and GET DIAGNOSTICS', MYSQL]]);
});

describe('classifySql: harmless statements that look like refused ones, SQLite', () => {
  describeCaseGroups('sqlite', [['table-valued pragmas that only read, with no argument', SQLITE]]);
});
