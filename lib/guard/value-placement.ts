import type { Dialect } from '../types';
import type { SessionReading } from './classify';
import { createLexer, type LexerOptions } from './lexer';
import type { ClientFormat } from './raw-connection';
import { TextCache } from './text-cache';
import { T_EOF, T_ERROR, T_QUOTED_IDENT, T_STRING } from './tokens';

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
  const shape = Array.isArray(values) ? `${values.length}` : isRecord(values) && namedPlaceholders === true ? `:${Object.keys(values).join(',')}` : '1';
  const key = `${reading === undefined ? '?' : `${reading.altBackslash === true ? 'b' : ''}${reading.ansiQuotes === true ? 'a' : ''}`}|${shape}|`;
  const verdicts = cached(connection, key);
  const known = verdicts.get(sql);
  if (known !== undefined) return known;
  const verdict = placed(sql, values, format, dialect, reading, namedPlaceholders);
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

function placed(sql: string, values: unknown, format: ClientFormat, dialect: Dialect, reading: SessionReading | undefined, namedPlaceholders?: boolean): boolean {
  const base = markerBase(sql);
  let count = 0;
  // Strings: the driver writes a `?` one as the literal '…' and a `??` one as the name `…`, so a
  // marker inside the text's own quotes ('%?%', `done?`, "?") does not come out as either.
  const marker = (): string => String(base + count++);
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
    const seen = markersInCode(text, dialect, options, base, count);
    if (seen === undefined) return false;
    // An executable comment some server skips would make a value inside it a comment's.
    if (seen.executable && markersInCode(text, dialect, { ...options, server: 'mysql', versionThreshold: -1 }, base, count) === undefined) return false;
  }
  return true;
}

/** A number none of whose digits runs occur in `sql`, so no marker can be mistaken for the text's own. */
function markerBase(sql: string): number {
  for (let base = 7_301_000_000_000; ; base += 1_000_000_000) {
    if (!sql.includes(String(base).slice(0, 7))) return base;
  }
}

/** Whether every marker in `text` stands once as its own token in code (else undefined), and whether the text has executable comments. */
function markersInCode(text: string, dialect: Dialect, options: LexerOptions, base: number, count: number): { executable: boolean } | undefined {
  const lexer = createLexer(text, dialect, options);
  const found = new Uint8Array(count);
  let seen = 0;
  // How many markers the driver wrote, wherever: each of them must be found in code.
  const prefix = String(base).slice(0, 7);
  let written = 0;
  for (let at = text.indexOf(prefix); at !== -1; at = text.indexOf(prefix, at + prefix.length)) written++;
  for (;;) {
    const type = lexer.next();
    if (type === T_EOF) break;
    if (type === T_ERROR) return undefined;
    if (type !== T_STRING && type !== T_QUOTED_IDENT) continue;
    const quote = text.charCodeAt(lexer.start);
    if (quote !== (type === T_STRING ? QUOTE : BACKTICK)) continue;
    const token = text.slice(lexer.start + 1, lexer.end - 1);
    const index = Number(token) - base;
    if (!/^\d+$/.test(token) || index < 0 || index >= count) continue;
    if (found[index] === 1) return undefined;
    found[index] = 1;
    seen++;
  }
  return seen === written ? { executable: lexer.versions.length > 0 || lexer.sawMariadbComment } : undefined;
}
