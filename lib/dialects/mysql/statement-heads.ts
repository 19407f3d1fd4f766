import { allow, allowWords, headTable, refuse, refuseWords, REASON_DDL, REASON_MAINTENANCE, REASON_PRIVILEGE, REASON_SERVER, REASON_TWO_PHASE, type StatementHeads } from '../../guard/head-rule';
import { STANDARD_HEADS } from '../../guard/families/standard-heads';
import { deleteHistory } from './delete-history';
import { insertFamily } from '../../guard/families/insert';
import { tableMaintenance } from '../../guard/families/maintenance';
import { start, verbWord } from '../../guard/families/verb-word';
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
 * - XA (two-phase commit) is refused: a prepared XA transaction outlives its session and any
 *   session may finish it (red team 20); `dangerouslyAllow: ['XA']` lets it through.
 * - OPTIMIZE / REPAIR / ANALYZE (MariaDB runs them with DML privileges) and CHECK TABLE
 *   (maintenance; it can rewrite table status) are refused; CHECKSUM TABLE, HELP and
 *   DO expr are allowed reads; MariaDB BEGIN NOT ATOMIC (compound statement) is refused.
 * - GET [CURRENT | STACKED] DIAGNOSTICS reads the last statement's conditions.
 */
export const MYSQL_STATEMENT_HEADS: StatementHeads = headTable([
  ...STANDARD_HEADS,
  ...allowWords('read', 'TABLE SHOW HELP DO'),
  allow('GET', 'read', undefined, 'GET DIAGNOSTICS'),
  allow('CHECKSUM', 'read', undefined, 'CHECKSUM TABLE'),
  allow('DESCRIBE', 'read', describeMysql),
  allow('DESC', 'read', describeMysql),
  allow('EXPLAIN', 'read', describeMysql),
  allow('CALL', 'write'),
  allow('REPLACE', 'write', insertFamily),
  allow('DELETE', 'write', deleteHistory),
  refuse('XA', 'transaction', REASON_TWO_PHASE),
  allow('BEGIN', 'transaction', beginMysql),
  allow('START', 'transaction', start),
  allow('USE', 'session'),
  allow('SET', 'session', setMysql),
  allow('DEALLOCATE', 'session', undefined, 'DEALLOCATE PREPARE'),
  allow('UNLOCK', 'session', undefined, 'UNLOCK TABLES'),
  refuse('RENAME', 'ddl', REASON_DDL, renameMysql),
  refuse('TRUNCATE', 'ddl', REASON_DDL),
  refuse('IMPORT', 'ddl', REASON_DDL, undefined, 'IMPORT TABLE'),
  ...refuseWords('privilege', REASON_PRIVILEGE, 'GRANT REVOKE'),
  refuse('LOAD', 'other', 'reads a file into a table', loadMysql),
  refuse('PREPARE', 'other', 'prepares SQL text the guard cannot see'),
  refuse('EXECUTE', 'other', 'runs SQL prepared from text the guard could not see'),
  refuse('LOCK', 'other', 'takes table or instance locks', lockMysql),
  refuse('HANDLER', 'other', 'reads storage-engine handlers directly'),
  // Maintenance and server-state verbs that read on (OPTIMIZE TABLE …, RESET MASTER …) name their full keyword.
  ...['OPTIMIZE', 'REPAIR', 'ANALYZE', 'CHECK'].map((word) => refuse(word, 'other', REASON_MAINTENANCE, tableMaintenance)),
  ...refuseWords('other', REASON_SERVER, 'FLUSH KILL SHUTDOWN RESTART PURGE BINLOG CLONE'),
  ...['RESET', 'CHANGE', 'STOP', 'INSTALL', 'UNINSTALL'].map((word) => refuse(word, 'other', REASON_SERVER, verbWord)),
  refuse('CACHE', 'other', REASON_SERVER, undefined, 'CACHE INDEX'),
]);
