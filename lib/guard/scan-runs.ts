import { CH_LF, IDENT_CONT, isSpace } from './chars';

/**
 * Scanning loops shared by the dialect lexers. Each takes the text, a start index and the
 * text length, walks with charCodeAt (or one native call) and returns an index; none
 * allocates or records errors, so the lexers keep their own messages.
 */

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
 * Past the closing `quote` of a run whose body starts at `from`, where the quote doubled
 * stands for itself and nothing else escapes; -1 when the run is unterminated.
 */
export function doubledQuoteEnd(s: string, from: number, n: number, quote: number): number {
  let j = from;
  while (j < n) {
    if (s.charCodeAt(j) === quote) {
      if (s.charCodeAt(j + 1) !== quote) return j + 1;
      j += 2;
    } else {
      j++;
    }
  }
  return -1;
}

/** Index of the `\n` ending a line comment whose text starts at `from`, or `n`. */
export function lineCommentEnd(s: string, from: number, n: number): number {
  let j = from;
  while (j < n && s.charCodeAt(j) !== CH_LF) j++;
  return j;
}

/** Past the first `*\/` at or after `from` (a comment that does not nest), or -1. */
export function plainCommentEnd(s: string, from: number): number {
  const k = s.indexOf('*/', from);
  return k < 0 ? -1 : k + 2;
}

/**
 * Where the sticky `run` pattern, tried at `i`, stops matching (`i` when it matches nothing).
 * One native call; the patterns bound their repetition, so the call is linear in what it consumes.
 */
export function stickyRunEnd(run: RegExp, s: string, i: number): number {
  run.lastIndex = i;
  run.test(s);
  return run.lastIndex;
}

/** End of the last token in the consumed run `[i, j)` (trailing whitespace dropped), or `last` when the run is all whitespace. */
export function lastTokenEnd(s: string, i: number, j: number, last: number): number {
  let k = j;
  while (k > i && isSpace(s.charCodeAt(k - 1))) k--;
  return k > i ? k : last;
}
