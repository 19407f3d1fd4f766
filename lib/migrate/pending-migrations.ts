import type { Knex } from 'knex';
import { notMigrated } from '../guard/refusing-migrations';
import { knexMergedMigratorConfig } from '../knex-internals';

type MigratorConfig = NonNullable<Knex.Config['migrations']>;

export interface MigrationStatus {
  /** Applied migrations, oldest first. */
  completed: string[];
  /** Migration files not applied yet, in the order they would run. */
  pending: string[];
}

/**
 * Reads which migrations are applied and which are pending, with any role, without ever
 * creating knex's tables: a database where none exists answers E_NOT_MIGRATED.
 */
export async function migrationStatus(instance: Knex, migrations: MigratorConfig = {}): Promise<MigrationStatus> {
  const tableName = migrations.tableName ?? 'knex_migrations';
  const schema = migrations.schemaName ? instance.schema.withSchema(migrations.schemaName) : instance.schema;
  if (!(await schema.hasTable(tableName))) throw notMigrated(tableName, await migrationFiles(migrations), 'no migration has run yet');
  const [completed, pending] = (await instance.migrate.list(migrations)) as [Array<{ name: string }>, Array<{ file: string; directory?: string }>];
  return { completed: completed.map((m) => m.name), pending: pending.map((m) => m.file) };
}

/** E_NOT_MIGRATED naming the pending migrations, unless there are none. */
export async function assertMigrated(instance: Knex, migrations: MigratorConfig = {}): Promise<MigrationStatus> {
  const status = await migrationStatus(instance, migrations);
  if (status.pending.length > 0) throw notMigrated(migrations.tableName ?? 'knex_migrations', status.pending);
  return status;
}

/** The migration names the configured source lists (knex's own file lookup), in run order. */
async function migrationFiles(migrations: MigratorConfig = {}): Promise<string[]> {
  // knex's merge of defaults and settings (./migrations, .js/.ts …), as the migrator does it.
  const { migrationSource, loadExtensions } = knexMergedMigratorConfig(migrations);
  const all = await migrationSource.getMigrations([...loadExtensions]);
  return all.map((migration) => migrationSource.getMigrationName(migration));
}
