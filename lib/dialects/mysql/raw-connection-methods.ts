import type { RawConnectionMethods, SentText } from '../../guard/raw-connection';

type Options = { sql?: unknown; values?: unknown };

/** `(sql | { sql, values }, values?, callback?)`: the text, and the values given with it. */
function sqlAndValues([first, second]: readonly unknown[]): SentText | undefined {
  const options = (typeof first === 'string' ? { sql: first } : (first ?? {})) as Options;
  if (typeof options.sql !== 'string') return undefined;
  const values = typeof second === 'function' || second === undefined ? options.values : second;
  return values === undefined ? { sql: options.sql } : { sql: options.sql, values };
}

/** Values bound on the server: the text is all the SQL. */
function textOnly(args: readonly unknown[]): SentText | undefined {
  const sent = sqlAndValues(args);
  return sent && { sql: sent.sql };
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
    batch: sqlAndValues,
    queryStream: sqlAndValues,
  },
  returnsPromise: () => false,
  // `conn.promise()` wraps the connection it is called on: called on the guarded view, its query / execute are judged.
  viaGuard: ['promise'],
};
