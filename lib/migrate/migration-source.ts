import { extname, isAbsolute, resolve } from 'node:path';
import type { Knex } from 'knex';
import { errorMessage, MigrationFailedError, migrationFailed, UsageError } from '../errors';
import { knexDefaultLoadExtensions, knexFsMigrations } from '../knex-internals';
import { redact } from '../redact';
import type { CompletedMigration, Direction, MigrateContext, MigrateEvent } from './types';

type Source = Knex.MigrationSource<unknown>;
type MigratorConfig = NonNullable<Knex.Config['migrations']>;

export const DEFAULT_TABLE_NAME = 'knex_migrations';

/** knex's default migration file extensions. */
export const DEFAULT_LOAD_EXTENSIONS: readonly string[] = knexDefaultLoadExtensions();

/**
 * The migration source knex would use for `config`, with relative directories resolved
 * against `cwd` (knex resolves them against process.cwd()). Same precedence as knex's
 * getMergedConfig: any file-system option wins over a custom `migrationSource`.
 */
export function baseSource(config: MigratorConfig, cwd: string): Source {
  const fsOptions = config.directory !== undefined || config.sortDirsSeparately !== undefined || config.loadExtensions !== undefined;
  if (config.migrationSource && !fsOptions) return config.migrationSource;
  const directories = [config.directory ?? './migrations'].flat().map((dir) => (isAbsolute(dir) ? dir : resolve(cwd, dir)));
  return knexFsMigrations(directories, config.sortDirsSeparately ?? false, config.loadExtensions);
}

/** knex's own rule (Migrator#_useTransaction): a migration's `config.transaction` wins over disableTransactions. */
export function usesTransaction(migration: unknown, disableTransactions: boolean): boolean {
  const own = (migration as { config?: { transaction?: unknown } } | undefined)?.config?.transaction;
  return typeof own === 'boolean' ? own : !disableTransactions;
}

export interface ProgressHooks {
  emit: (event: MigrateEvent) => void;
  /** Called when a migration's up/down starts: from then on a retry could repeat work. */
  onStart: (name: string, direction: Direction, transactional: boolean) => void;
}

/**
 * Wraps `source` so that each migration's up/down reports its progress. knex still
 * drives the run (batches, knex_migrations rows, the knex_migrations_lock row), so its
 * locking and bookkeeping stay exactly as they are.
 */
export function progressSource(
  source: Source,
  hooks: ProgressHooks,
  options: { disableTransactions: boolean; loadExtensions: readonly string[]; secrets: readonly string[] },
): Source {
  const { disableTransactions, loadExtensions, secrets } = options;
  return {
    // knex passes its default extension list here because loadExtensions is not in the
    // config it sees (a file-system option would make knex replace this source).
    getMigrations: () => source.getMigrations(loadExtensions),
    getMigrationName: (migration) => source.getMigrationName(migration),
    async getMigration(migration) {
      const content = await source.getMigration(migration);
      const name = source.getMigrationName(migration);
      const transactional = usesTransaction(content, disableTransactions);
      const wrap = (direction: Direction) => {
        const run = content[direction];
        if (typeof run !== 'function') return undefined; // knex reports the invalid migration itself
        return async (knex: Knex) => {
          hooks.onStart(name, direction, transactional);
          hooks.emit({ type: 'migrating', name, direction, dryRun: false });
          const started = performance.now();
          try {
            await run.call(content, knex);
          } catch (error) {
            hooks.emit({ type: 'error', name, message: redact(errorMessage(error), secrets) });
            throw error;
          }
          const ms = Math.round(performance.now() - started);
          hooks.emit(direction === 'up' ? { type: 'migrated', name, ms } : { type: 'rolled-back', name, ms });
        };
      };
      return { ...content, up: wrap('up'), down: wrap('down') } as Knex.Migration;
    },
  };
}

export interface MigrationState {
  /** Every migration of the source, in order, with its name. */
  all: Array<{ name: string; migration: unknown }>;
  /** Rows of the migrations table in run order ([] when the table does not exist yet). */
  completed: Array<CompletedMigration & { id: number }>;
}

/**
 * Reads the migration list and the completed rows without creating anything: unlike
 * knex's listCompleted, a missing migrations table means "nothing run yet".
 */
