import type { RawConnectionMethods } from '../../guard/raw-connection';

type Submittable = { submit?: unknown; text?: unknown; cursor?: { text?: unknown } };

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
  },
  // Without a callback pg returns a promise, except for a submittable, which it returns.
  returnsPromise: ([first]) => typeof (first as Submittable | null | undefined)?.submit !== 'function',
};
