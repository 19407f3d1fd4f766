import { describeCaseGroups, type Case } from '../support/classify-cases';

/**
 * The integrity policy (README, "The runtime guard"): a runtime connection may not switch
 * off the checks the schema declares, on any dialect. PostgreSQL session_replication_role
 * (triggers and foreign keys), MySQL / MariaDB foreign_key_checks, unique_checks,
 * check_constraint_checks (any assignment: a value can be an expression), the recorded time
 * and history of changes (timestamp, MariaDB system_versioning_insert_history), SQLite
 * foreign_keys = off and ignore_check_constraints. Turning checks on, or deferring them to
 * COMMIT, stays allowed.
 */
const POSTGRES: Case[] = [
  ['set session_replication_role = replica', 'refused', 'SET SESSION_REPLICATION_ROLE'],
  ["select set_config('session_replication_role', 'replica', true)", 'refused', 'SET SESSION_REPLICATION_ROLE'],
  ['set constraints all deferred', 'transaction', 'SET CONSTRAINTS'],
];

const MYSQL: Case[] = [
  ['set foreign_key_checks = 0', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ['SET FOREIGN_KEY_CHECKS=0', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ['set session foreign_key_checks = off', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ['set @@session.foreign_key_checks = 0', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ['set @@foreign_key_checks := @saved', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ['set local `foreign_key_checks` = 0', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ['set /* c */ foreign_key_checks /* c */ = 0', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ['set foreign_key_checks = 1', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ['set autocommit = 0, unique_checks = 0', 'refused', 'SET UNIQUE_CHECKS'],
  ['set check_constraint_checks = 0', 'refused', 'SET CHECK_CONSTRAINT_CHECKS'],
  ['set statement foreign_key_checks = 0 for delete from parent', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ['/*!40014 SET FOREIGN_KEY_CHECKS=0 */', 'refused', 'SET FOREIGN_KEY_CHECKS'],
  ['set @foreign_key_checks = 0', 'session', 'SET'],
  ['select @@foreign_key_checks', 'read', 'SELECT'],
  // The recorded time and history of changes (system-versioned tables, CURRENT_TIMESTAMP columns).
  ['set system_versioning_insert_history = 1', 'refused', 'SET SYSTEM_VERSIONING_INSERT_HISTORY'],
  ['SET SESSION System_Versioning_Insert_History = ON', 'refused', 'SET SYSTEM_VERSIONING_INSERT_HISTORY'],
  ['set @@session.system_versioning_insert_history = 1', 'refused', 'SET SYSTEM_VERSIONING_INSERT_HISTORY'],
  ["set statement system_versioning_insert_history = 1 for insert into vt (id, row_start, row_end) values (1, '2001-01-01', '2002-01-01')", 'refused', 'SET SYSTEM_VERSIONING_INSERT_HISTORY'],
  ['set timestamp = 1000000000', 'refused', 'SET TIMESTAMP'],
  ["set @@timestamp = unix_timestamp('2001-01-01')", 'refused', 'SET TIMESTAMP'],
  ['set local `timestamp` = default', 'refused', 'SET TIMESTAMP'],
  ['set time_zone = \'+00:00\', timestamp = 1', 'refused', 'SET TIMESTAMP'],
  ['set statement timestamp = 1 for update t set a = 1', 'refused', 'SET TIMESTAMP'],
  ['/*M!100300 set timestamp = 1 */', 'refused', 'SET TIMESTAMP'],
  ['delete history from vt', 'refused', 'DELETE HISTORY'],
  ["DELETE /* c */ HISTORY FROM vt BEFORE SYSTEM_TIME '2030-01-01'", 'refused', 'DELETE HISTORY'],
  ['delete low_priority quick ignore history from vt', 'refused', 'DELETE HISTORY'],
  ['analyze format=json delete history from vt', 'refused', 'DELETE HISTORY'],
  ['explain delete history from vt', 'refused', 'DELETE HISTORY'],
  ['set statement max_statement_time = 1 for delete history from vt', 'refused', 'DELETE HISTORY'],
  ['/*M!100300 delete history from vt */', 'refused', 'DELETE HISTORY'],
  ['delete from history where id = 1', 'write', 'DELETE'],
  ['delete from vt where history = 1', 'write', 'DELETE'],
  ['delete `history` from t as `history` join u on u.id = `history`.id', 'write', 'DELETE'],
  ['set @timestamp = 1', 'session', 'SET'],
  ['select @@timestamp, @@system_versioning_insert_history', 'read', 'SELECT'],
  ['select * from vt for system_time all', 'read', 'SELECT'],
];

const SQLITE: Case[] = [
  ['pragma foreign_keys = off', 'refused', 'PRAGMA FOREIGN_KEYS'],
  ['PRAGMA FOREIGN_KEYS = 0', 'refused', 'PRAGMA FOREIGN_KEYS'],
  ['pragma main.foreign_keys = false', 'refused', 'PRAGMA FOREIGN_KEYS'],
  ['pragma "foreign_keys" = no', 'refused', 'PRAGMA FOREIGN_KEYS'],
  ['pragma foreign_keys(0)', 'refused', 'PRAGMA FOREIGN_KEYS'],
  // SQLite reads a value it does not know as off.
  ['pragma foreign_keys = banana', 'refused', 'PRAGMA FOREIGN_KEYS'],
  ["pragma foreign_keys = 'of' || 'f'", 'refused', 'PRAGMA FOREIGN_KEYS'],
  ['pragma ignore_check_constraints = on', 'refused', 'PRAGMA IGNORE_CHECK_CONSTRAINTS'],
  ['pragma foreign_keys = on', 'session', 'PRAGMA FOREIGN_KEYS'],
  ['PRAGMA foreign_keys = ON;', 'session', 'PRAGMA FOREIGN_KEYS'],
  ["pragma foreign_keys = 'yes'", 'session', 'PRAGMA FOREIGN_KEYS'],
  ['pragma main.foreign_keys = TRUE', 'session', 'PRAGMA FOREIGN_KEYS'],
  ['pragma foreign_keys(1)', 'session', 'PRAGMA FOREIGN_KEYS'],
  ['pragma /* c */ foreign_keys /* c */ = /* c */ 1', 'session', 'PRAGMA FOREIGN_KEYS'],
  ['pragma defer_foreign_keys = on', 'session', 'PRAGMA DEFER_FOREIGN_KEYS'],
  ['pragma foreign_keys', 'read', 'PRAGMA FOREIGN_KEYS'],
];

describe('classifySql: switching off integrity checks (one policy on every dialect)', () => {
  describeCaseGroups('postgres', [['PostgreSQL', POSTGRES]]);
  describeCaseGroups('mysql', [['MySQL / MariaDB', MYSQL]]);
  describeCaseGroups('sqlite', [['SQLite', SQLITE]]);
});
