import knex, { type Knex } from 'knex';
import { withConnectTimeout } from '../connection/connect-timeout';
import { isKnexRolesError, migrationFailed, MigrationError, type MigrationFailedError, UsageError } from '../errors';
import { loadEnv, type Env } from '../env/load-env';
import { resolveConnection } from '../env/resolve-connection';
import { resolveDialect } from '../env/resolve-dialect';
import { resolveRole } from '../env/resolve-role';
import { migrateRefused } from '../guard/refusing-migrations';
import { configFor } from '../knexfile';
import { knexEnsureTable } from '../knex-internals';
import { secretValues } from '../env/secret-values';
import { DEFAULT_WAIT, waitForDatabase } from '../connection/wait-for-database';
import { dropEverything } from './drop-all-tables';
import { transactionalDryRun, type Outcome, type PreviewOutcome } from './dry-run';
import {
  DEFAULT_LOAD_EXTENSIONS,
  DEFAULT_TABLE_NAME,
  baseSource,
  findByName,
  planFor,
  progressSource,
  readState,
} from './migration-source';
import { assertNotPooled, pooledMigrationError } from './refuse-pooled';
import {
  MIGRATE_COMMANDS,
  type Direction,
  type MigrateCommand,
  type MigrateContext,
  type MigrateDryRunResult,
  type MigrateEvent,
  type MigrateOptions,
  type MigratePreviewResult,
  type MigrateReadResult,
  type MigrateResult,
  type MigrateRunResult,
} from './types';
import { DEFAULT_LOCK_TIMEOUT_MS, Deadline, acquireSessionLock, isLockContention, knexLockHeld, lockedError, type Holder } from './wait-for-lock';
import { isProduction, modeOf } from '../env/mode-of';
import { dialectModule } from '../dialects/registry';

/** Migrations whose up/down started in the current attempt. */
interface Started {
  name: string;
  direction: Direction;
  transactional: boolean;
}

/**
 * The engine behind `knex-roles migrate <command>`: runs knex migrations with the
 * migration role of the env contract, and refuses on any other role.
 *
 * Real runs go through knex's own migrator (batches, knex_migrations rows and the
 * knex_migrations_lock row exactly as `knex migrate:*` does them), with progress
 * reported per migration through `onProgress`. `dryRun` executes inside one rolled-back
 * transaction on PostgreSQL and SQLite and previews the SQL on MySQL / MariaDB.
 * Failures throw KnexRolesError subclasses; a dry run that finds a failing migration
 * returns `ok: false` instead.
 */
