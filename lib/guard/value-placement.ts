import type { Dialect } from '../types';
import type { SessionReading } from './classify';
import { createLexer, type LexerOptions } from './lexer';
import type { ClientFormat } from './raw-connection';
import { TextCache } from './text-cache';
import { T_EOF, T_ERROR, T_QUOTED_IDENT, T_STRING, T_WORD } from './tokens';

const QUOTE = 0x27;
const BACKTICK = 0x60;

/**
 * Whether the driver writes every bound value where the server reads code: not inside a
 * comment, a string or a quoted name. Drivers that format on the client find their `?` by
 * their own reading of the text (mysqljs's sqlstring fills every `?`, in `/* … *\/`, '…' and
 * `…` too; the mariadb connector ends a comment at `/*\/`), and a value written inside a
 * comment or quotes can end them and become SQL: `… /* by ? *\/` with the value `*\/ or 1=1`
 * widens a WHERE (red team 38). So the text is formatted once more with a distinct string of
 * digits in place of each value, lexed as the server reads it, and each one the driver wrote
 * must stand as a token of its own, once: the literal `'n'` (or the name `` `n` `` a `??`
 * makes of it), not inside the text's own quotes or a comment. A value the driver does not write at all (mysql2 leaves a `?` in a comment
 * alone) is harmless.
 *
 * Where the session's reading is unknown (`reading` undefined: a pool hook's raw call), every
 * backslash reading must agree; executable comments (`/*! … *\/`, `/*M! … *\/`) count as
 * comments too, since some server skips them. Verdicts are kept per connection (its driver's
 * reading), text, session reading and shape of the values: the placement depends on nothing else.
 */
export function valuesInCode(connection: object, sql: string, values: unknown, format: ClientFormat, dialect: Dialect, reading: SessionReading | undefined, namedPlaceholders?: boolean): boolean {
  const objects = assignmentsAt(values, namedPlaceholders);
  const shape = `${Array.isArray(values) ? `${values.length}` : isRecord(values) && namedPlaceholders === true ? `:${Object.keys(values).join(',')}` : '1'}${objects.length > 0 ? `o${objects.join(',')}` : ''}`;
  const key = `${reading === undefined ? '?' : `${reading.altBackslash === true ? 'b' : ''}${reading.ansiQuotes === true ? 'a' : ''}`}|${shape}|`;
  const verdicts = cached(connection, key);
  const known = verdicts.get(sql);
  if (known !== undefined) return known;
  const verdict = placed(sql, values, format, dialect, reading, namedPlaceholders, objects);
  if (sql.length <= MAX_CACHED) verdicts.set(sql, verdict);
  return verdict;
}

const MAX_CACHED = 4096;
// Per connection: where a driver fills `?` is its own reading (and a pool hook may give one connection its own `format`).
const byConnection = new WeakMap<object, Map<string, TextCache<boolean>>>();

