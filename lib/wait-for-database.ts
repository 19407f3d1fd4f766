import type { Knex } from 'knex';
import { UnreachableError } from './errors';
import type { ResolvedConnection } from './env/resolve-connection';

export interface WaitOptions {
  /** Connection attempts before giving up. Default 5. */
  attempts?: number;
  /** Delay before the second attempt, doubled after each failure. Default 200 ms. */
  delayMs?: number;
}

// Errors that mean "nobody answered" rather than "somebody said no": only these are retried.
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'PROTOCOL_CONNECTION_LOST', '57P03']);

/**
 * Pings the database with a bounded, backing-off retry. A server that is not up yet is
 * retried; one that refuses the login fails at once. The error names host and port,
 * never the password.
 */
export async function waitForDatabase(knex: Knex, resolved: ResolvedConnection, options: WaitOptions = {}): Promise<void> {
  const attempts = Math.max(1, options.attempts ?? 5);
  let delay = options.delayMs ?? 200;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await knex.raw('select 1');
      return;
    } catch (err) {
      last = err;
      if (!isTransient(err)) break;
      if (attempt < attempts) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
      }
    }
  }
  if ('filename' in resolved.connection) throw last;
  const { host, port } = resolved.connection;
  if (!isTransient(last)) throw last;
  throw new UnreachableError({ host, port, attempts, cause: last });
}

function isTransient(err: unknown): boolean {
  const { code, name } = (err ?? {}) as { code?: unknown; name?: unknown };
  // knex reports pool acquisition timeouts as KnexTimeoutError without a code.
  return (typeof code === 'string' && TRANSIENT.has(code)) || name === 'KnexTimeoutError' || (err instanceof AggregateError && err.errors.some(isTransient));
}
