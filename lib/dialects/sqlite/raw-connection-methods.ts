import type { RawConnectionMethods, SentText } from '../../guard/raw-connection';

const text = ([first]: readonly unknown[]): SentText | undefined => (typeof first === 'string' ? { sql: first } : undefined);

/**
 * better-sqlite3 and sqlite3 `Database` methods that take SQL text as the first argument;
 * better-sqlite3's `pragma(source)` runs `PRAGMA source`, and `loadExtension(path)` (both
 * drivers) does what `select load_extension(path)` does and `backup(path)` what
 * `VACUUM INTO path` does, so each is judged as that SQL.
 */
export const SQLITE_RAW_METHODS: RawConnectionMethods = {
  sends: {
    prepare: text,
    exec: text,
    run: text,
    get: text,
    all: text,
    each: text,
    map: text,
    pragma: ([source]) => (typeof source === 'string' ? { sql: `PRAGMA ${source}` } : undefined),
    loadExtension: () => ({ sql: 'select load_extension(?)' }),
    // `backup(path)` (both drivers) writes a copy of the database to a file, as VACUUM INTO does.
    backup: () => ({ sql: 'vacuum into ?' }),
  },
  // better-sqlite3: user functions, aggregates and table-valued functions (this connection's, not stored), transaction
  // wrappers (BEGIN / COMMIT of their own), integer mode, a copy of the database in memory; node-sqlite3: configure,
  // serialize / parallelize, wait, interrupt.
  passes: ['function', 'aggregate', 'table', 'transaction', 'defaultSafeIntegers', 'serialize', 'configure', 'parallelize', 'wait', 'interrupt'],
  // better-sqlite3 unsafeMode(false) keeps SQLite's defensive mode on (red team 48); unsafeMode() / (true) turns it off, refused.
  sessionMethods: ['unsafeMode'],
  sessionArguments: (args) =>
    args.length === 1 && args[0] === false
      ? undefined
      : { why: "unsafeMode() turns SQLite's defensive mode off (writes to sqlite_master, statements run while others iterate)", remedy: 'Leave unsafe mode off (unsafeMode(false) is allowed); do schema work in a migration.', keyword: 'UNSAFE MODE' },
  // better-sqlite3's backup() returns a promise; node-sqlite3 reports to its callback.
  returnsPromise: (_args, method) => method === 'backup',
  // A statement (its text judged when prepared) runs and reads its columns; a transaction function runs in its modes.
  objectPasses: (_held, method) => STATEMENT_METHODS.has(method),
};

const STATEMENT_METHODS = new Set([
  // better-sqlite3 Statement
  'run', 'get', 'all', 'iterate', 'pluck', 'expand', 'raw', 'columns', 'bind', 'safeIntegers',
  // node-sqlite3 Statement
  'reset', 'finalize', 'each', 'map',
  // better-sqlite3 transaction functions
  'default', 'deferred', 'immediate', 'exclusive',
]);
