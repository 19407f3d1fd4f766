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
