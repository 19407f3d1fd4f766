import type { Knex } from 'knex';
import { withConnectTimeout, withDeadline } from './connection/connect-timeout';
import { KNEX_ROLES_OPTIONS, knexFor, type KnexRolesOptions } from './knexfile';
import { checkedOptions, type OptionSpec } from './checked-options';
import { loadEnv } from './env/load-env';
import { assertMigrated } from './migrate/pending-migrations';
import { resolveConnection } from './env/resolve-connection';
import { checkSecrets } from './checks/secrets-in-env';
import { verifyPrivileges, type PrivilegeReport } from './checks/verify-privileges';
import { DEFAULT_WAIT, waitForDatabase, type WaitOptions } from './connection/wait-for-database';
import type { ReplicaReport } from './replicas/check-replica';
import { dialectModule } from './dialects/registry';

const START_OPTIONS: OptionSpec = { ...KNEX_ROLES_OPTIONS, attempts: 'number', delayMs: 'number', timeoutMs: 'number', verify: 'boolean', strict: 'boolean', requireMigrated: 'boolean', report: 'boolean' };

export interface StartOptions extends KnexRolesOptions, WaitOptions {
  /** Check the user's privileges against its role from the server's catalogs. Default true. */
  verify?: boolean;
  /** Secrets of other roles in this process's environment are an error, not a warning (also KNEX_ROLES_STRICT=1). */
  strict?: boolean;
  /**
   * Fail with E_NOT_MIGRATED (naming the pending migrations) unless every migration in
   * `knex.migrations` (directory, tableName …) is applied. Reads only. Default false.
   */
  requireMigrated?: boolean;
  /** Resolve to `{ knex, privileges, replicas }` (the checks' reports) instead of the instance alone. Default false. */
  report?: boolean;
}

export interface Started {
  knex: Knex;
  /** The privilege report, when verified. */
  privileges?: PrivilegeReport;
  /** Read replicas (`PG_READ_URL` …), when verified: one report each (user, read-only verdict, problems). */
  replicas?: Array<Omit<ReplicaReport, 'cause'>>;
}

/**
 * The startup call: resolve the env contract, warn (or, strict, fail) when this process
 * holds another role's secrets, wait for the database with a bounded retry, verify the
 * user's privileges (and each read replica's: see verifyReplicas), and hand back the instance (guarded for runtime). Fails fast with
 * EnvContractError, UnreachableError, LoginRefusedError or PrivilegeError; the instance
 * is destroyed first. Each connection attempt is bounded by `timeoutMs` (also the driver's
 * connect timeout), so the wait takes at most attempts × timeoutMs + the backoff delays.
 *
 *   const db = await startKnex();   // at boot, before serving traffic
 */
export function startKnex(options: StartOptions & { report: true }): Promise<Started>;
export function startKnex(options?: StartOptions & { report?: false }): Promise<Knex>;
export function startKnex(options?: StartOptions): Promise<Knex | Started>;
export async function startKnex(options: StartOptions = {}): Promise<Knex | Started> {
  checkedOptions('startKnex()', options, START_OPTIONS);
  const started = await start(options);
  return options.report === true ? started : started.knex;
}

async function start(options: StartOptions): Promise<Started> {
  const env = options.env ?? loadEnv(options.cwd);
  const resolved = resolveConnection({ ...options, env });
  checkSecrets(env, resolved.role, { strict: options.strict ?? false });
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT.timeoutMs;
  // The primary is waited for and verified without read routing (its checks are reads); replicas come after.
  const { replicas: readReplicas, ...primary } = withConnectTimeout(resolved, timeoutMs);
  const instance = knexFor(primary, options);
  try {
    await waitForDatabase(instance, resolved, { ...options, timeoutMs });
    const privileges =
      options.verify === false
        ? undefined
        : await verifyPrivileges(instance, {
            assert: true,
            role: resolved.role,
            dialect: resolved.dialect,
            schema: resolved.schema,
            appTemporaryTables: resolved.appTemporaryTables,
            migrationsTable: options.knex?.migrations?.tableName,
          });
    // The replicas after the primary: a replica that is down is a warning, a wrong one an error.
    if (readReplicas) (require('./replicas/read-routing') as typeof import('./replicas/read-routing')).attachReadReplicas(instance, resolved, options);
    const replicas =
      privileges && readReplicas && dialectModule(resolved.dialect).replicas
        ? await (require('./replicas/verify-replicas') as typeof import('./replicas/verify-replicas')).verifyReplicas(instance, {
            role: 'runtime',
            dialect: resolved.dialect,
            schema: resolved.schema,
            appTemporaryTables: resolved.appTemporaryTables,
            migrationsTable: options.knex?.migrations?.tableName,
            timeoutMs,
          })
        : undefined;
    // The instance's own migration settings: the knexfile's, with the schema the env contract adds.
    if (options.requireMigrated) await assertMigrated(instance, (instance.client.config as Knex.Config).migrations);
    return { knex: instance, ...(privileges ? { privileges } : {}), ...(replicas ? { replicas } : {}) };
  } catch (err) {
    // A destroy stuck on a half-open socket must not hide the error or hang the startup.
    await withDeadline(instance.destroy(), timeoutMs + 1000).catch(() => undefined);
    throw err;
  }
}
