import { POSTGRES_SUPERUSER_SETTINGS } from '../../lib/dialects/postgres/superuser-settings';
import { check, describeCaseGroups, type Case } from '../support/classify-cases';

/**
 * Superuser-only logging, statistics, replication and resource settings (red team 2, F3):
 * refused on a runtime connection in every spelling of SET and set_config(), like MySQL's
 * sql_log_off / sql_log_bin. PostgreSQL's list is data generated from pg_settings
 * (lib/dialects/postgres/superuser-settings.ts); test/integration/pg-superuser-settings.test.ts
 * checks it against the running server.
 */

const PG: Case[] = [
  ["set log_statement = 'none'", 'refused', 'SET LOG_STATEMENT'],
  ["SET LOG_STATEMENT TO 'none'", 'refused', 'SET LOG_STATEMENT'],
  ["set session log_statement = none", 'refused', 'SET LOG_STATEMENT'],
  ["SET LOCAL \"log_statement\" TO 'none'", 'refused', 'SET LOG_STATEMENT'],
  ["set /* c */ log_statement /* c */ = /* c */ 'none'", 'refused', 'SET LOG_STATEMENT'],
  ['set log_min_duration_statement = -1', 'refused', 'SET LOG_MIN_DURATION_STATEMENT'],
  ['set log_min_error_statement = panic', 'refused', 'SET LOG_MIN_ERROR_STATEMENT'],
  ['set log_min_messages to panic', 'refused', 'SET LOG_MIN_MESSAGES'],
  ["select set_config('log_statement', 'none', false)", 'refused', 'SET LOG_STATEMENT'],
  ["SELECT pg_catalog.SET_CONFIG('LOG_STATEMENT', 'none', true)", 'refused', 'SET LOG_STATEMENT'],
  ["select \"set_config\"($$log_statement$$, 'none', false)", 'refused', 'SET LOG_STATEMENT'],
  ["select 1 from t where set_config('log_duration', 'off', true) is not null", 'refused', 'SET LOG_DURATION'],
  ['set track_activities = off', 'refused', 'SET TRACK_ACTIVITIES'],
  ['set track_counts to off', 'refused', 'SET TRACK_COUNTS'],
  ['set temp_file_limit = -1', 'refused', 'SET TEMP_FILE_LIMIT'],
  ['set lo_compat_privileges = on', 'refused', 'SET LO_COMPAT_PRIVILEGES'],
  ["set session_preload_libraries = 'auto_explain'", 'refused', 'SET SESSION_PRELOAD_LIBRARIES'],
  ["set dynamic_library_path = '/tmp'", 'refused', 'SET DYNAMIC_LIBRARY_PATH'],
  ['set max_stack_depth = 100000', 'refused', 'SET MAX_STACK_DEPTH'],
  // New in PostgreSQL 18: event_triggers = off skips every event trigger (an audit or a DDL
  // block), extension_control_path points CREATE EXTENSION at other files.
  ['set event_triggers = off', 'refused', 'SET EVENT_TRIGGERS'],
  ["select set_config('event_triggers', 'off', false)", 'refused', 'SET EVENT_TRIGGERS'],
  ["set extension_control_path = '/tmp'", 'refused', 'SET EXTENSION_CONTROL_PATH'],
  ['set track_cost_delay_timing = on', 'refused', 'SET TRACK_COST_DELAY_TIMING'],
  // The families the server grows in later releases and extensions' settings, by prefix.
  ['set log_some_future_setting = off', 'refused', 'SET LOG_SOME_FUTURE_SETTING'],
  ['set debug_print_plan = on', 'refused', 'SET DEBUG_PRINT_PLAN'],
  ['set trace_notify = on', 'refused', 'SET TRACE_NOTIFY'],
  ["set pgaudit.log = 'none'", 'refused', 'SET PGAUDIT.LOG'],
  // Contrib modules' superuser-only settings, once the DBA loaded the library (red team 23):
  // the dotted name is read whole, in every spelling the server folds onto it.
  ['set auto_explain.log_min_duration = -1', 'refused', 'SET AUTO_EXPLAIN.LOG_MIN_DURATION'],
  ['SET LOCAL Auto_Explain . /* c */ "log_min_duration" TO -1', 'refused', 'SET AUTO_EXPLAIN.LOG_MIN_DURATION'],
  ['set session "auto_explain"."log_analyze" = off', 'refused', 'SET AUTO_EXPLAIN.LOG_ANALYZE'],
  ["select set_config('auto_explain.log_min_duration', '-1', false)", 'refused', 'SET AUTO_EXPLAIN.LOG_MIN_DURATION'],
  ['set pg_stat_statements.track = none', 'refused', 'SET PG_STAT_STATEMENTS.TRACK'],
  ["select pg_catalog.set_config('PG_STAT_STATEMENTS.TRACK_UTILITY', 'off', true)", 'refused', 'SET PG_STAT_STATEMENTS.TRACK_UTILITY'],
  ['set plpgsql.check_asserts = off', 'refused', 'SET PLPGSQL.CHECK_ASSERTS'],
  ['SET "plpgsql".CHECK_ASSERTS TO false', 'refused', 'SET PLPGSQL.CHECK_ASSERTS'],
  ["select set_config('plpgsql.check_asserts', 'off', false)", 'refused', 'SET PLPGSQL.CHECK_ASSERTS'],
  ['set auto_explain.U&"log_analyze" = off', 'refused', 'SET'],
  ['set app.U&"x" = 1', 'refused', 'SET'],
  // Custom settings of the app's own (row-level security keys) and plpgsql's harmless ones stay allowed.
  ["set app.tenant_id = '42'", 'session', 'SET'],
  ['set local app . user_id to 7', 'session', 'SET'],
  ["set plpgsql.extra_warnings = 'all'", 'session', 'SET'],
  // A custom setting whose first part is a keyword of SET (red team 26), and the code-running language settings.
  ["set role.tenant = 'acme'", 'session', 'SET'],
  ["SET LOCAL role . tenant TO 'acme'", 'session', 'SET'],
  ['set session_authorization.x = 1', 'session', 'SET'],
  ["set plperl.on_plperl_init = 'system(1)'", 'refused', 'SET PLPERL.ON_PLPERL_INIT'],
  ["select set_config('pltcl.start_proc', 'f', false)", 'refused', 'SET PLTCL.START_PROC'],
  ['set jit_profiling_support = on', 'refused', 'SET JIT_PROFILING_SUPPORT'],
  ["select set_config('pgaudit.log', 'none', false)", 'refused', 'SET PGAUDIT.LOG'],
  // Ordinary session settings and the documented allowance stay allowed.
  ['set statement_timeout = 5000', 'session', 'SET'],
  ["set application_name = 'log_statement'", 'session', 'SET'],
  ["set lc_messages = 'C'", 'session', 'SET'],
  ["select set_config('app.log_level', 'debug', true)", 'read', 'SELECT'],
  ["select current_setting('log_statement')", 'read', 'SELECT'],
  ['show log_statement', 'read'],
  ['reset log_statement', 'session'],
];

