import { allow, headTable, refuse, REASON_DDL, REASON_MAINTENANCE, REASON_PRIVILEGE, type StatementHeads } from '../../guard/head-rule';
import { DDL_VERBS } from '../../guard/families/ddl-verbs';
import { insertFamily } from '../../guard/families/insert';
import { start } from '../../guard/families/verb-word';
import { withFamily } from '../../guard/families/with';
import { copy } from './copy';
import { explainPostgres } from './explain-postgres';
import { preparePostgres } from './prepare-postgres';
import { resetPostgres } from './reset-postgres';
import { setPostgres } from './set-postgres';

/**
 * PostgreSQL statements by their leading word. Decisions where the runtime role could go
 * either way:
 * - CALL is allowed as a write: a procedure runs with its own definer or invoker rights;
 *   creating or replacing one is refused.
 * - EXECUTE is allowed: it runs a statement that was judged when it was PREPAREd
 *   (PREPARE name AS stmt is judged as stmt).
 * - EXPLAIN is judged as the statement it explains, even without ANALYZE (fail closed).
 * - RESET (incl. RESET ROLE / SESSION AUTHORIZATION) is allowed: it only goes back toward
 *   the login role; SET ROLE x and SET SESSION AUTHORIZATION x are refused (set-postgres.ts).
 * - LOCK TABLE is allowed: a data-plane lock inside the app's transaction (a catalog lock
 *   is refused by the content watch).
 * - COPY … FROM STDIN / TO STDOUT is allowed; COPY with a file name or PROGRAM is not.
 * - PREPARE TRANSACTION / COMMIT PREPARED are allowed transaction control.
 */
export const POSTGRES_STATEMENT_HEADS: StatementHeads = headTable([
  allow('SELECT', 'read'),
  allow('VALUES', 'read'),
  allow('TABLE', 'read'),
  allow('SHOW', 'read'),
  allow('FETCH', 'read'),
  allow('MOVE', 'read'),
  allow('DECLARE', 'read'),
  allow('WITH', 'read', withFamily),
  allow('INSERT', 'write', insertFamily),
  allow('MERGE', 'write', insertFamily),
  allow('UPDATE', 'write'),
  allow('DELETE', 'write'),
  allow('CALL', 'write'),
  allow('EXECUTE', 'write'),
  allow('NOTIFY', 'write'),
  allow('BEGIN', 'transaction'),
  allow('START', 'transaction', start),
  allow('COMMIT', 'transaction'),
  allow('END', 'transaction'),
  allow('ROLLBACK', 'transaction'),
  allow('ABORT', 'transaction'),
  allow('SAVEPOINT', 'transaction'),
  allow('RELEASE', 'transaction'),
  allow('LOCK', 'transaction', undefined, 'LOCK TABLE'),
  allow('PREPARE', 'write', preparePostgres),
  allow('SET', 'session', setPostgres),
  allow('RESET', 'session', resetPostgres),
  allow('DISCARD', 'session', resetPostgres),
  allow('DEALLOCATE', 'session'),
  allow('LISTEN', 'session'),
  allow('UNLISTEN', 'session'),
  allow('CLOSE', 'session'),
  allow('EXPLAIN', 'read', explainPostgres),
  allow('COPY', 'write', copy),
  ...DDL_VERBS,
  refuse('TRUNCATE', 'ddl', REASON_DDL),
  refuse('COMMENT', 'ddl', REASON_DDL),
  refuse('IMPORT', 'ddl', REASON_DDL, undefined, 'IMPORT FOREIGN SCHEMA'),
  refuse('REFRESH', 'ddl', REASON_DDL, undefined, 'REFRESH MATERIALIZED VIEW'),
  refuse('GRANT', 'privilege', REASON_PRIVILEGE),
  refuse('REVOKE', 'privilege', REASON_PRIVILEGE),
  refuse('SECURITY', 'privilege', REASON_PRIVILEGE, undefined, 'SECURITY LABEL'),
  refuse('REASSIGN', 'privilege', REASON_PRIVILEGE, undefined, 'REASSIGN OWNED'),
  refuse('VACUUM', 'other', REASON_MAINTENANCE),
  refuse('ANALYZE', 'other', REASON_MAINTENANCE),
  refuse('ANALYSE', 'other', REASON_MAINTENANCE, undefined, 'ANALYZE'),
  refuse('REINDEX', 'other', REASON_MAINTENANCE),
  refuse('CLUSTER', 'other', REASON_MAINTENANCE),
  refuse('CHECKPOINT', 'other', REASON_MAINTENANCE),
  refuse('LOAD', 'other', 'loads a shared library into the server'),
  refuse('DO', 'other', 'runs an anonymous code block'),
]);
