import type { GuardGrammar } from '../../guard/guard-rules';
import { POSTGRES_SELECT_INTO } from './select-into';
import { POSTGRES_SET_CONFIG } from './set-config';

/** PostgreSQL's answers to the questions the guard's shared statement families ask. */
export const POSTGRES_GUARD_GRAMMAR: GuardGrammar = {
  sessionReading: { ansiQuotes: false },
  alternatives: { backslashModes: [{ altBackslash: true, ansiQuotes: false, note: 'if standard_conforming_strings is off' }] },
  selectInto: POSTGRES_SELECT_INTO,
  insertModifiers: [],
  conflictClause: false,
  sessionDdl: new Set(),
  analyzeRunsStatement: false,
  setItemLists: false,
  qualifiedCatalogTables: false,
  stringNames: false,
  identifierMaxBytes: 63,
  doubleQuotedCallNames: false,
  plain: { quote: '"', dollarParams: true },
  content: {
    attributeCalls: true,
    uescapeNames: true,
    setConfig: POSTGRES_SET_CONFIG,
    targetStatements: new Set(['copy', 'lock']),
    rowLocks: { lockInShareMode: false },
  },
};
