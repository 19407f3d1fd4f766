import type { GuardGrammar } from '../../guard/guard-rules';
import { POSTGRES_SELECT_INTO } from './select-into';

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
  doubleQuotedCallNames: false,
  content: {
    attributeCalls: true,
    uescapeNames: true,
    setConfig: true,
    copyFromWrites: true,
    lockStatement: true,
    useStatement: false,
    systemVariables: false,
    rowLocks: { lockInShareMode: false },
  },
};
