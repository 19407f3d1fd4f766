import { dialectModule, lazyLexer, loadOnce } from '../dialect';
import { SQLITE_LOCK_WAIT } from './lock-wait';
import { isSpecialSqlitePath } from './special-path';


/** SQLite (better-sqlite3): a file, no users, no server; the guard is the only boundary. */
export const sqlite = dialectModule(
  {
    name: 'sqlite',
    label: 'SQLite',
    env: {
      family: 'SQLITE',
      fields: { filename: ['PATH'] },
      defaults: {},
      // The path falls back to the embedded default instead.
      required: [],
      urlSchemes: ['sqlite', 'file'],
      server: false,
      selectorNames: [],
      urlParams: {},
    },
    knex: { client: 'better-sqlite3', names: ['sqlite', 'sqlite3', 'better-sqlite3'] },
    transactionalDdl: true,
    lockWait: SQLITE_LOCK_WAIT,
    errorCodes: { network: [], auth: [], database: [], tls: [] },
    connectTimeout: () => undefined,
    missingDatabase: (settings) => (require('./missing-file') as typeof import('./missing-file')).missingSqliteFile(settings),
    tables: { list: (db) => (require('./tables') as typeof import('./tables')).listSqliteTables(db), drop: (trx, names) => (require('./tables') as typeof import('./tables')).dropSqliteTables(trx, names) },
    verify: (query, role) => (require('./verify') as typeof import('./verify')).verifySqlite(query, role),
    lexer: lazyLexer(() => (require('./lexer') as typeof import('./lexer')).SqliteLexer),
    statementHeads: loadOnce(() => (require('./statement-heads') as typeof import('./statement-heads')).SQLITE_STATEMENT_HEADS),
    isSpecialPath: isSpecialSqlitePath,
    poolHook: (_connection, next) => (require('./foreign-keys') as typeof import('./foreign-keys')).enforceForeignKeys(next),
  },
  // Loaded with the guard, on first read (lib/lazy.ts explains why).
  {
    guardRules: () => (require('./guard-rules') as typeof import('./guard-rules')).SQLITE_GUARD_RULES,
    rawConnection: () => (require('./raw-connection-methods') as typeof import('./raw-connection-methods')).SQLITE_RAW_METHODS,
    guardText: () => (require('./guard-text') as typeof import('./guard-text')).SQLITE_GUARD_TEXT,
  },
);
