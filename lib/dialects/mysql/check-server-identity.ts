import type { PeerCertificate } from 'node:tls';
import type { AfterCreate } from '../dialect';

/**
 * verify-full on MySQL: mysql2's `verifyIdentity` skips the host-name check when the host
 * is an IP address (it sends no servername), so `DB_SSL=verify-full` against 127.0.0.1
 * would accept any certificate of the CA. This pool hook checks the certificate of every
 * new connection against the host, IP or name, as libpq's verify-full does, and fails the
 * connection (ERR_TLS_CERT_ALTNAME_INVALID) when it does not match.
 */
export function checkMysqlServerIdentity(host: string, next: AfterCreate | undefined): AfterCreate {
  return (conn, done) => {
    // node:tls loads with the first connection that needs it, not with knex-roles (lib/lazy.ts).
    const { checkServerIdentity } = require('node:tls') as typeof import('node:tls');
    const stream = (conn as { stream?: { getPeerCertificate?: (detailed: boolean) => PeerCertificate } }).stream;
    const certificate = stream?.getPeerCertificate?.(true);
    const error = certificate && Object.keys(certificate).length > 0 ? checkServerIdentity(host, certificate) : Object.assign(new Error('The connection did not negotiate TLS.'), { code: 'HANDSHAKE_NO_SSL_SUPPORT' });
    if (error) {
      done(error, conn);
      return;
    }
    if (next) next(conn, done);
    else done(null, conn);
  };
}
