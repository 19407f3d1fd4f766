import { refusing, type GuardRules, type RefusedSetting } from '../../guard/guard-rules';
import { POSTGRES_KEYWORDS } from './keywords';
import { POSTGRES_GUARD_GRAMMAR } from './guard-grammar';
import { POSTGRES_LEXING_SETTINGS } from './lexing-settings';
import { POSTGRES_SUPERUSER_SETTINGS } from './superuser-settings';

const FILE = 'reads or writes files on the server';
const LARGE_OBJECT = 'large-object file access or write';
const FOREIGN = 'runs SQL on another connection or from text the guard cannot see';
const SERVER = 'changes server state or other sessions';
const QUERY_TEXT = 'runs SQL given as text, which the guard cannot see';
const CONFIG_FILE = "reads the server's configuration files (pg_hba.conf, pg_ident.conf, postgresql.conf)";
const CATALOG_WRITE = 'writes system catalog rows (planner statistics)';
// Provisioning revokes UPDATE on sequences from the app (nextval stays); knex's migrations
// table has one, and setval() to its maximum stops every later migration being recorded (red team 20).
const SEQUENCE = 'sets a sequence (the app holds USAGE and SELECT on sequences, not UPDATE)';
// Contrib modules the server package ships (a DBA may install them): pg_surgery kills or
// freezes heap tuples of any table by regclass, catalogs and knex's tables included (red team 23);
// pageinspect and pg_walinspect read pages and WAL beneath every SQL privilege.
const BENEATH_SQL = 'reads or changes table pages or WAL directly, beneath SQL and its privileges';
// amcheck: a DBA's check, page by page; bt_index_parent_check holds a ShareLock that blocks every write meanwhile.
const INTEGRITY_CHECK = "checks a table's or index's pages (amcheck), a maintenance task, under locks that can block writes";

/**
 * Settings whose pg_settings.context is 'superuser' or 'superuser-backend' (superuser-settings.ts, generated from a
 * real server): logging (log_statement = none, log_min_duration_statement = -1 hide the
 * session's statements), statistics (track_activities = off hides it from pg_stat_activity),
 * resource limits (temp_file_limit = -1 lets one query fill the disk), integrity
 * (session_replication_role), library loading. A runtime role cannot set them on a
 * provisioned server; an app connected as a superuser could, and the guard refuses it.
 */
const SUPERUSER_ONLY: RefusedSetting = { kind: 'other', reason: 'superuser-only setting (pg_settings.context superuser or superuser-backend): logging, statistics, resource limits or integrity' };
/**
 * The relations of information_schema a write can reach: its own tables, and enabled_roles,
 * a plain view of pg_authid that takes DELETE. Recognized by bare name too, since a
 * search_path set from a bound value (`set_config('search_path', $1, …)`, allowed) may put
 * information_schema first. Before PostgreSQL 13 there were also sql_languages,
 * sql_packages and sql_sizing_profiles. test/integration/pg-information-schema.test.ts
 * compares the list with each server of the matrix.
 */
export const INFORMATION_SCHEMA_WRITABLE: ReadonlySet<string> = new Set(['sql_features', 'sql_implementation_info', 'sql_parts', 'sql_sizing', 'sql_languages', 'sql_packages', 'sql_sizing_profiles', 'enabled_roles']);

/** lc_messages only changes the language of messages. */
const SUPERUSER_SETTINGS_ALLOWED: ReadonlySet<string> = new Set(['lc_messages']);

/**
 * PostgreSQL: functions the runtime role may not call, anywhere in a statement
 * (select list, WHERE, CTEs, subqueries, `pg_catalog.`-qualified, quoted, any case).
 */
