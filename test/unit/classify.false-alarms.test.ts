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
  ['set role "none"', 'refused', 'SET ROLE'],
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

describe('classifySql: harmless statements that look like refused ones, PostgreSQL', () => {
  describeCaseGroups('postgres', [['RESET forms of SET ROLE / SET SESSION AUTHORIZATION', POSTGRES]]);
});

describe('classifySql: harmless statements that look like refused ones, MySQL', () => {
  describeCaseGroups('mysql', [['ANALYZE stmt and GET DIAGNOSTICS', MYSQL]]);
});
