import type { GuardRules } from '../../guard/guard-rules';
import { SQLITE_KEYWORDS } from './keywords';
import { SQLITE_GUARD_GRAMMAR } from './guard-grammar';
import { SQLITE_FILE_PRAGMAS, SQLITE_GUARDED_PRAGMAS, SQLITE_READ_PRAGMAS, SQLITE_SESSION_PRAGMAS } from './pragmas';

/**
 * The schema tables, raw pages, the AUTOINCREMENT counters (a huge value makes every insert
 * fail with SQLITE_FULL; a lower one reuses ids) and the planner statistics (rows there steer
 * every plan). knex's SQLite truncate() deletes its table's sqlite_sequence row: DELETE of
 * sqlite_sequence stays allowed, like the truncate it belongs to.
 */
const CATALOG_TABLES = new Set(['sqlite_master', 'sqlite_schema', 'sqlite_temp_master', 'sqlite_temp_schema', 'sqlite_dbpage', 'sqlite_sequence', 'sqlite_stat1', 'sqlite_stat2', 'sqlite_stat3', 'sqlite_stat4']);

/**
 * SQLite: extension loading, the shell's file functions, and table-valued pragma
 * functions (`pragma_<name>(…)`) other than the read-only catalog pragmas:
 * `SELECT * FROM pragma_optimize` runs ANALYZE and creates tables.
 */
export const SQLITE_GUARD_RULES: GuardRules = {
  functions: new Map([
    ['load_extension', 'loads native code into the process'],
    ['readfile', 'reads a file'],
    ['writefile', 'writes a file'],
    ['edit', 'runs an editor'],
    ['fsdir', 'lists files'],
    ['fts3_tokenizer', 'registers native code pointers'],
  ]),
  functionPrefixes: [['pragma_', 'table-valued pragma that is not a catalog read']],
  bareNamePrefixes: ['pragma_'],
  catalogSchemas: new Set(),
  isCatalogTable: (name) => CATALOG_TABLES.has(name),
  catalogAnywhereInWrites: false,
  deletableCatalogTables: new Set(['sqlite_sequence']),
  // better-sqlite3's knex client reads only `safeIntegers`, sqlite3's none.
  connectionOptions: [],
  textOptions: [],
  refusedSettings: new Map(),
  refusedSettingPrefixes: [],
  // `pragma_table_info` and the other catalog reads stay allowed.
  allowsFunction: (name) => name.startsWith('pragma_') && SQLITE_READ_PRAGMAS.has(name.slice('pragma_'.length)),
  // The pragmas that read their value when given none (`select * from pragma_user_version`,
  // `pragma_journal_mode`): their table-valued form has no `arg` column, so it cannot set them.
  readsWithoutArgument: (name) => {
    if (!name.startsWith('pragma_')) return false;
    const pragma = name.slice('pragma_'.length);
    return SQLITE_FILE_PRAGMAS.has(pragma) || SQLITE_GUARDED_PRAGMAS.has(pragma) || SQLITE_SESSION_PRAGMAS.has(pragma);
  },
  lexingSettings: new Map(),
  keywords: SQLITE_KEYWORDS,
  prefilterWords: ['sqlite_'],
  grammar: SQLITE_GUARD_GRAMMAR,
};
