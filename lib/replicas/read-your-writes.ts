import { AsyncLocalStorage } from 'node:async_hooks';

/** One read-your-writes scope: once something in it wrote, its reads go to the primary. */
export interface WriteScope {
  wrote: boolean;
}

const scopes = new AsyncLocalStorage<WriteScope>();

/**
 * Runs `fn` in a read-your-writes scope (an async context: everything `fn` starts, awaited or
 * not, belongs to it). After the scope's first write (any statement sent to the primary that
 * is not a plain read, or a transaction), the scope's reads on every knex-roles instance
 * with read replicas go to the primary, so a request reads what it wrote whatever the
 * replication lag. Inside another scope it joins that one. Wrap each request, job or
 * message handler:
 *
 *   app.use((req, res, next) => withReadYourWrites(next));
 */
export function withReadYourWrites<T>(fn: () => T): T {
  if (scopes.getStore() !== undefined) return fn();
  return scopes.run({ wrote: false }, fn);
}

/** The current scope, if any. */
export function currentScope(): WriteScope | undefined {
  return scopes.getStore();
}
