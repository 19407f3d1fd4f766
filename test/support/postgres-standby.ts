import { join } from 'node:path';
import type { Client } from 'pg';
import { postgresLayout, runPostgres, runPostgresTool, socketClient } from './postgres-server';
import type { ServerProcess } from './server-process';

/** A hot standby streaming from a test primary, on 127.0.0.1; stop() and start() it at will. */
export interface PostgresStandby {
  host: string;
  port: number;
  socketDir: string;
  logFile: string;
  /** The standby's `postgres` superuser over its socket (pause replay, read its state). */
  superuser(): Promise<Client>;
  /** Until the standby has replayed everything the primary has written so far. */
  caughtUp(primary: { socketDir: string; port: number }): Promise<void>;
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/**
 * `pg_basebackup -R` from the primary (over its socket, as `postgres`: PostgreSQL's default
 * pg_hba trusts local replication) with a physical replication slot, so the primary keeps
 * the WAL while the standby is stopped; then the standby on a port of its own.
 */
export async function startPostgresStandby(primary: { socketDir: string; port: number }, dir: string, slot: string): Promise<PostgresStandby> {
  const { bin, owner, dataDir, socketDir, logFile } = postgresLayout(dir);
  await runPostgresTool(
    bin,
    'pg_basebackup',
    ['-h', primary.socketDir, '-p', String(primary.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '-C', '-S', slot, '-c', 'fast', '--no-sync'],
    join(dir, 'basebackup.log'),
    owner,
  );
  let server: ServerProcess | undefined;
  let port: number | undefined;
  const start = async (): Promise<void> => {
    const started = await runPostgres({ bin, dataDir, socketDir, logFile, owner, args: ['-c', 'hot_standby=on'], ...(port !== undefined ? { port } : {}) });
    server = started.process;
    port = started.port;
  };
  await start();
  if (port === undefined) throw new Error('the standby did not start');
  const fixedPort = port;
  const superuser = (): Promise<Client> => socketClient(socketDir, fixedPort);
  const standby: PostgresStandby = {
    host: '127.0.0.1',
    port: fixedPort,
    socketDir,
    logFile,
    superuser,
    async caughtUp(from) {
      const primaryClient = await socketClient(from.socketDir, from.port);
      let target: string;
      try {
        // The insert position, not the write position: with synchronous_commit = off a commit
        // may still sit in the WAL buffers, ahead of what pg_current_wal_lsn() reports.
        target = ((await primaryClient.query('select pg_current_wal_insert_lsn()::text as lsn')).rows[0] as { lsn: string }).lsn;
      } finally {
        await primaryClient.end();
      }
      const client = await superuser();
      try {
        // Polled: PostgreSQL has no wait-for-LSN function before 17; the test's own timeout bounds it.
        for (;;) {
          const { rows } = await client.query('select pg_last_wal_replay_lsn() >= $1::pg_lsn as done', [target]);
          if ((rows[0] as { done: boolean }).done) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        await client.end();
      }
    },
    async stop() {
      await server?.stop('SIGINT');
      server = undefined;
    },
    start,
  };
  return standby;
}
