/**
 * SQLite PRAGMAs by what a runtime connection may do with them. On SQLite the guard is the
 * only line of defence (there are no server-side privileges), so unknown PRAGMAs are
 * refused.
 *
 * `PRAGMA x` (no argument) reads a value; `PRAGMA x = v` and `PRAGMA x(v)` set it, except
 * for the table-valued reads below, whose argument is a table, index or limit.
 */

/** Reads whatever their argument: schema introspection (knex's hasColumn / columnInfo use table_info) and checks. */
export const SQLITE_READ_PRAGMAS: ReadonlySet<string> = new Set([
  'table_info', 'table_xinfo', 'table_list', 'index_list', 'index_info', 'index_xinfo', 'foreign_key_list', 'foreign_key_check',
  'integrity_check', 'quick_check', 'database_list', 'collation_list', 'function_list', 'module_list', 'pragma_list',
  'compile_options', 'data_version', 'freelist_count', 'page_count', 'stats',
]);

/**
 * May be set on a runtime connection: they only change this connection's behaviour and
 * nothing stored in the database file.
 */
export const SQLITE_SESSION_PRAGMAS: ReadonlySet<string> = new Set([
  'foreign_keys', 'busy_timeout', 'cache_size', 'temp_store', 'synchronous', 'recursive_triggers', 'case_sensitive_like',
  'defer_foreign_keys', 'query_only', 'reverse_unordered_selects', 'cache_spill', 'automatic_index', 'analysis_limit',
  'read_uncommitted', 'mmap_size', 'wal_autocheckpoint',
]);

/**
 * Readable without an argument, refused with one. Setting these changes the database file
 * or schema (kind 'ddl'), or process-wide / safety settings (kind 'other').
 */
export const SQLITE_FILE_PRAGMAS: ReadonlySet<string> = new Set([
  'journal_mode', 'user_version', 'application_id', 'schema_version', 'writable_schema', 'auto_vacuum', 'page_size', 'encoding',
  'legacy_file_format', 'max_page_count', 'default_cache_size', 'journal_size_limit',
]);
export const SQLITE_GUARDED_PRAGMAS: ReadonlySet<string> = new Set([
  'locking_mode', 'secure_delete', 'legacy_alter_table', 'trusted_schema', 'threads',
  'soft_heap_limit', 'hard_heap_limit', 'cell_size_check', 'ignore_check_constraints', 'count_changes', 'full_column_names',
  'short_column_names', 'empty_result_callbacks', 'checkpoint_fullfsync', 'fullfsync', 'temp_store_directory',
  'data_store_directory',
]);

/** Act even without an argument (checkpoint, vacuum, analyze, free memory): refused. */
export const SQLITE_ACTION_PRAGMAS: ReadonlySet<string> = new Set(['optimize', 'shrink_memory', 'wal_checkpoint', 'incremental_vacuum']);

/**
 * Per-connection pragmas a runtime connection may set one way only: to a value that keeps
 * the schema's integrity checks on (the guard's integrity policy, the same as PostgreSQL
 * session_replication_role and MySQL foreign_key_checks), or that only narrows what the
 * schema's views and triggers may call (`trusted_schema = OFF`, which SQLite's own security
 * advice asks apps to set; red team 46). SQLite reads a value it does not know as its
 * default, so only these exact values pass.
 */
export const SQLITE_ONE_WAY_PRAGMAS: ReadonlyMap<string, { readonly values: ReadonlySet<string>; readonly reason: string }> = new Map([
  ['foreign_keys', { values: new Set(['on', 'yes', 'true', '1']), reason: 'switches off integrity checks the schema declares (foreign keys)' }],
  ['trusted_schema', { values: new Set(['off', 'no', 'false', '0']), reason: "lets the schema's views and triggers call functions with side effects (only OFF may be set)" }],
]);
