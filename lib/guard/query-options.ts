import { types } from 'node:util';
import { RuntimeDdlError } from '../errors';
import type { Dialect, Role } from '../types';
import { dialectModule } from '../dialects/registry';

/**
 * A query whose knex `.options({…})` carries a key that replaces the text or values the
 * driver sends (pg `text`, mysql2 `sql`, …: lib/dialects/<d>/guard-rules.ts), or that makes
 * the options object a command of the driver's own (pg `submit`, mysql2 `constructor`),
 * refused: the guard judges `sql` and the driver would run something else. The statement shown is the
 * one judged (`statement` gives it redacted, only when refusing: redaction lexes the whole
 * text, and knex puts an `options` object on every query); the replacement is not read, only named.
 */
export function textOptionsRefusal(dialect: Dialect, role: Role, options: unknown, statement: () => string): RuntimeDdlError | undefined {
  // A function carries keys too, and knex's merges (lodash extend, Object.assign) copy them (red team 21).
  if ((typeof options !== 'object' && typeof options !== 'function') || options === null) return undefined;
  const replacing = dialectModule(dialect).guardRules.textOptions;
  if (replacing.length === 0) return undefined;
  // for…in: the keys knex's merge (lodash assign / extend) and the driver would see.
  for (const key in options) {
    if (!replacing.includes(key)) continue;
    return new RuntimeDdlError(
      'E_RUNTIME_DDL',
      `Refused .options({ ${key} }) on a ${role} connection: it replaces the SQL or bindings the guard checked (or makes the options the driver's own command), so the driver would send text nobody checked.`,
      {
        remedy: `Put the statement in the query itself (knex.raw(sql, bindings) or the query builder) instead of .options({ ${replacing.join(' | ')} }); other driver options (e.g. rowMode, nestTables) are fine.`,
        kind: 'other',
        keyword: 'QUERY OPTIONS',
        role,
        dialect,
        statement: statement(),
      },
    );
  }
  return undefined;
}

/** `key` is an own data property of `object`, or absent altogether (no accessor, nothing inherited). */
function isPlainData(object: object, key: string): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  return descriptor === undefined ? !(key in object) : 'value' in descriptor;
}

/**
 * The query object knex goes on to read. A raw's own `toSQL()` can give a Proxy that
 * answers the guard one text and knex another (red team 18): a Proxy is copied, each
 * property read once. knex's own objects are kept (a copy costs more than the check, and
 * slows knex down after it); one whose `keys` are accessors or inherited is refused when it
 * is sent (stillJudged), where looking once is enough. With `freezeOptions`, `options`
 * becomes a frozen copy: knex's 'query' event, which fires after the check, shares them with
 * the query, so a listener could otherwise set pg `text` / mysql2 `sql` on them (red team 17).
 */
export function plainQuery<Q extends string | object>(param: Q, freezeOptions: boolean): Q {
  if ((typeof param !== 'object' && typeof param !== 'function') || param === null) return param;
  // knex takes any non-string as the query object: a function (or a Proxy of one) is copied too (red team 21).
  const query = (typeof param === 'function' || types.isProxy(param) ? { ...param } : param) as Record<string, unknown>;
  const { options } = query;
  // Without a prototype: knex's pg client merges the options with lodash `extend`, which copies inherited keys too.
  // A function as the options is copied the same way: its own keys are what knex's merges take from it.
  if (freezeOptions && ((typeof options === 'object' && options !== null) || typeof options === 'function')) query['options'] = Object.freeze(Object.assign(Object.create(null) as object, options));
  return query as Q;
}

/**
 * What the check saw of the query object knex goes on to send: the text it judged, the
 * options and values objects, and how many values. Mutable: a client keeps one per depth of
 * sends under way and fills it for each query (no allocation per query).
 */
export interface JudgedQuery {
  obj: object | undefined;
  sql: string;
  options: unknown;
  bindings: unknown;
  count: number;
}

export function emptyJudged(): JudgedQuery {
  return { obj: undefined, sql: '', options: undefined, bindings: undefined, count: -1 };
}

/** Fills `slot` with `obj` as judged (`obj` undefined: a text with no object to change). */
export function judge(slot: JudgedQuery, obj: object | undefined, sql: string): void {
  const { options, bindings } = obj === undefined ? NOTHING : (obj as { options?: unknown; bindings?: unknown });
  slot.obj = obj;
  slot.sql = sql;
  slot.options = options;
  slot.bindings = bindings;
  slot.count = Array.isArray(bindings) ? bindings.length : -1;
}

const NOTHING: { options?: unknown; bindings?: unknown } = Object.freeze({});

/**
 * Whether `judged.obj`, about to be sent, still is what the check judged: `keys` plain data,
 * the same text, the same options and values objects, as many values. knex's 'query'
 * listeners run in between, and one that holds the object (or shares its values array, as
 * the event's copy does) could have changed them (red teams 18 and 19).
 */
export function stillJudged(judged: JudgedQuery & { obj: object }, keys: readonly string[]): boolean {
  const { obj } = judged;
  for (let k = 0; k < keys.length; k++) if (!isPlainData(obj, keys[k] as string)) return false;
  const { sql, options, bindings } = obj as { sql?: unknown; options?: unknown; bindings?: unknown };
  return sql === judged.sql && options === judged.options && bindings === judged.bindings && (judged.count < 0 || (bindings as unknown[]).length === judged.count);
}
