import { expect } from 'chai';
import { classifySql } from '../../lib/guard/classify';

/*
 * Red team 33 (session 13), against 73969da (the tip of s13 this branch started from). Focus: this
 * session's fixes (knex's connect-time texts on the guarded view, MySQL SET CHARACTER SET /
 * character_set_database, the pg PRIVILEGED_READS list and PUBLIC functions that change state).
 *
 * No finding: nothing found in the time box (35 minutes, about 10 lost to tool interruptions)
 * that gets past the guard with a real effect on the server. The near-misses below were tried
 * (classifier probes; knex 3.3.0 source read); the test pins the refused ones so a later change
 * does not reopen them.
 *
 * Near-misses (handled, or no harm):
 * - knex 3.3.0 texts sent past `query`: pg acquireRawConnection sends only checkVersion and
 *   setSchemaSearchPath (both on the guarded view now); cancelQuery goes through `_query` on a new
 *   connection (red team 18); validateConnection / pool validate send no SQL on pg or MySQL;
 *   transaction.js BEGIN / SET TRANSACTION / SAVEPOINT / RELEASE / ROLLBACK TO all go through
 *   trxClient.query (guarded); isolationLevel is checked against knex's list, txid is knex's own.
 * - MySQL lexing settings, every form refused: `SET @@session.character_set_connection =
 *   @@character_set_database`, `collation_connection = @@collation_database`, a user variable,
 *   a subquery, concat(), DEFAULT, hex / 0x / number / introducer / N'' / adjacent-string values,
 *   back-quoted names, @@local., a repeated name in one SET, versioned comments `/*!50000 …*\/` and
 *   `/*M! …*\/` carrying a second assignment, SELECT … INTO @@character_set_client, SET STATEMENT
 *   sql_mode / character_set_client … FOR, sql_mode built from @@sql_mode.
 * - Allowed but harmless: `SET NAMES utf8mb4 COLLATE big5_chinese_ci` (server rejects the
 *   collation for utf8mb4), `character_set_client = 'UTF8MB4_SJIS'` (no such set: server error),
 *   character_set_results / character_set_filesystem / lc_messages / old_mode (MariaDB 10.11:
 *   UTF8_IS_UTF8MB3 only renames utf8, both UTF-8; nothing here changes how text is lexed; the
 *   drivers decode results by the charset each column reports). character_set_collations is
 *   MariaDB 11.2+ only.
 * - pg PUBLIC functions that change state: pg_log_backend_memory_contexts, the stat resets,
 *   replication origins / slots, pg_logical_emit_message, pg_terminate/cancel_backend,
 *   pg_import_system_collations, setval and set_config of role / session_replication_role are
 *   refused. Allowed: advisory locks (documented, README: the migration session lock), pg_notify,
 *   txid_current, pg_export_snapshot, pg_stat_clear_snapshot / force_next_flush (own backend),
 *   pg_sleep; brin_summarize_* / brin_desummarize_range / gin_clean_pending_list are PUBLIC but
 *   need ownership of the index (the runtime role owns none under the provisioning here) and change
 *   index summaries only, not data: not pursued. pg_extension_config_dump is PUBLIC but errors
 *   outside CREATE EXTENSION. set_config of search_path / lock_timeout / DateStyle /
 *   default_transaction_read_only only affects the app's own session.
 * Not tried for lack of time: pgnative end to end, a withUserParams() copy's connect path,
 * MySQL changeUser({ database }) / USE of a non-UTF-8 database after the session read (red team
 * 32 named USE; 73969da may not re-read character_set_database after it).
 */

describe('guard red team 33: near-misses stay refused', () => {
  const refusedMysql = [
    'SET @@session.character_set_connection = @@character_set_database',
    'SET collation_connection = @@collation_database',
    "SET character_set_client = utf8mb4 /*M! ,character_set_client=sjis*/",
    "SET character_set_client = utf8mb4/*!50000 ,character_set_client=sjis*/",
    "SELECT 'sjis' INTO @@session.character_set_client",
    "SET STATEMENT sql_mode='NO_BACKSLASH_ESCAPES' FOR select 1",
    "SET sql_mode = concat(@@sql_mode, ',ANSI_QUOTES')",
    "SET @x='sjis'; SET character_set_client = @x",
  ];
  for (const sql of refusedMysql) {
    it(`mysql: ${sql}`, () => {
      expect(classifySql(sql, 'mysql').allowedOnRuntime).to.equal(false);
    });
  }
  const refusedPostgres = ['select pg_log_backend_memory_contexts(pg_backend_pid())', "select set_config(x, y, false) from (values ('client_encoding','SJIS')) v(x,y)"];
  for (const sql of refusedPostgres) {
    it(`postgres: ${sql}`, () => {
      expect(classifySql(sql, 'postgres').allowedOnRuntime).to.equal(false);
    });
  }
});
