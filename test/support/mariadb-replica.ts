import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { quoteString } from '../../lib/dialects/mysql/quote';
import { runMariadb, startMariadb, type MariadbServer } from './mariadb-server';

/** A MariaDB primary with a binary log and a read-only replica following it, on 127.0.0.1. */
export interface MariadbPair {
  primary: MariadbServer;
  replica: MariadbServer;
  /** root over a server's socket. */
  root(server: MariadbServer): Promise<Connection>;
  /** Until the replica has applied everything the primary has logged so far (MASTER_POS_WAIT). */
  caughtUp(): Promise<void>;
  /** Stops the replica server; start() brings it back on the same port, replicating again. */
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
}

const REPL = { user: 'knexroles_repl', password: 'repl-secret' } as const;

/**
 * Two fresh servers (test/support/mariadb-server.ts): the primary with `log_bin` and
 * `server_id=1` (and log_bin_trust_function_creators, which binary logging requires for
 * triggers made by a user without SUPER, such as the migrator), the replica with
 * `server_id=2` and `read_only=ON`, following the primary from its current binlog position
 * (CHANGE MASTER TO … START SLAVE), so the accounts each server made for itself are not
 * replayed; everything after, provisioning included, reaches the replica.
 */
export async function startMariadbPair(dir: string, admin: { user: string; password: string }): Promise<MariadbPair> {
  mkdirSync(join(dir, 'primary'), { recursive: true });
  mkdirSync(join(dir, 'replica'), { recursive: true });
  const [primary, replica] = await Promise.all([
    startMariadb(join(dir, 'primary'), admin, undefined, ['--log-bin=mysql-bin', '--server-id=1', '--binlog-format=ROW', '--log-bin-trust-function-creators=1']),
    startMariadb(join(dir, 'replica'), admin, undefined, REPLICA_ARGS),
  ]);
  const root = (server: MariadbServer): Promise<Connection> => createConnection({ socketPath: server.socket, user: 'root' });
  const onPrimary = await root(primary);
  let position: { file: string; pos: number };
  try {
    await onPrimary.query(`CREATE USER '${REPL.user}'@'127.0.0.1' IDENTIFIED BY ${quoteString(REPL.password)}`);
    await onPrimary.query(`GRANT REPLICATION SLAVE ON *.* TO '${REPL.user}'@'127.0.0.1'`);
    position = await masterPosition(onPrimary);
  } finally {
    await onPrimary.end();
  }
  const onReplica = await root(replica);
  try {
    await onReplica.query(
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='${REPL.user}', MASTER_PASSWORD=${quoteString(REPL.password)}, MASTER_LOG_FILE=${quoteString(position.file)}, MASTER_LOG_POS=${position.pos}, MASTER_CONNECT_RETRY=1`,
    );
    await onReplica.query('START SLAVE');
  } finally {
    await onReplica.end();
  }
  let replicaProcess = replica.process;
  const pair: MariadbPair = {
    primary,
    replica,
    root,
    async caughtUp() {
      const from = await root(primary);
      let target: { file: string; pos: number };
      try {
        target = await masterPosition(from);
      } finally {
        await from.end();
      }
      const on = await root(replica);
      try {
        // Blocks until applied; NULL when the replica's SQL thread is not running.
        const [rows] = await on.query<RowDataPacket[]>('SELECT MASTER_POS_WAIT(?, ?) AS waited', [target.file, target.pos]);
        if (rows[0]?.['waited'] === null) {
          const [status] = await on.query<RowDataPacket[]>('SHOW SLAVE STATUS');
          throw new Error(`The MariaDB replica is not replicating: ${String(status[0]?.['Last_Error'] ?? status[0]?.['Last_IO_Error'] ?? 'no slave status')}`);
        }
      } finally {
        await on.end();
      }
    },
    async stopReplica() {
      await replicaProcess.stop('SIGTERM');
    },
    async startReplica() {
      replicaProcess = (await runMariadb({ dir: join(dir, 'replica'), args: REPLICA_ARGS, port: replica.port })).process;
      (pair.replica as { process: MariadbServer['process'] }).process = replicaProcess;
    },
  };
  return pair;
}

const REPLICA_ARGS = ['--server-id=2', '--read-only=ON', '--relay-log=relay-bin'];

async function masterPosition(connection: Connection): Promise<{ file: string; pos: number }> {
  const [rows] = await connection.query<RowDataPacket[]>('SHOW MASTER STATUS');
  const row = rows[0];
  if (!row) throw new Error('The MariaDB primary has no binary log (SHOW MASTER STATUS is empty).');
  return { file: String(row['File']), pos: Number(row['Position']) };
}
