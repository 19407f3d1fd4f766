import { EventEmitter } from 'node:events';
import { inspect, type InspectOptions } from 'node:util';
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
   * Why a session method's arguments are refused (changeUser({ charset }) to a set the driver
   * encodes its own way; better-sqlite3 unsafeMode() on), with the fix and the keyword, or undefined.
   */
  readonly sessionArguments?: (args: readonly unknown[]) => SessionArgumentRefusal | undefined;
  /**
   * The other methods the hook may call, known to send no SQL (besides EventEmitter's and
   * Object's, which every dialect's connections have). Any other method is refused through
   * the view: drivers have methods that send what their caller built (mysql2's
   * `writeColumns` writes a packet, red team 13), so one not known to be harmless is not run.
   */
  readonly passes: readonly string[];
  /**
   * Whether a driver object the hook reaches (a statement, a command, a stream) may run
   * `method`, besides those every such object may (OBJECT_PASSES: listening, promises,
   * iterators): running a statement prepared with judged text, closing it. Any other is refused: a
   * command's own methods drive the protocol (mysqljs `end()` dequeues a command whose reply is
   * still to come, so the next command, the guard's session read, would get that reply).
   */
  readonly objectPasses: (held: object, method: string) => boolean;
  /**
   * Where the driver writes bound values into the text on the client (MySQL's drivers): the
   * function that gives the text it will send for `connection`, or `null` when the guard
   * cannot tell (values are then refused). Absent: values are bound on the server.
   */
  readonly clientFormat?: (connection: unknown) => ClientFormat | null;
  /** With clientFormat: the values to send with the text the guard formatted, so that `connection`'s driver sends that text as it is. */
  readonly formattedValues?: (connection: unknown) => unknown;
  /**
   * Methods of knex's client for this dialect that send SQL on a raw connection themselves,
   * outside `query` (pg: `select version()` and `set search_path to …`, built from the
   * client's `searchPath`, on every new connection): the guarded client runs them on a
   * guarded view of the connection (guardedView), so their text is judged too (red team 30).
   */
  readonly clientSends?: readonly string[];
  /**
   * Whether `value` is the driver's own object behind `connection` (the mariadb callback
   * wrapper's Connection, which its listeners get as `this` and its statements hold): seen
   * through the guard as the connection itself.
   */
  readonly sameConnection?: (value: object, connection: object) => boolean;
}

/** The text a driver sends for `sql` with `values` written in (`namedPlaceholders`: the call's own option, mysql2); null: a value the guard cannot write as the driver would (a stream). */
export type ClientFormat = (sql: string, values: unknown, namedPlaceholders?: boolean) => string | null;

/**
 * The refusal of one raw call of `method` (`sent` undefined: unreadable arguments), or
 * undefined to let it through; `judged` receives the text with the values written in, when
 * the driver writes them on the client, and that text is then sent in their place.
 */
export type RawRefusal = (connection: object, method: string, sent: SentText | undefined, judged: (formatted: string) => void) => RuntimeDdlError | undefined;

/** A session method's arguments the guard refuses: what they do, the fix, the keyword. */
export interface SessionArgumentRefusal {
  readonly why: string;
  readonly remedy: string;
  readonly keyword: string;
}

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
    const guarded = typeof connection === 'object' && connection !== null ? guardRawConnection(connection, dialect, refusal, { hook: 'pool.afterCreate', handedOver: () => handedOver }) : connection;
    hook(guarded, (error) => {
      handedOver = true;
      done(error, connection);
    });
  };
}

type Validate = (connection: unknown) => unknown;

/**
 * A pool.validate hook (knex 3.3+ calls it each time the pool hands a connection out again)
 * that gets the pooled raw connection under the guard: its SQL judged like the afterCreate
 * hook's, no session method (the session was read when the connection was made, and the
 * guard judges by that reading), nothing at all once the hook has settled (red team 35).
 */
