import type { RawConnectionMethods } from '../../guard/raw-connection';

type Submittable = { submit?: unknown; text?: unknown; cursor?: { text?: unknown } };

/** pg-native: `querySync(text, values?)`, `prepare(name, text, nParams, cb)` / `prepareSync(name, text, nParams)`. */
function nativeText(at: number): (args: readonly unknown[]) => { sql: string } | undefined {
  return (args) => (typeof args[at] === 'string' ? { sql: args[at] } : undefined);
}

/**
 * pg.Client: `query(text | { text, values } | submittable, values?, callback?)`. Values are
 * bound on the server ($1 …), so the text is all that is sent as SQL. A submittable
 * (pg Query, pg-cursor, pg-query-stream) carries its text itself or on its cursor.
 */
export const POSTGRES_RAW_METHODS: RawConnectionMethods = {
  sends: {
    query: ([first]) => {
      if (typeof first === 'string') return { sql: first };
      const query = (first ?? {}) as Submittable;
      const text = query.text ?? query.cursor?.text;
      return typeof text === 'string' ? { sql: text } : undefined;
    },
    // pg-native (knex client pgnative) also sends text by these; `execute` runs what `prepare` sent.
    querySync: nativeText(0),
    prepare: nativeText(1),
    prepareSync: nativeText(1),
  },
  // Without a callback pg returns a promise, except for a submittable, which it returns.
  returnsPromise: ([first]) => typeof (first as Submittable | null | undefined)?.submit !== 'function',
};
