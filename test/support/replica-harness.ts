import type { Knex } from 'knex';
import { createKnex, type KnexRolesOptions } from '../../lib';
import { testMariadbReplica, testPostgresReplica } from './replicas';
import { TEST_ADMIN } from './servers';

/**
 * One dialect's replica set-up for the read-replica suites, with the same questions asked
 * of each server: where did this query run, pause and resume replication, stop and start
 * the replica, wait until it has caught up.
 */
export interface ReplicaHarness {
  dialect: 'postgres' | 'mysql';
  /** Test-mode env: the primary (`*_TEST_*`) and `*_TEST_READ_URL` pointing at the replica. */
  env: Record<string, string>;
  /** The read URL variable and its replica's `host:port`. */
  readUrl: string;
  replicaAddress: string;
  /** PostgreSQL: the standby's log (log_statement = all). */
  replicaLog?: string;
  /** A query that answers `replica`: true (1) when the server that ran it is the replica. */
  whereAmI: string;
  /** A guarded runtime instance with replicas (test mode). */
  app(options?: KnexRolesOptions): Knex;
  /** The migration role, on the primary. */
  migrator(): Knex;
  /** The replica applies nothing until resumed (it still receives). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  caughtUp(): Promise<void>;
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  /** Runs `sql` as a superuser on the replica itself. */
  onReplica(sql: string): Promise<Array<Record<string, unknown>>>;
  /** As the admin on the primary, in the test database. */
  onPrimary(sql: string): Promise<void>;
  /** Destroys every instance app() and migrator() made. */
  close(): Promise<void>;
}

export async function replicaHarness(dialect: 'postgres' | 'mysql'): Promise<ReplicaHarness> {
  const opened: Knex[] = [];
  const open = (instance: Knex): Knex => {
    opened.push(instance);
    return instance;
  };
  const common = (env: Record<string, string>) => ({
    env,
    app: (options: KnexRolesOptions = {}) => open(createKnex({ env, dialect, test: true, ...options, readReplicas: { stickyMs: 0, ...options.readReplicas } })),
    migrator: () => open(createKnex({ env, dialect, test: true, role: 'migration' })),
    close: async () => void (await Promise.all(opened.splice(0).map((instance) => instance.destroy()))),
  });
  if (dialect === 'postgres') {
    const { env, standby, caughtUp, primary } = await testPostgresReplica();
    const onReplica = async (sql: string) => {
      const client = await standby.superuser();
      try {
        return (await client.query(sql)).rows as Array<Record<string, unknown>>;
      } finally {
        await client.end();
      }
    };
    return {
      dialect,
      ...common(env),
      readUrl: 'PG_TEST_READ_URL',
      replicaAddress: `${standby.host}:${standby.port}`,
      replicaLog: standby.logFile,
      whereAmI: 'select pg_is_in_recovery() as replica',
      pause: async () => void (await onReplica('select pg_wal_replay_pause()')),
      resume: async () => void (await onReplica('select pg_wal_replay_resume()')),
      caughtUp,
      stopReplica: () => standby.stop(),
      startReplica: () => standby.start(),
      onReplica,
      onPrimary: async (sql) => {
        const admin = open(createKnex({ role: 'migration', dialect, env: { PG_HOST: primary.host, PG_PORT: String(primary.port), PG_USER: TEST_ADMIN.user, PG_PASSWORD: TEST_ADMIN.password, PG_NAME: env['PG_TEST_NAME'] ?? '' } }));
        try {
          await admin.raw(sql);
        } finally {
          await admin.destroy();
        }
      },
    };
  }
  const { env, pair } = await testMariadbReplica();
  const run = async (server: typeof pair.primary, sql: string, database?: string) => {
    const connection = await pair.root(server);
    try {
      if (database !== undefined) await connection.query(`USE ${database}`);
      const [rows] = await connection.query(sql);
      return (Array.isArray(rows) ? rows : []) as Array<Record<string, unknown>>;
    } finally {
      await connection.end();
    }
  };
  return {
    dialect,
    ...common(env),
    readUrl: 'DB_TEST_READ_URL',
    replicaAddress: `${pair.replica.host}:${pair.replica.port}`,
    whereAmI: 'select @@read_only as replica',
    pause: async () => void (await run(pair.replica, 'STOP SLAVE SQL_THREAD')),
    resume: async () => void (await run(pair.replica, 'START SLAVE SQL_THREAD')),
    caughtUp: () => pair.caughtUp(),
    stopReplica: () => pair.stopReplica(),
    startReplica: () => pair.startReplica(),
    onReplica: (sql) => run(pair.replica, sql),
    onPrimary: async (sql) => void (await run(pair.primary, sql, env['DB_TEST_NAME'])),
  };
}