export function guardValidate(hook: Validate, dialect: Dialect, refusal: RawRefusal): Validate {
  return (connection) => {
    if (typeof connection !== 'object' || connection === null) return hook(connection);
    let settled = false;
    const view = guardRawConnection(connection, dialect, refusal, { hook: 'pool.validate', handedOver: () => settled, sessionRead: true, hookView: false });
    try {
      return Promise.resolve(hook(view)).finally(() => (settled = true));
    } catch (error) {
      settled = true;
      throw error;
    }
  };
}

/** `connection` as seen through the guard, for knex's own set-up calls on it (RawConnectionMethods.clientSends). */
export function guardedView<T extends object>(connection: T, dialect: Dialect, refusal: RawRefusal): T {
  // Not the hook's view: what is assigned through it is not what assignedThroughView answers.
  return guardRawConnection(connection, dialect, refusal, { hook: "knex's connection set-up", handedOver: () => false, hookView: false });
}

/** Who is handed a guarded view of a raw connection, and what it may still do. */
interface ViewOptions {
  /** Named in refusals: `pool.afterCreate`, `pool.validate`, or knex's own set-up calls. */
  hook: string;
  /** True once the holder must no longer send anything (the hook handed the connection over, or settled). */
  handedOver: () => boolean;
  /** The session was already read: methods that change it without SQL (changeUser, reset) are refused. */
  sessionRead?: boolean;
  /** The pool.afterCreate hook's view, whose assignments the guard honours (assignedThroughView). */
  hookView?: boolean;
}

/** What the hook assigned through its view, per raw connection (see guardRawConnection's `set`). */
const viewAssignments = new WeakMap<object, { view: object; shadow: Record<PropertyKey, unknown> }>();

/**
 * The value the pool.afterCreate hook assigned to `key` through its view of `connection`
 * (its raw connection never gets it), and that view, to call it with as `this`: where the
 * guard honours such an assignment (mysql2 `conn.format = …`, raw-connection-methods.ts).
 */
export function assignedThroughView(connection: object, key: string): { value: unknown; view: object } | undefined {
  const known = viewAssignments.get(connection);
  return known !== undefined && Object.hasOwn(known.shadow, key) ? { value: known.shadow[key], view: known.view } : undefined;
}

/** Whether `value` holds `target` in an own data property (a better-sqlite3 Statement's or transaction's `.database`). */
function holds(value: object, target: object): boolean {
  try {
    return Object.values(Object.getOwnPropertyDescriptors(value)).some((own) => 'value' in own && own.value === target);
  } catch {
    return false;
  }
}

const GENERATOR_FUNCTION: unknown = Object.getPrototypeOf(function* () {});

/** EventEmitter's methods that add a listener. */
const LISTENING = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);

/**
 * A listener for the events that hand the listener the driver's own listeners
 * (`newListener`, `removeListener`): a driver function the hook could call (mysqljs's
 * dequeue, its packet writer), red team 40.
 */
function driverEvents(method: string, args: readonly unknown[]): boolean {
  return LISTENING.has(method) && (args[0] === 'newListener' || args[0] === 'removeListener');
}

/** Errors, dates and buffers: values the hook is handed as they are. */
function isValue(value: object): boolean {
  return value instanceof Error || value instanceof Date || ArrayBuffer.isView(value);
}

