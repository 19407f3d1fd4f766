import { dialectModules } from '../dialects/registry';
import type { DriverErrorCodes } from '../dialects/dialect';

/**
 * Driver and server error codes, classified once for every caller (startup wait, doctor,
 * replica checks): each dialect module lists its driver's codes (pg SQLSTATEs, mysql2
 * ER_* names); socket errno names and Node's TLS codes are common to all.
 */
function union(common: readonly string[], kind: keyof DriverErrorCodes): ReadonlySet<string> {
  return new Set([...common, ...dialectModules().flatMap((module) => module.errorCodes[kind])]);
}

/** "Nobody answered": retry, or report unreachable. */
export const NETWORK_CODES: ReadonlySet<string> = union(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'], 'network');

/** The server refused the login: the user or password variables are wrong. */
export const AUTH_CODES: ReadonlySet<string> = union([], 'auth');

/** The server refused the database: missing, or no CONNECT on it. */
export const DATABASE_CODES: ReadonlySet<string> = union([], 'database');

/** The TLS handshake failed: certificate chain, host name, or a server without TLS. */
const TLS_CODES: ReadonlySet<string> = union(
  [
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'CERT_UNTRUSTED',
    'CERT_REJECTED',
    'CERT_SIGNATURE_FAILURE',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_WRONG_VERSION_NUMBER',
  ],
  'tls',
);

/** Whether `error` (or one it aggregates) is a TLS failure; pg's "no TLS on the server" has no code. */
export function isTlsError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isTlsError);
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && TLS_CODES.has(code)) return true;
  return typeof message === 'string' && /does not support SSL connections/i.test(message);
}

/** The server refused the login or the database (a wrong user, password or database name). */
export function isLoginRefused(error: unknown): boolean {
  const code = ((error ?? {}) as { code?: unknown }).code;
  return (typeof code === 'string' && (AUTH_CODES.has(code) || DATABASE_CODES.has(code))) || (error instanceof AggregateError && error.errors.some(isLoginRefused));
}

/** Nobody answered (yet): a network error or a timeout. The one transient-error test. */
export function isTransient(error: unknown): boolean {
  const { code, name, message } = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  if (error instanceof AggregateError) return error.errors.some(isTransient);
  if (typeof code === 'string') return NETWORK_CODES.has(code);
  // knex reports pool acquisition timeouts as KnexTimeoutError without a code; pg's own
  // connect timeout and a dropped socket carry none either.
  return name === 'KnexTimeoutError' || (typeof message === 'string' && /timeout expired|connection timeout|Connection terminated unexpectedly/i.test(message));
}