export const POSTGRES_GUARD_RULES: GuardRules = {
  functions: new Map([
    ['pg_read_file', FILE],
    ['pg_read_binary_file', FILE],
    ['pg_stat_file', FILE],
    ['pg_current_logfile', FILE],
    ['pg_file_write', FILE],
    ['pg_file_rename', FILE],
    ['pg_file_unlink', FILE],
    ['pg_file_sync', FILE],
    ['lo_import', LARGE_OBJECT],
    ['lo_export', LARGE_OBJECT],
    ['lo_create', LARGE_OBJECT],
    ['lo_creat', LARGE_OBJECT],
    ['lo_unlink', LARGE_OBJECT],
    ['lo_put', LARGE_OBJECT],
    ['lo_from_bytea', LARGE_OBJECT],
    ['lo_truncate', LARGE_OBJECT],
    ['lo_truncate64', LARGE_OBJECT],
    ['lowrite', LARGE_OBJECT],
    ['query_to_xml', FOREIGN],
    ['query_to_xmlschema', FOREIGN],
    ['query_to_xml_and_xmlschema', FOREIGN],
    // Built-in text search: ts_stat(sqlquery) and ts_rewrite(tsquery, sqlquery) run their text
    // argument (the three-tsquery ts_rewrite does not, but the name cannot tell the overloads apart).
    ['ts_stat', QUERY_TEXT],
    ['ts_rewrite', QUERY_TEXT],
    // tablefunc: crosstab(sql [, sql]), connectby(relname, …) build and run SQL from text.
    ['connectby', QUERY_TEXT],
    // xml2: xpath_table builds a query from its text arguments; xslt_process may fetch documents.
    ['xpath_table', QUERY_TEXT],
    ['xslt_process', FILE],
    // Configuration files, as functions and (refused as bare names too) as views.
    ['pg_show_all_file_settings', CONFIG_FILE],
    ['pg_file_settings', CONFIG_FILE],
    ['pg_hba_file_rules', CONFIG_FILE],
    ['pg_ident_file_mappings', CONFIG_FILE],
    ['pg_logdir_ls', FILE],
    ['pg_nextoid', SERVER],
    ['pg_reload_conf', SERVER],
    ['pg_rotate_logfile', SERVER],
    ['pg_import_system_collations', SERVER],
    ['pg_terminate_backend', SERVER],
    ['pg_cancel_backend', SERVER],
    ['pg_promote', SERVER],
    ['pg_switch_wal', SERVER],
    ['pg_create_restore_point', SERVER],
    ['pg_backup_start', SERVER],
    ['pg_backup_stop', SERVER],
    // Their names before PostgreSQL 15 (13, 14: exclusive backup mode, a backup_label file).
    ['pg_start_backup', SERVER],
    ['pg_stop_backup', SERVER],
    // PostgreSQL 18's statistics import: write pg_class and pg_statistic rows.
    ['pg_restore_relation_stats', CATALOG_WRITE],
    ['pg_clear_relation_stats', CATALOG_WRITE],
    ['pg_restore_attribute_stats', CATALOG_WRITE],
    ['pg_clear_attribute_stats', CATALOG_WRITE],
    ['pg_log_backend_memory_contexts', SERVER],
    ['pg_logical_emit_message', SERVER],
    ['pg_drop_replication_slot', SERVER],
    ['pg_copy_physical_replication_slot', SERVER],
    ['pg_copy_logical_replication_slot', SERVER],
    ['pg_replication_slot_advance', SERVER],
    ['setval', SEQUENCE],
    ['pg_sync_replication_slots', SERVER],
    // Contrib (red team 23): pg_surgery, pg_visibility, pg_prewarm's autoprewarm, pageinspect, pg_walinspect.
    ['heap_force_kill', BENEATH_SQL],
    ['heap_force_freeze', BENEATH_SQL],
    ['pg_truncate_visibility_map', BENEATH_SQL],
    ['get_raw_page', BENEATH_SQL],
    // pageinspect's B-tree and hash readers that take an index by name (the rest take get_raw_page's bytes; red team 26).
    ['bt_metap', BENEATH_SQL],
    ['bt_page_stats', BENEATH_SQL],
    ['bt_page_items', BENEATH_SQL],
    ['bt_multi_page_stats', BENEATH_SQL],
    ['hash_bitmap_info', BENEATH_SQL],
    ['pg_get_wal_record_info', BENEATH_SQL],
    ['pg_get_wal_records_info', BENEATH_SQL],
    ['pg_get_wal_records_info_till_end_of_wal', BENEATH_SQL],
    ['pg_get_wal_stats', BENEATH_SQL],
    ['pg_get_wal_stats_till_end_of_wal', BENEATH_SQL],
    ['pg_get_wal_block_info', BENEATH_SQL],
    ['autoprewarm_dump_now', FILE],
    ['autoprewarm_start_worker', SERVER],
    // Writes a WAL record (16+), as pg_logical_emit_message does (red team 31).
    ['pg_log_standby_snapshot', SERVER],
    ['verify_heapam', INTEGRITY_CHECK],
    ['gin_index_check', INTEGRITY_CHECK],
  ]),
  functionPrefixes: [
    ['pg_ls_', FILE],
    // pg_read_file_old(…) (the pre-14 signature, still in pg_proc) reads files like pg_read_file;
    // pg_rotate_logfile_old() rotates the log like pg_rotate_logfile: by prefix, so kin are covered.
    ['pg_read_', FILE],
    ['pg_rotate_logfile', SERVER],
    // Write catalog rows by OID; the server allows them only in binary-upgrade mode.
    ['binary_upgrade_', SERVER],
    ['dblink', FOREIGN],
    ['crosstab', QUERY_TEXT],
    ['pg_background_', QUERY_TEXT],
    ['pg_file_', FILE],
    ['pg_create_', SERVER],
    ['pg_replication_origin_', SERVER],
    ['pg_stat_reset', SERVER],
    ['pg_stat_statements_reset', SERVER],
    ['pg_logical_slot_', SERVER],
    ['pg_wal_replay_', SERVER],
    // pg_buffercache (17, 18): evict any relation's pages, catalogs too, from shared buffers (red team 31).
    ['pg_buffercache_evict', SERVER],
    // pg_logicalinspect (18): reads the snapshot files under pg_logical/, as pg_walinspect reads WAL.
    ['pg_get_logical_snapshot_', BENEATH_SQL],
    // bt_index_check, bt_index_parent_check (amcheck).
    ['bt_index_', INTEGRITY_CHECK],
  ],
  // Views over the configuration files: refused in FROM without parentheses too.
  bareNamePrefixes: ['pg_file_settings', 'pg_hba_file_rules', 'pg_ident_file_mappings'],
  catalogSchemas: new Set(['pg_catalog', 'information_schema', 'pg_toast']),
  // Unqualified: pg_catalog is searched first, so `UPDATE pg_authid` is the catalog.
  isCatalogTable: (name) => name.startsWith('pg_') || INFORMATION_SCHEMA_WRITABLE.has(name),
  catalogAnywhereInWrites: false,
  // knex's pg client builds `extend({ text, values }, options)`; pg runs an object with `submit()` as its own query.
  // The session reader sees what startup options set (guard-text.ts).
  connectionOptions: [],
  textOptions: ['text', 'values', 'submit', '__proto__'],
  refusedSettings: new Map([
    ...refusing(SUPERUSER_ONLY, ...POSTGRES_SUPERUSER_SETTINGS.filter((name) => !SUPERUSER_SETTINGS_ALLOWED.has(name))),
    ...refusing({ kind: 'privilege', keyword: 'SET ROLE', reason: 'changes the current role' }, 'role'),
    ...refusing({ kind: 'privilege', keyword: 'SET SESSION AUTHORIZATION', reason: 'changes the session user' }, 'session_authorization'),
    ...refusing({ kind: 'other', reason: 'superuser-only setting: turns off triggers and foreign keys' }, 'session_replication_role'),
    ...refusing({ kind: 'other', reason: 'superuser-only setting: allows changing system catalogs' }, 'allow_system_table_mods'),
    ...refusing({ kind: 'other', reason: 'superuser-only setting: destroys data' }, 'zero_damaged_pages'),
    ...refusing({ kind: 'other', reason: 'superuser-only setting' }, 'allow_in_place_tablespaces', 'ignore_system_indexes', 'ignore_checksum_failure'),
    // Any user may set it, but off it skips the ASSERTs of the schema's PL/pgSQL functions and triggers (red team 23).
    ...refusing({ kind: 'other', reason: "switches off the ASSERT checks of the schema's PL/pgSQL functions and triggers" }, 'plpgsql.check_asserts'),
    // Superuser-only once the language is loaded: code run when its interpreter starts.
    ...refusing({ kind: 'other', reason: 'runs code when the procedural language starts in the session' }, 'plperl.on_plperl_init', 'plperl.on_plperlu_init', 'plperl.on_init', 'pltcl.start_proc', 'pltclu.start_proc'),
  ]),
  // Beyond the generated list: the families the server adds to in every release, and extensions' own (pgaudit.log …).
  refusedSettingPrefixes: [
    ['log_', { kind: 'other', reason: 'logging setting: hides statements from the server log' }],
    ['debug_', SUPERUSER_ONLY],
    ['trace_', SUPERUSER_ONLY],
    ['track_', { kind: 'other', reason: 'superuser-only setting: hides the session from the statistics views' }],
    ['pgaudit', { kind: 'other', reason: 'audit setting: hides statements from the audit log' }],
    // Contrib modules' settings, superuser-only once the library is loaded (session_preload_libraries); the
    // generated list comes from a server with none loaded (red team 23).
    ['auto_explain.', { kind: 'other', reason: 'superuser-only setting of auto_explain: hides plans from the server log' }],
    ['pg_stat_statements.', { kind: 'other', reason: 'superuser-only setting of pg_stat_statements: hides statements from its statistics' }],
    ['sepgsql.', { kind: 'other', reason: 'superuser-only setting of sepgsql: security labels' }],
  ],
  lexingSettings: POSTGRES_LEXING_SETTINGS,
  keywords: POSTGRES_KEYWORDS,
  // U&: escaped names; the information_schema tables, which isCatalogTable knows by bare name.
  prefilterWords: ['pg_', 'set_config', 'u&', ...INFORMATION_SCHEMA_WRITABLE],
  grammar: POSTGRES_GUARD_GRAMMAR,
};
