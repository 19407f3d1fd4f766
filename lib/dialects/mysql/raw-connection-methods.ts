import type { ClientFormat, RawConnectionMethods, SentText } from '../../guard/raw-connection';
import { formatLikeConnector, type Escape } from './connector-format';

type Options = { sql?: unknown; values?: unknown };

/** `(sql | { sql, values }, values?, callback?)`: the text, and the values given with it. */
function sqlAndValues([first, second]: readonly unknown[]): SentText | undefined {
  const options = (typeof first === 'string' ? { sql: first } : (first ?? {})) as Options;
  if (typeof options.sql !== 'string') return undefined;
  const values = typeof second === 'function' || second === undefined ? options.values : second;
  return values === undefined ? { sql: options.sql } : { sql: options.sql, values };
}

/** `(sql | { sql, values }, values?, callback?)` sending `text` with no values (the callback kept). */
function sentAs(args: readonly unknown[], text: string): unknown[] {
  const [first, second, ...rest] = args;
  const options = typeof first === 'object' && first !== null ? { ...(first as object), sql: text, values: undefined } : text;
  if (typeof second === 'function') return [options, second, ...rest];
  return [options, undefined, ...rest];
}

/** Values bound on the server: the text is all the SQL. */
function textOnly(args: readonly unknown[]): SentText | undefined {
  const sent = sqlAndValues(args);
  return sent && { sql: sent.sql };
}

type Connection = { format?: ClientFormat; escape?: Escape; queryStream?: unknown; batch?: unknown; importFile?: unknown };

/**
 * The mariadb connector's callback connection (knex client `mariadb`): it has `escape`, its
 * own `queryStream`, `batch` and `importFile`, and a `format` that only throws.
 */
function isMariadbConnector(connection: Connection): connection is Connection & { escape: Escape } {
  return typeof connection.escape === 'function' && typeof connection.queryStream === 'function' && typeof connection.batch === 'function' && typeof connection.importFile === 'function';
}

/**
 * The text a MySQL driver sends with the values written in: mysql2's and mysql's own
 * `format` (what their `query` runs), or for the mariadb connector the same text built the
 * connector's way (connector-format.ts). Another driver: null, the guard cannot tell.
 */
function mysqlClientFormat(connection: unknown): ClientFormat | null {
  if (typeof connection !== 'object' || connection === null) return null;
  const c = connection as Connection;
  if (isMariadbConnector(c)) return (sql, values) => formatLikeConnector(sql, values, (value) => c.escape(value));
  const format = c.format;
  return typeof format === 'function' ? (sql, values) => format.call(c, sql, values) : null;
}

/**
 * mysql2, mysql and mariadb connections. `query` (and mariadb's `queryStream`) writes bound
 * values into the text on the client, so the guard judges the text with them
 * (`clientFormat`); `execute`, `prepare` and mariadb's `batch` bind them on the server
 * (prepared statements), so their text is all the SQL. mariadb's `importFile` sends a
 * file's SQL, which the guard does not read: refused.
 */
export const MYSQL_RAW_METHODS: RawConnectionMethods = {
  sends: {
    query: sqlAndValues,
    execute: textOnly,
    prepare: textOnly,
    batch: textOnly,
    queryStream: sqlAndValues,
    importFile: () => undefined,
  },
  returnsPromise: () => false,
  withText: sentAs,
  // `conn.promise()` wraps the connection it is called on: called on the guarded view, its query / execute are judged.
  viaGuard: ['promise'],
  clientFormat: mysqlClientFormat,
};
