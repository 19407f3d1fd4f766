import { allow, allowWords, headTable, refuse, refuseWords, REASON_DDL, REASON_MAINTENANCE, REASON_PRIVILEGE, type StatementHeads } from '../../guard/head-rule';
import { STANDARD_HEADS } from '../../guard/families/standard-heads';
import { insertFamily } from '../../guard/families/insert';
import { start } from '../../guard/families/verb-word';
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
 * - PREPARE TRANSACTION / COMMIT PREPARED / ROLLBACK PREPARED (two-phase commit) are refused:
 *   a prepared transaction outlives its session and any session may finish it.
 */
export const POSTGRES_STATEMENT_HEADS: StatementHeads = headTable([
  ...STANDARD_HEADS,
  ...allowWords('read', 'TABLE SHOW FETCH MOVE DECLARE'),
  allow('EXPLAIN', 'read', explainPostgres),
  ...allowWords('write', 'DELETE CALL EXECUTE NOTIFY'),
  allow('MERGE', 'write', insertFamily),
  allow('COPY', 'write', copy),
  allow('PREPARE', 'write', preparePostgres),
  ...allowWords('transaction', 'BEGIN END ABORT'),
  allow('START', 'transaction', start),
  allow('LOCK', 'transaction', undefined, 'LOCK TABLE'),
  ...allowWords('session', 'DEALLOCATE LISTEN UNLISTEN CLOSE'),
  allow('SET', 'session', setPostgres),
  allow('RESET', 'session', resetPostgres),
  allow('DISCARD', 'session', resetPostgres),
  ...refuseWords('ddl', REASON_DDL, 'TRUNCATE COMMENT'),
  refuse('IMPORT', 'ddl', REASON_DDL, undefined, 'IMPORT FOREIGN SCHEMA'),
  refuse('REFRESH', 'ddl', REASON_DDL, undefined, 'REFRESH MATERIALIZED VIEW'),
  ...refuseWords('privilege', REASON_PRIVILEGE, 'GRANT REVOKE'),
  refuse('SECURITY', 'privilege', REASON_PRIVILEGE, undefined, 'SECURITY LABEL'),
  refuse('REASSIGN', 'privilege', REASON_PRIVILEGE, undefined, 'REASSIGN OWNED'),
  ...refuseWords('other', REASON_MAINTENANCE, 'VACUUM ANALYZE REINDEX CLUSTER CHECKPOINT'),
  refuse('ANALYSE', 'other', REASON_MAINTENANCE, undefined, 'ANALYZE'),
  refuse('LOAD', 'other', 'loads a shared library into the server'),
  refuse('DO', 'other', 'runs an anonymous code block'),
]);
