import { allow, headTable, refuse, REASON_DDL, REASON_MAINTENANCE, REASON_PRIVILEGE, REASON_SERVER, type StatementHeads } from '../../guard/head-rule';
import { DDL_VERBS } from '../../guard/families/ddl-verbs';
import { deleteHistory } from './delete-history';
import { insertFamily } from '../../guard/families/insert';
import { tableMaintenance } from '../../guard/families/maintenance';
import { start, verbWord } from '../../guard/families/verb-word';
import { withFamily } from '../../guard/families/with';
import { describeMysql } from './describe-mysql';
import { setMysql } from './set-mysql';
import { beginMysql, loadMysql, lockMysql, renameMysql } from './verb-families';

/**
 * MySQL / MariaDB statements by their leading word. Decisions where the runtime role could
 * go either way:
 * - CALL is allowed as a write (a procedure runs with its own rights).
 * - PREPARE … FROM / EXECUTE are refused: the prepared text comes from a string or
 *   variable the guard cannot see.
 * - EXPLAIN / DESCRIBE … stmt, MariaDB ANALYZE stmt and SET STATEMENT … FOR stmt are judged
 *   as stmt, even without ANALYZE (fail closed).
 * - LOCK TABLES / LOCK INSTANCE are refused; UNLOCK TABLES is allowed (it only releases).
 * - XA is allowed transaction control over the app's own data.
 * - OPTIMIZE / REPAIR / ANALYZE (MariaDB runs them with DML privileges) and CHECK TABLE
 *   (maintenance; it can rewrite table status) are refused; CHECKSUM TABLE, HELP and
 *   DO expr are allowed reads; MariaDB BEGIN NOT ATOMIC (compound statement) is refused.
 * - GET [CURRENT | STACKED] DIAGNOSTICS reads the last statement's conditions.
 */
export const MYSQL_STATEMENT_HEADS: StatementHeads = headTable([
  allow('SELECT', 'read'),
  allow('VALUES', 'read'),
  allow('TABLE', 'read'),
  allow('SHOW', 'read'),
  allow('HELP', 'read'),
  allow('DO', 'read'),
  allow('GET', 'read', undefined, 'GET DIAGNOSTICS'),
  allow('CHECKSUM', 'read', undefined, 'CHECKSUM TABLE'),
  allow('WITH', 'read', withFamily),
  allow('DESCRIBE', 'read', describeMysql),
  allow('DESC', 'read', describeMysql),
  allow('EXPLAIN', 'read', describeMysql),
  allow('INSERT', 'write', insertFamily),
  allow('REPLACE', 'write', insertFamily),
  allow('UPDATE', 'write'),
  allow('DELETE', 'write', deleteHistory),
  allow('CALL', 'write'),
  allow('BEGIN', 'transaction', beginMysql),
  allow('START', 'transaction', start),
  allow('COMMIT', 'transaction'),
  allow('ROLLBACK', 'transaction'),
  allow('SAVEPOINT', 'transaction'),
  allow('RELEASE', 'transaction'),
  allow('XA', 'transaction'),
  allow('SET', 'session', setMysql),
  allow('USE', 'session'),
  allow('DEALLOCATE', 'session', undefined, 'DEALLOCATE PREPARE'),
  allow('UNLOCK', 'session', undefined, 'UNLOCK TABLES'),
  ...DDL_VERBS,
  refuse('RENAME', 'ddl', REASON_DDL, renameMysql),
  refuse('TRUNCATE', 'ddl', REASON_DDL),
  refuse('GRANT', 'privilege', REASON_PRIVILEGE),
  refuse('REVOKE', 'privilege', REASON_PRIVILEGE),
  refuse('LOAD', 'other', 'reads a file into a table', loadMysql),
  refuse('PREPARE', 'other', 'prepares SQL text the guard cannot see'),
  refuse('EXECUTE', 'other', 'runs SQL prepared from text the guard could not see'),
  refuse('LOCK', 'other', 'takes table or instance locks', lockMysql),
  refuse('OPTIMIZE', 'other', REASON_MAINTENANCE, tableMaintenance),
  refuse('REPAIR', 'other', REASON_MAINTENANCE, tableMaintenance),
  refuse('ANALYZE', 'other', REASON_MAINTENANCE, tableMaintenance),
  refuse('CHECK', 'other', REASON_MAINTENANCE, tableMaintenance),
  refuse('HANDLER', 'other', 'reads storage-engine handlers directly'),
  refuse('FLUSH', 'other', REASON_SERVER),
  refuse('KILL', 'other', REASON_SERVER),
  refuse('SHUTDOWN', 'other', REASON_SERVER),
  refuse('RESTART', 'other', REASON_SERVER),
  refuse('PURGE', 'other', REASON_SERVER),
  refuse('BINLOG', 'other', REASON_SERVER),
  refuse('CLONE', 'other', REASON_SERVER),
  refuse('RESET', 'other', REASON_SERVER, verbWord),
  refuse('CHANGE', 'other', REASON_SERVER, verbWord),
  refuse('STOP', 'other', REASON_SERVER, verbWord),
  refuse('INSTALL', 'other', REASON_SERVER, verbWord),
  refuse('UNINSTALL', 'other', REASON_SERVER, verbWord),
  refuse('CACHE', 'other', REASON_SERVER, undefined, 'CACHE INDEX'),
  refuse('IMPORT', 'ddl', REASON_DDL, undefined, 'IMPORT TABLE'),
]);
