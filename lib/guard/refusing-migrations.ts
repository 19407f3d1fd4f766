import type { Knex } from 'knex';
import { RuntimeDdlError } from '../errors';
import type { Dialect } from '../types';

type MigratorConfig = NonNullable<Knex.Config['migrations']>;

/**
 * Migration settings for a runtime instance: `knex.migrate.latest/up/down/rollback/list`
 * ask the migration source for its list before they touch the database, and this one
 * throws synchronously there, so the call rejects before any query is built. The
 * file-system options are dropped because knex would replace the source with its own
 * when they are present; `migrate.make` (no database involved) keeps working.
 */
export function refusingMigrations(dialect: Dialect, base: MigratorConfig | undefined): MigratorConfig {
  const { directory: _directory, loadExtensions: _loadExtensions, sortDirsSeparately: _sort, migrationSource: _source, ...rest } = base ?? {};
  return {
    ...rest,
    migrationSource: {
      getMigrations: () => {
        throw migrateRefused(dialect);
      },
      getMigrationName: (migration: unknown) => String(migration),
      getMigration: () => {
        throw migrateRefused(dialect);
      },
    },
  };
}

export function migrateRefused(dialect: Dialect): RuntimeDdlError {
  return new RuntimeDdlError(
    { kind: 'migration', keyword: 'MIGRATE', role: 'runtime', dialect, statement: 'knex.migrate' },
    'E_RUNTIME_MIGRATE',
    'Refused to run migrations on a runtime connection.',
  );
}

/**
 * Replaces `instance.migrate` with a migrator whose every command refuses at once, so
 * the calls that never consult the migration source (`forceFreeMigrationsLock`,
 * `currentVersion`, `status`) are refused too; `make` (a file, no database) still works.
 */
export function refuseMigrate<T extends Knex>(instance: T, dialect: Dialect): T {
  const original = Object.getOwnPropertyDescriptor(instance, 'migrate');
  if (!original?.get) return instance;
  const getter = original.get;
  Object.defineProperty(instance, 'migrate', {
    configurable: true,
    get(this: T) {
      const migrator = getter.call(this) as Record<string | symbol, unknown>;
      return new Proxy(migrator, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          // Only the Migrator's methods (own properties such as `knex` are data, even when callable).
          const method = typeof value === 'function' && typeof property === 'string' && !Object.prototype.hasOwnProperty.call(target, property);
          if (!method || property === 'make' || property.startsWith('_')) return value;
          return () => Promise.reject(migrateRefused(dialect));
        },
      });
    },
  });
  return instance;
}
