import {
  CHAR_CLASS, C_DIGIT, C_DOLLAR, C_DOT, C_DQUOTE, C_IDENT, C_MINUS, C_NUL, C_QUOTE, C_SEMI, C_SLASH, C_SPACE, CH_AMP, CH_BACKSLASH, CH_CR,
  CH_DOLLAR, CH_DOT, CH_DQUOTE, CH_FF, CH_LF, CH_MINUS, CH_QUOTE, CH_SLASH, CH_SPACE, CH_STAR, CH_TAB, CH_VT, isDigit,
  isIdentStart, isInto, isSpace, isTagCont,
} from '../../guard/chars';
import type { LexerOptions } from '../../guard/lexer';
import { LexerBase } from '../../guard/lexer-base';
import { doubledQuoteEnd, identEnd, lastTokenEnd, stickyRunEnd } from '../../guard/scan-runs';
import { ERROR_FATAL, ERROR_UNSUPPORTED, T_EOF, T_ERROR, T_NUMBER, T_OP, T_PARAM, T_QUOTED_IDENT, T_SEMICOLON, T_STRING, T_WORD, type TokenType } from '../../guard/tokens';

/**
 * What skim() may consume in one native call: runs of whitespace and punctuation (no
 * quote, `$`, `;`, comment start, backslash or NUL; `.` only when no digit follows, as
 * `.5` is a number), runs of letters and digits not
 * followed by `$`, a quote or `&` (so E'…', U&'…', identifiers containing `$` and
 * numbers next to `$` stop it); digit runs and decimals (`3.5`) only when followed by
 * none of those nor `.` or a letter (exponents and letters glued on are left to the JS
 * lexer, as `1e5into` holds an INTO); "identifiers", plain
 * '…' strings without a backslash, and `$1` parameters. Where it stops, the JS lexer takes over at a
 * token start (or inside a number after its `.` or exponent sign, which lexes to the same
 * end). Alternatives are told apart by their first character; a failing one gives back at
 * most one run, and the repetition is bounded, so a call is linear in what it consumes.
 * Agreement with `next()` is checked by the property tests.
 */