/** Whether `value` is an object or function of a driver's own making, not plain data (arrays, plain objects) or a value (isValue), which are mapped only if they hold the connection. */
function isDriverObject(value: object): boolean {
  if (Array.isArray(value) || isValue(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype !== Object.prototype && prototype !== null;
}

/**
 * The methods every driver object the hook reaches may run: listening to its events (not
 * `emit`, which mysqljs writes as packets, nor `listeners` / `rawListeners`, which hand out
 * the driver's own listeners, nor `removeAllListeners`, which removes them), a promise's and
 * an iterator's, a readable stream's consumer side, and Object's that read.
 */
const OBJECT_PASSES: ReadonlySet<PropertyKey> = new Set<PropertyKey>([
  'on', 'once', 'off', 'addListener', 'removeListener', 'prependListener', 'prependOnceListener', 'listenerCount', 'eventNames', 'getMaxListeners', 'setMaxListeners',
  'then', 'catch', 'finally',
  'next', 'return', 'throw', Symbol.iterator, Symbol.asyncIterator,
  'pipe', 'unpipe', 'read', 'pause', 'resume', 'isPaused', 'setEncoding',
  // A socket's options (mysql2 `conn.stream.setKeepAlive`): they send nothing.
  'setKeepAlive', 'setNoDelay', 'ref', 'unref', 'address',
  'toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable',
]);

/**
 * Makes util.inspect (console.log) of a proxy over `stand` show `held`'s fields as `read`
 * gives them: inspect shows a proxy's target, not what its traps give.
 */
function showsFields(stand: object, held: object, read: (key: string) => unknown): void {
  Object.defineProperty(stand, inspect.custom, {
    configurable: true,
    value: (depth: number | null, options: InspectOptions, show: typeof inspect): string => {
      if (depth !== null && depth < 0) return '[Object]';
      const fields = Object.create(Object.getPrototypeOf(held) as object | null) as Record<PropertyKey, unknown>;
      for (const key of Object.keys(held)) fields[key] = read(key);
      return show(fields, nested(options, depth));
    },
  });
}

/**
 * The options for inspecting a shield's fields: the depth left, not the caller's whole depth
 * (each nested shield starts an inspection of its own, and the connection's objects refer to
 * one another: red team 49's mysqljs connection took 80 s); unlimited depth is cut to 2.
 */
function nested(options: InspectOptions, depth: number | null): InspectOptions {
  return { ...options, depth: depth === null ? 2 : depth };
}

/** A copy of bytes or a date read below the connection: the driver's own stays as it is. */
function copied(value: ArrayBufferView | Date): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  return structuredClone(value);
}

/** Whether `key` is a non-configurable own property of `target` (a proxy must report it as it is). */
function fixedOn(target: object, key: PropertyKey): boolean {
  return Reflect.getOwnPropertyDescriptor(target, key)?.configurable === false;
}

/** A wrapper that keeps the function's `length` and `name` (better-sqlite3's `db.function` counts the arguments by `length`). */
function likeFunction<F extends (...args: never[]) => unknown>(wrapper: F, original: (...args: never[]) => unknown): F {
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  return wrapper;
}

/**
 * The raw driver connection seen through the guard: each method that sends SQL (the
 * dialect's table) first has its text judged, as a runtime statement, and a refused call
 * fails the way the driver reports errors (callback, rejected promise or throw) without
 * sending anything. Every other property is the connection's own, methods bound to it.
 *
 * The raw connection does not reach the hook by another way either:
 * - what a method returns or a property holds is the view where it is the connection
 *   (`on()`, `defaultSafeIntegers()` return it for chaining), and an object or function
 *   that holds the connection in an own property (a better-sqlite3 Statement's or
 *   transaction's `.database`) is seen through a read-only proxy that does the same;
 * - a function the hook hands a driver method (an event listener, a callback) is called
 *   with the view in place of the connection, as `this` or an argument (EventEmitter calls
 *   a listener with the emitter as `this`); the same wrapper each time, so `off(e, f)` works;
 * - an assignment or definition through the view stays on the view: the driver, knex and
 *   the guard's own session read keep calling the connection's own methods (a function
 *   assigned would otherwise be called by them with the raw connection as `this`). The
 *   guard reads mysql2 `format` from such an assignment (assignedThroughView).
 */
function guardRawConnection<T extends object>(connection: T, dialect: Dialect, refusal: RawRefusal, { hook, handedOver, sessionRead = false, hookView = true }: ViewOptions): T {
  const { sends, returnsPromise, viaGuard = [], sessionMethods = [], sessionArguments, passes, objectPasses, sameConnection } = dialectModule(dialect).rawConnection;
  const passing = new Set([...COMMON_PASSES, ...passes]);
  // One wrapper per property, so `conn.query === conn.query` holds as on the connection itself.
  const wrappers = new Map<PropertyKey, { value: unknown; method: unknown }>();
  const shadow: Record<PropertyKey, unknown> = Object.create(null) as Record<PropertyKey, unknown>;
  const shields = new WeakMap<object, object>();
  const callbacks = new WeakMap<object, unknown>();
  // The connection, or the driver's own object behind it (the mariadb callback wrapper's Connection).
  const isConnection = (value: object): boolean => value === connection || (sameConnection?.(value, connection) ?? false);
  // What the driver's work hands the hook: what a method that sends SQL returns, what a
  // callback or listener is called with, everything read from a shield. A driver object (not
  // plain data) is always shielded, whether it holds the connection yet or not: mysql2 sets a
  // queued command's `_connection` only when it starts, and reads its `sql` then (red team
  // 36); an Execute command a statement returns is queued too, and mysqljs hands its packet
  // listeners the packet it is about to write (red team 37).
  const reach = (value: unknown): unknown => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return value;
    if (isConnection(value)) return view;
    return shields.get(value) ?? (isDriverObject(value) || holds(value, connection) ? shield(value) : value);
  };
  // What is read from a driver object's field: as reach; from a private `_…` field, and from
  // anything below one, every object is read-only too (a command's `_queryOptions`, its
  // listeners' table `_events`, the rows of `_results` the guard's own session read gets: the
  // driver reads them later, red teams 39 and 40). Public fields (a result's `rows`) stay plain data.
  const deepShields = new WeakMap<object, object>();
  const deep = (value: unknown): unknown => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return value;
    if (isConnection(value)) return view;
    // Bytes and dates as copies: a proxy of one breaks its own methods (util.inspect threw, red team 49).
    if (ArrayBuffer.isView(value) || value instanceof Date) return copied(value);
    return deepShields.get(value) ?? shield(value, true);
  };
  const field = (key: PropertyKey, value: unknown, below: boolean): unknown => (below || (typeof key === 'string' && key.startsWith('_')) ? deep(value) : reach(value));
  // A function handed to the driver: called with the view (or a shield) in place of what it holds.
  const wrappersMade = new WeakSet<object>();
  const callback = (arg: unknown): unknown => {
    if (typeof arg !== 'function' || wrappersMade.has(arg)) return arg;
    const known = callbacks.get(arg);
    if (known !== undefined) return known;
    const fn = arg as (...args: unknown[]) => unknown;
    // A generator stays one (better-sqlite3 takes a virtual table's `rows` only as a generator function).
    const wrapped = likeFunction(
      Object.getPrototypeOf(fn) === GENERATOR_FUNCTION
        ? function* (this: unknown, ...args: unknown[]): Generator<unknown, unknown, unknown> {
            return yield* fn.apply(reach(this), args.map(reach)) as Generator<unknown, unknown, unknown>;
          }
        : function (this: unknown, ...args: unknown[]): unknown {
            return fn.apply(reach(this), args.map(reach));
          },
      fn,
    );
    callbacks.set(arg, wrapped);
    wrappersMade.add(wrapped);
    return wrapped;
  };
  // A plain options object's functions too (mysqljs calls a query's `typeCast` with the
  // connection as `this`, pg-native a config's `callback` with its query, red team 39): a copy
  // with each one wrapped, handed to the driver (and to the dialect's reader) in its place.
  // Each property is read once (a getter's answer is what the reader and the driver both get).
  const withCallbacks = (arg: unknown): unknown => {
    if (typeof arg === 'function') return callback(arg);
    if (typeof arg !== 'object' || arg === null || Array.isArray(arg) || isDriverObject(arg)) return arg;
    const descriptors = Object.getOwnPropertyDescriptors(arg);
    const keys = Reflect.ownKeys(descriptors);
    const plain = keys.every((key) => {
      const own = descriptors[key as string];
      return own !== undefined && 'value' in own && typeof own.value !== 'function';
    });
    if (plain) return arg;
    const copy = Object.create(Object.getPrototypeOf(arg) as object | null) as Record<PropertyKey, unknown>;
    for (const key of keys) {
      const own = descriptors[key as string];
      if (own?.enumerable === true) copy[key] = callback('value' in own ? own.value : Reflect.get(arg, key));
    }
    return copy;
  };
  const callbacksIn = (args: readonly unknown[]): unknown[] => args.map(withCallbacks);
  // A read-only view of a driver object: the methods it may run (OBJECT_PASSES, objectPasses)
  // run on it, with what they hand out reached through the guard too; others are refused.
  const shield = (held: object, below = false): object => {
    // A fresh target: the held object's `.database` is non-configurable and read-only, which a proxy of it would have to return as is.
    const stand: object = typeof held === 'function' ? function () {} : {};
    Object.setPrototypeOf(stand, Object.getPrototypeOf(held));
    const methods = new Map<PropertyKey, { value: unknown; method: unknown }>();
    const own = (self: unknown): unknown => (self === proxy ? held : self);
    // What the shield hands out for `key`, by every path (a read, a property descriptor, a log
    // line): a function only as a listed method, or one that refuses when called (red team 50:
    // the driver's own `data` listener, read through getOwnPropertyDescriptor, wrote to the socket).
    const member = (key: PropertyKey): unknown => {
      const value: unknown = Reflect.get(held, key, held);
      if (typeof value !== 'function') return field(key, value, below);
      const listed = OBJECT_PASSES.has(key) || (typeof key === 'string' && objectPasses(held, key));
      // A function that holds the connection (a better-sqlite3 transaction's modes) is itself a shield when listed.
      if (listed && holds(value, connection)) return field(key, value, below);
      const known = methods.get(key);
      if (known?.value === value) return known.method;
      const call = value as (...args: unknown[]) => unknown;
      const name = typeof key === 'string' ? key : String(key);
      const method = !listed
        ? likeFunction(function (): never {
            throw driverMethod(dialect, hook, name);
          }, call)
        : likeFunction(function (this: unknown, ...args: unknown[]): unknown {
            if (driverEvents(name, args)) throw driverEventRefusal(dialect, hook, name, args);
            return reach(call.apply(own(this), callbacksIn(args)));
          }, call);
      methods.set(key, { value, method });
      return method;
    };
    // Logged, the stand shows the held object's fields as the hook reads them (red team 39: logged results were `{}`).
    showsFields(stand, held, member);
    const proxy: object = new Proxy(stand, {
      get: (_stand, key) => member(key),
      has: (_stand, key) => Reflect.has(held, key),
      // Own keys and descriptors as the held object's (spread, Object.keys), values reached through the guard, read-only.
      // The stand's non-configurable keys too (a function's `prototype`): a proxy must report them.
      ownKeys: (target) => [...new Set([...Reflect.ownKeys(held), ...Reflect.ownKeys(target).filter((key) => fixedOn(target, key))])],
      getOwnPropertyDescriptor: (target, key) => {
        if (fixedOn(target, key)) return Reflect.getOwnPropertyDescriptor(target, key);
        const theirs = Reflect.getOwnPropertyDescriptor(held, key);
        return theirs === undefined ? undefined : { value: member(key), writable: false, enumerable: theirs.enumerable ?? false, configurable: true };
      },
      set: () => false,
      defineProperty: () => false,
      deleteProperty: () => false,
      setPrototypeOf: () => false,
      apply: (_stand, self, args: unknown[]) => reach(Reflect.apply(held as (...a: unknown[]) => unknown, own(self), callbacksIn(args))),
      construct: (_stand, args: unknown[]) => reach(Reflect.construct(held as new (...a: unknown[]) => object, callbacksIn(args))) as object,
    });
    (below ? deepShields : shields).set(held, proxy);
    return proxy;
  };
  // The view's target is a stand-in, not the connection: a proxy must hand out a target's
  // non-configurable, read-only property as it is (better-sqlite3 keeps its native handle so,
  // under a symbol), and a stand has none. Assignments and definitions stay on the view (shadow).
  const read = (key: PropertyKey): unknown => {
    if (Object.hasOwn(shadow, key)) return Reflect.get(shadow, key, view);
    const value: unknown = Reflect.get(connection, key, connection);
    // The driver's class and prototype as they are, as Object.getPrototypeOf(view) gives it: a
    // method of the class run on the raw connection (mysqljs's plain-function Connection
    // re-ran with the hook's config, red team 49) would not be; called on the view, its
    // assignments stay on the view. Patching the driver's prototype is patching the driver
    // (README, "Not covered").
    if (key === 'constructor' || key === '__proto__') return value;
    // A field is the driver's state (pg's query queue, also through its public `queryQueue`
    // getter, pg-native's client, better-sqlite3's native handle under a symbol): read-only at
    // every depth, the connection itself the view (red team 48). Values (strings, numbers) as they are.
    if (typeof value !== 'function') return deep(value);
    const known = wrappers.get(key);
    if (known?.value === value) return known.method;
    const call = value as (...args: unknown[]) => unknown;
    const name = typeof key === 'string' ? key : String(key);
    const reader = typeof key === 'string' && Object.hasOwn(sends, name) ? sends[name] : undefined;
    const late = (args: readonly unknown[]): unknown => fail(lateCall(dialect, hook, name), args, returnsPromise(args, name));
    const method =
      viaGuard.includes(name)
        ? (...args: unknown[]): unknown => (handedOver() ? late(args) : call.apply(view, callbacksIn(args)))
        : sessionMethods.includes(name)
        ? (...args: unknown[]): unknown => {
            if (handedOver()) return late(args);
            if (sessionRead) return fail(sessionChange(dialect, hook, name), args, returnsPromise(args, name));
            const refused = sessionArguments?.(args);
            if (refused !== undefined) return fail(sessionArgumentRefusal(dialect, hook, name, refused), args, returnsPromise(args, name));
            return reach(call.apply(connection, callbacksIn(args)));
          }
        : // A method under a symbol is no listed name (mysql2's Symbol.dispose ended the session, red team 49).
          reader === undefined && (typeof key !== 'string' || !passing.has(name))
        ? (...args: unknown[]): unknown => fail(unknownMethod(dialect, hook, name), args, returnsPromise(args, name))
        : reader === undefined
        ? // What the methods let through return (mysql2 `ping()` its command) is reached through the guard too (red team 39).
          (...args: unknown[]): unknown => (driverEvents(name, args) ? fail(driverEventRefusal(dialect, hook, name, args), [], false) : reach(call.apply(connection, callbacksIn(args))))
        : (...args: unknown[]): unknown => {
            if (handedOver()) return late(args);
            const given = callbacksIn(args);
            const sent = reader(given, connection);
            let formatted: string | undefined;
            const error = refusal(connection, name, sent, (text) => (formatted = text));
            if (error) return fail(error, given, returnsPromise(given, name));
            // The reader's copies too: their functions (an options object's `typeCast` or `callback`, whatever its class) get the view.
            return reach(call.apply(connection, sent?.args === undefined ? given : sent.args(formatted).map(withCallbacks)));
          };
    wrappers.set(key, { value, method });
    return method;
  };
  const stand: object = Object.create(Object.getPrototypeOf(connection) as object | null) as object;
  showsFields(stand, connection, read);
  const view = new Proxy(stand, {
    get: (_stand, key) => read(key),
    set: (_stand, key, value) => Reflect.set(shadow, key, value),
    defineProperty: (_stand, key, descriptor) => descriptor.configurable !== false && Reflect.defineProperty(shadow, key, { ...descriptor, configurable: true }),
    deleteProperty: (_stand, key) => (Object.hasOwn(shadow, key) ? Reflect.deleteProperty(shadow, key) : !Object.hasOwn(connection, key)),
    has: (_stand, key) => Object.hasOwn(shadow, key) || Reflect.has(connection, key),
    ownKeys: (_stand) => [...new Set([...Reflect.ownKeys(shadow), ...Reflect.ownKeys(connection)])],
    getOwnPropertyDescriptor: (_stand, key) => {
      const mine = Reflect.getOwnPropertyDescriptor(shadow, key);
      if (mine !== undefined) return mine;
      const theirs = Reflect.getOwnPropertyDescriptor(connection, key);
      return theirs === undefined ? undefined : { value: read(key), writable: true, enumerable: theirs.enumerable ?? false, configurable: true };
    },
    // The connection's prototype and extensibility are the driver's: not changed through the view.
    setPrototypeOf: () => false,
    preventExtensions: () => false,
  }) as T;
  if (hookView) viewAssignments.set(connection, { view, shadow });
  return view;
}

