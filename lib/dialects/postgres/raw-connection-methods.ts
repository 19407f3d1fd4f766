import type { RawConnectionMethods, SentText } from '../../guard/raw-connection';

type Submittable = { submit?: unknown; text?: unknown };

/** pg-native: `querySync(text, values?)`, `prepare(name, text, nParams, cb)` / `prepareSync(name, text, nParams)`. */
function nativeText(at: number): (args: readonly unknown[]) => { sql: string } | undefined {
  return (args) => (typeof args[at] === 'string' ? { sql: args[at] } : undefined);
}

/** pg's own Query class, as the connection's Client class carries it (`Client.Query`). */
function pgQueryClass(connection: object): { prototype: object } | undefined {
  const Query = (Object.getPrototypeOf(connection) as { constructor?: { Query?: unknown } } | null)?.constructor?.Query;
  return typeof Query === 'function' && typeof (Query as { prototype?: unknown }).prototype === 'object' ? (Query as { prototype: object }) : undefined;
}

/**
 * pg.Client `query(text | config | submittable, values?, callback?)`. Values are bound on the
 * server ($1 …), so the text is all that is sent as SQL, and what is sent is made to be the
 * text judged: pg reads a config's `text` again (it clones the config with its getters) and
 * a submittable's `text` only when it is submitted, perhaps after queued queries; and a
 * submittable's own `submit()` may send anything. So:
 * - a config object is replaced by a plain copy with the text as read (no `submit`);
 * - a submittable is accepted only if it is a pg Query (its prototype is the connection's
 *   `Client.Query.prototype`, no own property shadows a method of it), and its `text` is
 *   pinned (read-only) to the value judged, and so are its methods: pg calls `submit`,
 *   `prepare` and the `handle…` methods with its protocol connection, perhaps after queued
 *   queries, and one assigned (or a prototype swapped in) meanwhile would get it (red team
 *   12). pg-cursor, pg-query-stream and other submittables are refused here: they carry
 *   their own `submit`.
 */
function pgQuery(args: readonly unknown[], connection: object): SentText | undefined {
  const [first, ...rest] = args;
  if (typeof first === 'string') return { sql: first };
  if (typeof first !== 'object' || first === null) return undefined;
  const query = first as Submittable;
  // Each property read once: a getter answers the guard and pg differently otherwise.
  const submit = query.submit;
  const text = query.text;
  if (typeof text !== 'string') return undefined;
  if (typeof submit !== 'function') {
    const copy: Record<string, unknown> = { ...(first as Record<string, unknown>), text };
    delete copy['submit'];
    return { sql: text, args: () => [copy, ...rest] };
  }
  const Query = pgQueryClass(connection);
  if (Query === undefined || Object.getPrototypeOf(first) !== Query.prototype || submit !== (Query.prototype as Submittable).submit) return undefined;
  if (Object.getOwnPropertyNames(Query.prototype).some((key) => Object.hasOwn(first, key))) return undefined;
  try {
    Object.defineProperty(first, 'text', { value: text, writable: false, configurable: false, enumerable: true });
    for (const key of Object.getOwnPropertyNames(Query.prototype)) {
      const method: unknown = Object.getOwnPropertyDescriptor(Query.prototype, key)?.value;
      if (key !== 'constructor' && typeof method === 'function') Object.defineProperty(first, key, { value: method, writable: false, configurable: false, enumerable: false });
    }
  } catch {
    return undefined;
  }
  return { sql: text };
}

/** pg.Client and pg-native: the methods that send SQL text. */
export const POSTGRES_RAW_METHODS: RawConnectionMethods = {
  sends: {
    query: pgQuery,
    // pg-native (knex client pgnative) also sends text by these; `execute` runs what `prepare` sent.
    querySync: nativeText(0),
    prepare: nativeText(1),
    prepareSync: nativeText(1),
  },
  // Type parsers and escaping send nothing; pg-native's execute / executeSync run a statement judged when prepared.
  passes: ['setTypeParser', 'getTypeParser', 'escapeIdentifier', 'escapeLiteral', 'execute', 'executeSync'],
  // Without a callback pg returns a promise, except for a submittable, which it returns.
  returnsPromise: ([first]) => typeof (first as Submittable | null | undefined)?.submit !== 'function',
  // knex's pg (and pgnative) client sends these on each new connection, inside acquireRawConnection.
  clientSends: ['checkVersion', 'setSchemaSearchPath'],
  // pg's results, queries and promises need only what every object may (listening, then).
  objectPasses: () => false,
};
