import type { Knex } from 'knex';
import type { KnexRolesOptions } from '../knexfile';
import type { Dialect, Role } from '../types';

export const MIGRATE_COMMANDS = ['latest', 'rollback', 'up', 'down', 'status', 'list', 'fresh', 'reset'] as const;
export type MigrateCommand = (typeof MIGRATE_COMMANDS)[number];

export type Direction = 'up' | 'down';

/** What `fresh` drops besides tables, where the database has it (lib/dialects/dialect.ts TableDropper). */
export type SchemaObjectKind = 'table' | 'view' | 'materialized view' | 'sequence' | 'type' | 'domain';

export interface MigrateOptions extends Pick<KnexRolesOptions, 'env' | 'cwd' | 'test' | 'production' | 'dialect' | 'schema'> {
  /** Overrides ELOQUENT_DB_ROLE (tests). Anything but `migration` is refused. */
  role?: Role;
  /** Knex settings: `migrations` (directory, tableName, schemaName, migrationSource …), pool, log … */
  knex?: KnexRolesOptions['knex'];
  /**
   * PostgreSQL / SQLite: run in one transaction and roll it back. MySQL / MariaDB: record
   * the SQL the migrations would send and execute nothing (a PREVIEW).
   */
  dryRun?: boolean;
  /** rollback: every batch, not only the last one. */
  all?: boolean;
  /** up / down: that migration (file name, with or without its extension). */
  name?: string;
  /** fresh / reset with NODE_ENV=production: both `force` and `yes` are required. */
  force?: boolean;
  yes?: boolean;
  onProgress?: (event: MigrateEvent) => void;
  /** How long to wait for another run's migration lock before E_MIGRATION_LOCKED. Default 10 000. */
  lockTimeoutMs?: number;
}

/** One statement a PREVIEW recorded instead of sending. */
export interface PreviewStatement {
  sql: string;
  bindings: readonly unknown[];
}

export type MigrateEvent =
  | { type: 'migrating'; name: string; direction: Direction; dryRun: boolean }
  | { type: 'migrated'; name: string; ms: number }
  | { type: 'rolled-back'; name: string; ms: number }
  /** Ran inside the dry-run transaction without error (it is rolled back with the rest). */
  | { type: 'dry-run'; name: string; direction: Direction; ms: number }
  | { type: 'preview'; name: string; direction: Direction; label: string; sql: PreviewStatement[] }
  /** fresh: a table, view, sequence or type was dropped (or, in a dry run / preview, would be). */
  | { type: 'dropped'; name: string; kind: SchemaObjectKind }
  /** Waiting for the migration lock held by another run; emitted once per wait. */
  | { type: 'waiting'; name: string; reason: string }
  | { type: 'error'; name: string; message: string }
  /** knex's own warnings (e.g. "migration X did not return a promise"). */
  | { type: 'warning'; name: string; message: string };

export interface CompletedMigration {
  name: string;
  batch: number;
}

/** What every migrate result holds, whatever its mode. */
export interface MigrateResultBase {
  command: MigrateCommand;
  dialect: Dialect;
  /** Migrations applied, in order (dry run: that ran without error before the rollback; preview: previewed). */
  applied: string[];
  /** Migrations rolled back, in order (same conventions as `applied`). */
  rolledBack: string[];
  /** fresh: the tables, views, sequences and types dropped (or that would be), tables first. */
  dropped: string[];
  /** status / list: migrations recorded in the migrations table, in run order (empty in the other modes). */
  completed: CompletedMigration[];
  /** status / list: migrations not yet run, in order (empty in the other modes). */
  pending: string[];
  /** status / list: recorded as run but missing from the migration source (empty in the other modes). */
  missing: string[];
}

/** A real run (latest, rollback, up, down, fresh, reset): executed. Real failures throw, so `ok` is true. */
export interface MigrateRunResult extends MigrateResultBase {
  mode: 'run';
  ok: true;
  /** The batch number recorded (up-direction runs that applied something). */
  batch?: number;
}

/** `dryRun` on PostgreSQL / SQLite: executed in one transaction, then rolled back. */
export interface MigrateDryRunResult extends MigrateResultBase {
  mode: 'dry-run';
  /** False when a migration failed or cannot run in a transaction. */
  ok: boolean;
  /** The migration that failed, and why. */
  failed?: { name: string; message: string };
  /** The migration that cannot run in a transaction (config.transaction = false); the dry run stopped there. */
  notTransactional?: string;
}

/** `dryRun` on MySQL / MariaDB: the SQL recorded, nothing that changes anything sent. */
export interface MigratePreviewResult extends MigrateResultBase {
  mode: 'preview';
  /** False when a migration failed to preview. */
  ok: boolean;
  /** The migration that failed, and why. */
  failed?: { name: string; message: string };
  /** The label every previewed block carries (PREVIEW, NOT EXECUTED …). */
  label: string;
  /** The SQL per migration, in order. */
  preview: Array<{ name: string; direction: Direction; sql: PreviewStatement[] }>;
}

/** status / list: read only. */
export interface MigrateReadResult extends MigrateResultBase {
  mode: 'read';
  ok: true;
}

/** What `runMigrations` returns, keyed on `mode`. */
export type MigrateResult = MigrateRunResult | MigrateDryRunResult | MigratePreviewResult | MigrateReadResult;

/** What the command implementations share. */
export interface MigrateContext {
  command: MigrateCommand;
  dialect: Dialect;
  options: MigrateOptions;
  /** The migration-role instance (its migrationSource is the progress-reporting one). */
  knex: Knex;
  /** The user's migration source (or knex's file-system source), unwrapped. */
  source: Knex.MigrationSource<unknown>;
  tableName: string;
  schemaName: string | undefined;
  loadExtensions: readonly string[];
  disableTransactions: boolean;
  validateList: boolean;
  lockTimeoutMs: number;
  emit: (event: MigrateEvent) => void;
  secrets: readonly string[];
}
