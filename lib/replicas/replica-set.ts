import type { Knex } from 'knex';
import { redact } from '../redact';

/** The `code` of the process warning a replica that cannot be reached emits. */
export const REPLICA_DOWN_WARNING = 'KNEX_ROLES_REPLICA_DOWN';

export interface Replica {
  /** A guarded runtime instance on the replica, with its own pool. */
  knex: Knex;
  /** `host:port/database (PG_READ_URL, entry 2)`: never a password. */
  label: string;
  /** `host:port/database`, and where it came from. */
  target: string;
  variable: string;
  entry: number;
  /** Until when it is skipped (performance.now() time); 0 while up. */
  downUntil: number;
}

/**
 * The read replicas of one instance: handed out round robin, skipping those marked down.
 * A replica that fails to connect (or drops a connection) is marked down for `retryAfterMs`
 * with a process warning (code KNEX_ROLES_REPLICA_DOWN, no password), then tried again by
 * the next read that comes its way.
 */
export class ReplicaSet {
  readonly replicas: readonly Replica[];
  private next = 0;

  constructor(
    replicas: Replica[],
    private readonly retryAfterMs: number,
    private readonly secrets: readonly string[],
  ) {
    this.replicas = replicas;
  }

  /** The next replica that is up and not in `tried`, or undefined (all down or tried, or none). */
  pick(now = performance.now(), tried?: ReadonlySet<Replica>): Replica | undefined {
    const { replicas } = this;
    for (let step = 0; step < replicas.length; step++) {
      const index = (this.next + step) % replicas.length;
      const replica = replicas[index] as Replica;
      if (replica.downUntil <= now && !tried?.has(replica)) {
        this.next = (index + 1) % replicas.length;
        return replica;
      }
    }
    return undefined;
  }

  /** Marks `replica` down after `error`, warning once per time it goes down. */
  down(replica: Replica, error: unknown, now = performance.now()): void {
    if (replica.downUntil > now) return;
    replica.downUntil = now + this.retryAfterMs;
    const others = this.replicas.some((other) => other !== replica && other.downUntil <= now);
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    const cause = `${typeof code === 'string' ? `${code}: ` : ''}${typeof message === 'string' ? message : String(error)}`;
    const text = `knex-roles: read replica ${replica.label} cannot be reached (${cause}); reads go to ${others ? 'the other replicas' : 'the primary'}, and it is tried again in ${this.retryAfterMs} ms.`;
    process.emitWarning(redact(text, this.secrets), { code: REPLICA_DOWN_WARNING });
  }

  async destroy(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.knex.destroy()));
  }
}