/**
 * Methods every driver connection has that send nothing: EventEmitter's (on, once, off …) and
 * Object's (toString …), except `__defineGetter__` / `__defineSetter__`, which would define a
 * property on the connection itself (assignments through the view stay on the view), and
 * `constructor`, which the view hands out as the class (guardRawConnection).
 */
const COMMON_PASSES: readonly string[] = [...Object.getOwnPropertyNames(EventEmitter.prototype), ...Object.getOwnPropertyNames(Object.prototype)].filter(
  (name) => name !== '__defineGetter__' && name !== '__defineSetter__' && name !== 'constructor',
);

/** A refused call of `method` on the hook's connection: the message, its remedy and keyword; the statement shown is `method(…)`. */
function hookCallRefusal(dialect: Dialect, method: string, message: string, remedy: string, keyword = ''): RuntimeDdlError {
  return new RuntimeDdlError('E_RUNTIME_DDL', message, { remedy, kind: 'other', keyword, role: 'runtime', dialect, statement: `${method}(…)` });
}

/** A method of the hook's connection that is neither judged nor known to send nothing (RawConnectionMethods.passes). */
function unknownMethod(dialect: Dialect, hook: string, method: string): RuntimeDdlError {
  return hookCallRefusal(
    dialect,
    method,
    `Refused ${method}() in ${hook} on a runtime connection: the guard does not know what it sends.`,
    `Use SQL (the driver's query method), which the guard judges; ${method}() is not among the methods it lets through (lib/dialects/${dialect}/raw-connection-methods.ts).`,
  );
}

