import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { loadPg } from '../load-driver';
import type { AdminConnection } from '../provision-plan';
import { REDACTED } from '../provision-plan';
import { quoteIdent, quoteLiteral } from './quote';

/**
 * How a password reaches PostgreSQL. We hash it on the client into the SCRAM-SHA-256
 * verifier the server would store anyway (RFC 5802 / 7677, PostgreSQL's
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` format), so the plaintext
 * never appears in the server's statement log, pg_stat_statements or an audit trail.
 * The server accepts a verifier in `PASSWORD '…'` as-is.
 */

/** PostgreSQL's own default (`scram_iterations`). */
const SCRAM_ITERATIONS = 4096;

export interface PasswordClauseOptions {
  /** Fixed salt, for reproducible output in tests; default 16 random bytes like the server. */
  salt?: Buffer;
  iterations?: number;
}

/** `PASSWORD '<verifier>'` for ALTER ROLE, and its redacted twin. */
export function passwordClause(
  password: string,
  options: PasswordClauseOptions = {},
): { sql: string; redacted: string; secret: string; hashed: boolean } {
  // SASLprep could change this password; the server applies its own RFC 4013 tables when it
  // hashes, and ours could differ, so let the server hash it (quoted like quote_literal).
  const hashed = !mayChangeUnderSaslPrep(password);
  const secret = hashed ? scramSha256Verifier(password, options) : password;
  return { sql: `PASSWORD ${quoteLiteral(secret)}`, redacted: `PASSWORD ${REDACTED}`, secret, hashed };
}

export function scramSha256Verifier(password: string, options: PasswordClauseOptions = {}): string {
  const salt = options.salt ?? randomBytes(16);
  const iterations = options.iterations ?? SCRAM_ITERATIONS;
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

// RFC 3454 B.1 (mapped to nothing) and C.1.2 (non-ASCII spaces, mapped to U+0020).
const SASLPREP_MAPPED = /[\u00A0\u00AD\u034F\u1680\u1806\u180B-\u180D\u2000-\u200D\u202F\u205F\u2060\u3000\uFE00-\uFE0F\uFEFF]/u;

/**
 * PostgreSQL hashes pure-ASCII passwords byte for byte; otherwise it hashes the SASLprep
 * form when that is valid and the raw bytes when it is not. When neither the mapping nor
 * NFKC changes the string, both cases hash the raw bytes, which is what we do.
 */
export function mayChangeUnderSaslPrep(password: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7F]*$/.test(password)) return false;
  return SASLPREP_MAPPED.test(password) || password.normalize('NFKC') !== password;
}

/**
 * Does `password` log `user` in? `ok` and `wrong` are certain; `unknown` means the server
 * did not let us find out (pg_hba rejects this host, `trust` auth accepts any password, …).
 * A login that succeeds is confirmed by a second attempt with a wrong password failing.
 */
export async function checkLogin(
  admin: AdminConnection,
  database: string,
  user: string,
  password: string,
  connectTimeoutMillis: number,
): Promise<'ok' | 'wrong' | 'unknown'> {
  const login = { host: admin.host, port: admin.port, database, user, ssl: admin.ssl as never, connectionTimeoutMillis: connectTimeoutMillis };
  const first = await tryLogin(login, password);
  if (first !== 'ok') return first;
  const control = await tryLogin(login, `${password}\u0001not-the-password`);
  return control === 'wrong' ? 'ok' : 'unknown';
}

/** One login attempt with `password`; `login` holds pg's other client settings. */
async function tryLogin(login: { host: string; port: number; database: string; user: string; ssl: never; connectionTimeoutMillis: number }, password: string): Promise<'ok' | 'wrong' | 'unknown'> {
  const client = new (loadPg().Client)({ ...login, password });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return 'ok';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '28P01') return 'wrong'; // invalid_password
    // Authentication happens before the CONNECT privilege check: a refusal there means
    // the password was accepted.
    if (code === '42501') return 'ok';
    return 'unknown';
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The statement that sets a password, plain and redacted, and the secret it carries. */
export function alterPasswordSql(
  user: string,
  password: string,
  options: PasswordClauseOptions = {},
): { sql: string; redactedSql: string; secret: string } {
  const clause = passwordClause(password, options);
  return {
    sql: `ALTER ROLE ${quoteIdent(user)} WITH ${clause.sql}`,
    redactedSql: `ALTER ROLE ${quoteIdent(user)} WITH ${clause.redacted}`,
    secret: clause.secret,
  };
}