export async function readState(ctx: MigrateContext, db: Knex | Knex.Transaction = ctx.knex): Promise<MigrationState> {
  const migrations = await ctx.source.getMigrations(ctx.loadExtensions);
  const all = migrations.map((migration) => ({ name: ctx.source.getMigrationName(migration), migration }));
  const schema = ctx.schemaName ? db.schema.withSchema(ctx.schemaName) : db.schema;
  let completed: MigrationState['completed'] = [];
  if (await schema.hasTable(ctx.tableName)) {
    const table = ctx.schemaName ? db(ctx.tableName).withSchema(ctx.schemaName) : db(ctx.tableName);
    const rows = (await table.select('id', 'name', 'batch').orderBy('id')) as Array<{ id: number | string; name: string; batch: number | string }>;
    completed = rows.map((row) => ({ id: Number(row.id), name: row.name, batch: Number(row.batch) }));
  }
  if (ctx.validateList) {
    const known = new Set(all.map((m) => m.name));
    const missing = completed.filter((row) => !known.has(row.name)).map((row) => row.name);
    if (missing.length > 0) {
      throw migrationFailed(ctx, undefined, new Error(`The migration directory is corrupt, the following files are missing: ${missing.join(', ')}`), {
        remedy: `${ctx.tableName} records these as run: restore the files, or set migrations.disableMigrationsListValidation if they were removed on purpose.`,
      });
    }
  }
  return { all, completed };
}

export interface PlannedStep {
  name: string;
  direction: Direction;
  migration: unknown;
}

/**
 * The up or down function `step` runs. A migration without it fails as knex's own
 * validation words it, with the fix as its remedy (dry runs and previews report it per step).
 */
export function stepFunction(ctx: Pick<MigrateContext, 'dialect'>, step: PlannedStep, content: Knex.Migration): (knex: Knex | Knex.Transaction) => unknown {
  const run = content[step.direction];
  if (typeof run === 'function') return run.bind(content);
  throw new MigrationFailedError('E_MIGRATION_FAILED', `Invalid migration: ${step.name} must have both an up and down function`, {
    remedy: 'Export both an up and a down function from the migration file.',
    dialect: ctx.dialect,
    migration: step.name,
    direction: step.direction,
  });
}

export interface Plan {
  /** fresh: drop every table first. */
  dropAll: boolean;
  steps: PlannedStep[];
}

/** What `command` would run from `state`, in the order knex runs it (Migrator#latest/up/rollback/down). */
export function planFor(ctx: MigrateContext, state: MigrationState): Plan {
  const done = new Set(state.completed.map((row) => row.name));
  const pending = state.all.filter((m) => !done.has(m.name));
  const completedInOrder = state.all.filter((m) => done.has(m.name));
  const up = (list: MigrationState['all']): PlannedStep[] => list.map((m) => ({ ...m, direction: 'up' }));
  const down = (list: MigrationState['all']): PlannedStep[] => list.map((m) => ({ ...m, direction: 'down' }));
  const { name, all } = ctx.options;
  switch (ctx.command) {
    case 'latest':
      return { dropAll: false, steps: up(pending) };
    case 'up': {
      if (name === undefined) return { dropAll: false, steps: up(pending.slice(0, 1)) };
      const found = findByName(ctx, state, name);
      return { dropAll: false, steps: done.has(found.name) ? [] : up([found]) };
    }
    case 'rollback': {
      if (all) return { dropAll: false, steps: down([...completedInOrder].reverse()) };
      const last = Math.max(0, ...state.completed.map((row) => row.batch));
      const batch = state.completed.filter((row) => row.batch === last).sort((a, b) => b.id - a.id);
      return { dropAll: false, steps: down(batch.flatMap((row) => state.all.filter((m) => m.name === row.name))) };
    }
    case 'down': {
      if (name === undefined) return { dropAll: false, steps: down(completedInOrder.slice(-1)) };
      const found = findByName(ctx, state, name);
      if (!done.has(found.name)) throw usage(`Migration ${JSON.stringify(found.name)} was not run, so it cannot be rolled back.`, 'Pick one of the completed migrations (knex-roles migrate list).');
      return { dropAll: false, steps: down([found]) };
    }
    case 'reset':
      return { dropAll: false, steps: down([...completedInOrder].reverse()) };
    case 'fresh':
      return { dropAll: true, steps: up(state.all) };
    case 'status':
    case 'list':
      return { dropAll: false, steps: [] };
  }
}

/** The migration called `name`, exactly or without its extension (`--name 20240101_users`). */
export function findByName(ctx: MigrateContext, state: MigrationState, name: string): MigrationState['all'][number] {
  const found = state.all.find((m) => m.name === name) ?? state.all.find((m) => stripExtension(m.name) === name);
  if (found) return found;
  throw usage(`No migration named ${JSON.stringify(name)} in the migration source.`, `Use a file name from \`knex-roles migrate list\` (${state.all.length} known), with or without its extension.`);
}

function stripExtension(name: string): string {
  return name.slice(0, name.length - extname(name).length);
}

function usage(message: string, remedy: string): UsageError {
  return new UsageError('E_USAGE', message, { remedy });
}
