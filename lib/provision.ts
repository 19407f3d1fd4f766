import { ProvisionError, UsageError } from './errors';
import type { AdminConnection, ProvisionOptions as DialectProvisionOptions, ProvisionPlan, ProvisionReport, ProvisionStep } from './dialects/provision-plan';
import type { Dialect } from './types';
import type { ProvisionModule } from './dialects/dialect';
import { DIALECT_MODULES, dialectModules } from './dialects/registry';

/** The dialects that have users to provision (SQLite has none: the guard is its only boundary). */
export type ProvisionDialect = Exclude<Dialect, 'sqlite'>;

/** `provision()`: create or correct the migrator and app users, as the admin. */
export interface ProvisionOptions extends DialectProvisionOptions {
  dialect: ProvisionDialect;
  plan: ProvisionPlan;
  /** How to reach the server as the administrator. */
  admin: AdminConnection;
  dryRun?: false;
}

/** `provision({ dryRun: true })`: the statements it would run, in order; nothing is sent. */
export interface ProvisionDryRunOptions {
  dialect: ProvisionDialect;
  plan: ProvisionPlan;
  dryRun: true;
}

/** The dialect's provisioning, loaded on first call (lib/dialects/dialect.ts `lazyProvision`). */
function provisioning(dialect: ProvisionDialect): ProvisionModule {
  const found = DIALECT_MODULES[dialect]?.provision;
  if (found) return found;
  throw new ProvisionError('E_PROVISION', `provision() has no users to create on ${JSON.stringify(String(dialect))}.`, {
    remedy: `Use dialect ${dialectModules().filter((module) => module.provision !== undefined).map((module) => `'${module.name}'`).join(' or ')}; a database without users (SQLite) has the runtime guard as its only boundary.`,
  });
}

/**
 * The canonical provisioning of one dialect (the same the CLI, docker-compose and the
 * tests use): idempotent, correcting drift. With `dryRun: true` it resolves to the
 * statements instead (`redactedSql` is safe to print), without connecting.
 *
 *   await provision({ dialect: 'postgres', plan, admin });
 *   const steps = await provision({ dialect: 'mysql', plan, dryRun: true });
 */
export function provision(options: ProvisionDryRunOptions): Promise<ProvisionStep[]>;
export function provision(options: ProvisionOptions): Promise<ProvisionReport>;
export async function provision(options: ProvisionOptions | ProvisionDryRunOptions): Promise<ProvisionStep[] | ProvisionReport> {
  const given = (typeof options === 'object' && options !== null ? options : {}) as Partial<Omit<ProvisionOptions, 'dryRun'>> & { dryRun?: boolean };
  const missing = ['dialect', 'plan', ...(given.dryRun === true ? [] : ['admin'])].filter((key) => given[key as keyof typeof given] === undefined);
  if (missing.length > 0) {
    throw new UsageError('E_USAGE', `provision() needs ${missing.join(', ')}.`, {
      remedy: "Pass { dialect, plan, admin } (admin: how to reach the server as its administrator), or { dialect, plan, dryRun: true } for the statements only; `knex-roles provision` builds them from the env contract.",
    });
  }
  const module = provisioning(options.dialect);
  if (options.dryRun === true) return module.provisionSteps(options.plan);
  const { dialect: _dialect, plan, admin, dryRun: _dryRun, ...rest } = options;
  return module.provision(plan, admin, rest);
}