function cached(connection: object, key: string): TextCache<boolean> {
  let caches = byConnection.get(connection);
  if (caches === undefined) byConnection.set(connection, (caches = new Map()));
  let verdicts = caches.get(key);
  if (verdicts === undefined) {
    // Few shapes in practice; a runaway set of shapes is forgotten, not grown.
    if (caches.size >= 256) caches.clear();
    caches.set(key, (verdicts = new TextCache<boolean>(1000)));
  }
  return verdicts;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The markers' indexes whose value is a plain object, which the drivers write as `a = 1, b = 2`. */
function assignmentsAt(values: unknown, namedPlaceholders?: boolean): number[] {
  const list = Array.isArray(values) ? values : isRecord(values) && namedPlaceholders === true ? Object.values(values) : [values];
  const at: number[] = [];
  list.forEach((value, index) => {
    if (isAssignments(value)) at.push(index);
  });
  return at;
}

function placed(sql: string, values: unknown, format: ClientFormat, dialect: Dialect, reading: SessionReading | undefined, namedPlaceholders: boolean | undefined, objects: readonly number[]): boolean {
  const stem = `${markerBase(sql)}x`;
  let count = 0;
  // Strings: the driver writes a `?` one as the literal '…' and a `??` one as the name `…`, so a
  // marker inside the text's own quotes ('%?%', `done?`, "?") does not come out as either.
  const marker = (): string => `${stem}${count++}`;
  const markers = Array.isArray(values) ? values.map(marker) : isRecord(values) && namedPlaceholders === true ? Object.fromEntries(Object.keys(values).map((name) => [name, marker()])) : marker();
  let text: string | null;
  try {
    text = format(sql, markers, namedPlaceholders);
  } catch {
    return false;
  }
  if (typeof text !== 'string') return false;
  const readings: LexerOptions[] = reading === undefined ? [{}, { altBackslash: true }, { ansiQuotes: true }] : [{ altBackslash: reading.altBackslash === true, ansiQuotes: reading.ansiQuotes === true && reading.altBackslash !== true }];
  for (const options of readings) {
    const seen = markersInCode(text, dialect, options, stem, count);
    if (seen === undefined) return false;
    // An object's `a = 1, b = 2` only where the statement takes such a list: `SET ?`, `ON DUPLICATE KEY UPDATE ?`.
    if (objects.some((index) => seen.after[index] !== 'set' && seen.after[index] !== 'update')) return false;
    // An executable comment some server skips would make a value inside it a comment's.
    if (seen.executable && markersInCode(text, dialect, { ...options, server: 'mysql', versionThreshold: -1 }, stem, count) === undefined) return false;
  }
  return true;
}

/** Seven digits that do not occur in `sql`, so no marker can be mistaken for the text's own. */
function markerBase(sql: string): number {
  for (let base = 7_301_000; ; base += 1) {
    if (!sql.includes(String(base))) return base;
  }
}

/** Whether every marker in `text` stands once as its own token in code (else undefined), and whether the text has executable comments. */
function markersInCode(text: string, dialect: Dialect, options: LexerOptions, stem: string, count: number): { executable: boolean; after: string[] } | undefined {
  const lexer = createLexer(text, dialect, options);
  const found = new Uint8Array(count);
  // Per marker, the word before it (lower case), '' after another token.
  const after: string[] = [];
  let previous = '';
  let seen = 0;
  // How many markers the driver wrote, wherever: each of them must be found in code.
  let written = 0;
  for (let at = text.indexOf(stem); at !== -1; at = text.indexOf(stem, at + stem.length)) written++;
  for (;;) {
    const type = lexer.next();
    if (type === T_EOF) break;
    if (type === T_ERROR) return undefined;
    const before = previous;
    previous = type === T_WORD ? text.slice(lexer.start, lexer.end).toLowerCase() : '';
    if (type !== T_STRING && type !== T_QUOTED_IDENT) continue;
    const quote = text.charCodeAt(lexer.start);
    if (quote !== (type === T_STRING ? QUOTE : BACKTICK)) continue;
    const token = text.slice(lexer.start + 1, lexer.end - 1);
    if (!token.startsWith(stem)) continue;
    const digits = token.slice(stem.length);
    const index = Number(digits);
    if (!/^\d+$/.test(digits) || index >= count) continue;
    if (found[index] === 1) return undefined;
    found[index] = 1;
    after[index] = before;
    seen++;
  }
  return seen === written ? { executable: lexer.versions.length > 0 || lexer.sawMariadbComment, after } : undefined;
}

/**
 * Whether each bound value is one the MySQL drivers write as one literal (or a list of them):
 * null, a boolean, a number, a bigint, a string, a Date, a Buffer, an object with its own
 * `toSqlString` (the drivers' documented way to write SQL of one's own), or a non-empty list
 * of those (a list of lists: `insert … values ?`). An empty list is written as nothing, so
 * `-?-` becomes the comment `--` (red team 41). A plain object is written as `a = 1, b = 2`
 * (mysqljs, mysql2, the mariadb connector with permitSetMultiParamEntries): it passes here
 * with literal values only, and valuesInCode lets it stand only after `SET` or `UPDATE`, so a
 * request body bound as a value cannot set other columns or widen a WHERE. With
 * `namedPlaceholders` the values object is the map of names, each value checked.
 */
export function literalValues(values: unknown, namedPlaceholders?: boolean): boolean {
  if (Array.isArray(values)) return values.every((value) => literal(value, 0) || isAssignments(value));
  if (isRecord(values) && namedPlaceholders === true) return Object.values(values).every((value) => literal(value, 0) || isAssignments(value));
  return literal(values, 0) || isAssignments(values);
}

function literal(value: unknown, depth: number): boolean {
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'bigint':
    case 'string':
      return true;
    case 'object':
      // A String object: the mariadb connector writes its text (mysqljs and mysql2 its characters as `0` = 'i' …, escaped).
      if (writtenAsOne(value) || value instanceof String) return true;
      return Array.isArray(value) && value.length > 0 && depth < 2 && value.every((item) => literal(item, depth + 1));
    default:
      return false;
  }
}

/** A plain object whose own data values are literals (its getters, code's own, are not read here). */
function isAssignments(value: unknown): boolean {
  if (!isRecord(value) || writtenAsOne(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(Object.getOwnPropertyDescriptors(value)).every((own) => !('value' in own) || literal(own.value, 2));
}

/** A Date, a Buffer, or an object with its own `toSqlString`: each driver writes one literal (or its SQL) for it. */
function writtenAsOne(value: object): boolean {
  return value instanceof Date || Buffer.isBuffer(value) || typeof (value as { toSqlString?: unknown }).toSqlString === 'function';
}
