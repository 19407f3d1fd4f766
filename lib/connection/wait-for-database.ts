import type { Knex } from 'knex';
import { isLoginRefused, isTlsError, isTransient } from './driver-codes';
import { withDeadline } from './connect-timeout';
import { LoginRefusedError, TlsError, UnreachableError } from '../errors';
import { FAMILY, FIELDS } from '../env/contract';
import type { ResolvedConnection } from '../env/resolve-connection';

export interface WaitOptions {
  /** Connection attempts before giving up. Default 5. */
  attempts?: number;
  /** Delay before the second attempt, doubled after each failure. Default 200 ms. */
  delayMs?: number;
  /**
   * Bound on each attempt: a ping with no answer within it counts as a failed attempt.
   * Default 5000 ms. `startKnex` also sets it as the driver's connect timeout (pg
   * `connectionTimeoutMillis`, mysql2 `connectTimeout`).
   */
  timeoutMs?: number;
}

export const DEFAULT_WAIT = { attempts: 5, delayMs: 200, timeoutMs: 5000 } as const;

/**
 * Pings the database with a bounded, backing-off retry. A server that is not up yet (or
 * does not answer within `timeoutMs`) is retried; one that refuses the login fails at once
 * with `LoginRefusedError`. The whole wait is bounded by
 * `attempts × timeoutMs + delayMs × (2^(attempts−1) − 1)` (defaults: 5 × 5 s + 3 s ≈ 28 s),
 * after which it throws `UnreachableError`. Errors name host and port, never the password.
 */
export async function waitForDatabase(knex: Knex, resolved: ResolvedConnection, options: WaitOptions = {}): Promise<void> {
  const attempts = Math.max(1, options.attempts ?? DEFAULT_WAIT.attempts);
  const timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_WAIT.timeoutMs);
  let delay = options.delayMs ?? DEFAULT_WAIT.delayMs;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await withDeadline(knex.raw('select 1'), timeoutMs);
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
  const { connection, sources } = resolved;
  if ('filename' in connection) throw last;
  const { host, port, user, database } = connection;
  // The variables the fields came from (a URL gives several fields: named once); none for defaults and options.
  const variablesOf = (...fields: string[]): string[] => [...new Set(fields.map((field) => sources[field]).filter((source): source is string => source !== undefined && source !== 'default' && source !== 'option'))];
  if (isLoginRefused(last)) {
    const variables = variablesOf('user', 'password', 'database');
    const what = variables.length === 0 ? 'the user, password and database name variables' : variables.length === 1 ? `${variables[0]} (its user, password and database)` : variables.join(', ');
    const remedy = `Check ${what} for the ${resolved.role} role; if the user or database does not exist yet, provision them (ELOQUENT_DB_ROLE=migration npx knex-roles provision).`;
    throw LoginRefusedError.of({ host, port, user, database, cause: last, remedy, variables });
  }
  if (isTlsError(last)) throw tlsError(resolved, last);
  if (!isTransient(last)) throw last;
  throw UnreachableError.of({ host, port, attempts, cause: last, variables: variablesOf('host', 'port') });
}

/** The TLS variables a connection's settings came from, most specific first (for TlsError and the doctor). */
function tlsVariables(resolved: ResolvedConnection): string[] {
  return [resolved.sources['sslmode'], resolved.sources['sslca']].filter((name): name is string => name !== undefined);
}

/** TlsError for a failed handshake, naming the TLS variables and what to change. */
export function tlsError(resolved: ResolvedConnection, cause: unknown): TlsError {
  const { connection } = resolved;
  const host = 'host' in connection ? connection.host : '';
  const port = 'port' in connection ? connection.port : 0;
  const variables = tlsVariables(resolved);
  const family = FAMILY[resolved.dialect];
  const sslmode = `${family}_${FIELDS[resolved.dialect].sslmode?.[0] ?? 'SSLMODE'}`;
  const noTls = /does not support SSL|HANDSHAKE_NO_SSL_SUPPORT/.test(`${(cause as { code?: unknown })?.code ?? ''} ${(cause as { message?: unknown })?.message ?? ''}`);
  const remedy = noTls
    ? `The server has no TLS: enable it on the server, or set ${variables[0] ?? sslmode} to disable.`
    : `Point ${resolved.sources['sslca'] ?? `${family}_SSL_CA`} at the CA that signed the server's certificate, and connect by a host name the certificate names (verify-full checks it); ${resolved.sources['sslmode'] ?? sslmode}=require encrypts without verifying.`;
  return TlsError.of({ host, port, variables, cause, remedy });
}