const PUNCTUATION = `[^\\w\\u0080-\\uffff'"$;\\-\\/\\\\.\\u0000]`;
const SIMPLE_TOKEN_PARTS = [
  // A word not followed by `$`, a quote or `&`, with the punctuation after it.
  `[A-Za-z_\\u0080-\\uffff][\\w\\u0080-\\uffff]*(?![\\w$'&\\u0080-\\uffff])${PUNCTUATION}*`,
  // A "quoted identifier", with the punctuation after it.
  `"[^"]*(?:""[^"]*)*"${PUNCTUATION}*`,
  `${PUNCTUATION}+`,
  // A $1 parameter not followed by identifier characters or `$`.
  `\\$\\d+(?![\\w\\u0080-\\uffff$])${PUNCTUATION}*`,
  // A `.` that does not start a number, digits not followed by a letter, `$`, a quote, `&` or `.`.
  `\\.(?!\\d)`,
  // A decimal (`3.5`) not followed by an exponent, a letter, `$`, a quote, `&` or `.`.
  `\\d+\\.\\d+(?![\\w$'&.\\u0080-\\uffff])`,
  `\\d+(?![\\w$'&.\\u0080-\\uffff])`,
  // A plain string without a backslash; `-` and `/` that start no comment.
  `'[^'\\\\]*(?:''[^'\\\\]*)*'`,
  `-(?!-)`,
  `\\/(?!\\*)`,
];
const SIMPLE_TOKENS = new RegExp(`(?:${SIMPLE_TOKEN_PARTS.join('|')}){0,4096}`, 'y');
/** The same, but stopping at the word INTO (for the classifier's INTO watch). */
const SIMPLE_TOKENS_BUT_INTO = new RegExp(`(?:(?![iI][nN][tT][oO](?![\\w\\u0080-\\uffff]))${SIMPLE_TOKEN_PARTS.join('|')}){0,4096}`, 'y');

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
  /** SIMPLE_TOKENS(_BUT_INTO), in the default reading only (their plain-string rule assumes standard strings). */
  private readonly fast: boolean;

  constructor(sql: string, options?: LexerOptions) {
    super(sql);
    this.escapeInPlainStrings = options?.altBackslash === true;
    this.fast = !this.escapeInPlainStrings;
  }
  /** Also forgets a backslash seen inside a plain '…' string (it would escape if standard_conforming_strings were off). */
  override reset(sql: string): void {
    super.reset(sql);
    this.sawBackslashInString = false;
  }

  /**
   * Scans from the current token (already seen by the caller) to the end of the statement
   * without reporting tokens; with `watch`, stops at an INTO word instead (the tokens before
   * it are then in p1/p2). `prevType`/`prevStart` describe the token before the current one.
   * Returns T_SEMICOLON, T_EOF, T_ERROR, or T_WORD (stopped at INTO). `lastEnd` is the end
   * of the last token of the statement seen.
   */
  skim(watch: boolean, prevType: number, prevStart: number): TokenType {
    if (this.type === T_ERROR) return T_ERROR;
    if (!watch || this.fast) return this.skimFast(watch, prevType, prevStart);
    const s = this.sql;
    const n = this.length;
    let p1Type: number = this.type;
    let p1Start = this.start;
    let p1End = this.end;
    let p2Type = prevType;
    let p2Start = prevStart;
    let i = this.end;
    for (;;) {
      if (i >= n) return this.endOfInput(p1End);
      let c = s.charCodeAt(i);
      // Fast paths for what statements are mostly made of: one space, then a lower-case
      // word or a quoted identifier. Everything else goes through the class switch.
      if (c === CH_SPACE) {
        if (++i >= n) continue;
        c = s.charCodeAt(i);
      }
      if (c >= 97 && c <= 122) {
        const c1 = s.charCodeAt(i + 1);
        if (c1 !== CH_QUOTE && c1 !== CH_AMP) {
          const e = identEnd(s, i + 1, n);
          if (watch && e - i === 4 && isInto(s, i)) return this.intoAt(i, e, p1Type, p1Start, p1End, p2Type, p2Start);
          p2Type = p1Type;
          p2Start = p1Start;
          p1Type = T_WORD;
          p1Start = i;
          p1End = i = e;
          continue;
        }
      } else if (c === CH_DQUOTE) {
        const e = this.quotedEnd(i, i + 1, CH_DQUOTE);
        if (e < 0) return T_ERROR;
        p2Type = p1Type;
        p2Start = p1Start;
        p1Type = T_QUOTED_IDENT;
        p1Start = i;
        p1End = i = e;
        continue;
      }
      const k = c < 128 ? (CHAR_CLASS[c] as number) : C_IDENT;
      if (k === C_SPACE) {
        i++;
        continue;
      }
      const e = this.tokenEnd(i, c, k);
      if (e === 0) {
        i = this.commentEnd(i, c);
        if (i < 0) return T_ERROR;
        continue;
      }
      if (e < 0) return T_ERROR;
      let type: number = this.tokenType;
      if (type === T_SEMICOLON) return this.semicolonAt(i, p1End);
      if (type === T_WORD) {
        if (watch && e - i === 4 && isInto(s, i)) return this.intoAt(i, e, p1Type, p1Start, p1End, p2Type, p2Start);
      } else if (k === C_IDENT) {
        // A prefixed literal: this loop has always recorded U&"…" as a string here, unlike next().
        type = T_STRING;
      }
      p2Type = p1Type;
      p2Start = p1Start;
      p1Type = type;
      p1Start = i;
      p1End = e;
      i = e;
    }
  }

  /**
   * skim() accelerated by SIMPLE_TOKENS (default reading), or without the watch in any
   * reading. With `watch`, an INTO word ends the skim; the two tokens before it are then
   * found by re-lexing from where this call started, which each call does at most once.
   */
  private skimFast(watch: boolean, prevType: number, prevStart: number): TokenType {
    const s = this.sql;
    const n = this.length;
    const fast = !this.fast ? null : watch ? SIMPLE_TOKENS_BUT_INTO : SIMPLE_TOKENS;
    const entryType = this.type;
    const entryStart = this.start;
    const entryEnd = this.end;
    let last = this.end;
    let i = this.end;
    for (;;) {
      if (fast !== null && i < n) {
        const j = stickyRunEnd(fast, s, i);
        if (j > i) {
          last = lastTokenEnd(s, i, j, last);
          i = j;
        }
      }
      if (i >= n) return this.endOfInput(last);
      let c = s.charCodeAt(i);
      if (c === CH_SPACE) {
        if (++i >= n) continue;
        c = s.charCodeAt(i);
      }
      if (c >= 97 && c <= 122) {
        const c1 = s.charCodeAt(i + 1);
        if (c1 !== CH_QUOTE && c1 !== CH_AMP) {
          const e = identEnd(s, i + 1, n);
          if (watch && e - i === 4 && isInto(s, i)) return this.stopAtInto(i, entryType, entryStart, entryEnd, prevType, prevStart);
          i = last = e;
          continue;
        }
      }
      const k = c < 128 ? (CHAR_CLASS[c] as number) : C_IDENT;
      if (k === C_SPACE) {
        i++;
        continue;
      }
      const e = this.tokenEnd(i, c, k);
      if (e === 0) {
        i = this.commentEnd(i, c);
        if (i < 0) return T_ERROR;
        continue;
      }
      if (e < 0) return T_ERROR;
      const type = this.tokenType;
      if (type === T_SEMICOLON) return this.semicolonAt(i, last);
      if (type === T_WORD && watch && e - i === 4 && isInto(s, i)) return this.stopAtInto(i, entryType, entryStart, entryEnd, prevType, prevStart);
      i = last = e;
    }
  }

  /** Makes the INTO word at `at` current, with the two tokens before it in p1/p2 (re-lexed from `entryEnd`). */
  private stopAtInto(at: number, entryType: TokenType, entryStart: number, entryEnd: number, prevType: number, prevStart: number): TokenType {
    let p1Type: number = entryType;
    let p1Start = entryStart;
    let p1End = entryEnd;
    let p2Type = prevType;
    let p2Start = prevStart;
    this.type = entryType;
    this.end = entryEnd;
    while (this.next() !== T_ERROR && this.start < at) {
      p2Type = p1Type;
      p2Start = p1Start;
      p1Type = this.type;
      p1Start = this.start;
      p1End = this.end;
    }
    this.p1Type = p1Type;
    this.p1Start = p1Start;
    this.p1End = p1End;
    this.p2Type = p2Type;
    this.p2Start = p2Start;
    this.lastEnd = this.end;
    return this.type;
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
        return this.quotedEnd(i, i + 1, CH_DQUOTE);
      case C_DOLLAR: {
        const e = this.dollarEnd(i);
        this.tokenType = e === i + 1 ? T_OP : isDigit(s.charCodeAt(i + 1)) ? T_PARAM : T_STRING;
        return e;
      }
      case C_SEMI:
        this.tokenType = T_SEMICOLON;
        return i + 1;
      case C_MINUS:
        if (s.charCodeAt(i + 1) === CH_MINUS) return 0;
        break;
      case C_SLASH:
        if (s.charCodeAt(i + 1) === CH_STAR) return 0;
        break;
      case C_DOT:
        if (isDigit(s.charCodeAt(i + 1))) {
          this.tokenType = T_NUMBER;
          return this.numberEnd(i);
        }
        break;
      case C_NUL:
        // The server reads the query as a C string: a NUL would silently truncate it.
        this.fail(i, 'NUL character in SQL text', ERROR_UNSUPPORTED);
        return -1;
      default:
        break;
    }
    this.tokenType = T_OP;
    return i + 1;
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
      if (lower === 0x62 || lower === 0x78) return this.quotedEnd(i, i + 2, CH_QUOTE);
      if (lower === 0x6e) return this.escapeInPlainStrings ? this.escapeStringEnd(i, i + 2) : this.plainStringEnd(i, i + 2);
    } else if (c1 === CH_AMP && (c | 0x20) === 0x75) {
      // U&'…' and U&"…": doubling only (the backslash introduces Unicode escapes, never a quote).
      const c2 = s.charCodeAt(i + 2);
      if (c2 === CH_QUOTE) return this.quotedEnd(i, i + 3, CH_QUOTE);
      if (c2 === CH_DQUOTE) return this.quotedEnd(i, i + 3, CH_DQUOTE);
    }
    return 0;
  }

  /** integer, `1.`, `1.5`, `.5`, with optional exponent; `1..` leaves `..` alone. */
  private numberEnd(i: number): number {
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
    this.fail(start, 'numeric literal followed by identifier characters and $ (read differently by PostgreSQL 15 and 16)', ERROR_UNSUPPORTED);
    return -1;
  }

  /** '…' with standard_conforming_strings on: `''` doubles a quote, `\` is a plain character. */
  private plainStringEnd(start: number, from: number): number {
    const s = this.sql;
    const n = this.length;
    let j = from;
    while (j < n) {
      const d = s.charCodeAt(j);
      if (d === CH_QUOTE) {
        if (s.charCodeAt(j + 1) !== CH_QUOTE) return j + 1;
        j += 2;
      } else {
        if (d === CH_BACKSLASH) this.sawBackslashInString = true;
        j++;
      }
    }
    this.fail(start, 'unterminated quoted string', ERROR_FATAL);
    return -1;
  }

  /** B'…', X'…', U&'…', "…", U&"…": the quote doubled inside stands for itself. */
  private quotedEnd(start: number, from: number, quote: number): number {
    const e = doubledQuoteEnd(this.sql, from, this.length, quote);
    if (e >= 0) return e;
    this.fail(start, quote === CH_DQUOTE ? 'unterminated quoted identifier' : 'unterminated quoted string', ERROR_FATAL);
    return -1;
  }

  /** E'…' (and plain '…' when standard_conforming_strings is off): `\` escapes any character. */
  private escapeStringEnd(start: number, from: number): number {
    const s = this.sql;
    const n = this.length;
    let j = from;
    while (j < n) {
      const d = s.charCodeAt(j);
      if (d === CH_BACKSLASH) {
        j += 2;
      } else if (d === CH_QUOTE) {
        if (s.charCodeAt(j + 1) === CH_QUOTE) {
          j += 2;
        } else {
          // '…' <whitespace with a newline> '…' continues the same literal, still in E mode.
          const reopen = continuation(s, j + 1, n);
          if (reopen < 0) return j + 1;
          j = reopen + 1;
        }
      } else {
        j++;
      }
    }
    this.fail(start, 'unterminated quoted string', ERROR_FATAL);
    return -1;
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
    if (close < 0) {
      this.fail(i, 'unterminated dollar-quoted string', ERROR_FATAL);
      return -1;
    }
    return close + tag.length;
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
    this.fail(i, 'unterminated /* comment', ERROR_FATAL);
    return -1;
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
