import type { GuardGrammar } from '../../guard/guard-rules';

/**
 * SQLite's answers to the questions the guard's shared statement families ask: no session
 * setting changes how text reads, no SELECT … INTO, no row locks.
 */
export const SQLITE_GUARD_GRAMMAR: GuardGrammar = {
  alternatives: { backslashModes: [] },
  insertModifiers: [],
  conflictClause: true,
  sessionDdl: new Set(),
  analyzeRunsStatement: false,
  setItemLists: false,
  // `main.sqlite_master`: the qualifier names an attached database, each with its own catalog.
  qualifiedCatalogTables: true,
  stringNames: true,
  doubleQuotedCallNames: false,
  plain: { quote: '`', dollarParams: false },
  content: {
    attributeCalls: false,
    uescapeNames: false,
    targetStatements: new Set(),
  },
};
