import { loadOnce, type DialectModule } from '../dialect';
import { isSpecialSqlitePath } from './special-path';

// Everything but the env, knex and error-code data loads on first use (lib/lazy.ts explains why).
const guardRules = loadOnce(() => (require('./guard-rules') as typeof import('./guard-rules')).SQLITE_GUARD_RULES);
const Lexer = loadOnce(() => (require('./lexer') as typeof import('./lexer')).SqliteLexer);
const rawMethods = loadOnce(() => (require('./raw-connection-methods') as typeof import('./raw-connection-methods')).SQLITE_RAW_METHODS);
const tables = loadOnce(() => require('./tables') as typeof import('./tables'));
const guardText = loadOnce(() => (require('./guard-text') as typeof import('./guard-text')).SQLITE_GUARD_TEXT);

/** SQLite (better-sqlite3): a file, no users, no server; the guard is the only boundary. */
export const sqlite: DialectModule = {
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
  errorCodes: { network: [], auth: [], database: [], tls: [] },
  connectTimeout: () => undefined,
  missingDatabase: (settings) => (require('./missing-file') as typeof import('./missing-file')).missingSqliteFile(settings),
  tables: { list: (db) => tables().listSqliteTables(db), drop: (trx, names) => tables().dropSqliteTables(trx, names) },
  verify: (query, role) => (require('./verify') as typeof import('./verify')).verifySqlite(query, role),
  lexer: (sql, options) => new (Lexer())(sql, options),
  get guardRules() {
    return guardRules();
  },
  statementHeads: loadOnce(() => (require('./statement-heads') as typeof import('./statement-heads')).SQLITE_STATEMENT_HEADS),
  get rawConnection() {
    return rawMethods();
  },
  get guardText() {
    return guardText();
  },
  isSpecialPath: isSpecialSqlitePath,
  poolHook: (_connection, next) => (require('./foreign-keys') as typeof import('./foreign-keys')).enforceForeignKeys(next),
};
