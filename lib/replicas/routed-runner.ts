import { knexRunnerClass } from '../knex-internals';
import type { Replica } from './replica-set';

/** What the runner asks of read routing (lib/replicas/read-routing.ts). */
export interface Router {
  /** The replica for this text, or undefined for the primary (a write also marks the scope sticky). */
  replicaFor(sql: string | undefined): Replica | undefined;
  /** A replica that is up and not among `tried` (one read tries each replica at most once). */
  another(tried: ReadonlySet<Replica>): Replica | undefined;
  /** A connection of `replica`'s pool, or undefined when it cannot connect (it is marked down). */
  acquire(replica: Replica): Promise<unknown>;
  /** After a replica ran and failed: run once more on the primary? (marks it down when it dropped). */
  retryOnPrimary(replica: Replica, error: unknown): boolean;
  wrote(): void;
}

interface QueryObject {
  sql?: string;
  statementsProducer?: unknown;
}

interface KnexClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

interface RunnerBase {
  client: KnexClient;
  builder: { _connection?: unknown; toSQL(): QueryObject | QueryObject[]; sql?: unknown; bindings?: unknown };
  connection: unknown;
  ensureConnection(cb: (runner: unknown, params: unknown) => Promise<unknown>, params?: unknown): Promise<unknown>;
  query(obj: QueryObject): Promise<unknown>;
  queryArray(queries: QueryObject[]): Promise<unknown>;
}

type RunnerClass = new (client: unknown, builder: unknown) => RunnerBase;

let Routed: (new (client: unknown, builder: unknown, router: Router) => RunnerBase) | undefined;

/**
 * A knex Runner (lib/execution/runner.js) that picks the connection per statement instead
 * of acquiring one up front: knex compiles the SQL only after acquiring, so the plain
 * runner cannot know where a statement should go. Reads (as routing decides) take a
 * connection from a replica's pool; everything else, and everything after a failed
 * replica, from the primary's. Statements given a connection (`.connection(c)`,
 * transactions) keep it.
 */
export function routedRunner(client: unknown, builder: unknown, router: Router): unknown {
  Routed ??= routedRunnerClass(knexRunnerClass<RunnerClass>());
  return new Routed(client, builder, router);
}

function routedRunnerClass(Runner: RunnerClass) {
  return class RoutedRunner extends Runner {
    private readonly router: Router;

    constructor(client: unknown, builder: unknown, router: Router) {
      super(client, builder);
      this.router = router;
    }

    override ensureConnection(cb: (runner: unknown, params: unknown) => Promise<unknown>, params?: unknown): Promise<unknown> {
      if (this.builder._connection || this.connection) return super.ensureConnection(cb, params);
      // knex's stream callback compiles and sends at once: route before it, on the compiled text.
      if (typeof params === 'object' && params !== null && 'stream' in params) return this.streamRouted(cb, params);
      // knex's query callback compiles, then calls query() / queryArray(), which acquire.
      return cb(this, params);
    }

    override query(obj: QueryObject): Promise<unknown> {
      if (this.connection) return super.query(obj);
      const replica = this.router.replicaFor(obj.sql);
      return replica === undefined ? this.onPrimary(() => super.query(obj)) : this.read(replica, obj);
    }

    /** A read: on `first`, else on each other replica that is up, once; else (or when refused) on the primary. */
    private async read(first: Replica, obj: QueryObject): Promise<unknown> {
      const original = { ...obj };
      const tried = new Set<Replica>();
      for (let replica: Replica | undefined = first; replica !== undefined; replica = this.router.another(tried)) {
        tried.add(replica);
        const connection = await this.router.acquire(replica);
        if (connection === undefined) continue;
        try {
          return await this.on(connection, () => super.query(obj));
        } catch (error) {
          if (!this.router.retryOnPrimary(replica, error)) throw error;
        } finally {
          await replica.knex.client.releaseConnection(connection);
        }
        // knex rewrote the object in place (placeholders): the retry starts from the original.
        return this.onPrimary(() => super.query({ ...original }));
      }
      return this.onPrimary(() => super.query(obj));
    }

    override queryArray(queries: QueryObject[]): Promise<unknown> {
      const [only] = queries;
      if (this.connection || (queries.length === 1 && only !== undefined && !only.statementsProducer)) return super.queryArray(queries);
      // Several statements (the schema builder) run in order on one primary connection.
      this.router.wrote();
      return this.onPrimary(() => super.queryArray(queries));
    }

    private async streamRouted(cb: (runner: unknown, params: unknown) => Promise<unknown>, params: unknown): Promise<unknown> {
      let sql: string | undefined;
      try {
        const compiled = this.builder.toSQL();
        sql = Array.isArray(compiled) ? undefined : compiled.sql;
      } catch {
        // knex's own callback reports it, on the stream.
      }
      const tried = new Set<Replica>();
      for (let replica = this.router.replicaFor(sql); replica !== undefined; replica = this.router.another(tried)) {
        tried.add(replica);
        const connection = await this.router.acquire(replica);
        if (connection === undefined) continue;
        // No retry: rows may have reached the stream already. knex's own release (on close)
        // goes to the primary's pool, which refuses a connection it does not own.
        this.connection = connection;
        try {
          return await cb(this, params);
        } finally {
          await replica.knex.client.releaseConnection(connection);
        }
      }
      return super.ensureConnection(cb, params);
    }

    private async onPrimary<T>(run: () => Promise<T>): Promise<T> {
      let connection: unknown;
      try {
        connection = await this.client.acquireConnection();
      } catch (error) {
        // As knex's own runner does for a pool timeout.
        if ((error as { name?: unknown } | null)?.name === 'KnexTimeoutError') Object.assign(error as object, { sql: this.builder.sql, bindings: this.builder.bindings });
        throw error;
      }
      // `on`, written out: every write's path, and one async frame less shows in `npm run bench`.
      this.connection = connection;
      try {
        return await run();
      } finally {
        this.connection = undefined;
        await this.client.releaseConnection(connection);
      }
    }

    private async on<T>(connection: unknown, run: () => Promise<T>): Promise<T> {
      this.connection = connection;
      try {
        return await run();
      } finally {
        this.connection = undefined;
      }
    }
  };
}
