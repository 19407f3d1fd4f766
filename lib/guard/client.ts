import type { Knex } from 'knex';
import { GuardSessionError, RUNTIME_DDL_REMEDY, RuntimeDdlError, UsageError } from '../errors';
import { KNEX_CLIENT } from '../env/contract';
import { knexDialectClass } from '../knex-internals';
import { dialectModule } from '../dialects/registry';
import type { Dialect, Role } from '../types';
import { bookkeepingWriteCheck, DEFAULT_TABLE } from './bookkeeping-writes';
import type { ClassifiedStatement } from './classify';
import { emptyJudged, judge, plainQuery, stillJudged, textOptionsRefusal, type JudgedQuery } from './query-options';
import { throughGate } from './pool-gate';
import { guardAfterCreate, guardedView, guardValidate, type RawRefusal, type SentText } from './raw-connection';
import { redactLiterals } from './redact-literals';
import { unsettledSetting } from './unsettled-setting';
import { readSessionSettings, type SessionSettings } from './session-settings';
import { literalValues, valuesInCode } from './value-placement';
import { TextCache } from './text-cache';
import { readRoutingOf } from '../replicas/routing-hook';
import { databaseMissing } from './refusing-migrations';

type ClassifySql = typeof import('./classify').classifySql;
let classifySql: ClassifySql | undefined;
/** The classifier (some forty modules), loaded on the first check: `require('knex-roles')` stays cheap (`npm run bench`). */
function classifier(): ClassifySql {
  return (classifySql ??= (require('./classify') as typeof import('./classify')).classifySql);
}

export interface GuardOptions {
  role: Role;
  /** Keywords (as `classifySql` reports them, e.g. `TRUNCATE`) let through anyway. */
  dangerouslyAllow: readonly string[];
  /** The `appTemporaryTables` opt-in: `CREATE TEMPORARY TABLE` (that keyword only) passes, without a warning. */
  appTemporaryTables?: boolean;
}

/** The keyword `classifySql` reports for temporary-table creation, on every dialect. */
const TEMPORARY_TABLE_KEYWORD = 'CREATE TEMPORARY TABLE';

export type ClientClass = typeof Knex.Client;
type QueryParam = string | { sql?: string; bindings?: unknown; options?: unknown };

// Verdicts per SQL text: knex sends the same few statement shapes over and over, so a
// small cache (text-cache.ts: looked up without hashing the text) makes the guard cost a
// lookup. Bounded in entries (cleared when full) and in text size (long one-off
// statements, e.g. bulk inserts, are classified uncached).
const CACHE_LIMIT = 2000;
const CACHE_MAX_SQL = 4096;

/** The verdict cache key of a session whose settings are not known; no session reader makes it (they make '' and words). */
const UNREAD = '\u0000unread';

/**
 * A character above U+00FF, which a one-byte encoding cannot carry (SessionSettings.narrowText),
 * and U+00A0, which goes out as byte A0: latin1's no-break space, whitespace to MariaDB (and a
 * comment start after `--`) where the guard reads a letter (red team 47: `SET @a = 1,\u00a0GLOBAL …`).
 */
const WIDE_CHARACTER = /[\u00a0\u0100-\uffff]/;

function narrowTextRefusal(sql: string, dialect: Dialect, role: Role): RuntimeDdlError {
  return new RuntimeDdlError('E_RUNTIME_DDL', `Refused text with a character above U+00FF, or a no-break space (U+00A0), on a ${role} connection whose character set the driver writes one byte per character (latin1, ascii, binary): it would send only the character's low byte, which can be a quote or a backslash, and the server reads byte A0 as a space where the guard reads a letter.`, {
    remedy: 'Use charset utf8mb4 for the runtime connection (connection option `charset`), or keep such characters out of the SQL and its bound values.',
    kind: 'other',
    keyword: 'CHARACTER SET',
    role,
    dialect,
    statement: redactLiterals(sql, dialect),
  });
}

/**
 * `dangerouslyAllow` as given (plain JavaScript reaches here unchecked): an array of the
 * keywords refusals report. A pattern (`*`) or an empty entry matches nothing, which would
 * look like an allowance that does not hold, so both are refused.
 */
function checkedAllowList(list: unknown): readonly string[] {
  const bad = !Array.isArray(list) ? 'is not an array' : list.some((k) => typeof k !== 'string') ? 'has an entry that is not a string' : list.some((k) => (k as string).trim() === '' || /[*%?]/.test(k as string)) ? 'has an empty entry or a pattern (*, %, ?)' : undefined;
  if (bad === undefined) return list as readonly string[];
  throw new UsageError('E_USAGE', `dangerouslyAllow ${bad}.`, {
    remedy: "Pass the keywords the guard's refusals report (error.keyword), each in full, e.g. dangerouslyAllow: ['TRUNCATE'] or ['PRAGMA JOURNAL_MODE']; leave it out to allow nothing more.",
  });
}

