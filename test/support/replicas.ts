import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provision as provisionMysql } from '../../lib/dialects/mysql/provision';
import { startMariadbPair, type MariadbPair } from './mariadb-replica';
import { planEnv } from './plan-env';
import { startPostgresStandby, type PostgresStandby } from './postgres-standby';
import { TEST_ADMIN, TEST_APP, TEST_DATABASE, TEST_MIGRATOR, testEnv, testServers } from './servers';

/**
 * Read replicas for the suites that need them, started on first use only (so
 * DIALECTS=sqlite, or any run without those suites, starts none) and stopped by the root
 * hook before the servers:
 * - PostgreSQL: a hot standby of the shared test server (test/support/servers.ts);
 * - MariaDB: a primary with a binary log and a read-only replica of its own (the shared
 *   server runs without a binary log), provisioned like the shared one.
 * Each comes with the test-mode env (`*_TEST_*`, `*_TEST_READ_URL`) pointing at it.
 */
export interface PostgresReplica {
  env: Record<string, string>;
  primary: { host: string; port: number; socketDir: string; logFile: string };
  standby: PostgresStandby;
  caughtUp(): Promise<void>;
}

export interface MariadbReplica {
  env: Record<string, string>;
  pair: MariadbPair;
}

let postgres: Promise<PostgresReplica> | undefined;
let mariadb: Promise<MariadbReplica> | undefined;
const dirs = new Set<string>();
const running = new Set<() => void>();

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // PostgreSQL runs as the `postgres` OS account, which must traverse it.
  chmodSync(dir, 0o755);
  dirs.add(dir);
  installExitCleanup();
  return dir;
}

export function testPostgresReplica(): Promise<PostgresReplica> {
  postgres ??= (async () => {
    const env = await testEnv();
    const { postgres: primary } = await testServers();
    const standby = await startPostgresStandby(primary, tempDir('knex-roles-standby-'), 'knexroles_standby');
    running.add(() => void standby.stop());
    return {
      env: { ...env, PG_TEST_READ_URL: `postgres://${standby.host}:${standby.port}` },
      primary,
      standby,
      caughtUp: () => standby.caughtUp(primary),
    };
  })().catch((error: unknown) => {
    postgres = undefined;
    throw error;
  });
  return postgres;
}

export function testMariadbReplica(): Promise<MariadbReplica> {
  mariadb ??= (async () => {
    const pair = await startMariadbPair(tempDir('knex-roles-mariadb-pair-'), { ...TEST_ADMIN });
    running.add(() => pair.replica.process.child.kill('SIGKILL'));
    running.add(() => pair.primary.process.child.kill('SIGKILL'));
    const plan = { database: TEST_DATABASE, migrator: { ...TEST_MIGRATOR }, app: { ...TEST_APP } };
    await provisionMysql(plan, { host: pair.primary.host, port: pair.primary.port, ...TEST_ADMIN });
    await pair.caughtUp();
    return { env: { ...planEnv('mysql', pair.primary, plan, TEST_ADMIN), DB_TEST_READ_URL: `mysql://${pair.replica.host}:${pair.replica.port}` }, pair };
  })().catch((error: unknown) => {
    mariadb = undefined;
    throw error;
  });
  return mariadb;
}

/** Stops every replica (and the MariaDB pair's primary) and removes their files. */
export async function stopTestReplicas(): Promise<void> {
  const [pg, my] = await Promise.all([postgres?.catch(() => undefined), mariadb?.catch(() => undefined)]);
  postgres = mariadb = undefined;
  await Promise.all([pg?.standby.stop(), my?.pair.stopReplica(), my?.pair.primary.process.stop('SIGTERM')]);
  running.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  dirs.clear();
}

let cleanupInstalled = false;
/** Kill and remove on any exit when the root hook never ran (Ctrl-C, a crash). */
function installExitCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', () => {
    for (const kill of running) kill();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}
