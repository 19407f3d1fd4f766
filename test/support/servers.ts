import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provision as provisionMysql } from '../../lib/dialects/mysql/provision';
import { provision as provisionPostgres } from '../../lib/dialects/postgres/provision';
import { serverDialects } from './dialects';
import { startMariadb, type MariadbServer } from './mariadb-server';
import { testPostgresBuild } from './pg-build';
import { planEnv } from './plan-env';
import { startPostgres, type PostgresServer } from './postgres-server';
import { makeTestCerts, type TestCerts } from './tls-certs';

/**
 * Throwaway PostgreSQL and MariaDB servers for the integration suites: started once per
 * process on free ports of 127.0.0.1, data under one mkdtemp directory, stopped and
 * removed by the root hook (test/support/root-hooks.ts) or at process exit. Nothing is
 * ever skipped: missing binaries or a failed start are errors. MariaDB is started only
 * when DIALECTS includes mysql (the PostgreSQL matrix runs narrow it to postgres), and
 * PostgreSQL is the build KNEX_ROLES_TEST_PG_MAJOR names (test/support/pg-build.ts).
 */
export interface TestServers {
  /** `major`: the server's major version (15 for Debian's, 13–17 in the matrix runs). */
  postgres: { host: string; port: number; admin: { user: string; password: string }; socketDir: string; logFile: string; major: number };
  mysql: { host: string; port: number; admin: { user: string; password: string }; socket: string; logFile: string };
  /** Both servers offer TLS with a certificate for `localhost` signed by `ca` (see tls-certs.ts). */
  tls: { ca: string; wrongCa: string };
}

/** Admin credentials of the throwaway servers; awkward on purpose. */
export const TEST_ADMIN = { user: 'knexroles_admin', password: `Adm'in"\\$$-é` } as const;

/**
 * What testEnv() provisions. Not named `test…`: MariaDB's default PUBLIC grants cover
 * `test` and `test\_%`. Passwords carry quotes, backslashes, `$$`, our DO-block dollar
 * tag, SQL comment and statement separators, and non-ASCII, to prove they are handled.
 */
export const TEST_DATABASE = 'knexroles_it';
export const TEST_MIGRATOR = { user: 'knexroles_migrator', password: `Mig'r"ator\\$$-$kr$-ü-😀` } as const;
export const TEST_APP = { user: 'knexroles_app', password: `App'\\''$$\`;-- ß日本` } as const;

interface Started {
  root: string;
  certs: TestCerts;
  postgres: PostgresServer;
  mysql: MariadbServer | undefined;
}

let starting: Promise<Started> | undefined;
let started: Started | undefined;
let envPromise: Promise<Record<string, string>> | undefined;
const tempDirs = new Set<string>();

/** Starts both servers (in parallel) the first time; later calls return the same ones. */
export async function testServers(): Promise<TestServers> {
  if (serverDialects().length === 0) {
    throw new Error(`A suite asked for the database servers although DIALECTS=${process.env['DIALECTS'] ?? ''} selects none: run it only for serverDialects() (test/support/dialects.ts).`);
  }
  starting ??= start();
  const { postgres, mysql, certs } = await starting;
  return {
    tls: { ca: certs.ca, wrongCa: certs.wrongCa },
    postgres: { host: postgres.host, port: postgres.port, admin: { ...postgres.admin }, socketDir: postgres.socketDir, logFile: postgres.logFile, major: postgres.major },
    get mysql() {
      if (!mysql) throw new Error('MariaDB was not started: DIALECTS leaves out mysql');
      return { host: mysql.host, port: mysql.port, admin: { ...mysql.admin }, socket: mysql.socket, logFile: mysql.logFile };
    },
  };
}