/** Marks guarded classes so `guard()` never wraps twice. */
export const GUARDED = Symbol.for('knex-roles.guarded');

/** A check the cache does not cover: run on every cache miss, before the classifier (knex's bookkeeping tables, bookkeeping-writes.ts). */
export type PreCheck = (sql: string, session: SessionSettings | undefined) => RuntimeDdlError | undefined;

/** The check a guarded client runs on every SQL string; `forget()` empties its cache (when what `preCheck` refuses changed). */
export interface StatementCheck {
  (sql: string, session?: SessionSettings, once?: boolean): RuntimeDdlError | undefined;
  forget(): void;
}

/**
 * The check a guarded client runs on every SQL string: the first statement the runtime
 * role may not run (and `dangerouslyAllow` does not name), as the error to throw. One
 * cache entry per text holds the whole verdict (`preCheck`'s and the classifier's), so a
 * text seen before costs one cache lookup (text-cache.ts).
 */
export function createStatementCheck(dialect: Dialect, options: GuardOptions, preCheck?: PreCheck): StatementCheck {
  // No entry is empty (checkedAllowList): '' is the keyword of unlexable input, which must stay refused.
  const allowed = new Set(checkedAllowList(options.dangerouslyAllow).map((keyword) => keyword.trim().replace(/\s+/g, ' ').toUpperCase()));
  if (allowed.size > 0) {
    process.emitWarning(`knex-roles: dangerouslyAllow lets ${[...allowed].join(', ')} through the runtime guard.`, { code: 'KNEX_ROLES_DANGEROUSLY_ALLOW' });
  }
  // A documented opt-in, matched by the database's own grant (provision), so no warning.
  if (options.appTemporaryTables) allowed.add(TEMPORARY_TABLE_KEYWORD);
  // One cache per way of reading text (session settings; a read session with the servers'
  // defaults has key ''). A session not read (no reader: SQLite; or the raw calls of
  // pool.afterCreate, before the read) is judged in every reading: its verdicts are its own,
  // never one made for a session read one way. The last cache used is kept at hand, since
  // most apps' sessions all read text one way.
  const caches = new Map<string, TextCache<ClassifiedStatement | null>>();
  let lastKey = UNREAD;
  let last = new TextCache<ClassifiedStatement | null>(CACHE_LIMIT);
  caches.set(lastKey, last);

  // `once`: a text with bound values formatted in (MySQL), not worth a cache entry.
  const { narrowWhenUnread = false } = dialectModule(dialect).guardText;
  const check = (sql: string, session?: SessionSettings, once = false): RuntimeDdlError | undefined => {
    // A character the driver cannot send as itself (SessionSettings.narrowText), before any verdict.
    if ((session === undefined ? narrowWhenUnread : session.narrowText === true) && WIDE_CHARACTER.test(sql)) return narrowTextRefusal(sql, dialect, options.role);
    const key = session === undefined ? UNREAD : session.key;
    if (key !== lastKey) {
      let verdicts = caches.get(key);
      if (verdicts === undefined) caches.set(key, (verdicts = new TextCache(CACHE_LIMIT)));
      lastKey = key;
      last = verdicts;
    }
    const verdicts = last;
    // The length first: a long text is never cached, so looking it up is waste.
    const cacheable = !once && sql.length <= CACHE_MAX_SQL;
    let refused = cacheable ? verdicts.get(sql) : undefined;
    if (refused === undefined) {
      // Not cached when it refuses: refusals are rare, and its error is made fresh each time.
      const early = preCheck?.(sql, session);
      if (early) return early;
      refused = null;
      for (const statement of classifier()(sql, dialect, session?.reading).statements) {
        if (!statement.allowedOnRuntime && !allowed.has(statement.keyword)) {
          refused = statement;
          break;
        }
      }
      // Kept from the second sight on (TextCache.offer): a text never seen again is not worth an entry.
      if (cacheable) verdicts.offer(sql, refused);
    }
    if (refused === null) return undefined;
    // The statement goes into the error's message, JSON and stack, and from there into logs:
    // its literals (passwords, keys, file paths) are replaced by '?' first.
    const statement = redactLiterals(sql, dialect, refused.start, refused.end);
    return RuntimeDdlError.of({ kind: refused.kind, keyword: refused.keyword, role: options.role, dialect, statement });
  };
  return Object.assign(check, {
    forget(): void {
      for (const verdicts of caches.values()) verdicts.clear();
    },
  });
}

