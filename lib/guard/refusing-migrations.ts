import type { Knex } from 'knex';
import { MigrationError, RUNTIME_DDL_REMEDY, RuntimeDdlError } from '../errors';
import type { Dialect } from '../types';

type MigratorConfig = NonNullable<Knex.Config['migrations']>;

/**
 * Migration settings for a runtime instance: the knexfile's own, unchanged, so
 * `directory`, `loadExtensions`, `tableName` and `schemaName` reach knex (`migrate:make`
 * writes where `migrate:latest` reads, `migrate:status` lists the right files). What
 * keeps a runtime connection from migrating is the guard: it refuses every write to
 * knex's bookkeeping tables (bookkeeping-writes.ts), which each changing command makes
 * before any migration runs, and `refuseMigrate` refuses them up front on our instances.
 */
export function refusingMigrations(_dialect: Dialect, base: MigratorConfig | undefined): MigratorConfig {
  return { ...base };
}

export function migrateRefused(dialect: Dialect): RuntimeDdlError {
  // The fix is in the message too: knex's CLI wraps this message in its own lock error
  // ("Can't take lock to run migrations: …") and shows neither code nor remedy.
  return new RuntimeDdlError('E_RUNTIME_MIGRATE', 'Refused to run migrations on a runtime connection. Run them with ELOQUENT_DB_ROLE=migration (knex migrate:unlock is refused too).', {
    remedy: RUNTIME_DDL_REMEDY,
    kind: 'migration',
    keyword: 'MIGRATE',
    role: 'runtime',
    dialect,
    statement: 'knex.migrate',
  });
}

/** The knex.migrate commands that only read (the migrations table and the files). */
const READ_ONLY_MIGRATE = ['list', 'status', 'currentVersion'] as const;

/**
 * Replaces `instance.migrate` with a migrator whose changing commands (latest, up, down,
 * rollback, forceFreeMigrationsLock …) refuse at once, before anything is sent. The
 * read-only ones work on the runtime role once the migrations table exists; where it
 * does not they fail with E_NOT_MIGRATED instead of trying to create it. `make` (a file,
 * no database) works.
 */
export function refuseMigrate<T extends Knex>(instance: T, dialect: Dialect): T {
  const original = Object.getOwnPropertyDescriptor(instance, 'migrate');
  if (!original?.get) return instance;
  const getter = original.get;
  Object.defineProperty(instance, 'migrate', {
    configurable: true,
    get(this: T) {
      const migrator = getter.call(this) as Record<string | symbol, unknown> & { config?: { tableName?: string; schemaName?: string } };
      return new Proxy(migrator, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          // Only the Migrator's methods (own properties such as `knex` are data, even when callable).
          const method = typeof value === 'function' && typeof property === 'string' && !Object.prototype.hasOwnProperty.call(target, property);
          if (!method || property === 'make' || property.startsWith('_')) return value;
          if ((READ_ONLY_MIGRATE as readonly string[]).includes(property)) {
            return async (...args: unknown[]) => {
              const config = (args[0] ?? {}) as { tableName?: string; schemaName?: string };
              const tableName = config.tableName ?? target.config?.tableName ?? 'knex_migrations';
              const schemaName = config.schemaName ?? target.config?.schemaName ?? undefined;
              const schema = schemaName ? instance.schema.withSchema(schemaName) : instance.schema;
              if (!(await schema.hasTable(tableName))) throw notMigrated(tableName, [], 'no migration has run yet');
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          }
          return () => Promise.reject(migrateRefused(dialect));
        },
      });
    },
  });
  return instance;
}

/** The database is behind its migrations (or has none): named, with the command that fixes it. */
export function notMigrated(tableName: string, pending: readonly string[], why?: string): MigrationError & { pending: readonly string[] } {
  const what = why ?? `${pending.length} migration${pending.length === 1 ? ' is' : 's are'} pending: ${pending.join(', ')}`;
  return new MigrationError('E_NOT_MIGRATED', `The database is not migrated (${tableName}): ${what}.`, {
    remedy: 'Run the migrations with the migration role first: ELOQUENT_DB_ROLE=migration npx knex-roles migrate latest.',
    pending,
  }) as MigrationError & { pending: readonly string[] };
}

/** A runtime connection would create its database (a SQLite file): nothing has migrated it yet. */
export function databaseMissing(name: string): MigrationError & { pending: readonly string[] } {
  return new MigrationError('E_NOT_MIGRATED', `The database ${JSON.stringify(name)} does not exist, and a runtime connection does not create it: no migration has run yet.`, {
    remedy: 'Run the migrations with the migration role first: ELOQUENT_DB_ROLE=migration npx knex-roles migrate latest (or ELOQUENT_DB_ROLE=migration npx knex migrate:latest).',
    pending: [],
  }) as MigrationError & { pending: readonly string[] };
}
