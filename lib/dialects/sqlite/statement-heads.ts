import { allow, allowWords, headTable, refuse, refuseWords, REASON_MAINTENANCE, type StatementHeads } from '../../guard/head-rule';
import { STANDARD_HEADS } from '../../guard/families/standard-heads';
import { insertFamily } from '../../guard/families/insert';
import { explainSqlite } from './explain-sqlite';
import { pragma } from './pragma';

/**
 * SQLite statements by their leading word. ATTACH is refused (it opens or creates a
 * database file at any path); DETACH is allowed (it only closes a database this connection
 * attached). PRAGMA: see pragma.ts and lib/dialects/sqlite/pragmas.ts. EXPLAIN is judged as
 * the statement it explains although SQLite never runs it.
 */
export const SQLITE_STATEMENT_HEADS: StatementHeads = headTable([
  ...STANDARD_HEADS,
  allow('EXPLAIN', 'read', explainSqlite),
  allow('PRAGMA', 'read', pragma),
  allow('DELETE', 'write'),
  allow('REPLACE', 'write', insertFamily),
  ...allowWords('transaction', 'BEGIN END'),
  allow('DETACH', 'session'),
  refuse('ATTACH', 'other', 'opens or creates another database file'),
  ...refuseWords('other', REASON_MAINTENANCE, 'VACUUM REINDEX ANALYZE'),
]);
