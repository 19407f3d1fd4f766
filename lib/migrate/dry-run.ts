import type { Knex } from 'knex';
import { redact } from '../redact';
import { dropEverything } from './drop-all-tables';
import { errorMessage } from '../errors';
import { planFor, readState, stepFunction, usesTransaction, type Plan, type PlannedStep } from './migration-source';
import type { MigrateContext, MigrateDryRunResult, MigratePreviewResult, MigrateResultBase } from './types';

/** What a run, dry run or preview found, before it becomes a MigrateResult of its mode. */
export type Outcome = Pick<MigrateResultBase, 'applied' | 'rolledBack' | 'dropped'> &
  Partial<Pick<MigrateDryRunResult, 'failed' | 'notTransactional'> & Pick<MigratePreviewResult, 'preview' | 'label'>>;

/** What a preview found: its statements, and the label that says they did not run. */
export type PreviewOutcome = Outcome & Pick<MigratePreviewResult, 'preview' | 'label'>;

type Hook = (db: Knex | Knex.Transaction, migrations: unknown[]) => unknown;
interface Hooks {
  beforeAll?: Hook;
  afterAll?: Hook;
  beforeEach?: Hook;
  afterEach?: Hook;
}

class DryRunRollback extends Error {}

/**
 * PostgreSQL / SQLite dry run: reads the state, drops (fresh) and runs every planned
 * migration inside ONE transaction, then rolls it back. The migrations table is read,
 * never created or written, so a database that had none still has none afterwards.
 * Stops at the first failure, or at a migration that opts out of transactions (it could
 * not be rolled back).
 */
export async function transactionalDryRun(ctx: MigrateContext): Promise<Outcome> {
  const outcome: Outcome = { applied: [], rolledBack: [], dropped: [] };
  try {
    await ctx.knex.transaction(async (trx) => {
      const state = await readState(ctx, trx);
      const plan = planFor(ctx, state);
      if (plan.dropAll) {
        outcome.dropped = await dropEverything(ctx, trx);
      }
      await runSteps(ctx, trx, plan, outcome);
      throw new DryRunRollback('dry run: roll back');
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return outcome;
}

async function runSteps(ctx: MigrateContext, trx: Knex.Transaction, plan: Plan, outcome: Outcome): Promise<void> {
  const hooks = (ctx.knex.client.config.migrations ?? {}) as Hooks;
  const specs = plan.steps.map((step) => step.migration);
  if (plan.steps.length > 0) await hooks.beforeAll?.(trx, specs);
  for (const step of plan.steps) {
    const content = await ctx.source.getMigration(step.migration);
    if (!usesTransaction(content, ctx.disableTransactions)) {
      outcome.notTransactional = step.name;
      ctx.emit({ type: 'error', name: step.name, message: 'cannot dry-run: not transactional (config.transaction = false), so it could not be rolled back; the dry run stops here' });
      return;
    }
    const failure = await runStep(ctx, trx, step, content, hooks);
    if (failure !== undefined) {
      outcome.failed = { name: step.name, message: failure };
      return;
    }
    (step.direction === 'up' ? outcome.applied : outcome.rolledBack).push(step.name);
  }
  if (plan.steps.length > 0) await hooks.afterAll?.(trx, specs);
}

/** Runs one step; returns the (scrubbed) error message, or undefined when it succeeded. */
async function runStep(ctx: MigrateContext, trx: Knex.Transaction, step: PlannedStep, content: Knex.Migration, hooks: Hooks): Promise<string | undefined> {
  ctx.emit({ type: 'migrating', name: step.name, direction: step.direction, dryRun: true });
  const started = performance.now();
  try {
    const run = stepFunction(ctx, step, content);
    await hooks.beforeEach?.(trx, [step.migration]);
    await run(trx);
    await hooks.afterEach?.(trx, [step.migration]);
  } catch (error) {
    const message = redact(errorMessage(error), ctx.secrets);
    ctx.emit({ type: 'error', name: step.name, message });
    return message;
  }
  ctx.emit({ type: 'dry-run', name: step.name, direction: step.direction, ms: Math.round(performance.now() - started) });
  return undefined;
}