async function start(): Promise<Started> {
  const root = mkdtempSync(join(tmpdir(), 'knex-roles-servers-'));
  tempDirs.add(root);
  installExitCleanup();
  // PostgreSQL runs as the `postgres` OS account, which owns `root`; it must traverse it.
  chmodSync(root, 0o755);
  const pgDir = join(root, 'postgres');
  const myDir = join(root, 'mariadb');
  mkdirSync(pgDir);
  mkdirSync(myDir);
  const certs = makeTestCerts(join(root, 'tls'));
  const build = testPostgresBuild();
  const [pg, my] = await Promise.allSettled([
    startPostgres(pgDir, { ...TEST_ADMIN }, certs, { binDir: build.binDir }).then(async (server) => {
      if (server.major === build.major) return server;
      await server.process.stop('SIGQUIT');
      throw new Error(`${build.binDir} started PostgreSQL ${server.major}, not ${build.major}`);
    }),
    serverDialects().includes('mysql') ? startMariadb(myDir, { ...TEST_ADMIN }, certs) : undefined,
  ]);
  if (pg.status === 'rejected' || my.status === 'rejected') {
    if (pg.status === 'fulfilled') await pg.value.process.stop('SIGQUIT');
    if (my.status === 'fulfilled') await my.value?.process.stop('SIGTERM');
    removeTempDirs();
    starting = undefined;
    throw pg.status === 'rejected' ? pg.reason : (my as PromiseRejectedResult).reason;
  }
  started = { root, certs, postgres: pg.value, mysql: my.value };
  return started;
}

/** Stops the servers (PostgreSQL fast shutdown, MariaDB normal shutdown) and removes their files. */
export async function stopTestServers(): Promise<void> {
  const current = starting;
  starting = undefined;
  envPromise = undefined;
  if (current) {
    const servers = await current.catch(() => undefined);
    if (servers) await Promise.all([servers.postgres.process.stop('SIGINT'), servers.mysql?.process.stop('SIGTERM')]);
  }
  started = undefined;
  removeTempDirs();
}

function removeTempDirs(): void {
  for (const dir of tempDirs) {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    tempDirs.delete(dir);
  }
}

let cleanupInstalled = false;
/** Kill and remove on any exit, including Ctrl-C, when the root hook never ran. */
function installExitCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const cleanup = (): void => {
    if (started) {
      // Synchronous context: immediate shutdown, no waiting.
      started.postgres.process.child.kill('SIGQUIT');
      started.mysql?.process.child.kill('SIGKILL');
      started = undefined;
    }
    try {
      removeTempDirs();
    } catch {
      // A server still writing can race the removal; nothing more to do at exit.
    }
  };
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanup();
      process.kill(process.pid, signal); // re-raise: our once-listener is gone, the default applies
    });
  }
}

/**
 * Starts the servers, provisions `knexroles_it` with a migrator and an app user on both
 * through the provisioning modules, and returns the env-contract test variables (with
 * DIALECTS=sqlite, only SQLite's, and no server is started).
 */
export function testEnv(): Promise<Record<string, string>> {
  envPromise ??= buildEnv().catch((error: unknown) => {
    envPromise = undefined;
    throw error;
  });
  return envPromise.then((env) => ({ ...env }));
}

async function buildEnv(): Promise<Record<string, string>> {
  const sqliteDir = mkdtempSync(join(tmpdir(), 'knex-roles-sqlite-'));
  tempDirs.add(sqliteDir);
  const sqlite = { SQLITE_TEST_PATH: join(sqliteDir, 'test.sqlite3') };
  // The test database exists before any test, as the servers' does: a runtime connection never creates it.
  writeFileSync(sqlite.SQLITE_TEST_PATH, '');
  // DIALECTS=sqlite: no server is started, so the env holds SQLite's variable only.
  if (serverDialects().length === 0) return sqlite;
  const servers = await testServers();
  const mysql = serverDialects().includes('mysql') ? servers.mysql : undefined;
  const plan = { database: TEST_DATABASE, migrator: { ...TEST_MIGRATOR }, app: { ...TEST_APP } };
  await Promise.all([
    provisionPostgres(plan, { host: servers.postgres.host, port: servers.postgres.port, ...servers.postgres.admin }),
    mysql ? provisionMysql(plan, { host: mysql.host, port: mysql.port, ...mysql.admin }) : undefined,
  ]);
  return {
    ...(mysql ? planEnv('mysql', mysql, plan, mysql.admin) : {}),
    ...planEnv('postgres', servers.postgres, plan, servers.postgres.admin),
    ...sqlite,
  };
}