/** A method of a driver object the hook reached that is not among those it may run (OBJECT_PASSES, RawConnectionMethods.objectPasses). */
function driverMethod(dialect: Dialect, hook: string, method: string): RuntimeDdlError {
  return hookCallRefusal(
    dialect,
    method,
    `Refused ${method}() on a driver object in ${hook} on a runtime connection: the guard lets a statement, command or result run only the methods it knows act as a user of the driver, not as the driver.`,
    `Listen to the object's events and read its fields; send SQL through the connection's query method, which the guard judges (the methods let through: lib/guard/raw-connection.ts OBJECT_PASSES and lib/dialects/${dialect}/raw-connection-methods.ts objectPasses).`,
  );
}

/** A listener for `newListener` / `removeListener` (driverEvents), named with its event. */
function driverEventRefusal(dialect: Dialect, hook: string, method: string, args: readonly unknown[]): RuntimeDdlError {
  return driverMethod(dialect, hook, `${method}('${String(args[0])}')`);
}

/** A session method called with an argument the guard cannot follow (RawConnectionMethods.sessionArguments). */
function sessionArgumentRefusal(dialect: Dialect, hook: string, method: string, refused: SessionArgumentRefusal): RuntimeDdlError {
  return hookCallRefusal(dialect, method, `Refused ${method}() in ${hook} on a runtime connection: ${refused.why}.`, refused.remedy, refused.keyword);
}

/** A session method (changeUser, reset) on a connection whose session the guard has read. */
function sessionChange(dialect: Dialect, hook: string, method: string): RuntimeDdlError {
  return hookCallRefusal(
    dialect,
    method,
    `Refused ${method}() in ${hook} on a runtime connection: it changes a session the guard has already read, and the guard judges by that reading.`,
    'Set the session up in pool.afterCreate, before calling done(); in pool.validate only check the connection (e.g. SELECT 1).',
  );
}

/** A call through a hook's view after the hook handed the connection over (see guardAfterCreate) or settled (guardValidate). */
function lateCall(dialect: Dialect, hook: string, method: string): RuntimeDdlError {
  return hookCallRefusal(
    dialect,
    method,
    `Refused ${method}() on the connection ${hook} was given, after the hook handed it over: the guard has read the session by then and judges only what knex sends.`,
    `Use the connection only inside ${hook}, before it calls done() or settles; send later queries through knex.`,
  );
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