export async function runMigrations(command: MigrateCommand, options: MigrateOptions = {}): Promise<MigrateResult> {
  if (!(MIGRATE_COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError('E_USAGE', `Unknown migrate command ${JSON.stringify(String(command))}.`, { remedy: `Use one of ${MIGRATE_COMMANDS.join(', ')}.` });
  }
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? loadEnv(cwd);
  const test = options.test ?? modeOf(env) === 'test';
  // The role first: a runtime process is refused before its (runtime) variables are even checked.
  const role = options.role ?? resolveRole(env);
  if (role !== 'migration') throw migrateRefused(options.dialect ?? resolveDialect(env, role, test ? 'test' : 'live').dialect);
  refuseInProduction(command, options, env);

  const resolved = resolveConnection({ ...options, env, cwd, test, role: 'migration' });
  const migrations = options.knex?.migrations ?? {};
  const { directory: _d, sortDirsSeparately: _s, loadExtensions, migrationSource: _m, ...migratorSettings } = migrations;
  const emit = safeEmitter(options.onProgress);
  // Migrations whose up/down started in the current attempt (emptied before each attempt).
  const started: Started[] = [];
  const source = baseSource(migrations, cwd);
  const settings = {
    disableTransactions: migrations.disableTransactions ?? false,
    loadExtensions: loadExtensions ?? DEFAULT_LOAD_EXTENSIONS,
    secrets: secretValues(env),
  };
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const { lockWait } = dialectModule(resolved.dialect);
  const instance = knex(
    // The driver's connect timeout bounds each attempt, and the final destroy, on a silent server.
    configFor(withConnectTimeout(resolved, DEFAULT_WAIT.timeoutMs), {
      knex: {
        ...options.knex,
        // The session lock holds one connection for the whole run, so knex's migrator needs a second.
        ...(lockWait
          ? { pool: lockWait.pool(options.knex?.pool, lockTimeoutMs) }
          : options.knex?.pool?.max !== undefined && options.knex.pool.max < 2
            ? { pool: { ...options.knex.pool, max: 2 } }
            : {}),
        // Error messages carry the SQL without its values (they could be secrets).
        compileSqlOnError: options.knex?.compileSqlOnError ?? false,
        log: options.knex?.log ?? knexLog(emit),
        migrations: {
          ...migratorSettings,
          migrationSource: progressSource(source, { emit, onStart: (name, direction, transactional) => void started.push({ name, direction, transactional }) }, settings),
        },
      },
    }),
  );
  const ctx: MigrateContext = {
    command,
    dialect: resolved.dialect,
    options,
    knex: instance,
    source,
    tableName: migrations.tableName ?? DEFAULT_TABLE_NAME,
    // The knexfile's schemaName wins, else PG_SCHEMA (configFor gives knex the same).
    schemaName: migrations.schemaName ?? resolved.schema,
    ...settings,
    validateList: !(migrations.disableMigrationsListValidation ?? false),
    lockTimeoutMs,
    emit,
  };

  try {
    // Declared pooled: refused before connecting (reads and dry runs need no session).
    const readsOnly = command === 'status' || command === 'list' || options.dryRun === true;
    const declared = readsOnly ? undefined : pooledMigrationError(resolved);
    if (declared) throw declared;
    await waitForDatabase(instance, resolved);
    if (command === 'status' || command === 'list') return await readOnly(ctx);
    if (options.dryRun) {
      // Where DDL rolls back, a dry run executes for real inside one transaction; where it
      // cannot (MySQL and MariaDB commit DDL implicitly), it only previews the SQL (the dialect's previewRun).
      const { transactionalDdl, previewRun } = dialectModule(ctx.dialect);
      return !transactionalDdl && previewRun ? result(ctx, 'preview', await previewRun(ctx)) : result(ctx, 'dry-run', await transactionalDryRun(ctx));
    }
    // Before the session lock, which a transaction-mode pooler would leave on some server connection.
    await assertNotPooled(instance, resolved);
    return await execute(ctx, started);
  } catch (error) {
    throw isKnexRolesError(error) ? error : migrationFailed(ctx, undefined, error);
  } finally {
    await instance.destroy();
  }
}

async function readOnly(ctx: MigrateContext): Promise<MigrateReadResult> {
  const state = await readState({ ...ctx, validateList: false });
  const known = new Set(state.all.map((m) => m.name));
  const done = new Set(state.completed.map((row) => row.name));
  return {
    ...(result(ctx, 'read', { applied: [], rolledBack: [], dropped: [] }) as MigrateReadResult),
    completed: state.completed.map(({ name, batch }) => ({ name, batch })),
    pending: state.all.filter((m) => !done.has(m.name)).map((m) => m.name),
    missing: state.completed.filter((row) => !known.has(row.name)).map((row) => row.name),
  };
}

/** A real run: knex's migrator under the session lock, retried while another run holds the lock. */
async function execute(ctx: MigrateContext, started: Started[]): Promise<MigrateRunResult> {
  let name: string | undefined;
  if ((ctx.command === 'up' || ctx.command === 'down') && ctx.options.name !== undefined) {
    const state = await readState(ctx);
    planFor(ctx, state); // the same checks as a dry run: unknown name, down of one not run
    name = findByName(ctx, state, ctx.options.name).name;
  }
  const deadline = new Deadline(ctx.lockTimeoutMs);
  const session = await acquireSessionLock(ctx, deadline);
  try {
    const outcome: Outcome = { applied: [], rolledBack: [], dropped: [] };
    if (ctx.command === 'fresh') {
      await whileLocked(ctx, deadline, started, async () => undefined); // never drop under another run
      outcome.dropped = await dropEverything(ctx, ctx.knex);
    }
    await ensureBookkeeping(ctx, deadline);
    const migrate = ctx.knex.migrate;
    const call = (): Promise<[number, string[]]> => {
      switch (ctx.command) {
        case 'latest':
        case 'fresh':
          return migrate.latest();
        case 'up':
          return migrate.up(name === undefined ? undefined : { name });
        case 'down':
          return migrate.down(name === undefined ? undefined : { name });
        case 'rollback':
          return migrate.rollback(undefined, ctx.options.all === true);
        default: // reset
          return migrate.rollback(undefined, true);
      }
    };
    let batch: number;
    let log: string[];
    try {
      [batch, log] = await whileLocked(ctx, deadline, started, call);
    } catch (error) {
      throw isKnexRolesError(error) ? error : await failure(ctx, started, error);
    }
    const up = ctx.command === 'latest' || ctx.command === 'fresh' || ctx.command === 'up';
    if (up) outcome.applied = log;
    else outcome.rolledBack = log;
    return { ...(result(ctx, 'run', outcome) as MigrateRunResult), ...(up && log.length > 0 ? { batch } : {}) };
  } finally {
    await session.release();
  }
}

/**
 * Runs `fn` once knex's lock row is free, retrying while another run holds it and
 * nothing of ours has started, until the deadline; then E_MIGRATION_LOCKED.
 */
async function whileLocked<T>(ctx: MigrateContext, deadline: Deadline, started: Started[], fn: () => Promise<T>): Promise<T> {
  // Under our session lock no live knex-roles run can hold knex's row (PostgreSQL, MySQL).
  const rowHolder: Holder = dialectModule(ctx.dialect).sessionLock ? 'dead' : 'unknown';
  for (;;) {
    let holder: Holder;
    if (await knexLockHeld(ctx)) {
      holder = rowHolder;
    } else {
      started.length = 0;
      try {
        return await fn();
      } catch (error) {
        const contention = isLockContention(error, ctx.dialect);
        // Once a migration has started, a retry could repeat it: report the failure instead.
        if (contention === undefined || started.length > 0) throw error;
        holder = contention === 'busy' ? 'live' : rowHolder;
      }
    }
    if (deadline.expired) throw lockedError(ctx, deadline, holder);
    await deadline.pause(ctx, holder === 'dead' ? 'the migration lock row is set' : 'another migration run holds the lock');
  }
}

/**
 * Creates knex's two tables and its lock row before the run, in one transaction and
 * retried: knex's own first-run creation is not atomic, and two runs racing through it
 * can leave two lock rows, after which knex's lock can never be taken again.
 */
async function ensureBookkeeping(ctx: MigrateContext, deadline: Deadline): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      // The app may read knex's tables, never write them (lib/dialects/<d>/bookkeeping.ts).
      const { bookkeeping } = dialectModule(ctx.dialect);
      await ctx.knex.transaction(async (trx) => {
        await knexEnsureTable(ctx.tableName, ctx.schemaName, trx);
        await bookkeeping?.inCreation?.(trx, ctx.tableName, ctx.schemaName);
      });
      await bookkeeping?.afterCreation?.(ctx.knex, ctx.tableName);
      return;
    } catch (error) {
      if (attempt >= 5 || deadline.expired) throw error;
      await deadline.pause(ctx, 'another run is creating the migrations tables');
    }
  }
}

