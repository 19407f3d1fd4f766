import type { GuardGrammar } from '../../guard/guard-rules';
import { MAX_COMMENT_VERSIONS } from './lexer';
import { MYSQL_SELECT_INTO } from './select-into';
import { systemVariableAssignment } from './system-variables';

/** MySQL / MariaDB's answers to the questions the guard's shared statement families ask. */
export const MYSQL_GUARD_GRAMMAR: GuardGrammar = {
  sessionReading: { ansiQuotes: true },
  alternatives: {
    // sql_mode readings besides the default: NO_BACKSLASH_ESCAPES (with or without
    // ANSI_QUOTES: `"…"` then ends at the same place, string or identifier); ANSI_QUOTES
    // alone (`sql_mode=ANSI`).
    backslashModes: [
      { altBackslash: true, ansiQuotes: false, note: 'with NO_BACKSLASH_ESCAPES' },
      { altBackslash: false, ansiQuotes: true, note: 'with ANSI_QUOTES' },
    ],
    // Which comments run depends on the server kind and version.
    versionedComments: {
      servers: [{ server: 'mariadb', label: 'MariaDB' }, { server: 'mysql', label: 'MySQL' }],
      maxVersions: MAX_COMMENT_VERSIONS,
    },
  },
  selectInto: MYSQL_SELECT_INTO,
  insertModifiers: ['LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE'],
  conflictClause: false,
  sessionDdl: new Set(['DROP PREPARE']),
  analyzeRunsStatement: true,
  // Engines a temporary table may use: they keep it in this server's own storage (CONNECT, FEDERATED reach files or other servers).
  tempTableOptions: { engines: new Set(['innodb', 'memory', 'heap', 'myisam', 'aria']) },
  setItemLists: true,
  // lower_case_table_names = 1 (Windows) / 2 (macOS) folds names with the server's Unicode case table (red team 24).
  unicodeTableNames: true,
  qualifiedCatalogTables: false,
  stringNames: false,
  doubleQuotedCallNames: true,
  plain: { quote: '`', dollarParams: false },
  content: {
    attributeCalls: false,
    uescapeNames: false,
    targetStatements: new Set(['use']),
    systemVariables: systemVariableAssignment,
    // InnoDB reads a subquery of a statement other than a plain read (outside SERIALIZABLE,
    // where every read locks) as a locking read: `SET @v = (SELECT …)`, `DO (SELECT …)`,
    // `CALL p((SELECT …))`, `SHOW … WHERE (SELECT …)` hold shared locks on the rows read
    // until the transaction ends (red team 20, review).
    rowLocks: {
      lockInShareMode: true,
      subqueries: {
        consistentHeads: new Set(['select', 'with', 'values', 'table', 'explain', 'describe', 'desc', 'analyze', 'help']),
        lockFreeSchemas: new Set(['information_schema', 'performance_schema']),
      },
    },
  },
};
