/**
 * The seam between the guarded client (lib/guard/client.ts) and read routing: the client
 * asks for the routing of its pool, so `withUserParams()` clones (which share the pool)
 * route too, and transaction clients (which have none of their own) never do. Nothing else
 * of lib/replicas is loaded unless an instance has replicas.
 */
export interface ReadRoutingHook {
  /** A knex Runner for `builder` that picks a connection per statement. */
  runner(client: unknown, builder: unknown): unknown;
  /** A write (or a transaction) happened: reads in the same scope go to the primary. */
  wrote(): void;
  destroy(): Promise<void>;
}

const routings = new WeakMap<object, ReadRoutingHook>();

export function setReadRouting(client: { pool?: unknown }, routing: ReadRoutingHook): void {
  if (typeof client.pool === 'object' && client.pool !== null) routings.set(client.pool, routing);
}

export function readRoutingOf(client: { pool?: unknown }): ReadRoutingHook | undefined {
  const { pool } = client;
  return typeof pool === 'object' && pool !== null ? routings.get(pool) : undefined;
}

export function clearReadRouting(client: { pool?: unknown }): void {
  if (typeof client.pool === 'object' && client.pool !== null) routings.delete(client.pool);
}
