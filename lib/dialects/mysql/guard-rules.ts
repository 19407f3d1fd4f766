import { refusing, type GuardRules } from '../../guard/guard-rules';
import { MYSQL_KEYWORDS } from './keywords';
import { MYSQL_GUARD_GRAMMAR } from './guard-grammar';
import { MYSQL_LEXING_SETTINGS } from './lexing-settings';

const INTEGRITY = { kind: 'other', reason: 'switches off integrity checks the schema declares (foreign keys, unique keys, CHECK constraints)' } as const;
/**
 * What the server records as the time of a change: `timestamp` sets NOW() and the row_start /
 * row_end of system-versioned tables, and MariaDB's `system_versioning_insert_history` lets
 * the session write history rows outright. With `secure_timestamp = NO` (the default) any
 * user may set both, so a runtime connection could forge the history that system versioning
 * keeps as an audit trail. Any assignment, like the integrity switches.
 */
const HISTORY = { kind: 'other', reason: 'forges the recorded time or history of changes (system-versioned tables, CURRENT_TIMESTAMP columns)' } as const;
const REPLICATION = { kind: 'other', reason: 'replication setting' } as const;
const SLOW_LOG = { kind: 'other', reason: 'logging setting: keeps statements out of the slow query log' } as const;

/** MySQL / MariaDB: functions the runtime role may not call, and the system schemas. */
export const MYSQL_GUARD_RULES: GuardRules = {
  functions: new Map([
    ['load_file', 'reads a file on the server'],
    // The usual names of command-running UDFs (lib_mysqludf_sys).
    ['sys_exec', 'runs a program on the server'],
    ['sys_eval', 'runs a program on the server'],
    // MariaDB Spider: run SQL on another server (the counterpart of PostgreSQL's dblink).
    ['spider_direct_sql', 'runs SQL on another server'],
    ['spider_bg_direct_sql', 'runs SQL on another server'],
    ['spider_copy_tables', 'copies tables between servers'],
  ]),
  functionPrefixes: [],
  bareNamePrefixes: [],
  catalogSchemas: new Set(['mysql', 'information_schema', 'performance_schema', 'sys']),
  isCatalogTable: () => false,
  catalogAnywhereInWrites: true,
  // Session variables that need SUPER-like rights and hide or reshape what the server records.
  // knex's mysql clients build `Object.assign({ sql }, options)`; mysql2 reads `values` and `namedPlaceholders` from it to format the text.
  // The mariadb connector runs initSql and a SET per sessionVariables entry on connect.
  // mysql2 / mysql call `queryFormat` on every text they send, values or not (red team 21).
  connectionOptions: ['initSql', 'sessionVariables', 'queryFormat'],
  // constructor / __proto__: mysql2 runs an options object whose constructor is its Query command as that command (red team 13).
  textOptions: ['sql', 'values', 'namedPlaceholders', 'constructor', '__proto__'],
  refusedSettings: new Map([
    ...refusing({ kind: 'other', reason: 'superuser-only setting: keeps writes out of the binary log' }, 'sql_log_bin'),
    ...refusing({ kind: 'other', reason: 'superuser-only setting: keeps statements out of the general log' }, 'sql_log_off'),
    ...refusing(REPLICATION, 'gtid_next', 'gtid_domain_id', 'gtid_seq_no', 'server_id', 'pseudo_thread_id', 'pseudo_slave_mode', 'wsrep_gtid_seq_no'),
    ...refusing({ kind: 'other', reason: 'superuser-only setting' }, 'binlog_format'),
    ...refusing({ kind: 'other', reason: 'keeps writes out of Galera replication' }, 'wsrep_on'),
    // The integrity policy: a runtime connection may not switch off the checks the schema
    // declares (like PostgreSQL session_replication_role, SQLite foreign_keys = off). Any
    // assignment, whatever the value: a value can be an expression or a variable.
    ...refusing(INTEGRITY, 'foreign_key_checks', 'unique_checks', 'check_constraint_checks'),
    ...refusing(HISTORY, 'timestamp', 'system_versioning_insert_history'),
    // MariaDB: replicas skip this session's writes, like sql_log_bin.
    ...refusing({ kind: 'other', reason: "superuser-only setting: replicas skip this session's writes" }, 'skip_replication'),
    // long_query_time / min_examined_row_limit are the old names of log_slow_query_time / log_slow_min_examined_row_limit.
    ...refusing(SLOW_LOG, 'slow_query_log', 'log_queries_not_using_indexes', 'long_query_time', 'min_examined_row_limit'),
    ...refusing({ kind: 'other', reason: 'logging setting: keeps warnings out of the error log' }, 'log_warnings'),
    // MariaDB: keeps the session's stored-procedure (sp) statements out of the general log, like sql_log_off.
    ...refusing({ kind: 'other', reason: 'logging setting: keeps statements out of the general log' }, 'log_disabled_statements'),
  ]),
  refusedSettingPrefixes: [
    ['binlog_', { kind: 'other', reason: 'superuser-only setting: reshapes what the binary log records' }],
    ['log_slow_', SLOW_LOG],
  ],
  lexingSettings: MYSQL_LEXING_SETTINGS,
  // @@: system variables assigned inside a statement (system-variables.ts).
  keywords: MYSQL_KEYWORDS,
  prefilterWords: ['@@'],
  grammar: MYSQL_GUARD_GRAMMAR,
};