/** The failure of a real run, saying what of it the database kept. */
async function failure(ctx: MigrateContext, started: readonly Started[], error: unknown): Promise<MigrationFailedError> {
  const failed = started[started.length - 1];
  if (!failed) return migrationFailed(ctx, undefined, error);
  let recorded: Set<string> | undefined;
  try {
    recorded = new Set((await readState({ ...ctx, validateList: false })).completed.map((row) => row.name));
  } catch {
    // Could not read back; the message then says less.
  }
  const kept = recorded
    ? started.filter((step) => step !== failed && (step.direction === 'up' ? recorded.has(step.name) : !recorded.has(step.name))).map((step) => step.name)
    : [];
  const table = ctx.tableName;
  const record = failed.direction === 'up' ? `recorded in ${table}` : `removed from ${table}`;
  let remedy: string;
  const { ddlCommitNote } = dialectModule(ctx.dialect);
  if (ddlCommitNote !== undefined || !failed.transactional) {
    const why = ddlCommitNote ?? 'it opts out of transactions (config.transaction = false)';
    remedy =
      `${why}, so what ${failed.name} did before the failure is still in the database, and it is not ${record}. ` +
      `Undo those leftovers by hand or make the migration idempotent (hasTable / hasColumn checks, IF EXISTS), fix it, then run again.`;
  } else {
    remedy = `Nothing of ${failed.name} remains: it ran in a transaction that was rolled back. Fix it and run again.`;
  }
  if (started.length > 1 && recorded) remedy += kept.length > 0 ? ` Kept from this run: ${kept.join(', ')}.` : ' Nothing else of this run was kept.';
  return migrationFailed(ctx, failed.name, error, { remedy, migration: failed.name, direction: failed.direction, kept });
}

