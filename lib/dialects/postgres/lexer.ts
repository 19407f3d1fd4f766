import {
  C_DIGIT, C_DOLLAR, C_DQUOTE, C_IDENT, C_QUOTE, CH_AMP, CH_CR, CH_DOLLAR, CH_DOT, CH_DQUOTE, CH_FF,
  CH_LF, CH_MINUS, CH_QUOTE, CH_SLASH, CH_SPACE, CH_STAR, CH_TAB, CH_VT, isDigit, isIdentStart, isSpace, isTagCont,
} from '../../guard/chars';
import type { LexerOptions } from '../../guard/lexer';
import { LexerBase, QUOTE_DOUBLED_NOTE, QUOTE_NEXT } from '../../guard/lexer-base';
import { identEnd } from '../../guard/scan-runs';
import { ERROR_FATAL, ERROR_UNSUPPORTED, T_NUMBER, T_OP, T_PARAM, T_QUOTED_IDENT, T_STRING, T_WORD } from '../../guard/tokens';

/**
 * PostgreSQL lexer following src/backend/parser/scan.l (PostgreSQL 17): nested `/* *\/`
 * comments, `--` comments ending at `\n` or `\r`, `'…'` with `''` doubling (backslash is a
 * plain character: standard_conforming_strings = on, unless `altBackslash`), `E'…'` with
 * backslash escapes, string continuation across a newline (which keeps E-string rules),
 * `B'…'`/`X'…'`/`N'…'`/`U&'…'` literals, `"…"`/`U&"…"` identifiers with `""` doubling,
 * `$tag$…$tag$` dollar quotes and `$1` parameters. Identifiers may contain `$`, so
 * `a$$b` is one word and never opens a dollar quote.
 *
 * Numbers are lexed as PostgreSQL 15 does (`1_0` is `1` then `_0`). PostgreSQL 16 reads
 * `1_0`, `0x1F` as one number, which matters only when a `$` follows (`12_3$$…` is an
 * identifier on 15 and a dollar quote on 16): that shape is refused as ambiguous.
 */
export class PostgresLexer extends LexerBase {
  /** standard_conforming_strings = off: plain '…' strings take backslash escapes too. */
  private readonly escapeInPlainStrings: boolean;
  constructor(sql: string, options?: LexerOptions) {
    super(sql);
    this.escapeInPlainStrings = options?.altBackslash === true;
    // With escapes, '…' may continue across a newline (escapeStringEnd): only next() reads that.
    this.quoteMode = this.escapeInPlainStrings ? QUOTE_NEXT : QUOTE_DOUBLED_NOTE;
  }
  /** Also forgets a backslash seen inside a plain '…' string (it would escape if standard_conforming_strings were off). */
  override reset(sql: string): void {
    super.reset(sql);
    this.sawBackslashInString = false;
  }

  /**
   * The end of the token starting at i (class k), with its type in `tokenType`; 0 at the
   * start of a comment, -1 after recording an error.
   */
  protected tokenEnd(i: number, c: number, k: number): number {
    const s = this.sql;
    switch (k) {
      case C_IDENT: {
        const e = this.prefixedString(i, c);
        if (e === 0) {
          this.tokenType = T_WORD;
          return identEnd(s, i + 1, this.length);
        }
        this.tokenType = s.charCodeAt(e - 1) === CH_DQUOTE ? T_QUOTED_IDENT : T_STRING;
        return e;
      }
      case C_DIGIT:
        this.tokenType = T_NUMBER;
        return this.numberEnd(i);
      case C_QUOTE:
        this.tokenType = T_STRING;
        return this.escapeInPlainStrings ? this.escapeStringEnd(i, i + 1) : this.plainStringEnd(i, i + 1);
      case C_DQUOTE:
        this.tokenType = T_QUOTED_IDENT;
        return this.doubledEnd(i, i + 1, CH_DQUOTE);
      case C_DOLLAR: {
        const e = this.dollarEnd(i);
        this.tokenType = e === i + 1 ? T_OP : isDigit(s.charCodeAt(i + 1)) ? T_PARAM : T_STRING;
        return e;
      }
      default:
        return this.commentOrOtherEnd(i, k);
    }
  }

  /** Past the `--` or (nested) `/*` comment at i, or -1 after recording an error. */
  protected commentEnd(i: number, c: number): number {
    return c === CH_MINUS ? lineEnd(this.sql, i + 2, this.length) : this.blockCommentEnd(i);
  }

  /** At a word start: the end of an E'…', B'…', X'…', N'…', U&'…' or U&"…" literal, 0 if none, -1 on error. */
  private prefixedString(i: number, c: number): number {
    const s = this.sql;
    const c1 = s.charCodeAt(i + 1);
    if (c1 === CH_QUOTE) {
      const lower = c | 0x20;
      // E'…' escapes; B'…' and X'…' never process backslashes; N'…' is a plain string.
      if (lower === 0x65) return this.escapeStringEnd(i, i + 2);
      if (lower === 0x62 || lower === 0x78) return this.doubledEnd(i, i + 2, CH_QUOTE);
      if (lower === 0x6e) return this.escapeInPlainStrings ? this.escapeStringEnd(i, i + 2) : this.plainStringEnd(i, i + 2);
    } else if (c1 === CH_AMP && (c | 0x20) === 0x75) {
      // U&'…' and U&"…": doubling only (the backslash introduces Unicode escapes, never a quote).
      const c2 = s.charCodeAt(i + 2);
      if (c2 === CH_QUOTE) return this.doubledEnd(i, i + 3, CH_QUOTE);
      if (c2 === CH_DQUOTE) return this.doubledEnd(i, i + 3, CH_DQUOTE);
    }
    return 0;
  }

