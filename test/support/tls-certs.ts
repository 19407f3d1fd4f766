import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCerts {
  /** The CA that signed the servers' certificate. */
  ca: string;
  /** Another self-signed CA that signed nothing the servers present. */
  wrongCa: string;
  cert: string;
  key: string;
}

/**
 * A self-signed CA and a server certificate it signs, made with openssl. The certificate
 * names only `localhost` (no IP): connecting to 127.0.0.1 with verify-full must then fail
 * the host-name check while verify-ca passes, which proves the check is made.
 */
export function makeTestCerts(dir: string): TestCerts {
  mkdirSync(dir, { recursive: true });
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=knex-roles test CA');
  openssl('req', '-x509', ...ec, '-keyout', file('wrong-ca.key'), '-out', file('wrong-ca.pem'), '-days', '2', '-subj', '/CN=knex-roles wrong CA');
  openssl('req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '2', '-extfile', file('server.ext'));
  return { ca: file('ca.pem'), wrongCa: file('wrong-ca.pem'), cert: file('server.pem'), key: file('server.key') };
}
