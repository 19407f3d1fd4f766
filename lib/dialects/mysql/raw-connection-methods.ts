import type { RawConnectionMethods, SentText } from '../../guard/raw-connection';

type Options = { sql?: unknown; values?: unknown; namedPlaceholders?: unknown };

/**
 * `(sql | { sql, values }, values?, callback?)`: the text, and the values given with it. The
 * call is then made with what the guard read: the options copied with the text as judged,
 * with the values already formatted in (mysql2 would format them again, and a getter, a
 * stateful `toSqlString` or a later change could answer differently the second time).
 */
function sqlAndValues(args: readonly unknown[]): SentText | undefined {
  const [first, second] = args;
  if (typeof first !== 'string' && (typeof first !== 'object' || first === null)) return undefined;
  // Each property read once: a getter answers the guard and mysql2 differently otherwise.
  const options = (typeof first === 'string' ? { sql: first } : { ...(first as Record<string, unknown>) }) as Options;
  const sql = options.sql;
  if (typeof sql !== 'string') return undefined;
  const values = typeof second === 'function' || second === undefined ? options.values : second;
  const named = options.namedPlaceholders;
  const callback = args.length > 1 && typeof args[args.length - 1] === 'function' ? args[args.length - 1] : undefined;
  const sent: SentText = {
    sql,
    args: (formatted) => {
      const copy = { ...options, sql: formatted ?? sql, values: undefined, namedPlaceholders: false };
      return callback === undefined ? [copy] : [copy, callback];
    },
  };
  if (values !== undefined) sent.values = values;
  if (typeof named === 'boolean') sent.namedPlaceholders = named;
  return sent;
}
/** `(sql | { sql, values }, values?, callback?)` read as it is, for drivers that have no `format` (the mariadb connector). */
function sqlAndValuesAsGiven([first, second]: readonly unknown[]): SentText | undefined {
  const options = (typeof first === 'string' ? { sql: first } : (first ?? {})) as Options;
  if (typeof options.sql !== 'string') return undefined;
  const values = typeof second === 'function' || second === undefined ? options.values : second;
  return values === undefined ? { sql: options.sql } : { sql: options.sql, values };
}

/** Values bound on the server (prepared statements): the text is all the SQL; the call is made with the text as read. */
function textOnly(args: readonly unknown[]): SentText | undefined {
  const [first, ...rest] = args;
  if (typeof first === 'string') return { sql: first };
  if (typeof first !== 'object' || first === null) return undefined;
  const options = { ...(first as Record<string, unknown>) } as Options;
  const sql = options.sql;
  if (typeof sql !== 'string') return undefined;
  return { sql, args: () => [{ ...options, sql }, ...rest] };
}

/**
 * mysql2 (and mysql, mariadb) connections. `query` formats bound values into the text on the client,
 * so the guard judges the text with them (the driver's own `format`); `execute` and
 * `prepare` bind them on the server (prepared statements), so their text is all the SQL.
 */
export const MYSQL_RAW_METHODS: RawConnectionMethods = {
  sends: {
    query: sqlAndValues,
    execute: textOnly,
    prepare: textOnly,
    // The mariadb connector (knex client mariadb) also sends text by these.
    batch: sqlAndValuesAsGiven,
    queryStream: sqlAndValuesAsGiven,
  },
  returnsPromise: () => false,
  // `conn.promise()` wraps the connection it is called on: called on the guarded view, its query / execute are judged.
  viaGuard: ['promise'],
};
