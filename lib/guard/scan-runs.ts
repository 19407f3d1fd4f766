import { CHAR_CLASS, C_OTHER, C_SEMI, C_SPACE, IDENT_CONT, isDigit } from './chars';

/**
 * Scanning loops shared by the dialect lexers. Each takes the text, a start index and the
 * text length and returns an index; none allocates or records errors, so the lexers keep
 * their own messages. Where a run ends at one known character (a closing quote, a newline,
 * `*\/`), one native indexOf finds it: that is cheaper per character than any charCodeAt
 * loop, which is what keeps a pass over string-heavy text under a plain loop's cost.
 */

/** The one-character string of each ASCII code, for indexOf. */
const CHAR_TEXT: readonly string[] = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));

/** End of the unquoted word whose characters continue at `from` (letters, digits, `_`, `$`, non-ASCII). */
export function identEnd(s: string, from: number, n: number): number {
  let j = from;
  while (j < n) {
    const d = s.charCodeAt(j);
    if (d < 128 && IDENT_CONT[d] !== 1) break;
    j++;
  }
  return j;
}

/**
 * Past the closing `quote` (ASCII) of a run whose body starts at `from`, where the quote
 * doubled stands for itself and nothing else escapes; -1 when the run is unterminated.
 */
export function doubledQuoteEnd(s: string, from: number, quote: number): number {
  const text = CHAR_TEXT[quote] as string;
  let j = from;
  for (;;) {
    const q = s.indexOf(text, j);
    if (q < 0) return -1;
    if (s.charCodeAt(q + 1) !== quote) return q + 1;
    j = q + 2;
  }
}

/** Index of the `\n` ending a line comment whose text starts at `from`, or `n`. */
export function lineCommentEnd(s: string, from: number, n: number): number {
  const k = s.indexOf('\n', from);
  return k < 0 ? n : k;
}

/** Past the first `*\/` at or after `from` (a comment that does not nest), or -1. */
export function plainCommentEnd(s: string, from: number): number {
  const k = s.indexOf('*/', from);
  return k < 0 ? -1 : k + 2;
}

/** End of the run of ASCII digits continuing at `from` (reads stay below `n`: see skim). */
function digitsEnd(s: string, from: number, n: number): number {
  let j = from;
  while (j < n && isDigit(s.charCodeAt(j))) j++;
  return j;
}

/**
 * End of the digits continuing at `from`, and of a fraction `.digits` after them (at least
 * one digit after the dot), which every dialect reads as part of the same number.
 */
export function decimalEnd(s: string, from: number, n: number): number {
  const j = digitsEnd(s, from, n);
  return j + 1 < n && s.charCodeAt(j) === 46 && isDigit(s.charCodeAt(j + 1)) ? digitsEnd(s, j + 2, n) : j;
}

/**
 * A digit run (or decimal, see decimalEnd) ending at `j` is one whole number in every dialect: `j` is the end, or
 * whitespace, `;` or one-character punctuation follows (no `.`, exponent, letter, `$` or `-`).
 */
export function endsNumber(s: string, j: number, n: number): boolean {
  if (j >= n) return true;
  const c = s.charCodeAt(j);
  if (c >= 128) return false;
  const k = CHAR_CLASS[c];
  return k === C_SPACE || k === C_OTHER || k === C_SEMI;
}
