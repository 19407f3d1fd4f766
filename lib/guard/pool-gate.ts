import { UnguardedPathError } from '../errors';
import type { Dialect } from '../types';

/**
 * guard(knex) changes one client object. What knex made from that client before (a
 * `withUserParams()` copy is `Object.create(Client.prototype)` plus the client's fields, a
 * transaction's client the same) shares only the pool with it, so the pool is where the
 * guard can stop them: it refuses to hand connections to any client but a guarded one,
 * and guard() refuses to start while connections are out (their holder may be unguarded).
 */

type Pool = {
  acquire(...args: unknown[]): unknown;
  numUsed?: () => number;
  numPendingAcquires?: () => number;
  numPendingCreates?: () => number;
};

// Guarded clients acquire through throughGate; knex's acquireConnection calls
// pool.acquire() synchronously before its first await, so a counter tells them apart.
let guardedAcquires = 0;

/** Runs a guarded client's `acquireConnection` (`acquire` called on `client`) so that gated pools let it through; no closure per query. */
export function throughGate<C, T>(acquire: (this: C) => T, client: C): T {
  guardedAcquires++;
  try {
    return acquire.call(client);
  } finally {
    guardedAcquires--;
  }
}

/**
 * Throws E_GUARD_IN_USE when connections are held or being handed out: a transaction
 * begun before guard() holds one with knex's unguarded client, and so may a copy's query.
 */
export function assertIdle(pool: Pool, dialect: Dialect): void {
  const inUse = (pool.numUsed?.() ?? 0) + (pool.numPendingAcquires?.() ?? 0) + (pool.numPendingCreates?.() ?? 0);
  if (inUse === 0) return;
  throw new UnguardedPathError('E_GUARD_IN_USE', `guard() was called while ${inUse} connection(s) of this knex instance were in use or being acquired; a transaction or query begun before guard() would go on without the guard.`, {
    remedy: 'Call guard() before the instance runs anything (right after knex(config)), or build it with createKnex() / knexConfig(), which are guarded from the start.',
    dialect,
  });
}

/** Makes the pool refuse `acquire` from clients that are not guarded (throughGate). */
export function gatePool(pool: Pool, dialect: Dialect): void {
  const acquire = pool.acquire;
  pool.acquire = function gatedAcquire(this: unknown): unknown {
    if (guardedAcquires === 0) {
      throw new UnguardedPathError('E_GUARD_EARLIER_CLONE', 'A knex client that is not under the guard asked a guarded pool for a connection: a knex.withUserParams() copy made before guard(), or code calling client.pool.acquire() itself.', {
        remedy: 'Make withUserParams() copies after guard() (they inherit it), or build the instance with createKnex() / knexConfig(), which are guarded from the start.',
        dialect,
      });
    }
    // `arguments`, not a rest array: the engine passes them on without allocating.
    return acquire.apply(this, arguments as unknown as unknown[]);
  };
}
