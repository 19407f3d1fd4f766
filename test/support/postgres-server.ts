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

/** The OS account PostgreSQL runs as: `postgres` when we are root (it refuses to run as root), else ourselves. */
export function postgresOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const owner = osAccount('postgres');
  if (!owner) throw new Error(`PostgreSQL refuses to run as root and there is no "postgres" OS account. ${MISSING_BINARIES}`);
  return owner;
}

/** A server's directory: data, socket directory and log inside it, handed to the account PostgreSQL runs as. */
export function postgresLayout(dir: string, binDir?: string): { bin: string; owner: { uid: number; gid: number } | undefined; dataDir: string; socketDir: string; logFile: string } {
  const bin = binDir ?? postgresBinDir();
  const owner = postgresOwner();
  if (owner) assertReachableByOthers(bin);
  const socketDir = join(dir, 'sock');
  mkdirSync(socketDir, { recursive: true });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(socketDir, owner.uid, owner.gid);
  }
  return { bin, owner, dataDir: join(dir, 'data'), socketDir, logFile: join(dir, 'server.log') };
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

/** uid/gid of an OS account, from /etc/passwd. */
export function osAccount(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
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
  const { bin, owner, dataDir, socketDir, logFile } = postgresLayout(dir, options.binDir);
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
  // No --no-instructions: PostgreSQL 13's initdb lacks it.
  await runPostgresTool(bin, 'initdb', ['-D', dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-sync'], join(dir, 'initdb.log'), owner);

  const { port, process: server } = await runPostgres({ bin, dataDir, socketDir, logFile, owner, args: tls });
  let major = 0;
  try {
    const client = await socketClient(socketDir, port);
    try {
      // The admin's password reaches the server as a SCRAM verifier, like provisioning does.
      await client.query(`CREATE ROLE ${quoteIdent(admin.user)} WITH LOGIN SUPERUSER PASSWORD ${quoteLiteral(scramSha256Verifier(admin.password))}`);
      const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      major = Math.floor(Number(rows[0]?.v) / 10000);
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (error) {
    await server.stop('SIGQUIT');
    throw error;
  }
  return { host: '127.0.0.1', port, admin, socketDir, logFile, major, process: server };
}

/** Runs one of PostgreSQL's programs (initdb, pg_basebackup …) as `owner` to completion; throws with its log on failure. */
export async function runPostgresTool(bin: string, name: string, args: string[], logFile: string, owner: { uid: number; gid: number } | undefined): Promise<void> {
  const tool = startServer(name, join(bin, name), args, logFile, { ...(owner ? { uid: owner.uid, gid: owner.gid } : {}), env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
  await tool.exited();
  if (tool.child.exitCode !== 0) {
    throw new Error(`PostgreSQL ${name} failed (status ${String(tool.child.exitCode ?? tool.child.signalCode)}). Last lines of ${tool.logFile}:\n${logTail(tool.logFile)}`);
  }
}

/** The `postgres` superuser over the Unix socket (trust): no password involved. */
export async function socketClient(socketDir: string, port: number): Promise<Client> {
  const client = new Client({ host: socketDir, port, user: 'postgres', database: 'postgres' });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

export interface RunPostgresOptions {
  bin: string;
  dataDir: string;
  socketDir: string;
  logFile: string;
  owner: { uid: number; gid: number } | undefined;
  /** More server options (`-c name=value` …), after the common ones. */
  args: string[];
  /** A fixed port (a restart); otherwise a free one, retried if another process takes it first. */
  port?: number;
}

/**
 * The server of an existing data directory, on 127.0.0.1 and the socket directory, as
 * `owner`, with durability off for speed; resolves once it accepts logins on the socket.
 */
export async function runPostgres(options: RunPostgresOptions): Promise<{ port: number; process: ServerProcess }> {
  const { bin, dataDir, socketDir, logFile, owner } = options;
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await freePort());
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
        ...options.args,
      ],
      logFile,
      { ...asOwner, env },
    );
    try {
      await waitUntilReady(server, async () => void (await (await socketClient(socketDir, port)).end()), 30_000);
      return { port, process: server };
    } catch (error) {
      await server.stop('SIGQUIT');
      if (options.port === undefined && attempt < 3 && /could not bind|Address already in use/i.test(logTail(logFile, 10))) continue;
      throw error;
    }
  }
}