  /** integer, `1.`, `1.5`, `.5`, with optional exponent; `1..` leaves `..` alone. */
  protected numberEnd(i: number): number {
    const s = this.sql;
    let j = i;
    while (isDigit(s.charCodeAt(j))) j++;
    if (s.charCodeAt(j) === CH_DOT && s.charCodeAt(j + 1) !== CH_DOT) {
      j++;
      while (isDigit(s.charCodeAt(j))) j++;
    }
    if ((s.charCodeAt(j) | 0x20) === 0x65) {
      let k = j + 1;
      const sign = s.charCodeAt(k);
      if (sign === 43 || sign === CH_MINUS) k++;
      if (isDigit(s.charCodeAt(k))) {
        j = k;
        while (isDigit(s.charCodeAt(j))) j++;
      }
    }
    return this.numberTail(i, j);
  }

  /** Refuses `<number><letters, digits, _>$`, which PostgreSQL 15 and 16 split differently. */
  private numberTail(start: number, j: number): number {
    const s = this.sql;
    if (!isTagCont(s.charCodeAt(j))) return j;
    let k = j;
    while (k < this.length && isTagCont(s.charCodeAt(k))) k++;
    if (s.charCodeAt(k) !== CH_DOLLAR) return j;
    return this.failed(start, 'numeric literal followed by identifier characters and $ (read differently by PostgreSQL 15 and 16)', ERROR_UNSUPPORTED);
  }

  /**
   * '…' with standard_conforming_strings on: `''` doubles a quote, `\` is a plain character
   * (noted: it would escape if standard_conforming_strings were off).
   */
  private plainStringEnd(start: number, from: number): number {
    const e = this.stringEnd(from, "'", CH_QUOTE, QUOTE_DOUBLED_NOTE);
    return e >= 0 ? e : this.failed(start, 'unterminated quoted string', ERROR_FATAL);
  }

  /** E'…' (and plain '…' when standard_conforming_strings is off): `\` escapes any character. */
  private escapeStringEnd(start: number, from: number): number {
    const s = this.sql;
    const n = this.length;
    let j = from;
    for (;;) {
      const q = s.indexOf("'", j);
      if (q < 0) break;
      const b = this.backslashFrom(j);
      if (b < q) {
        j = b + 2;
      } else if (s.charCodeAt(q + 1) === CH_QUOTE) {
        j = q + 2;
      } else {
        // '…' <whitespace with a newline> '…' continues the same literal, still in E mode.
        const reopen = continuation(s, q + 1, n);
        if (reopen < 0) return q + 1;
        j = reopen + 1;
      }
    }
    return this.failed(start, 'unterminated quoted string', ERROR_FATAL);
  }

  /** At `$`: a parameter `$1`, a dollar-quoted string, or `$` alone (end i + 1). */
  private dollarEnd(i: number): number {
    const s = this.sql;
    const n = this.length;
    const c1 = s.charCodeAt(i + 1);
    if (isDigit(c1)) {
      let j = i + 2;
      while (isDigit(s.charCodeAt(j))) j++;
      return this.numberTail(i, j);
    }
    let j = i + 1;
    if (c1 !== CH_DOLLAR) {
      // A tag starts with a letter, `_` or high byte and continues without `$`.
      if (!isIdentStart(c1)) return i + 1;
      j = i + 2;
      while (j < n && isTagCont(s.charCodeAt(j))) j++;
      // `$abc` without a closing `$`: the server returns `$` alone and rescans `abc`.
      if (s.charCodeAt(j) !== CH_DOLLAR) return i + 1;
    }
    const tag = s.slice(i, j + 1);
    const close = s.indexOf(tag, j + 1);
    return close < 0 ? this.failed(i, 'unterminated dollar-quoted string', ERROR_FATAL) : close + tag.length;
  }

  /** Past a nested block comment starting at i, or -1 after recording the error. */
  private blockCommentEnd(i: number): number {
    const s = this.sql;
    const n = this.length;
    let depth = 1;
    let j = i + 2;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c === CH_STAR && s.charCodeAt(j + 1) === CH_SLASH) {
        j += 2;
        if (--depth === 0) return j;
      } else if (c === CH_SLASH && s.charCodeAt(j + 1) === CH_STAR) {
        j += 2;
        depth++;
      } else {
        j++;
      }
    }
    return this.failed(i, 'unterminated /* comment', ERROR_FATAL);
  }
}

/** Index of the `\n` or `\r` ending a `--` comment that starts before `from`, or `n`. */
function lineEnd(s: string, from: number, n: number): number {
  let i = from;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === CH_LF || c === CH_CR) return i;
    i++;
  }
  return n;
}

/**
 * scan.l's {quotecontinue}: after a closing quote at `from - 1`, non-newline whitespace or
 * `--` comments, one newline, then any whitespace or newline-terminated `--` comments, then
 * a quote. Returns the index of that reopening quote, or -1.
 */
function continuation(s: string, from: number, n: number): number {
  let i = from;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === CH_SPACE || c === CH_TAB || c === CH_FF || c === CH_VT) i++;
    else if (c === CH_MINUS && s.charCodeAt(i + 1) === CH_MINUS) i = lineEnd(s, i + 2, n);
    else break;
  }
  const nl = s.charCodeAt(i);
  if (nl !== CH_LF && nl !== CH_CR) return -1;
  i++;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === CH_MINUS && s.charCodeAt(i + 1) === CH_MINUS) {
      i = lineEnd(s, i + 2, n);
      if (i >= n) return -1;
      i++;
    } else {
      break;
    }
  }
  return s.charCodeAt(i) === CH_QUOTE ? i : -1;
}
