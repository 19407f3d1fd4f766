import { holdPassword, passwordOf } from '../env/hide-password';
import type { ResolvedConnection, ServerConnection } from '../env/resolve-connection';
import { dialectModule } from '../dialects/registry';

/**
 * A copy of the resolved connection with the driver's own connect timeout set: pg
 * `connectionTimeoutMillis`, mysql2 `connectTimeout`. knex's acquire timeout does not
 * stop a hanging connect (pg has none of its own), so a server that never answers would
 * otherwise hold a connection attempt for a minute. SQLite connections are returned as is.
 */
export function withConnectTimeout(resolved: ResolvedConnection, timeoutMs: number): ResolvedConnection {
  const { connection } = resolved;
  const timeout = dialectModule(resolved.dialect).connectTimeout(timeoutMs);
  if (!('user' in connection) || timeout === undefined) return resolved;
  // The spread drops the held password; holdPassword puts it back, held the same way.
  const copy = holdPassword(resolved.dialect, { ...connection, ...timeout }, passwordOf(connection)) as ServerConnection;
  return { ...resolved, connection: copy };
}

/** `promise`, or a rejection with code `ETIMEDOUT` after `ms`; the timer never outlives the race. */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`No answer within ${ms} ms.`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