/** The result of `mode`: the fields every mode has, then the outcome's own. */
function result(ctx: MigrateContext, mode: 'run' | 'read', outcome: Outcome): MigrateRunResult | MigrateReadResult;
function result(ctx: MigrateContext, mode: 'dry-run', outcome: Outcome): MigrateDryRunResult;
function result(ctx: MigrateContext, mode: 'preview', outcome: PreviewOutcome): MigratePreviewResult;
function result(ctx: MigrateContext, mode: MigrateResult['mode'], outcome: Outcome): MigrateResult {
  const base = { command: ctx.command, dialect: ctx.dialect, completed: [], pending: [], missing: [] };
  switch (mode) {
    case 'run':
    case 'read':
      return { ...base, mode, ok: true, ...outcome };
    case 'dry-run':
      return { ...base, mode, ok: outcome.failed === undefined && outcome.notTransactional === undefined, ...outcome };
    case 'preview':
      return { ...base, mode, ok: outcome.failed === undefined, label: '', preview: [], ...outcome };
  }
}

/** A progress printer must never fail a migration: its errors are dropped. */
function safeEmitter(onProgress: MigrateOptions['onProgress']): (event: MigrateEvent) => void {
  return (event) => {
    try {
      onProgress?.(event);
    } catch {
      // ignored on purpose
    }
  };
}

// knex's lock and failure warnings: runMigrations reports those itself (with a remedy
// that names migrate:unlock only when the holder is known to be dead).
const OWN_WARNINGS = /^(Can't take lock to run migrations|If you are sure migrations are not running|migration failed with error|migration file ".*" failed)/;

function knexLog(emit: (event: MigrateEvent) => void): Knex.Logger {
  return {
    warn(message: unknown) {
      const text = String(message);
      if (!OWN_WARNINGS.test(text)) emit({ type: 'warning', name: '', message: text });
    },
  };
}

const DESTRUCTIVE: Readonly<Partial<Record<MigrateCommand, string>>> = {
  fresh: 'drops every table',
  reset: 'rolls back every migration',
};

/** fresh / reset in production need both --force and --yes (as eloquent-orm.js asks). */
function refuseInProduction(command: MigrateCommand, options: MigrateOptions, env: Env): void {
  const what = DESTRUCTIVE[command];
  if (!what) return;
  const production = options.production ?? isProduction(env);
  if (!production || (options.force === true && options.yes === true)) return;
  const missing = [options.force === true ? undefined : '--force', options.yes === true ? undefined : '--yes'].filter(Boolean).join(' and ');
  throw new MigrationError('E_MIGRATE_REFUSED', `Refused migrate ${command} (it ${what}) with NODE_ENV=production: ${missing} not given.`, {
    remedy: `If you really mean to do this to the production database, take a backup and pass --force --yes (both; options force: true, yes: true).`,
  });
}
