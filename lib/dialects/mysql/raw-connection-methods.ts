import { EventEmitter } from 'node:events';
import { assignedThroughView, type ClientFormat, type RawConnectionMethods, type SentText } from '../../guard/raw-connection';
import { formatLikeConnector, type Escape } from './connector-format';
import { configuredCharset } from './lexing-settings';

type Options = { sql?: unknown; values?: unknown; namedPlaceholders?: unknown };

/**
 * A plain copy of a call's options object: its own properties, read once, without
 * `constructor` (mysql2 runs an object whose constructor is its Query command as that
 * command, with its own execute(): red team 13) and without a `__proto__` of its own.
 */
function plainOptions(first: object): Options & Record<string, unknown> {
  const copy = { ...(first as Record<string, unknown>) };
  delete copy['constructor'];
  delete copy['__proto__'];
  return copy;
}

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
  const options: Options = typeof first === 'string' ? { sql: first } : plainOptions(first);
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
/** Values bound on the server (prepared statements): the text is all the SQL; the call is made with the text as read. */
function textOnly(args: readonly unknown[]): SentText | undefined {
  const [first, ...rest] = args;
  if (typeof first === 'string') return { sql: first };
  if (typeof first !== 'object' || first === null) return undefined;
  const options = plainOptions(first);
  const sql = options.sql;
  if (typeof sql !== 'string') return undefined;
  return { sql, args: () => [{ ...options, sql }, ...rest] };
}

/**
 * mysql's (mysqljs) `beginTransaction` / `commit` / `rollback(options?, callback?)` send
 * fixed text by setting `options.sql` and calling `query(options)` on the connection itself;
 * on a frozen options object (or one whose `sql` is read-only) that assignment is dropped
 * and the caller's `sql` is sent (red team 12). So the call gets a plain copy of the
 * options, without `sql` and `values`. mysql2 and mariadb take only a callback.
 */
function fixedText(sql: string): (args: readonly unknown[]) => SentText {
  return (args) => {
    const [first, ...rest] = args;
    if (typeof first !== 'object' || first === null) return { sql };
    const { sql: _sql, values: _values, ...options } = plainOptions(first);
    return { sql, args: () => [options, ...rest] };
  };
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
 * `format` (what their `query` runs; one pool.afterCreate assigned through its view), or for the mariadb connector the same text built the
 * connector's way (connector-format.ts). Another driver: null, the guard cannot tell.
 */
function mysqlClientFormat(connection: unknown): ClientFormat | null {
  if (typeof connection !== 'object' || connection === null) return null;
  const c = connection as Connection;
  if (isMariadbConnector(c)) return (sql, values) => formatLikeConnector(sql, values, (value) => c.escape(value));
  // A `format` pool.afterCreate assigned through its view stays on the view (raw-connection.ts): the
  // guard formats with it, called on that view (after the hook, the view sends nothing), and sends its text.
  const assigned = assignedThroughView(c, 'format');
  if (assigned !== undefined) {
    const { value, view } = assigned;
    return typeof value === 'function' ? (sql, values, namedPlaceholders) => String(value.call(view, sql, values, namedPlaceholders)) : null;
  }
  const format = c.format;
  return typeof format === 'function' ? (sql, values, namedPlaceholders) => format.call(c, sql, values, namedPlaceholders) : null;
}

/**
 * mysql2, mysql and mariadb connections. `query` (and mariadb's `queryStream`) writes bound
 * values into the text on the client, so the guard judges the text with them
 * (`clientFormat`); `execute`, `prepare` and mariadb's `batch` bind them on the server
 * (prepared statements), so their text is all the SQL. mariadb's `importFile` sends a
 * file's SQL, which the guard does not read: refused, and so are mysql2's protocol-level
 * `addCommand`, `writePacket` and `write`.
 */
export const MYSQL_RAW_METHODS: RawConnectionMethods = {
  sends: {
    query: sqlAndValues,
    execute: textOnly,
    prepare: textOnly,
    batch: textOnly,
    queryStream: sqlAndValues,
    importFile: () => undefined,
    beginTransaction: fixedText('START TRANSACTION'),
    commit: fixedText('COMMIT'),
    rollback: fixedText('ROLLBACK'),
    // mysql2's protocol level: a command object (its execute() gets the connection) or raw packets and bytes.
    addCommand: () => undefined,
    writePacket: () => undefined,
    write: () => undefined,
  },
  returnsPromise: () => false,
  // `conn.promise()` wraps the connection it is called on: called on the guarded view, its query / execute are judged.
  viaGuard: ['promise'],
  // Switch user or default database, or reset the session to the server's globals, without SQL text
  // (COM_CHANGE_USER, COM_RESET_CONNECTION): read with the session after the hook; refused after it (red team 13).
  sessionMethods: ['changeUser', 'reset'],
  // changeUser({ charset | collation | charsetNumber }): the driver switches its encoder to it, whatever the server makes of it (red team 16).
  sessionArguments: ([options]) => {
    const charset = configuredCharset(options);
    if (charset?.verdict !== 'refused') return undefined;
    return {
      why: `with ${charset.option} ${charset.value} the driver would encode text in a character set the guard cannot follow`,
      remedy: 'Keep the runtime connection in utf8mb4 (or latin1 as its charset option); do not switch its character set in the hook.',
      keyword: 'CHARACTER SET',
    };
  },
  // Escaping, formatting, pings and flow control send no SQL; unprepare closes a prepared statement.
  passes: ['escape', 'escapeId', 'format', 'ping', 'statistics', 'pause', 'resume', 'unprepare', 'serverVersion', 'isValid'],
  clientFormat: mysqlClientFormat,
  // mysql2 and mysql leave a text sent with [] as it is; without an array mysql2 reads `:name`
  // in it when `namedPlaceholders` is on (and throws on `ticket:12`, red team 38). The mariadb
  // connector reads a text sent with any values for `?`, and sends it as is only with none.
  formattedValues: (connection) => (typeof connection === 'object' && connection !== null && isMariadbConnector(connection as Connection) ? undefined : []),
  // knex's mysql / mysql2 client asks the first new connection `select version()` itself.
  clientSends: ['checkVersion'],
  sameConnection: mariadbInnerConnection,
  // A prepared statement (mysql2 PreparedStatementInfo, mariadb's): run with values, closed; a
  // typeCast's field (mysqljs Field, the mariadb connector's column): its value read. A
  // command (an EventEmitter) has an `execute` of its own, which takes the packets of the
  // protocol: called by the hook, it would put the command out of step with the server.
  objectPasses: (held, method) => method === 'stream' || (STATEMENT_METHODS.has(method) && !(held instanceof EventEmitter)),
};

const STATEMENT_METHODS = new Set([
  'execute', 'executeStream', 'close', 'isClose',
  'string', 'buffer', 'geometry', 'tiny', 'short', 'int', 'long', 'decimal', 'float', 'double', 'date', 'datetime',
]);

/**
 * The mariadb connector's callback connection (knex client `mariadb`) is a wrapper of its
 * Connection, kept in a private field; that Connection emits the wrapper's events (listeners
 * get it as `this`) and its prepared statements hold it (`conn`). Both carry the same
 * ConnectionInformation object, `info` (the wrapper's getter, the Connection's own property).
 */
function mariadbInnerConnection(value: object, connection: object): boolean {
  const info = Object.getOwnPropertyDescriptor(value, 'info')?.value as unknown;
  if (typeof info !== 'object' || info === null) return false;
  const getter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(connection) ?? {}, 'info')?.get;
  return getter !== undefined && getter.call(connection) === info;
}
