import type { GuardRules } from '../../guard/guard-rules';

/** MySQL / MariaDB: functions the runtime role may not call, and the system schemas. */
export const MYSQL_GUARD_RULES: GuardRules = {
  functions: new Map([
    ['load_file', 'reads a file on the server'],
    // The usual names of command-running UDFs (lib_mysqludf_sys).
    ['sys_exec', 'runs a program on the server'],
    ['sys_eval', 'runs a program on the server'],
  ]),
  functionPrefixes: [],
  bareNamePrefixes: [],
  catalogSchemas: new Set(['mysql', 'information_schema', 'performance_schema', 'sys']),
  isCatalogTable: () => false,
  catalogAnywhereInWrites: true,
  // Session variables that need SUPER-like rights and hide or reshape what the server records.
  // knex's mysql clients build `Object.assign({ sql }, options)`; mysql2 reads `values` and `namedPlaceholders` from it to format the text.
  textOptions: ['sql', 'values', 'namedPlaceholders'],
  refusedSettings: new Map([
    ['sql_log_bin', { kind: 'other', reason: 'superuser-only setting: keeps writes out of the binary log' }],
    ['sql_log_off', { kind: 'other', reason: 'superuser-only setting: keeps statements out of the general log' }],
    ['gtid_next', { kind: 'other', reason: 'replication setting' }],
    ['gtid_domain_id', { kind: 'other', reason: 'replication setting' }],
    ['gtid_seq_no', { kind: 'other', reason: 'replication setting' }],
    ['server_id', { kind: 'other', reason: 'replication setting' }],
    ['pseudo_thread_id', { kind: 'other', reason: 'replication setting' }],
    ['pseudo_slave_mode', { kind: 'other', reason: 'replication setting' }],
    ['binlog_format', { kind: 'other', reason: 'superuser-only setting' }],
    ['wsrep_on', { kind: 'other', reason: 'keeps writes out of Galera replication' }],
  ]),
};
