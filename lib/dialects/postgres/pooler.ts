import type { Knex } from 'knex';
import type { PoolerDetection } from '../dialect';

/**
 * What a PostgreSQL connection goes through, as seen from the client:
 *
 * - `direct`: the server process behind the connection is the one the protocol named.
 *   At login every backend sends BackendKeyData with its own process ID (pg keeps it as
 *   `client.processID`), and `pg_backend_pid()` returns that same number. A pooler
 *   (PgBouncer, and the others that multiplex clients: they must answer cancel requests
 *   themselves) hands out a key of its own instead, so the two differ.
 * - `session`: pooled, and the client kept one server process across transactions while
 *   another client held a transaction open (session pooling: advisory locks, SET, prepared
 *   statements all keep working).
 * - `transaction`: pooled, and the server process behind the client changed between two
 *   transactions, or a second client was handed the first one's server process while the
 *   first was still connected (transaction or statement pooling). Session state (advisory
 *   locks, SET outside a transaction, named prepared statements) does not persist.
 *
 * `transaction` is only reported on proof; `session` means no proof was found in a few
 * rounds, which under heavy traffic on the pooler can also be a transaction pooler that
 * happened to keep the server: declare one with PG_POOLED=1 (or ?pgbouncer=true) then.
 */
export type { PoolerDetection, PoolerMode } from '../dialect';

interface RawPg {
  processID?: number | null;
  query(text: string): Promise<{ rows: Array<Record<string, unknown>> }>;
}

interface RawClient {
  acquireRawConnection(): Promise<unknown>;
  destroyRawConnection(connection: unknown): Promise<void>;
}

const ROUNDS = 3;

const backendPid = async (connection: RawPg): Promise<number> => Number((await connection.query('select pg_catalog.pg_backend_pid() as pid')).rows[0]?.['pid']);

/**
 * Detects a pooler on `knex`'s connection settings with two connections of its own,
 * opened and closed here (outside the pool, so a pool of one is fine), with plain SELECTs.
 */
export async function detectPooler(knex: Knex): Promise<PoolerDetection> {
  const client = knex.client as unknown as RawClient;
  const first = (await client.acquireRawConnection()) as RawPg;
  let second: RawPg | undefined;
  try {
    const pid = await backendPid(first);
    if (first.processID === pid) return { mode: 'direct', evidence: `pg_backend_pid() is the process ID the server sent at login (${pid})` };
    const pooled = 'the process ID sent at login is not pg_backend_pid(): a pooler answers for the server';
    second = (await client.acquireRawConnection()) as RawPg;
    for (let round = 0; round < ROUNDS; round += 1) {
      const before = await backendPid(first);
      try {
        await second.query('begin');
      } catch {
        return { mode: 'transaction', evidence: `${pooled}, and it refuses transaction blocks (statement pooling)` };
      }
      const other = await backendPid(second);
      const after = await backendPid(first);
      await second.query('commit');
      if (other === before) return { mode: 'transaction', evidence: `${pooled}, and it gave one client's server process to another client between two transactions` };
      if (after !== before) return { mode: 'transaction', evidence: `${pooled}, and the server process behind one client changed between two transactions` };
    }
    return { mode: 'session', evidence: `${pooled}; each client kept its server process across transactions (session pooling)` };
  } finally {
    await Promise.all([first, ...(second ? [second] : [])].map((connection) => client.destroyRawConnection(connection).catch(() => undefined)));
  }
}
