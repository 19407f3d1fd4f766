/**
 * Driver and server error codes, classified once for every caller (startup wait, doctor).
 * pg reports SQLSTATEs, mysql2 reports ER_* names; sockets report errno names.
 */

/** "Nobody answered": retry, or report unreachable. */
export const NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', '57P03']);

/** The server refused the login: the user or password variables are wrong. */
export const AUTH_CODES: ReadonlySet<string> = new Set([
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification (pg_hba: no entry / rejected)
  'ER_ACCESS_DENIED_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
]);

/** The server refused the database: missing, or no CONNECT on it. */
export const DATABASE_CODES: ReadonlySet<string> = new Set([
  '3D000', // invalid_catalog_name: no such database
  '42501', // insufficient_privilege: no CONNECT on the database
  'ER_BAD_DB_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
]);

/** The TLS handshake failed: certificate chain, host name, or a server without TLS. */
export const TLS_CODES: ReadonlySet<string> = new Set([
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
  'HANDSHAKE_NO_SSL_SUPPORT', // mysql2: the server has no TLS
  'HANDSHAKE_SSL_ERROR', // mysql2: the handshake failed (certificate), the TLS error's own code on its message
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Whether `error` (or one it aggregates) is a TLS failure; pg's "no TLS on the server" has no code. */
export function isTlsError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isTlsError);
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && TLS_CODES.has(code)) return true;
  return typeof message === 'string' && /does not support SSL connections/i.test(message);
}