const MARIADB: Case[] = [
  ['set skip_replication = 1', 'refused', 'SET SKIP_REPLICATION'],
  ['SET SESSION SKIP_REPLICATION = ON', 'refused', 'SET SKIP_REPLICATION'],
  ['set @@session.skip_replication = 1', 'refused', 'SET SKIP_REPLICATION'],
  ['set @@skip_replication := 1', 'refused', 'SET SKIP_REPLICATION'],
  ['set `skip_replication` = 1', 'refused', 'SET SKIP_REPLICATION'],
  ["set session binlog_row_image = 'MINIMAL'", 'refused', 'SET BINLOG_ROW_IMAGE'],
  ['set binlog_annotate_row_events = 0', 'refused', 'SET BINLOG_ANNOTATE_ROW_EVENTS'],
  ['set session slow_query_log = 0', 'refused', 'SET SLOW_QUERY_LOG'],
  ["set session log_slow_filter = ''", 'refused', 'SET LOG_SLOW_FILTER'],
  ['set log_slow_rate_limit = 1000000', 'refused', 'SET LOG_SLOW_RATE_LIMIT'],
  ['set log_slow_query_time = 1e9', 'refused', 'SET LOG_SLOW_QUERY_TIME'],
  ['set long_query_time = 1e9', 'refused', 'SET LONG_QUERY_TIME'],
  ['set log_queries_not_using_indexes = off', 'refused', 'SET LOG_QUERIES_NOT_USING_INDEXES'],
  ['set session log_warnings = 0', 'refused', 'SET LOG_WARNINGS'],
  ["set session log_disabled_statements = 'sp'", 'refused', 'SET LOG_DISABLED_STATEMENTS'],
  ["set statement log_disabled_statements = 'sp' for call p()", 'refused', 'SET LOG_DISABLED_STATEMENTS'],
  ['set @@session.wsrep_gtid_seq_no = 1', 'refused', 'SET WSREP_GTID_SEQ_NO'],
  ['set wait_timeout = 60, slow_query_log = 0', 'refused', 'SET SLOW_QUERY_LOG'],
  ["set statement log_slow_verbosity = '' for select 1", 'refused', 'SET LOG_SLOW_VERBOSITY'],
  ['/*!40101 set session slow_query_log = 0 */', 'refused', 'SET SLOW_QUERY_LOG'],
  ['/*M!100500 set skip_replication = 1 */', 'refused', 'SET SKIP_REPLICATION'],
  // User variables and ordinary session settings stay allowed.
  ['set @skip_replication = 1', 'session', 'SET'],
  ['set @binlog_row_image = 1', 'session', 'SET'],
  ['set session wait_timeout = 60', 'session', 'SET'],
  ['select @@slow_query_log, @@skip_replication', 'read', 'SELECT'],
];

describe('classifySql: superuser-only logging / replication / resource settings', () => {
  describeCaseGroups('postgres', [['PostgreSQL', PG]]);
  describeCaseGroups('mysql', [['MariaDB', MARIADB]]);
  describe('every generated PostgreSQL superuser setting, by SET and set_config', () => {
    for (const name of POSTGRES_SUPERUSER_SETTINGS.filter((n) => n !== 'lc_messages')) {
      it(name, () => {
        check('postgres', `set ${name} = default`, 'refused', `SET ${name.toUpperCase()}`);
        check('postgres', `select set_config('${name}', '', false)`, 'refused', `SET ${name.toUpperCase()}`);
      });
    }
  });
});
