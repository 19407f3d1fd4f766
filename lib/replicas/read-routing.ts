import knex, { type Knex } from 'knex';
import { withConnectTimeout } from '../connection/connect-timeout';
import { NETWORK_CODES } from '../connection/driver-codes';
import { passwordOf } from '../env/hide-password';
import { primeConnectionSettings } from '../env/knex-connection';
import type { ResolvedConnection } from '../env/resolve-connection';
import type { ResolvedReplica } from '../env/resolve-read-replicas';
import { refuseMigrate } from '../guard/refusing-migrations';
import { configFor, type KnexRolesOptions } from '../knexfile';
import { ON_REPLICA, WRITE, readOnReplica, type ReadVerdict } from './read-on-replica';
import { currentScope } from './read-your-writes';
import { replicaRulesOf } from './replica-rules';
import { dialectModule } from '../dialects/registry';
import type { Dialect } from '../types';
import { ReplicaSet, type Replica } from './replica-set';
import { routedRunner, type Router } from './routed-runner';
import { clearReadRouting, readRoutingOf, setReadRouting, type ReadRoutingHook } from './routing-hook';

export interface ReadReplicaOptions {
  /**
   * Outside a `withReadYourWrites()` scope, how long after a write this instance's reads
   * stay on the primary (the whole instance: there is no finer context). Default 2000 ms.
   */
  stickyMs?: number;
  /** Bound on connecting to a replica (the driver's connect timeout). Default 2000 ms. */
  connectTimeoutMs?: number;
  /** How long a replica that could not be reached is skipped before it is tried again. Default 10000 ms. */
  retryAfterMs?: number;
}

const REPLICA_DEFAULTS = { stickyMs: 2000, connectTimeoutMs: 2000, retryAfterMs: 10_000 } as const;

/** Connection errors on an established replica connection that knex reports without a code. */
const DROPPED = /Connection terminated|connection is in closed state|Connection lost/i;

class ReadRouting implements ReadRoutingHook, Router {
  private lastWrite = Number.NEGATIVE_INFINITY;
  private readonly verdictOf: (sql: string) => ReadVerdict;
  private readonly retryCodes: ReadonlySet<string>;

  constructor(
    dialect: Dialect,
    readonly set: ReplicaSet,
    private readonly stickyMs: number,
  ) {
    this.verdictOf = readOnReplica(dialect);
    this.retryCodes = replicaRulesOf(dialect).retryOnPrimary;
  }

  runner(client: unknown, builder: unknown): unknown {
    return routedRunner(client, builder, this);
  }

  wrote(): void {
    const scope = currentScope();
    if (scope) scope.wrote = true;
    else this.lastWrite = performance.now();
  }

  replicaFor(sql: string | undefined): Replica | undefined {
    const verdict = sql === undefined ? WRITE : this.verdictOf(sql);
    if (verdict !== ON_REPLICA) {
      if (verdict === WRITE) this.wrote();
      return undefined;
    }
    const scope = currentScope();
    const now = performance.now();
    if (scope ? scope.wrote : now - this.lastWrite < this.stickyMs) return undefined;
    return this.set.pick(now);
  }

  another(tried: ReadonlySet<Replica>): Replica | undefined {
    return this.set.pick(performance.now(), tried);
  }

  async acquire(replica: Replica): Promise<unknown> {
    try {
      return await (replica.knex.client as { acquireConnection(): Promise<unknown> }).acquireConnection();
    } catch (error) {
      this.set.down(replica, error);
      return undefined;
    }
  }

  retryOnPrimary(replica: Replica, error: unknown): boolean {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && this.retryCodes.has(code)) return true;
    if ((typeof code === 'string' && NETWORK_CODES.has(code)) || (typeof message === 'string' && DROPPED.test(message))) {
      this.set.down(replica, error);
      return true;
    }
    return false;
  }

  destroy(): Promise<void> {
    return this.set.destroy();
  }
}

/**
 * Gives a runtime instance its read replicas: one guarded instance (same client class, so
 * the same guard; the app's knex settings; a bounded connect) per replica, and routing on
 * the instance's pool. Returns the instance.
 */
export function attachReadReplicas(instance: Knex, resolved: ResolvedConnection, options: Pick<KnexRolesOptions, 'knex' | 'readReplicas'>): Knex {
  const replicas: readonly ResolvedReplica[] = resolved.replicas ?? [];
  if (replicas.length === 0 || !dialectModule(resolved.dialect).replicas) return instance;
  const settings = { ...REPLICA_DEFAULTS, ...options.readReplicas };
  const client = instance.client as { constructor: typeof Knex.Client; pool?: unknown };
  const secrets = [resolved.connection, ...replicas.map((replica) => replica.connection)].map((connection) => passwordOf(connection)).filter((p): p is string => p !== undefined);
  const members = replicas.map((replica): Replica => {
    const own = withConnectTimeout({ ...resolved, connection: replica.connection }, settings.connectTimeoutMs);
    // The replica's connection-error log lines are replaced by one KNEX_ROLES_REPLICA_DOWN warning.
    const config = configFor(own, { knex: { ...options.knex, log: quietConnectionErrors(options.knex?.log) } });
    const replicaKnex = knex({ ...config, client: client.constructor });
    primeConnectionSettings(replicaKnex, own.connection);
    const { host, port, database } = replica.connection;
    const target = `${host}:${port}/${database}`;
    const label = `${target} (${replica.variable}${replicas.length > 1 ? `, entry ${replica.entry}` : ''})`;
    return { knex: refuseMigrate(replicaKnex, resolved.dialect), label, target, variable: replica.variable, entry: replica.entry, downUntil: 0 };
  });
  setReadRouting(client, new ReadRouting(resolved.dialect, new ReplicaSet(members, settings.retryAfterMs, secrets), settings.stickyMs));
  return instance;
}

/** The read replicas of an instance (guarded instances, one per replica), for verify and doctor. */
export function readReplicasOf(instance: Knex): readonly Replica[] {
  const routing = readRoutingOf(instance.client as { pool?: unknown });
  return routing instanceof ReadRouting ? routing.set.replicas : [];
}

/** Destroys the replicas' pools and forgets the routing (the guarded client's destroy calls it). */
export async function detachReadReplicas(client: { pool?: unknown }): Promise<void> {
  const routing = readRoutingOf(client);
  clearReadRouting(client);
  await routing?.destroy();
}

/** knex's "Acquire connection error" and "Connection Error" (an idle connection dropped) lines. */
const CONNECTION_LOG = /^(Acquire connection error|Connection Error)/;

function quietConnectionErrors(log: Knex.Config['log']): Knex.Config['log'] {
  const warn = log?.warn;
  return {
    ...log,
    warn: (message: string) => {
      if (typeof message === 'string' && CONNECTION_LOG.test(message)) return;
      if (warn) warn(message);
      else console.warn(message);
    },
  };
}

/** The replica set of an instance (to mark a replica down from outside the routing: startKnex). */
export function replicaSetOf(instance: Knex): ReplicaSet | undefined {
  const routing = readRoutingOf(instance.client as { pool?: unknown });
  return routing instanceof ReadRouting ? routing.set : undefined;
}
