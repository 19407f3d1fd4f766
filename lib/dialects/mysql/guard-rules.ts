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
  refusedSettings: new Map(),
};
