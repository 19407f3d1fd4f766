import { dialectModule } from '../dialects/registry';
import type { Dialect } from '../types';
import type { AlternativeReadings } from './guard-rules';
import { createLexer, type LexerOptions } from './lexer';
import { T_EOF, T_ERROR, T_STRING, T_WORD } from './tokens';

/** What a redacted literal is replaced with. */
const REDACTED_LITERAL = `'?'`;

/**
 * `sql` (or its `[start, end)` part) with every string literal replaced by `'?'`, so SQL
 * text can go into error messages and logs without the passwords, keys or file paths
 * written as literals in it (`alter user app identified by '?'`).
 *
 * Literals are found with the dialect's own lexer, so comments and quoted identifiers
 * (`"x"` in PostgreSQL and SQLite, `` `x` `` in MySQL, `[x]`) are left alone while
 * `'…'`, `E'…'`, `U&'…'`, `B'…'`, `X'…'`, `N'…'`, `$tag$…$tag$` and MySQL `"…"` strings
 * are redacted. Where the lexer cannot go on (an unterminated literal, anything else it
 * refuses to read) everything from there to the end is redacted.
 *
 * The extent of a literal can depend on settings the text does not show (PostgreSQL's
 * standard_conforming_strings, MySQL's sql_mode and which versioned comments a server
 * runs), so the text is read the ways the classifier reads it (the dialect's
 * guardRules.grammar.alternatives) and whatever is a literal in any of those readings is
 * redacted. `start`/`end` select the part to return while the whole text is lexed, so a
 * statement cut out of a longer text is read in its context.
 */
export function redactLiterals(sql: string, dialect: Dialect, start = 0, end = sql.length): string {
  const from = Math.max(0, Math.min(start, sql.length));
  const to = Math.max(from, Math.min(end, sql.length));
  const ranges = mergeRanges(literalRanges(sql, dialect));
  let out = '';
  let at = from;
  for (const [rangeStart, rangeEnd] of ranges) {
    if (rangeEnd <= from) continue;
    if (rangeStart >= to) break;
    const cut = Math.max(rangeStart, from);
    out += sql.slice(at, cut) + REDACTED_LITERAL;
    at = Math.min(rangeEnd, to);
  }
  return out + sql.slice(at, to);
}

/** `[start, end)` of every literal in every reading of `sql` (unsorted, possibly overlapping). */
function literalRanges(sql: string, dialect: Dialect): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const primary = scan(sql, dialect, undefined, ranges);
  for (const reading of otherReadings(dialectModule(dialect).guardRules.grammar.alternatives, primary)) scan(sql, dialect, reading, ranges);
  return ranges;
}

/** What the default reading of a text saw that makes other readings of it possible. */
interface FirstReading {
  readonly sawBackslashInString: boolean;
  readonly versions: readonly number[];
  readonly sawMariadbComment: boolean;
}

/**
 * The readings besides the default under which a literal may lie elsewhere: with a backslash
 * in a string, the other backslash rule (PostgreSQL standard_conforming_strings off, MySQL
 * NO_BACKSLASH_ESCAPES); with versioned comments, each server kind and version threshold
 * (past the dialect's limit the classifier refuses the text, so more add nothing).
 */
function otherReadings(alternatives: AlternativeReadings, first: FirstReading): LexerOptions[] {
  const comments = alternatives.versionedComments;
  const conditional = comments !== undefined && (first.versions.length > 0 || first.sawMariadbComment);
  const thresholds = conditional ? [-1, ...first.versions.slice(0, comments.maxVersions + 1), Infinity] : [Infinity];
  // The default server kind first (undefined: the dialect has only one).
  const servers = comments === undefined ? [undefined] : (conditional ? comments.servers : comments.servers.slice(0, 1)).map(({ server }) => server);
  const backslashes = first.sawBackslashInString && alternatives.backslashModes.some((mode) => mode.altBackslash) ? [false, true] : [false];
  const readings: LexerOptions[] = [];
  for (const altBackslash of backslashes) {
    for (const [serverIndex, server] of servers.entries()) {
      for (const versionThreshold of thresholds) {
        // The default reading, which the caller has already done.
        if (!altBackslash && serverIndex === 0 && versionThreshold === Infinity) continue;
        readings.push(server === undefined ? { altBackslash } : { altBackslash, server, versionThreshold });
      }
    }
  }
  return readings;
}

/** Adds the literals of one reading to `ranges`; an error redacts from where it occurred to the end. */
function scan(sql: string, dialect: Dialect, options: LexerOptions | undefined, ranges: Array<[number, number]>): FirstReading {
  const { letterIntroducers } = dialectModule(dialect).guardText;
  const lexer = createLexer(sql, dialect, options);
  let prevType = -1;
  let prevStart = 0;
  let prevEnd = -1;
  for (;;) {
    const type = lexer.next();
    if (type === T_EOF) break;
    if (type === T_ERROR) {
      ranges.push([Math.min(lexer.start, sql.length), sql.length]);
      break;
    }
    if (type === T_STRING) {
      let literalStart = lexer.start;
      // MySQL lexes X'…', B'…', N'…' as a one-letter word glued to a string: take the prefix along.
      if (letterIntroducers && prevType === T_WORD && prevEnd === literalStart && literalStart - prevStart === 1 && /^[xXbBnN]$/.test(sql[prevStart] ?? '')) {
        literalStart = prevStart;
      }
      ranges.push([literalStart, lexer.end]);
    }
    prevType = type;
    prevStart = lexer.start;
    prevEnd = lexer.end;
  }
  return { sawBackslashInString: lexer.sawBackslashInString, versions: [...lexer.versions], sawMariadbComment: lexer.sawMariadbComment };
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}
