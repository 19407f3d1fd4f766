import { accessSync, chmodSync, chownSync, constants, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { scramSha256Verifier } from '../../lib/dialects/postgres/password';
import { quoteIdent, quoteLiteral } from '../../lib/dialects/postgres/quote';
import { freePort } from './free-port';
import type { TestCerts } from './tls-certs';
import { findExecutable, logTail, startServer, waitUntilReady, type ServerProcess } from './server-process';

export interface PostgresServer {
  host: string;
  port: number;
  /** A SUPERUSER with a password, for TCP (scram-sha-256) logins. */
  admin: { user: string; password: string };
  /** Unix socket directory; `postgres` logs in there without a password (trust). */
  socketDir: string;
  /** Server log; `log_statement = all`, so tests can prove what never reaches it. */
  logFile: string;
  /** The major version the server reports (server_version_num / 10000). */
  major: number;
  process: ServerProcess;
}

export const MISSING_BINARIES =
  'PostgreSQL/MariaDB server binaries not found: apt-get install postgresql mariadb-server (bash .ci/run does it)';

/** Debian's /usr/lib/postgresql/<major>/bin (newest first), else initdb on PATH. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  let majors: string[] = [];
  try {
    majors = readdirSync(base).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  } catch {
    // not Debian-style
  }
  const initdb = findExecutable(majors.map((m) => join(base, m, 'bin', 'initdb')), ['initdb']);
  if (!initdb) throw new Error(MISSING_BINARIES);
  return join(initdb, '..');
}

/** uid/gid of an OS account, from /etc/passwd. */
export function osAccount(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

/**
 * The `postgres` account must reach binaries we did not install for it (an npm package
 * under a root-owned node_modules): every directory above them searchable by others.
 */
function assertReachableByOthers(bin: string): void {
  for (const name of ['initdb', 'postgres']) {
    const file = join(bin, name);
    try {
      accessSync(file, constants.X_OK);
    } catch {
      throw new Error(`No PostgreSQL ${name} in ${bin}.`);
    }
    if ((statSync(file).mode & 0o005) !== 0o005) throw new Error(`${file} is not readable and executable by other users, so the postgres OS account cannot run it (chmod o+rx).`);
  }
  for (let at = resolve(bin); ; at = dirname(at)) {
    if ((statSync(at).mode & 0o001) === 0) throw new Error(`The postgres OS account cannot reach ${bin}: ${at} is not searchable by other users (chmod o+x ${at}, or clone the project somewhere world-readable).`);
    if (dirname(at) === at) return;
  }
}

export interface StartPostgresOptions {
  /** A directory with initdb and postgres (e.g. an npm-shipped build); default Debian's newest. */
  binDir?: string;
}

/**
 * initdb + postgres in `dir` (which, when we are root, is handed to the `postgres` OS
 * account: PostgreSQL refuses to run as root). Listens on 127.0.0.1 only, with
 * scram-sha-256 on TCP and durability off for speed.
 */
export async function startPostgres(
  dir: string,
  admin: { user: string; password: string },
  certs?: TestCerts,
  options: StartPostgresOptions = {},
): Promise<PostgresServer> {
  const bin = options.binDir ?? postgresBinDir();
  let owner: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    owner = osAccount('postgres');
    if (!owner) throw new Error(`PostgreSQL refuses to run as root and there is no "postgres" OS account. ${MISSING_BINARIES}`);
    assertReachableByOthers(bin);
  }
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  const logFile = join(dir, 'server.log');
  mkdirSync(socketDir, { recursive: true });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(socketDir, owner.uid, owner.gid);
  }
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  // TLS on, optional for clients (pg_hba `host` takes both): the key must be the server's own, mode 0600.
  const tls: string[] = [];
  if (certs) {
    const key = join(dir, 'server.key');
    const cert = join(dir, 'server.pem');
    copyFileSync(certs.key, key);
    copyFileSync(certs.cert, cert);
    chmodSync(key, 0o600);
    if (owner) {
      chownSync(key, owner.uid, owner.gid);
      chownSync(cert, owner.uid, owner.gid);
    }
    tls.push('-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`);
  }
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };

  // No --no-instructions: PostgreSQL 13's initdb lacks it.
  const initdb = startServer(
    'initdb',
    join(bin, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-sync'],
    join(dir, 'initdb.log'),
    { ...asOwner, env },
  );
  await initdb.exited();
  if (initdb.child.exitCode !== 0) {
    throw new Error(`PostgreSQL initdb failed (status ${String(initdb.child.exitCode ?? initdb.child.signalCode)}). Last lines of ${initdb.logFile}:\n${logTail(initdb.logFile)}`);
  }

  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const server = startServer(
      'PostgreSQL',
      join(bin, 'postgres'),
      [
        '-D', dataDir,
        '-p', String(port),
        '-k', socketDir,
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'shared_buffers=32MB',
        '-c', 'max_connections=200',
        '-c', 'log_statement=all',
        '-c', 'password_encryption=scram-sha-256',
        ...tls,
      ],
      logFile,
      { ...asOwner, env },
    );
    try {
      const connect = async (): Promise<Client> => {
        const client = new Client({ host: socketDir, port, user: 'postgres', database: 'postgres' });
        client.on('error', () => undefined);
        try {
          await client.connect();
        } catch (error) {
          await client.end().catch(() => undefined);
          throw error;
        }
        return client;
      };
      await waitUntilReady(server, async () => void (await (await connect()).end()), 30_000);
      const client = await connect();
      let major = 0;
      try {
        // The admin's password reaches the server as a SCRAM verifier, like provisioning does.
        await client.query(`CREATE ROLE ${quoteIdent(admin.user)} WITH LOGIN SUPERUSER PASSWORD ${quoteLiteral(scramSha256Verifier(admin.password))}`);
        const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
        major = Math.floor(Number(rows[0]?.v) / 10000);
      } finally {
        await client.end().catch(() => undefined);
      }
      return { host: '127.0.0.1', port, admin, socketDir, logFile, major, process: server };
    } catch (error) {
      await server.stop('SIGQUIT');
      if (attempt < 3 && /could not bind|Address already in use/i.test(logTail(logFile, 10))) continue;
      throw error;
    }
  }
}
