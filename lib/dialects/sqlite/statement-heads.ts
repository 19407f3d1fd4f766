import { allow, headTable, refuse, REASON_MAINTENANCE, type StatementHeads } from '../../guard/head-rule';
import { DDL_VERBS } from '../../guard/families/ddl-verbs';
import { insertFamily } from '../../guard/families/insert';
import { withFamily } from '../../guard/families/with';
import { explainSqlite } from './explain-sqlite';
import { pragma } from './pragma';

/**
 * SQLite statements by their leading word. ATTACH is refused (it opens or creates a
 * database file at any path); DETACH is allowed (it only closes a database this connection
 * attached). PRAGMA: see pragma.ts and lib/dialects/sqlite/pragmas.ts. EXPLAIN is judged as
 * the statement it explains although SQLite never runs it.
 */
export const SQLITE_STATEMENT_HEADS: StatementHeads = headTable([
  allow('SELECT', 'read'),
  allow('VALUES', 'read'),
  allow('WITH', 'read', withFamily),
  allow('EXPLAIN', 'read', explainSqlite),
  allow('PRAGMA', 'read', pragma),
  allow('INSERT', 'write', insertFamily),
  allow('REPLACE', 'write', insertFamily),
  allow('UPDATE', 'write'),
  allow('DELETE', 'write'),
  allow('BEGIN', 'transaction'),
  allow('COMMIT', 'transaction'),
  allow('END', 'transaction'),
  allow('ROLLBACK', 'transaction'),
  allow('SAVEPOINT', 'transaction'),
  allow('RELEASE', 'transaction'),
  allow('DETACH', 'session'),
  ...DDL_VERBS,
  refuse('ATTACH', 'other', 'opens or creates another database file'),
  refuse('VACUUM', 'other', REASON_MAINTENANCE),
  refuse('REINDEX', 'other', REASON_MAINTENANCE),
  refuse('ANALYZE', 'other', REASON_MAINTENANCE),
]);
