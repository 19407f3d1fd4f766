import { loadMysql2 } from '../load-driver';
import type { AdminConnection } from '../provision-plan';
import { REDACTED } from '../provision-plan';
import { quoteString, type StringQuoteOptions } from './quote';

/**
 * How a password reaches MySQL / MariaDB: as an escaped string literal in `IDENTIFIED BY`,
 * hashed by the server. There is no portable pre-hashed form (MySQL 8's
 * caching_sha2_password needs the server's own salt format; `mysql_native_password`
 * hashes are SHA-1 based, disabled by default in MySQL 8.4 and gone in 9), so the
 * plaintext is in the statement: keep `general_log` off while provisioning. It never
 * touches a shell, a file, or our error messages.
 */

/** `IDENTIFIED BY '…'` for CREATE USER / ALTER USER, and its redacted twin. */
export function passwordClause(password: string, options: StringQuoteOptions = {}): { sql: string; redacted: string; secret: string } {
  const literal = quoteString(password, options);
  return { sql: `IDENTIFIED BY ${literal}`, redacted: `IDENTIFIED BY ${REDACTED}`, secret: literal };
}

/**
 * Does `password` log `user` in? `wrong` is MySQL's 1045, which also covers "no account
 * matches your host": with a `%` account that means another account (an anonymous or a
 * more specific host) shadows it. Anything else is `unknown`.
 */
export async function checkLogin(
  admin: AdminConnection,
  user: string,
  password: string,
  connectTimeoutMillis: number,
): Promise<'ok' | 'wrong' | 'unknown'> {
  try {
    const connection = await loadMysql2().createConnection({
      host: admin.host,
      port: admin.port,
      user,
      password,
      ssl: admin.ssl as never,
      connectTimeout: connectTimeoutMillis,
    });
    await connection.end().catch(() => undefined);
    return 'ok';
  } catch (error) {
    return (error as { errno?: unknown }).errno === 1045 ? 'wrong' : 'unknown';
  }
}