/**
 * A subclass of the dialect's knex Client whose `query` and `stream` refuse, before
 * anything is sent, every statement a runtime connection must not run. Knex builds
 * transaction clients from `client.constructor.prototype`, so transactions, nested
 * transactions, the schema builder and `raw` all inherit the check.
 */
export function guardClientClass(Base: ClientClass, dialect: Dialect, options: GuardOptions): ClientClass {
  const { readSession, configuredText, startupRefusal, driverView } = dialectModule(dialect).guardText;
  // knex's migration tables are named by the instance's config (migrations.tableName), read
  // when the client is made (or put under the guard) and on every query. A name once seen
  // stays protected: code that re-points the config later can add a name, never take one
  // away (red team 21). A new name changes what the cached verdicts said, so they are forgotten.
  const tableNames = new Set<string>();
  let checkedTable: unknown = tableNames;
  let bookkeeping = bookkeepingWriteCheck(dialect);
  const refusal = createStatementCheck(dialect, options, (sql, session) => bookkeeping(sql, session?.reading));
  const tableChecked = (config: Knex.Config | undefined): void => {
    const tableName: unknown = config?.migrations?.tableName;
    if (tableName === checkedTable) return;
    checkedTable = tableName;
    const name = typeof tableName === 'string' ? tableName : DEFAULT_TABLE;
    if (tableNames.has(name)) return;
    tableNames.add(name);
    bookkeeping = bookkeepingWriteCheck(dialect, [...tableNames]);
    refusal.forget();
  };
  // Where the driver writes bound values into the text on the client (MySQL), how to see that text.
  const { clientFormat, formattedValues } = dialectModule(dialect).rawConnection;
  const { textOptions, connectionOptions } = dialectModule(dialect).guardRules;
  // Whether the driver takes a replacement text from .options() at all (not SQLite).
  const replacesText = textOptions.length > 0;
  const unformattable = (sql: string): RuntimeDdlError =>
    new RuntimeDdlError('E_RUNTIME_DDL', `Refused bound values on a ${options.role} connection: its driver writes them into the text on the client and the guard cannot see the text it sends.`, {
      remedy: 'Use the mysql2, mysql or mariadb knex client, or write the values into the SQL text yourself.',
      kind: 'other',
      keyword: '',
      role: options.role,
      dialect,
      statement: redactLiterals(sql, dialect),
    });
  // The refusals of bound values (keyword BOUND VALUE): what is wrong with them, and the fix.
  const valueRefusal =
    (message: string, remedy: string) =>
    (sql: string): RuntimeDdlError =>
      new RuntimeDdlError('E_RUNTIME_DDL', message, { remedy, kind: 'other', keyword: 'BOUND VALUE', role: options.role, dialect, statement: redactLiterals(sql, dialect) });
  const unwritable = valueRefusal(
    `Refused a bound value on a ${options.role} connection that the guard cannot write into the text as the driver would (on the mariadb client: a stream, which the connector sends as its data, or a list with a Buffer).`,
    'Read a stream into a Buffer or string first, and bind that; bind Buffers one per `?`.',
  );
  const notLiteral = valueRefusal(
    `Refused a bound value on a ${options.role} connection that the driver would write as more than one literal: an object (written as \`a = 1, b = 2\`) anywhere but after SET or UPDATE, or with values that are not literals, an empty list (written as nothing), or a function.`,
    'Bind scalars (strings, numbers, dates, Buffers) or non-empty lists of them; JSON.stringify an object meant for a JSON column, and name the columns you set.',
  );
  const misplacedValues = valueRefusal(
    `Refused bound values on a ${options.role} connection: the driver would write a value where the server reads a comment, a string or a quoted name (a \`?\` there), and the value could end it and become SQL; or an object, written as \`a = 1, b = 2\`, anywhere but after SET or UPDATE.`,
    'Bind values only where a value stands: take the `?` out of the comment, string or quoted name (in knex.raw write a literal `?` as `\\?`), or bind the whole string (`like ?` with `%…%` in the value).',
  );
  // The raw connections this client class opened, each with the client instance that opened
  // it: the only ones a query may be cancelled on, and only from that client, which connects
  // to the server the connection is on (a read replica's client is another instance of this class).
  const openedBy = new WeakMap<object, object>();
  // What of a query object the driver reads (stillJudged): its text, the values it formats in, the options it takes text from.
  const readKeys = ['sql', ...(clientFormat === undefined ? [] : ['bindings']), ...(replacesText ? ['options'] : [])];
  // The query object `super.query` / `super.stream` is sending, as the check saw it: knex
  // calls the client's 'query' listeners (synchronously) between the check and `_query`, and
  // one that holds the object or its values array could change them. One slot per depth of
  // sends under way (a listener may query again), reused: no per-query map or object, since
  // a WeakMap entry per query costs the GC more than the check.
  const sending: JudgedQuery[] = [];
  let depth = 0;
  const enter = (param: QueryParam, text: string): JudgedQuery => {
    const slot = (sending[depth] ??= emptyJudged());
    judge(slot, typeof param === 'string' ? undefined : param, text);
    depth++;
    return slot;
  };
  // What `changed` compares is read only while `obj` is set: clearing the references is enough.
  const leave = (slot: JudgedQuery): void => {
    depth--;
    slot.obj = slot.options = slot.bindings = undefined;
  };
  // The text refusalOf judged last (read right after it passed).
  let judgedText = '';
  const changedAfterCheck = (): RuntimeDdlError =>
    new RuntimeDdlError('E_RUNTIME_DDL', `Refused a query changed after the guard's check on a ${options.role} connection.`, {
      remedy: "Do not change a query's sql, bindings or options in a 'query' event listener; build the query you mean to send.",
      kind: 'other',
      keyword: 'QUERY CHANGED',
      role: options.role,
      dialect,
      statement: '(a query changed after the check)',
    });
  // MySQL: the text with the bound values formatted in, as judged, keyed by knex's query object until `_query` sends it.
  const judgedTexts = new WeakMap<object, { sql: string; bindings: unknown; formatted: string }>();
  const sqlOf = (param: QueryParam): string => (typeof param === 'string' ? param : param.sql ?? '');
  // The text as sent, then on MySQL the text with the bound values mysql2 formats into it (uncached).
  // `judged` receives that formatted text once it passed: what `_query` then sends (F2).
  const textRefusal = (
    connection: unknown,
    sql: string,
    bindings: unknown,
    session: SessionSettings | undefined,
    config: Knex.Config | undefined,
    judged?: (formatted: string) => void,
    namedPlaceholders?: boolean,
  ): RuntimeDdlError | undefined => {
    tableChecked(config);
    const error = refusal(sql, session);
    if (error || clientFormat === undefined || bindings === undefined || bindings === null || (Array.isArray(bindings) && bindings.length === 0)) return error;
    const format = clientFormat(connection);
    if (format === null) return unformattable(sql);
    if (!literalValues(bindings, namedPlaceholders)) return notLiteral(sql);
    const formatted = format(sql, bindings, namedPlaceholders);
    if (formatted === null) return unwritable(sql);
    const refused = refusal(formatted, session, true) ?? (valuesInCode(connection as object, sql, bindings, format, dialect, session?.reading, namedPlaceholders) ? undefined : misplacedValues(sql));
    if (!refused) judged?.(formatted);
    return refused;
  };
  // Per raw connection: its session settings as read from the server (or the read under
  // way). None where the dialect has no reader (SQLite). Kept off the connection object itself: WeakMap, no leak.
  const sessions = new WeakMap<object, SessionSettings | Promise<SessionSettings | undefined>>();
  // `connectionSettings`: the knex connection's options; a one-byte charset there narrows every session (configuredText).
  const sessionOf = (connection: unknown, connectionSettings: unknown, driver?: string): SessionSettings | Promise<SessionSettings | undefined> | undefined => {
    if (readSession === undefined || typeof connection !== 'object' || connection === null) return undefined;
    const known = sessions.get(connection);
    if (known !== undefined) return known;
    const narrowed = configuredText?.(driverView?.(connectionSettings, driver) ?? connectionSettings)?.verdict === 'narrow';
    const reading = readSessionSettings(dialect, connection).then(
      (read) => {
        const settings = read !== undefined && narrowed && read.narrowText !== true ? { ...read, narrowText: true } : read;
        if (settings !== undefined) sessions.set(connection, settings);
        return settings;
      },
      (error: unknown) => {
        // A session the guard cannot judge stays refused; a failed read (network) is retried.
        if (!(error instanceof GuardSessionError)) sessions.delete(connection);
        throw error;
      },
    );
    sessions.set(connection, reading);
    return reading;
  };

  // knex's typings do not declare query/stream on Client; the runtime class has them.
  const Loose = Base as unknown as new (config: Knex.Config) => {
    config: Knex.Config;
    query(...args: unknown[]): Promise<unknown>;
    stream(...args: unknown[]): Promise<unknown>;
    positionBindings(sql: string): string;
    _query(...args: unknown[]): Promise<unknown>;
    _stream(...args: unknown[]): Promise<unknown>;
    acquireConnection(): Promise<unknown>;
    acquireRawConnection(): Promise<unknown>;
    connectionSettings?: unknown;
    driverName?: string;
    destroyRawConnection(connection: unknown): Promise<unknown> | unknown;
    getPoolSettings(poolConfig: Knex.PoolConfig | undefined): unknown;
    runner(builder: unknown): unknown;
    transaction(...args: unknown[]): unknown;
    destroy(callback?: unknown): Promise<unknown>;
    transacting?: boolean;
  };
  const acquireConnection = Loose.prototype.acquireConnection;
  const Guarded = class extends Loose {
    constructor(config: Knex.Config) {
      super(config);
      passAsPlainClient(this as unknown as { config: Knex.Config; driverName?: string });
      this.protectBookkeeping();
    }

    /** Pins the bookkeeping tables the config names now (see tableChecked); guard() calls it for a client it adopts. */
    protectBookkeeping(): void {
      tableChecked(this.config);
    }

    /**
     * The check on the text as sent. mysql2 formats bound values into the text on the client
     * (`connection.format`, its own reading of where a `?` is a placeholder), so on MySQL that
     * formatted text is judged: a `?` the driver fills where the guard read a string or a
     * comment cannot change the statement behind the guard's back. The formatted text is
     * then what `_query` / `_stream` send (with no bindings left to format): formatting again
     * would read the values again, and a stateful `toSqlString` or getter could answer
     * differently the second time.
     */
    refusalOf(connection: unknown, param: QueryParam, session: SessionSettings | undefined): RuntimeDdlError | undefined {
      // Only a primitive string is judged: knex reads an object's text again after this check
      // (pg's positionBindings calls its `replace`, which may answer differently the second time).
      const text = sqlOf(param);
      if (typeof text !== 'string') return RuntimeDdlError.of({ kind: 'other', keyword: '', role: options.role, dialect, statement: '(SQL text that is not a string)' });
      // The text as the driver will receive it: knex's own placeholder rewrite (pg: `?` → `$n`,
      // `\?` → `?`) runs after this check in `super.query`, so it is applied here the same way,
      // by knex's method; otherwise `\?` could form a `$$` quote only after the check.
      const sql = this.positionBindings(text);
      judgedText = sql;
      // `.options({ text })` (pg) / `.options({ sql })` (mysql2) would replace the text judged here.
      if (replacesText && typeof param !== 'string' && param.options !== undefined) {
        const replaced = textOptionsRefusal(dialect, options.role, param.options, () => redactLiterals(sql, dialect));
        if (replaced) return replaced;
      }
      // Without client-side formatting (pg, SQLite) nothing is judged beyond the text itself.
      if (typeof param === 'string' || clientFormat === undefined) return textRefusal(connection, sql, undefined, session, this.config);
      const bindings = param.bindings;
      return textRefusal(connection, sql, bindings, session, this.config, (formatted) => judgedTexts.set(param, { sql, bindings, formatted }));
    }

    /** A raw call the pool.afterCreate hook makes: before the session is read, so judged in every reading. */
    rawRefusal(connection: object, method: string, sent: SentText | undefined, judged: (formatted: string) => void): RuntimeDdlError | undefined {
      if (sent === undefined) return new RuntimeDdlError('E_RUNTIME_DDL', `Refused ${method}() on the raw connection of a ${options.role} client (pool.afterCreate, pool.validate): the guard cannot read what its arguments send.`, { remedy: RUNTIME_DDL_REMEDY, kind: 'other', keyword: '', role: options.role, dialect, statement: `${method}(…)` });
      return textRefusal(connection, sent.sql, sent.values, undefined, this.config, judged, sent.namedPlaceholders);
    }

    /**
     * Never creates the database it opens (SQLite makes a missing file): migrating creates it.
     * Never connects with options that make the driver run SQL of its own (guardRules.connectionOptions).
     */
    override acquireRawConnection(): Promise<unknown> {
      // A judged setting that could answer the driver otherwise than the check (unsettled-setting.ts).
      const unsettled = unsettledSetting(this.connectionSettings, connectionOptions);
      if (unsettled !== undefined) {
        return Promise.reject(
          new RuntimeDdlError('E_RUNTIME_DDL', `Refused the connection settings of a ${options.role} connection: ${unsettled} is not plain data (a getter, an object, or a Proxy), so the driver could read another value than the guard checked.`, {
            remedy: `Give ${unsettled} as a plain value (a connection provider may compute it, then return a plain object).`,
            kind: 'other',
            keyword: 'CONNECTION OPTIONS',
            role: options.role,
            dialect,
            statement: `(connection setting ${unsettled})`,
          }),
        );
      }
      const missing = dialectModule(dialect).missingDatabase?.(this.connectionSettings);
      if (missing !== undefined) return Promise.reject(databaseMissing(missing));
      // What the driver will read of them (mysql2 fills unset options from `uri`).
      const settings = driverView?.(this.connectionSettings, this.driverName) ?? this.connectionSettings;
      const charset = configuredText?.(settings);
      if (charset?.verdict === 'refused') {
        return Promise.reject(
          GuardSessionError.of({
            dialect,
            variable: charset.option,
            value: charset.value,
            reason: "the driver encodes text in this character set itself, and its encoder can write a backslash or a quote where the guard read a letter (or the server reads the bytes as another set)",
            remedy: 'Use charset utf8mb4 (the default) for the runtime connection; latin1 is accepted too, without characters above U+00FF.',
          }),
        );
      }
      const startup = startupRefusal?.(settings);
      if (startup !== undefined) {
        const remedy = startup.switch
          ? `Remove the switch from the runtime connection's startup options (${startup.option}); pass settings as -c name=value.`
          : `Remove ${startup.name} from the runtime connection's startup options (${startup.option}); a DBA can set it for the role (ALTER ROLE … SET) if it must hold.`;
        return Promise.reject(
          new GuardSessionError('E_GUARD_SESSION', `knex-roles: the ${dialect} connection's startup options (${startup.option}) have ${startup.name}: ${startup.reason}; the guard does not connect with them.`, {
            dialect,
            variable: startup.name,
            value: `(at login, from ${startup.option})`,
            remedy,
          }),
        );
      }
      const option = typeof settings === 'object' && settings !== null ? connectionOptions.find((name) => (settings as Record<string, unknown>)[name] !== undefined) : undefined;
      if (option !== undefined) {
        return Promise.reject(
          new RuntimeDdlError('E_RUNTIME_DDL', `Refused the connection option ${option} on a ${options.role} connection: the driver runs its SQL on connect, where the guard does not see it.`, {
            remedy: `Remove ${option} from the runtime connection; run session set-up through pool.afterCreate (judged by the guard) or give the role its settings on the server (ALTER USER / the DBA's defaults).`,
            kind: 'other',
            keyword: 'CONNECTION OPTIONS',
            role: options.role,
            dialect,
            statement: `(connection option ${option})`,
          }),
        );
      }
      return super.acquireRawConnection().then((connection) => {
        if (typeof connection === 'object' && connection !== null) openedBy.set(connection, this);
        return connection;
      });
    }

    /**
     * knex's runner cancels a timed-out query from its own client (`.timeout(ms, { cancel: true })`),
     * over a fresh connection to that client's server. A read routed to a replica ran on a
     * connection of the replica's client: cancelled from there, on the replica, not by its
     * thread id / pid on the primary, where it is another session's (red team 35).
     * Transaction clients and withUserParams() copies cancel through the client whose pool they share.
     */
    cancelQuery(connectionToKill: unknown): Promise<unknown> {
      const owner = typeof connectionToKill === 'object' && connectionToKill !== null ? (openedBy.get(connectionToKill) as { cancelQuery(c: unknown): Promise<unknown> } | undefined) : undefined;
      if (owner !== undefined && owner !== this) return owner.cancelQuery(connectionToKill);
      return (Loose.prototype as unknown as { cancelQuery(c: unknown): Promise<unknown> }).cancelQuery.call(this, connectionToKill);
    }

    /**
     * knex's cancel sends `pg_cancel_backend(pid)` / `KILL QUERY id` over a fresh connection
     * straight to `_query`, past the check: allowed for a connection this client opened,
     * refused for anything else handed to `.connection()`, whose pid could be another
     * session's (red team 18), or another server's (red team 35).
     */
    _wrappedCancelQueryCall(connection: unknown, connectionToKill: unknown): Promise<unknown> {
      if (typeof connectionToKill !== 'object' || connectionToKill === null || openedBy.get(connectionToKill) !== this) {
        return Promise.reject(
          new RuntimeDdlError('E_RUNTIME_DDL', `Refused to cancel a query on a connection this ${options.role} client did not open.`, {
            remedy: 'Cancel (`.timeout(ms, { cancel: true })`) only queries on the connections knex takes from its own pool; a connection passed to .connection() is yours to cancel.',
            kind: 'other',
            keyword: 'CANCEL',
            role: options.role,
            dialect,
            statement: '(cancel of a query on a foreign connection)',
          }),
        );
      }
      return (Loose.prototype as unknown as { _wrappedCancelQueryCall(c: unknown, k: unknown): Promise<unknown> })._wrappedCancelQueryCall.call(this, connection, connectionToKill);
    }

    /** Only guarded clients may take connections from a pool guard() gated (pool-gate.ts). */
    override acquireConnection(): Promise<unknown> {
      return throughGate(acquireConnection, this);
    }

    /**
     * The pool hooks knex hands a raw connection to get it under the guard (raw-connection.ts):
     * afterCreate the new connection, validate (knex 3.3+) each pooled one handed out again.
     */
    override getPoolSettings(poolConfig: Knex.PoolConfig | undefined): unknown {
      const hook = poolConfig?.afterCreate as Parameters<typeof guardAfterCreate>[0] | undefined;
      const validate = (poolConfig as { validate?: unknown } | undefined)?.validate;
      const raw: RawRefusal = (connection, method, sent, judged) => this.rawRefusal(connection, method, sent, judged);
      const guardedValidate = typeof validate === 'function' ? { validate: guardValidate(validate as Parameters<typeof guardValidate>[0], dialect, raw) as Knex.PoolConfig['validate'] } : {};
      if (typeof hook !== 'function') return super.getPoolSettings(typeof validate === 'function' ? { ...poolConfig, ...guardedValidate } : poolConfig);
      const guarded = guardAfterCreate(hook, dialect, raw);
      // knex drops a connection whose hook failed without closing it; a refused hook would
      // leave it open (pg-native then keeps the process alive), so it is closed here.
      const afterCreate: typeof guarded = (connection, done) => {
        const failed = (error: Error): void =>
          void Promise.resolve()
            .then(() => this.destroyRawConnection(connection))
            .catch(() => undefined)
            .then(() => done(error, connection));
        try {
          guarded(connection, (error, conn) => (error ? failed(error) : done(null, conn)));
        } catch (error) {
          // A hook that throws (a refusal thrown by a synchronous driver call) fails the same way.
          failed(error as Error);
        }
      };
      return super.getPoolSettings({ ...poolConfig, afterCreate, ...guardedValidate });
    }

    /** Runs the driver call with the text judged by `refusalOf` in place of sql + bindings (MySQL with bound values). */
    asJudged<R>(connection: unknown, obj: { sql?: string; bindings?: unknown }, send: () => R): R {
      const judged = judgedTexts.get(obj);
      judgedTexts.delete(obj);
      if (judged === undefined) return send();
      // knex hands `_query` the same object, its sql and bindings untouched for MySQL: changed, they were not what was judged.
      if (judged.sql !== obj.sql || judged.bindings !== obj.bindings) return Promise.reject(changedAfterCheck()) as R;
      // knex's mysql clients read obj.sql / obj.bindings synchronously (the driver formats in
      // `connection.query`); restored at once, so errors and 'query-error' show them as written.
      // The values that make the driver send the text as it is (formattedValues).
      obj.sql = judged.formatted;
      obj.bindings = formattedValues?.(connection);
      try {
        return send();
      } finally {
        obj.sql = judged.sql;
        obj.bindings = judged.bindings;
      }
    }

    /** The query object `_query` / `_stream` got is the one being sent, and no longer has the text judged for it. */
    changed(obj: object): boolean {
      const slot = depth > 0 ? sending[depth - 1] : undefined;
      return slot !== undefined && obj === slot.obj && !stillJudged(slot as JudgedQuery & { obj: object }, readKeys);
    }

    /** super.query with `param` as the object being sent (see `sending`); `text` is what refusalOf judged. */
    sendQuery(connection: unknown, param: QueryParam, text: string): Promise<unknown> {
      const slot = enter(param, text);
      try {
        return super.query(connection, param);
      } finally {
        leave(slot);
      }
    }

    /** super.stream, as sendQuery. */
    sendStream(connection: unknown, param: QueryParam, text: string, stream: unknown, streamOptions: unknown): Promise<unknown> {
      const slot = enter(param, text);
      try {
        return super.stream(connection, param, stream, streamOptions);
      } finally {
        leave(slot);
      }
    }

    override _query(connection: unknown, obj: { sql?: string; bindings?: unknown }): Promise<unknown> {
      if (this.changed(obj)) return Promise.reject(changedAfterCheck());
      // Only where the driver formats on the client (MySQL) was a formatted text judged.
      if (clientFormat === undefined) return super._query(connection, obj);
      return this.asJudged(connection, obj, () => super._query(connection, obj));
    }

    override _stream(connection: unknown, obj: { sql?: string; bindings?: unknown }, stream: unknown, streamOptions: unknown): Promise<unknown> {
      if (this.changed(obj)) return Promise.reject(changedAfterCheck());
      if (clientFormat === undefined) return super._stream(connection, obj, stream, streamOptions);
      return this.asJudged(connection, obj, () => super._stream(connection, obj, stream, streamOptions));
    }

    override query(connection: unknown, queryParam: QueryParam): Promise<unknown> {
      const session = sessionOf(connection, this.connectionSettings, this.driverName);
      // The query object is copied and its options frozen (plainQuery) in the same synchronous
      // step as the check and `enter`: options set on it while the session is read would
      // otherwise be judged as they are and sent unfrozen (red team 38).
      if (session instanceof Promise) {
        return session.then((settings) => {
          const param = plainQuery(queryParam, replacesText);
          const error = this.refusalOf(connection, param, settings);
          if (error) throw error;
          return this.sendQuery(connection, param, judgedText);
        });
      }
      const param = plainQuery(queryParam, replacesText);
      const error = this.refusalOf(connection, param, session);
      if (error) return Promise.reject(error);
      // sendQuery, written out: this is every query's path, and one call less shows in `npm run bench`.
      const slot = enter(param, judgedText);
      try {
        return super.query(connection, param);
      } finally {
        leave(slot);
      }
    }

    override stream(connection: unknown, queryParam: QueryParam, stream: unknown, streamOptions: unknown): Promise<unknown> {
      // knex assumes errors after the connection is acquired were emitted on the stream by
      // the driver; destroying it emits ours and closes it, which releases the connection.
      const refuse = (error: Error): Promise<unknown> => {
        (stream as { destroy(error: Error): void }).destroy(error);
        return Promise.resolve();
      };
      const session = sessionOf(connection, this.connectionSettings, this.driverName);
      if (session instanceof Promise) {
        return session.then(
          (settings) => {
            const param = plainQuery(queryParam, replacesText);
            const error = this.refusalOf(connection, param, settings);
            if (error) return refuse(error);
            return this.sendStream(connection, param, judgedText, stream, streamOptions);
          },
          (error: Error) => refuse(error),
        );
      }
      const param = plainQuery(queryParam, replacesText);
      const error = this.refusalOf(connection, param, session);
      if (error) return refuse(error);
      return this.sendStream(connection, param, judgedText, stream, streamOptions);
    }
    // Read replicas (lib/replicas): the routing of this client's pool, when it has one. Transaction
    // clients never route: everything in a transaction runs on its one primary connection.
    override runner(builder: unknown): unknown {
      const routing = this.transacting ? undefined : readRoutingOf(this as { pool?: unknown });
      return routing === undefined ? super.runner(builder) : routing.runner(this, builder);
    }

    override transaction(...args: unknown[]): unknown {
      // A transaction counts as a write for read-your-writes.
      if (!this.transacting) readRoutingOf(this as { pool?: unknown })?.wrote();
      return super.transaction(...args);
    }

    override destroy(callback?: unknown): Promise<unknown> {
      const routing = readRoutingOf(this as { pool?: unknown });
      if (routing === undefined) return super.destroy(callback);
      const { detachReadReplicas } = require('../replicas/read-routing') as typeof import('../replicas/read-routing');
      return detachReadReplicas(this as { pool?: unknown }).then(() => super.destroy(callback));
    }
  };
  // knex's own set-up calls on a new connection send text past `query` (a `searchPath` entry
  // with its own `replace()` writes any SQL into `set search_path to …`): run on a guarded
  // view, so each text they send is judged as a raw call (before the session is read: in every reading).
  for (const method of dialectModule(dialect).rawConnection.clientSends ?? []) {
    const own = (Loose.prototype as unknown as Record<string, unknown>)[method];
    if (typeof own !== 'function') continue;
    // A method named as knex's (stack traces read Guarded.setSchemaSearchPath, not an anonymous value).
    const onView = {
      [method](this: InstanceType<typeof Guarded>, connection: unknown, ...rest: unknown[]): unknown {
        const view = typeof connection === 'object' && connection !== null ? guardedView(connection, dialect, (c, name, sent, judged) => this.rawRefusal(c, name, sent, judged)) : connection;
        return (own as (...args: unknown[]) => unknown).call(this, view, ...rest);
      },
    }[method];
    Object.defineProperty(Guarded.prototype, method, { configurable: true, writable: true, value: onView });
  }
  Object.defineProperty(Guarded, GUARDED, { value: true });
  Object.defineProperty(Guarded, 'name', { value: `Guarded${Base.name}` });
  return Guarded as unknown as ClientClass;
}

/**
 * knex keeps `config.client` as given, here the guarded class; application code (and
 * libraries such as Backstage) branch on it as a string: `config.client.includes('pg')`.
 * The instance is already built from the class, and transactions and `withUserParams`
 * clone from `client.constructor.prototype`, so the string can go back safely.
 */
export function passAsPlainClient(client: { config: Knex.Config; driverName?: string }): void {
  if (typeof client.config.client === 'function' && client.driverName) client.config.client = client.driverName;
}

/** The guarded client class for a dialect's default knex driver. */
export function guardedClient(dialect: Dialect, options: GuardOptions): ClientClass {
  return guardClientClass(knexDialectClass<ClientClass>(KNEX_CLIENT[dialect]), dialect, options);
}
