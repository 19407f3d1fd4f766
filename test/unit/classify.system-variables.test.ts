import { describeCaseGroups, type Case } from '../support/classify-cases';

/**
 * MySQL: a system variable assigned inside a read (`SELECT @@x := …`, `SELECT … INTO @@x`)
 * is judged like `SET @@x = …`: global scope, refused settings and lexing settings set to a
 * value that changes how text is read are refused, in every spelling. Reading `@@x`, and
 * user variables (`@x := …`, `INTO @x`), stay allowed.
 */
const ASSIGNMENTS: Case[] = [
  ["select @@sql_mode := 'NO_BACKSLASH_ESCAPES'", 'refused', 'SET SQL_MODE'],
  ["SELECT @@SQL_MODE := 'ANSI_QUOTES'", 'refused', 'SET SQL_MODE'],
  ["select @@session.sql_mode := 'ANSI'", 'refused', 'SET SQL_MODE'],
  ["select @@LOCAL.sql_mode:='ANSI' from dual", 'refused', 'SET SQL_MODE'],
  ["select /* c */ @@ /* c */ sql_mode /* c */ := /* c */ 'ANSI'", 'refused', 'SET SQL_MODE'],
  ["select\t@@`sql_mode`\n:=\r\n'NO_BACKSLASH_ESCAPES'", 'refused', 'SET SQL_MODE'],
  ["select 1, @@sql_mode := concat(@@sql_mode, ',ANSI_QUOTES')", 'refused', 'SET SQL_MODE'],
  ["select @@character_set_client := 'sjis'", 'refused', 'SET CHARACTER_SET_CLIENT'],
  ["select (select @@session.character_set_connection := 'gbk')", 'refused', 'SET CHARACTER_SET_CONNECTION'],
  ['select @@foreign_key_checks := 0', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ['SELECT @@session.Unique_Checks := 0 FROM t', 'refused', 'SET UNIQUE_CHECKS'],
  ['select @@sql_log_bin := 0', 'refused', 'SET SQL_LOG_BIN'],
  ['select @@global.max_connections := 1', 'refused', 'SET GLOBAL'],
  ['select @@PERSIST.max_connections := 1', 'refused', 'SET PERSIST'],
  ["insert into t (a) select @@sql_mode := 'ANSI'", 'refused', 'SET SQL_MODE'],
  ["with x as (select @@sql_mode := 'ANSI') select * from x", 'refused', 'SET SQL_MODE'],
  ["select 1; select @@sql_mode := 'ANSI'", 'refused', 'SET SQL_MODE'],
];

const INTO: Case[] = [
  ["select 'ANSI' into @@sql_mode", 'refused', 'SET SQL_MODE'],
  ['SELECT mode FROM modes LIMIT 1 INTO @@SESSION.sql_mode', 'refused', 'SET SQL_MODE'],
  ['select a, b into @x, @@character_set_client from t', 'refused', 'SET CHARACTER_SET_CLIENT'],
  ['select a into /* c */ @@ /* c */ `foreign_key_checks` from t', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ['select 1 into @@global.max_connections', 'refused', 'SET GLOBAL'],
  ['select 0 into @@sql_log_bin', 'refused', 'SET SQL_LOG_BIN'],
];

const ALLOWED: Case[] = [
  ['select @@sql_mode', 'read', 'SELECT'],
  ['SELECT @@session.sql_mode, @@global.max_connections', 'read', 'SELECT'],
  ["select @@sql_mode := 'TRADITIONAL'", 'read', 'SELECT'],
  ["select @@sql_mode := 'STRICT_TRANS_TABLES,ONLY_FULL_GROUP_BY' from dual", 'read', 'SELECT'],
  ["select @@character_set_client := 'utf8mb4'", 'read', 'SELECT'],
  ['select @@sort_buffer_size := 1048576', 'read', 'SELECT'],
  ['select 1 into @@session.sort_buffer_size', 'read', 'SELECT'],
  ['select @x := 1', 'read', 'SELECT'],
  ['select a into @sql_mode from t', 'read', 'SELECT'],
  ["select * from t where @@sql_mode = 'ANSI'", 'read', 'SELECT'],
  ["select '@@sql_mode := 1'", 'read', 'SELECT'],
  ["set @@sql_mode := 'TRADITIONAL'", 'session', 'SET'],
];

describe('classifySql: MySQL system variables assigned inside a statement', () => {
  describeCaseGroups('mysql', [
    ['@@x := value', ASSIGNMENTS],
    ['INTO @@x', INTO],
    ['reads and harmless assignments', ALLOWED],
  ]);
});
