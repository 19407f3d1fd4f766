import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

type Done = (err: Error | null, conn: unknown) => void;
export type AfterCreate = (conn: unknown, done: Done) => void;

/**
 * mysql2 checks the certificate's host name only for a host *name*: for an IP address it
 * passes no servername, and Node then checks against "localhost", so a certificate for
 * localhost would be accepted for any IP. With verify-full (`verifyIdentity`) and an IP
 * host, this pool hook checks the peer certificate against the real host after the
 * handshake and fails the connection (ERR_TLS_CERT_ALTNAME_INVALID) when it does not match.
 */
export function checkHostAfterCreate(host: string, user: AfterCreate | undefined): AfterCreate | undefined {
  if (isIP(host) === 0) return user;
  return (conn, done) => {
    const stream = (conn as { stream?: { getPeerCertificate?: () => PeerCertificate } }).stream;
    const certificate = stream?.getPeerCertificate?.();
    const error = certificate ? checkServerIdentity(host, certificate) : new Error('The MySQL connection has no TLS peer certificate to check.');
    if (error) {
      done(Object.assign(error, { code: (error as { code?: string }).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID' }), conn);
      return;
    }
    if (user) user(conn, done);
    else done(null, conn);
  };
}
