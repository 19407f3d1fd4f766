import { RuntimeDdlError } from '../errors';
import type { Dialect } from '../types';
import { dialectModule } from '../dialects/registry';

/**
 * What one call of a raw driver method sends: the SQL text and, where the driver formats
 * bound values into the text on the client (mysql2 `query`), those values.
 */
export interface SentText {
  sql: string;
  values?: unknown;
  /** mysql2: the call's own `namedPlaceholders` option, for formatting the values in as the driver will. */
  namedPlaceholders?: boolean;
  /**
   * The arguments to call the driver with instead of the caller's, given the text as judged
   * with the values formatted in (MySQL; else undefined): what the guard read, copied, so a
   * getter, a stateful value or a later change of the caller's object cannot send other text.
   */
  args?: (formatted: string | undefined) => readonly unknown[];
}

/** The methods of one dialect's raw driver connections that send SQL, and where their text is. */
export interface RawConnectionMethods {
  /** Per method, the text one call sends; `undefined`: arguments of a shape the guard cannot read (refused). */
  readonly sends: Readonly<Record<string, (args: readonly unknown[], connection: object) => SentText | undefined>>;
  /** Whether a call of `method` without a callback returns a promise (pg; better-sqlite3 `backup`): a refusal is then a rejected promise, not a throw. */
  readonly returnsPromise: (args: readonly unknown[], method: string) => boolean;
  /** Methods that return another object sending SQL over this connection (mysql2 `promise()`): called on the guarded view, so that object is guarded too. */
  readonly viaGuard?: readonly string[];
  /** Methods that change the session without SQL text (mysql2 / mariadb `changeUser`): fine in the hook, before the session is read; refused after. */
  readonly sessionMethods?: readonly string[];
  /**
   * Where the driver writes bound values into the text on the client (MySQL's drivers): the
   * function that gives the text it will send for `connection`, or `null` when the guard
   * cannot tell (values are then refused). Absent: values are bound on the server.
   */
  readonly clientFormat?: (connection: unknown) => ClientFormat | null;
}

/** The text a driver sends for `sql` with `values` written in (`namedPlaceholders`: the call's own option, mysql2). */
export type ClientFormat = (sql: string, values: unknown, namedPlaceholders?: boolean) => string;

/**
 * The refusal of one raw call of `method` (`sent` undefined: unreadable arguments), or
 * undefined to let it through; `judged` receives the text with the values written in, when
 * the driver writes them on the client, and that text is then sent in their place.
 */
export type RawRefusal = (connection: object, method: string, sent: SentText | undefined, judged: (formatted: string) => void) => RuntimeDdlError | undefined;

type AfterCreate = (connection: unknown, done: (error: Error | null, connection: unknown) => void) => void;

/**
 * A pool.afterCreate hook that hands the user's hook the new raw connection under the
 * guard (guardRawConnection). knex puts the real connection in the pool, whatever the
 * hook passes to `done`.
 */
export function guardAfterCreate(hook: AfterCreate, dialect: Dialect, refusal: RawRefusal): AfterCreate {
  return (connection, done) => {
    // Once the hook hands the connection over, the guard reads its session and judges by
    // that: a call that sends SQL or changes the session, made later through the hook's view
    // (a kept reference, a timer), would be judged as set-up, before the read, and could
    // change what was read. So it is refused; other methods (a wrapped `format`) still work.
    let handedOver = false;
    const guarded = typeof connection === 'object' && connection !== null ? guardRawConnection(connection, dialect, refusal, () => handedOver) : connection;
    hook(guarded, (error) => {
      handedOver = true;
      done(error, connection);
    });
  };
}

/**
 * The raw driver connection seen through the guard: each method that sends SQL (the
 * dialect's table) first has its text judged, as a runtime statement, and a refused call
 * fails the way the driver reports errors (callback, rejected promise or throw) without
 * sending anything. Every other property is the connection's own, methods bound to it.
 */
function guardRawConnection<T extends object>(connection: T, dialect: Dialect, refusal: RawRefusal, handedOver: () => boolean): T {
  const { sends, returnsPromise, viaGuard = [], sessionMethods = [] } = dialectModule(dialect).rawConnection;
  // One wrapper per property, so `conn.query === conn.query` holds as on the connection itself.
  const wrappers = new Map<PropertyKey, { value: unknown; method: unknown }>();
  const view: T = new Proxy(connection, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      // A proxy must return a non-configurable, read-only property as it is.
      const own = Reflect.getOwnPropertyDescriptor(target, key);
      if (own && !own.configurable && !own.writable) return value;
      const known = wrappers.get(key);
      if (known?.value === value) return known.method;
      const call = value as (...args: unknown[]) => unknown;
      const name = typeof key === 'string' ? key : '';
      const read = Object.hasOwn(sends, name) ? sends[name] : undefined;
      // A method that returns the connection itself (`on`, `defaultSafeIntegers` …, for
      // chaining) returns the guarded view: the raw connection never reaches the hook.
      const viewFor = (result: unknown): unknown => (result === target ? view : result);
      const late = (args: readonly unknown[]): unknown => fail(lateCall(dialect, name), args, returnsPromise(args, name));
      const method =
        viaGuard.includes(name)
          ? (...args: unknown[]): unknown => (handedOver() ? late(args) : call.apply(view, args))
          : sessionMethods.includes(name)
          ? (...args: unknown[]): unknown => (handedOver() ? late(args) : viewFor(call.apply(target, args)))
          : read === undefined
          ? (...args: unknown[]): unknown => viewFor(call.apply(target, args))
          : (...args: unknown[]): unknown => {
              if (handedOver()) return late(args);
              const sent = read(args, target);
              let formatted: string | undefined;
              const error = refusal(target, name, sent, (text) => (formatted = text));
              if (error) return fail(error, args, returnsPromise(args, name));
              return call.apply(target, sent?.args === undefined ? args : [...sent.args(formatted)]);
            };
      wrappers.set(key, { value, method });
      return method;
    },
  });
  return view;
}

/** A call through the hook's view after the hook handed the connection over (see guardAfterCreate). */
function lateCall(dialect: Dialect, method: string): RuntimeDdlError {
  return new RuntimeDdlError('E_RUNTIME_DDL', `Refused ${method}() on the connection pool.afterCreate was given, after the hook handed it over: the guard has read the session by then and judges only what knex sends.`, {
    remedy: 'Use the connection only inside pool.afterCreate, before calling done(); send later queries through knex.',
    kind: 'other',
    keyword: '',
    role: 'runtime',
    dialect,
    statement: `${method}(…)`,
  });
}

/** Reports a refusal the way the driver reports its errors: to the callback, as a rejected promise, or thrown. */
function fail(error: Error, args: readonly unknown[], promise: boolean): unknown {
  const callback = args[args.length - 1];
  if (typeof callback === 'function') {
    process.nextTick(callback as (error: Error) => void, error);
    return undefined;
  }
  if (promise) return Promise.reject(error);
  throw error;
}
