import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { quoteAccount, quoteString } from '../../lib/dialects/mysql/quote';
import { freePort } from './free-port';
import type { TestCerts } from './tls-certs';
import { MISSING_BINARIES } from './postgres-server';
import { findExecutable, logTail, startServer, waitUntilReady, type ServerProcess } from './server-process';

export interface MariadbServer {
  host: string;
  port: number;
  /** ALL PRIVILEGES ON *.* and PROXY, WITH GRANT OPTION (what root has), with a password, for TCP logins. */
  admin: { user: string; password: string };
  /** Unix socket; `root` logs in there without a password. */
  socket: string;
  /** Server stdout/stderr (error log). */
  logFile: string;
  process: ServerProcess;
}

/**
 * Small buffer pool, and no native AIO: io_uring / libaio contexts count against
 * RLIMIT_MEMLOCK and fs.aio-max-nr, which several servers on one machine (parallel CI
 * jobs) can exhaust, failing InnoDB start-up.
 */
const INNODB_OPTIONS = ['--innodb-buffer-pool-size=32M', '--innodb-use-native-aio=0'];

/**
 * Every path the server (and the bootstrap mariadbd of mariadb-install-db) writes outside
 * its data directory, inside `dir`. Without --tmpdir the bootstrap writes its temporary
 * tables to /tmp as `#sql-temptable-<pid>-<thread>-<n>`, and two runs whose servers have the
 * same PID (containers sharing /tmp) overwrite and drop each other's: "File exists", or
 * "1051 Unknown table 'mysql.tmp_user_sys'".
 */
function runPaths(dir: string): string[] {
  return [`--socket=${join(dir, 'mysqld.sock')}`, `--pid-file=${join(dir, 'mysqld.pid')}`, `--tmpdir=${join(dir, 'tmp')}`];
}

/**
 * mariadb-install-db + mariadbd in `dir`: no option files, 127.0.0.1 only, no binary log,
 * no test database (its PUBLIC grants on `test%` would give every account DDL there),
 * durability off for speed. `args` come last, so they override these (`--log-bin` after
 * `--skip-log-bin`: replication, test/support/mariadb-replica.ts).
 */
export async function startMariadb(dir: string, admin: { user: string; password: string }, certs?: TestCerts, args: readonly string[] = []): Promise<MariadbServer> {
  const installDb = findExecutable(['/usr/bin/mariadb-install-db'], ['mariadb-install-db', 'mysql_install_db']);
  if (!installDb) throw new Error(MISSING_BINARIES);
  const asUser = process.getuid?.() === 0 ? ['--user=root'] : [];
  const dataDir = join(dir, 'data');
  const tmpDir = join(dir, 'tmp');
  const socket = join(dir, 'mysqld.sock');
  const logFile = join(dir, 'server.log');
  mkdirSync(tmpDir, { recursive: true });

  const install = startServer(
    'mariadb-install-db',
    installDb,
    // --no-defaults must come first.
    // Options it does not know (the InnoDB ones, the paths) are passed on to the bootstrap mariadbd.
    ['--no-defaults', `--datadir=${dataDir}`, ...asUser, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve', ...runPaths(dir), ...INNODB_OPTIONS],
    join(dir, 'install.log'),
  );
  await install.exited();
  if (install.child.exitCode !== 0) {
    throw new Error(`mariadb-install-db failed (status ${String(install.child.exitCode ?? install.child.signalCode)}). Last lines of ${install.logFile}:\n${logTail(install.logFile)}`);
  }

  const server = await runMariadb({ dir, args: [...(certs ? [`--ssl-ca=${certs.ca}`, `--ssl-cert=${certs.cert}`, `--ssl-key=${certs.key}`] : []), ...args] });
  const { port } = server;
  try {
    const connection = await createConnection({ socketPath: socket, user: 'root' });
    try {
      const account = quoteAccount(admin.user, '%');
      await connection.query(`CREATE USER ${account} IDENTIFIED BY ${quoteString(admin.password)}`);
      await connection.query(`GRANT ALL PRIVILEGES ON *.* TO ${account} WITH GRANT OPTION`);
      // Like root: may grant and revoke PROXY (provisioning revokes stray PROXY grants).
      await connection.query(`GRANT PROXY ON ''@'%' TO ${account} WITH GRANT OPTION`);
      // Only the socket root stays: no password-less root over TCP.
      await connection.query("DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1'");
    } finally {
      await connection.end().catch(() => undefined);
    }
  } catch (error) {
    await server.process.stop('SIGKILL');
    throw error;
  }
  return { host: '127.0.0.1', port, admin, socket, logFile, process: server.process };
}

export interface RunMariadbOptions {
  /** The server's directory: data, tmp, socket, pid file and log inside it (as startMariadb lays them out). */
  dir: string;
  /** More server options, after the common ones (they override them). */
  args: readonly string[];
  /** A fixed port (a restart); otherwise a free one, retried if another process takes it first. */
  port?: number;
}

/** mariadbd on an installed data directory; resolves once root logs in on the socket. */
export async function runMariadb(options: RunMariadbOptions): Promise<{ port: number; process: ServerProcess }> {
  const mariadbd = findExecutable(['/usr/sbin/mariadbd'], ['mariadbd', 'mysqld']);
  if (!mariadbd) throw new Error(MISSING_BINARIES);
  const asUser = process.getuid?.() === 0 ? ['--user=root'] : [];
  const { dir } = options;
  const dataDir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const logFile = join(dir, 'server.log');
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await freePort());
    const server = startServer(
      'MariaDB',
      mariadbd,
      [
        '--no-defaults',
        ...asUser,
        `--datadir=${dataDir}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        ...runPaths(dir),
        '--skip-log-bin',
        '--skip-name-resolve',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        ...INNODB_OPTIONS,
        '--innodb-flush-log-at-trx-commit=0',
        '--innodb-doublewrite=0',
        '--performance-schema=OFF',
        '--max-connections=200',
        ...options.args,
      ],
      logFile,
    );
    try {
      await waitUntilReady(server, async () => void (await (await createConnection({ socketPath: socket, user: 'root' })).end()), 30_000);
      return { port, process: server };
    } catch (error) {
      await server.stop('SIGKILL');
      if (options.port === undefined && attempt < 3 && /Address already in use|Can't start server: Bind/i.test(logTail(logFile, 10))) continue;
      throw error;
    }
  }
}
