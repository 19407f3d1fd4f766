import type { Knex } from 'knex';
import { ConnectionError } from './errors';

/**
 * Every part of knex that is not its public API, in one place. knex exports no name for
 * its dialect classes, its query runner, its file-system migration source, its migrator's
 * config merge or its table creation, and the MySQL client's version setter is private;
 * knex-roles needs each of them (see the users named below). Each is loaded on first use
 * and its shape checked then, so a knex that moved or renamed one fails with
 * E_KNEX_INTERNALS naming it, not with "x is not a function" deep in a query.
 * package.json pins knex to the versions test/unit/knex-internals.test.ts checks.
 */

/** The knex internals used, by name: `module` is the path required, `member` what is read from it. */
export const KNEX_INTERNALS = {
  /** The dialect classes by client name (guard/client.ts, dialects/mysql/preview-client.ts). */
  dialects: { module: 'knex/lib/dialects', member: 'getDialectByNameOrAlias', kind: 'function' },
  /** The query runner class (replicas/routed-runner.ts subclasses it). */
  runner: { module: 'knex/lib/execution/runner', member: '', kind: 'function' },
  /** knex's default migration file extensions (migrate/migration-source.ts). */
  loadExtensions: { module: 'knex/lib/migrations/common/MigrationsLoader', member: 'DEFAULT_LOAD_EXTENSIONS', kind: 'array' },
  /** The file-system migration source (migrate/migration-source.ts). */
  fsMigrations: { module: 'knex/lib/migrations/migrate/sources/fs-migrations', member: 'FsMigrations', kind: 'function' },
  /** Creating knex_migrations and its lock table (migrate/run-migrations.ts). */
  tableCreator: { module: 'knex/lib/migrations/migrate/table-creator', member: 'ensureTable', kind: 'function' },
  /** The migrator's merge of its defaults and settings (migrate/pending-migrations.ts). */
  configMerger: { module: 'knex/lib/migrations/migrate/migrator-configuration-merger', member: 'getMergedConfig', kind: 'function' },
} as const;

export type KnexInternal = keyof typeof KNEX_INTERNALS;

/**
 * The members of knex objects that are not in its typings, read or overridden in place by
 * the files named (each declares the shape it reads). test/unit/knex-internals.test.ts
 * checks every one on the installed knex, so a knex that drops or renames one fails there
 * by name; `_query`, `_stream`, `positionBindings`, `acquireRawConnection` and the
 * Runner's methods are checked with the dialect and runner classes above.
 */
export const KNEX_PRIVATE_MEMBERS = {
  /** The client's pool settings builder, overridden to run the user's afterCreate on a guarded view (guard/client.ts, guard/guard.ts). */
  getPoolSettings: 'Client.prototype.getPoolSettings(poolConfig) → { create, destroy, … }',
  /** Closes a raw connection the guard refused or a detector opened (guard/client.ts, dialects/postgres/pooler.ts). */
  destroyRawConnection: 'Client.prototype.destroyRawConnection(connection)',
  /** The connection options the client connects with, from `config.connection` (guard/client.ts, env/knex-connection.ts, env/held-passwords.ts, replicas/verify-replicas.ts). */
  connectionSettings: 'client.connectionSettings',
  /** tarn's pool: the create function guard() replaces, and the counts it reads before guarding (guard/guard.ts, guard/pool-gate.ts). */
  pool: 'client.pool.creator, numUsed(), numPendingAcquires(), numPendingCreates()',
  /** The connection a builder was given with `.connection(c)` (replicas/routed-runner.ts). */
  builderConnection: 'builder._connection',
  /** The id knex reads from a connection for its debug log (dialects/mysql/preview-client.ts gives its fake one). */
  connectionUid: 'connection.__knexUid',
} as const;

/** The private method of knex's MySQL client that sets the server version (what checkVersion does on connect). */
export const APPLY_PARSED_VERSION = '_applyParsedVersion';

const loaded = new Map<KnexInternal, unknown>();

/** One internal, loaded and checked; E_KNEX_INTERNALS when knex no longer has it in that shape. */
export function knexInternal(name: KnexInternal): unknown {
  if (loaded.has(name)) return loaded.get(name);
  const { module, member, kind } = KNEX_INTERNALS[name];
  const where = member === '' ? module : `${module} › ${member}`;
  let value: unknown;
  try {
    const exported = require(module) as Record<string, unknown>;
    value = member === '' ? exported : exported[member];
  } catch (cause) {
    throw changed(where, 'cannot be loaded', cause);
  }
  const ok = kind === 'array' ? Array.isArray(value) : typeof value === kind;
  if (!ok) throw changed(where, `is not a${kind === 'array' ? 'n array' : ' function'} (found ${value === null ? 'null' : typeof value})`);
  loaded.set(name, value);
  return value;
}

function changed(where: string, what: string, cause?: unknown): ConnectionError {
  return new ConnectionError('E_KNEX_INTERNALS', `knex's internal ${where} ${what}: this knex (${knexVersion()}) is not one knex-roles supports.`, {
    remedy: `Install the knex version range knex-roles declares in its package.json dependencies (npm ls knex shows which one is used).`,
    ...(cause === undefined ? {} : { cause }),
  });
}

function knexVersion(): string {
  try {
    return `knex ${(require('knex/package.json') as { version: string }).version}`;
  } catch {
    return 'knex of unknown version';
  }
}

/** A knex client class by client name or alias (`pg`, `mysql2`, `better-sqlite3` …). */
export function knexDialectClass<T>(client: string): T {
  return (knexInternal('dialects') as (name: string) => T)(client);
}

/** knex's Runner class (lib/execution/runner.js). */
export function knexRunnerClass<T>(): T {
  return knexInternal('runner') as T;
}

/** knex's default `migrations.loadExtensions`. */
export function knexDefaultLoadExtensions(): readonly string[] {
  return knexInternal('loadExtensions') as readonly string[];
}

type Source = Knex.MigrationSource<unknown>;

/** knex's file-system migration source for these directories. */
export function knexFsMigrations(directories: string[], sortDirsSeparately: boolean, loadExtensions?: readonly string[]): Source {
  const FsMigrations = knexInternal('fsMigrations') as new (directories: string[], sortDirsSeparately: boolean, loadExtensions?: readonly string[]) => Source;
  return new FsMigrations(directories, sortDirsSeparately, loadExtensions);
}

/** Creates knex's migrations table and lock table (and the lock row) when missing, inside `trx`. */
export function knexEnsureTable(tableName: string, schemaName: string | undefined, trx: Knex.Transaction): Promise<unknown> {
  return (knexInternal('tableCreator') as (t: string, s: string | undefined, trx: Knex.Transaction) => Promise<unknown>)(tableName, schemaName, trx);
}

type MigratorConfig = NonNullable<Knex.Config['migrations']>;

/** The migrator's settings merged over its defaults, as knex's migrator does it. */
export function knexMergedMigratorConfig(config: MigratorConfig): { migrationSource: Source; loadExtensions: readonly string[] } {
  return (knexInternal('configMerger') as (c: MigratorConfig) => { migrationSource: Source; loadExtensions: readonly string[] })(config);
}

/** Sets a MySQL client's server version as knex's own version check would (`_applyParsedVersion`). */
export function knexApplyServerVersion(client: object, version: string): void {
  const apply = (client as Record<string, unknown>)[APPLY_PARSED_VERSION];
  if (typeof apply !== 'function') throw changed(`MySQL client method ${APPLY_PARSED_VERSION}`, 'is missing');
  (apply as (v: string, o: { source: string }) => void).call(client, version, { source: 'server' });
}
