import type { DialectModule } from '../dialect';
import { enforceForeignKeys } from './foreign-keys';
import { SQLITE_GUARD_RULES } from './guard-rules';
import { SqliteLexer } from './lexer';
import { SQLITE_RAW_METHODS } from './raw-connection-methods';
import { isSpecialSqlitePath } from './special-path';
import { dropSqliteTables, listSqliteTables } from './tables';
import { verifySqlite } from './verify';

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
  tables: { list: (db) => listSqliteTables(db), drop: (trx, tables) => dropSqliteTables(trx, tables) },
  verify: (query, role) => verifySqlite(query, role),
  lexer: (sql, options) => new SqliteLexer(sql, options),
  guardRules: SQLITE_GUARD_RULES,
  rawConnection: SQLITE_RAW_METHODS,
  isSpecialPath: isSpecialSqlitePath,
  poolHook: (_connection, next) => enforceForeignKeys(next),
};
