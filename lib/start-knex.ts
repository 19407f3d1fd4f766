import type { Knex } from 'knex';
import { withConnectTimeout, withDeadline } from './connect-timeout';
import { knexFor, type KnexRolesOptions } from './knexfile';
import { loadEnv } from './env/load-env';
import { resolveConnection } from './env/resolve-connection';
import { checkSecrets } from './secrets-in-env';
import { assertPrivileges, type PrivilegeReport } from './verify-privileges';
import { DEFAULT_WAIT, waitForDatabase, type WaitOptions } from './wait-for-database';

export interface StartOptions extends KnexRolesOptions, WaitOptions {
  /** Check the user's privileges against its role from the server's catalogs. Default true. */
  verify?: boolean;
  /** Secrets of other roles in this process's environment are an error, not a warning (also KNEX_ROLES_STRICT=1). */
  strict?: boolean;
}

export interface Started {
  knex: Knex;
  /** The privilege report, when verified. */
  privileges?: PrivilegeReport;
}

/**
 * The startup call: resolve the env contract, warn (or, strict, fail) when this process
 * holds another role's secrets, wait for the database with a bounded retry, verify the
 * user's privileges, and hand back the instance (guarded for runtime). Fails fast with
 * EnvContractError, UnreachableError, LoginRefusedError or PrivilegeError; the instance
 * is destroyed first. Each connection attempt is bounded by `timeoutMs` (also the driver's
 * connect timeout), so the wait takes at most attempts × timeoutMs + the backoff delays.
 *
 *   const db = await startKnex();   // at boot, before serving traffic
 */
export async function startKnex(options: StartOptions = {}): Promise<Knex> {
  return (await startKnexWithReport(options)).knex;
}

export async function startKnexWithReport(options: StartOptions = {}): Promise<Started> {
  const env = options.env ?? loadEnv(options.cwd);
  const resolved = resolveConnection({ ...options, env });
  checkSecrets(env, resolved.role, { strict: options.strict ?? false });
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT.timeoutMs;
  const instance = knexFor(withConnectTimeout(resolved, timeoutMs), options);
  try {
    await waitForDatabase(instance, resolved, { ...options, timeoutMs });
    if (options.verify === false) return { knex: instance };
    const privileges = await assertPrivileges(instance, {
      role: resolved.role,
      dialect: resolved.dialect,
      schema: resolved.schema,
      appTemporaryTables: resolved.appTemporaryTables,
      migrationsTable: options.knex?.migrations?.tableName,
    });
    return { knex: instance, privileges };
  } catch (err) {
    // A destroy stuck on a half-open socket must not hide the error or hang the startup.
    await withDeadline(instance.destroy(), timeoutMs + 1000).catch(() => undefined);
    throw err;
  }
}
