import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';
import { osAccount } from './postgres-server';
import { findExecutable, logTail, startServer, waitUntilReady, type ServerProcess } from './server-process';

export interface PgBouncer {
  host: string;
  port: number;
  poolMode: 'transaction' | 'session';
  logFile: string;
  process: ServerProcess;
}

export interface PgBouncerOptions {
  poolMode?: 'transaction' | 'session';
  /** Server connections per (database, user) pair. Default 4. */
  poolSize?: number;
}

/** Quotes a value for pgbouncer's auth_file: `"…"` with `"` doubled. */
const quoted = (value: string): string => `"${value.replace(/"/g, '""')}"`;

/**
 * A real PgBouncer (Debian's package) on a free port of 127.0.0.1 in front of `server`,
 * for every database. Logins are checked against the users' SCRAM verifiers, read from
 * pg_authid by the superuser `admin`, so no plaintext password is written anywhere; with
 * them PgBouncer also logs in to the server for the client (SCRAM pass-through). Runs as
 * the `postgres` account when we are root, as PostgreSQL does. A missing binary is an error.
 */
export async function startPgbouncer(
  dir: string,
  server: { host: string; port: number; admin: { user: string; password: string } },
  users: readonly string[],
  options: PgBouncerOptions = {},
): Promise<PgBouncer> {
  const binary = findExecutable(['/usr/sbin/pgbouncer'], ['pgbouncer']);
  if (!binary) throw new Error('pgbouncer not found: apt-get install pgbouncer (bash .ci/run does it)');
  const poolMode = options.poolMode ?? 'transaction';
  mkdirSync(dir, { recursive: true });

  const admin = new Client({ host: server.host, port: server.port, ...server.admin, database: 'postgres' });
  await admin.connect();
  let secrets: Array<{ rolname: string; rolpassword: string | null }>;
  try {
    secrets = (await admin.query<{ rolname: string; rolpassword: string | null }>('SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY($1)', [users])).rows;
  } finally {
    await admin.end();
  }
  const unknown = users.filter((user) => !secrets.some((row) => row.rolname === user && row.rolpassword?.startsWith('SCRAM-SHA-256$')));
  if (unknown.length > 0) throw new Error(`PgBouncer: no SCRAM verifier in pg_authid for ${unknown.join(', ')}`);

  const authFile = join(dir, 'userlist.txt');
  const configFile = join(dir, 'pgbouncer.ini');
  const logFile = join(dir, 'pgbouncer.log');
  writeFileSync(authFile, secrets.map((row) => `${quoted(row.rolname)} ${quoted(row.rolpassword ?? '')}\n`).join(''), { mode: 0o600 });
  const owner = process.getuid?.() === 0 ? osAccount('postgres') : undefined;
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(authFile, owner.uid, owner.gid);
  }

  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    writeFileSync(
      configFile,
      [
        '[databases]',
        `* = host=${server.host} port=${server.port}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = scram-sha-256',
        `auth_file = ${authFile}`,
        `pool_mode = ${poolMode}`,
        `default_pool_size = ${options.poolSize ?? 4}`,
        'max_client_conn = 200',
        // The test server offers TLS optionally; loopback needs none.
        'server_tls_sslmode = disable',
        'log_connections = 0',
        'log_disconnections = 0',
        '',
      ].join('\n'),
    );
    const bouncer = startServer('PgBouncer', binary, [configFile], logFile, owner ? { uid: owner.uid, gid: owner.gid } : {});
    try {
      // Ready when it answers the protocol: any login reply (even a refusal) will do.
      await waitUntilReady(
        bouncer,
        async () => {
          const probe = new Client({ host: '127.0.0.1', port, user: 'knexroles_probe', password: 'x', database: 'postgres' });
          probe.on('error', () => undefined);
          try {
            await probe.connect();
          } catch (error) {
            if ((error as { code?: string }).code !== '08P01' && !/password|authentication|no such user/i.test(String(error))) throw error;
          } finally {
            await probe.end().catch(() => undefined);
          }
        },
        15_000,
      );
      return { host: '127.0.0.1', port, poolMode, logFile, process: bouncer };
    } catch (error) {
      await bouncer.stop('SIGINT');
      if (attempt < 3 && /Address already in use|could not bind/i.test(logTail(logFile, 10))) continue;
      throw error;
    }
  }
}
