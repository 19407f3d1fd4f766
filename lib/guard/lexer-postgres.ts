import {
  CHAR_CLASS, C_DIGIT, C_DOLLAR, C_DOT, C_DQUOTE, C_IDENT, C_MINUS, C_NUL, C_QUOTE, C_SEMI, C_SLASH, C_SPACE, CH_AMP, CH_BACKSLASH, CH_CR,
  CH_DOLLAR, CH_DOT, CH_DQUOTE, CH_FF, CH_LF, CH_MINUS, CH_QUOTE, CH_SLASH, CH_SPACE, CH_STAR, CH_TAB, CH_VT, IDENT_CONT, isDigit,
  isIdentStart, isInto, isSpace, isTagCont,
} from './chars';
import type { Lexer, LexerOptions } from './lexer';
import { ERROR_FATAL, ERROR_UNSUPPORTED, T_EOF, T_ERROR, T_NUMBER, T_OP, T_PARAM, T_QUOTED_IDENT, T_SEMICOLON, T_STRING, T_WORD, type TokenType } from './tokens';

/**
 * What skim() may consume in one native call: runs of whitespace and punctuation (no
 * quote, `$`, `;`, comment start, backslash or NUL; `.` only when no digit follows, as
 * `.5` is a number), runs of letters and digits not
 * followed by `$`, a quote or `&` (so E'…', U&'…', identifiers containing `$` and
 * numbers next to `$` stop it); digit runs only when followed by
 * none of those nor `.` or a letter (numbers with a fraction, an exponent or letters
 * glued on are left to the JS lexer, as `1e5into` holds an INTO); "identifiers", plain
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
export class PostgresLexer implements Lexer {
  sql: string;
  length: number;
  type: TokenType = T_EOF;
  start = 0;
  /** End of the current token, and where scanning resumes. */
  end = 0;
  error = '';
  errorKind = 0;
  lastEnd = 0;
  p1Type = 0;
  p1Start = 0;
  p1End = 0;
  p2Type = 0;
  p2Start = 0;
  readonly versions: number[] = [];
  tooManyVersions = false;
  sawMariadbComment = false;
  /** A backslash appeared inside a plain '…' string (it would escape if standard_conforming_strings were off). */
  sawBackslashInString = false;
  /** standard_conforming_strings = off: plain '…' strings take backslash escapes too. */
  private readonly escapeInPlainStrings: boolean;
  /** SIMPLE_TOKENS(_BUT_INTO), in the default reading only (their plain-string rule assumes standard strings). */
  private readonly fast: boolean;

  constructor(sql: string, options?: LexerOptions) {
    this.sql = sql;
    this.length = sql.length;
    this.escapeInPlainStrings = options?.altBackslash === true;
    this.fast = !this.escapeInPlainStrings;
  }
  /** Starts over on new text (the classifier reuses one lexer per dialect for its default reading). */
  reset(sql: string): void {
    this.sql = sql;
    this.length = sql.length;
    this.type = T_EOF;
    this.start = this.end = this.lastEnd = 0;
    this.error = '';
    this.errorKind = 0;
    this.sawBackslashInString = false;
  }


  next(): TokenType {
    if (this.type === T_ERROR) return T_ERROR;
    const s = this.sql;
    const n = this.length;
    let i = this.end;
    for (;;) {
      if (i >= n) {
        this.start = this.end = n;
        return (this.type = T_EOF);
      }
      const c = s.charCodeAt(i);
      let type: TokenType = T_OP;
      let e = i + 1;
      switch (c < 128 ? CHAR_CLASS[c] : C_IDENT) {
        case C_SPACE:
          i++;
          continue;
        case C_IDENT:
          e = this.prefixedString(i, c);
          if (e === 0) {
            e = identEnd(s, i + 1, n);
            type = T_WORD;
          } else {
            type = s.charCodeAt(e - 1) === CH_DQUOTE ? T_QUOTED_IDENT : T_STRING;
          }
          break;
        case C_DIGIT:
          e = this.numberEnd(i);
          type = T_NUMBER;
          break;
        case C_QUOTE:
          e = this.escapeInPlainStrings ? this.escapeStringEnd(i, i + 1) : this.plainStringEnd(i, i + 1);
          type = T_STRING;
          break;
        case C_DQUOTE:
          e = this.quotedEnd(i, i + 1, CH_DQUOTE);
          type = T_QUOTED_IDENT;
          break;
        case C_DOLLAR:
          e = this.dollarEnd(i);
          type = e === i + 1 ? T_OP : isDigit(s.charCodeAt(i + 1)) ? T_PARAM : T_STRING;
          break;
        case C_SEMI:
          type = T_SEMICOLON;
          break;
        case C_MINUS:
          if (s.charCodeAt(i + 1) === CH_MINUS) {
            i = lineEnd(s, i + 2, n);
            continue;
          }
          break;
        case C_SLASH:
          if (s.charCodeAt(i + 1) === CH_STAR) {
            i = this.blockCommentEnd(i);
            if (i < 0) return T_ERROR;
            continue;
          }
          break;
        case C_DOT:
          if (isDigit(s.charCodeAt(i + 1))) {
            e = this.numberEnd(i);
            type = T_NUMBER;
          }
          break;
        case C_NUL:
          // The server reads the query as a C string: a NUL would silently truncate it.
          return this.fail(i, 'NUL character in SQL text', ERROR_UNSUPPORTED);
        default:
          break;
      }
      if (e < 0) return T_ERROR;
      this.start = i;
      this.end = e;
      return (this.type = type);
    }
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
      if (i >= n) {
        this.lastEnd = p1End;
        this.start = this.end = n;
        return (this.type = T_EOF);
      }
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
          if (watch && e - i === 4 && isInto(s, i)) {
            this.p1Type = p1Type;
            this.p1Start = p1Start;
            this.p1End = p1End;
            this.p2Type = p2Type;
            this.p2Start = p2Start;
            this.start = i;
            this.lastEnd = this.end = e;
            return (this.type = T_WORD);
          }
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
      let type = T_OP;
      let e = i + 1;
      switch (c < 128 ? CHAR_CLASS[c] : C_IDENT) {
        case C_SPACE:
          i++;
          continue;
        case C_IDENT:
          e = this.prefixedString(i, c);
          if (e === 0) {
            e = identEnd(s, i + 1, n);
            type = T_WORD;
            if (watch && e - i === 4 && isInto(s, i)) {
              this.p1Type = p1Type;
              this.p1Start = p1Start;
              this.p1End = p1End;
              this.p2Type = p2Type;
              this.p2Start = p2Start;
              this.start = i;
              this.lastEnd = this.end = e;
              return (this.type = T_WORD);
            }
          } else {
            type = T_STRING;
          }
          break;
        case C_DIGIT:
          e = this.numberEnd(i);
          type = T_NUMBER;
          break;
        case C_QUOTE:
          e = this.escapeInPlainStrings ? this.escapeStringEnd(i, i + 1) : this.plainStringEnd(i, i + 1);
          type = T_STRING;
          break;
        case C_DQUOTE:
          e = this.quotedEnd(i, i + 1, CH_DQUOTE);
          type = T_QUOTED_IDENT;
          break;
        case C_DOLLAR:
          e = this.dollarEnd(i);
          type = e === i + 1 ? T_OP : isDigit(s.charCodeAt(i + 1)) ? T_PARAM : T_STRING;
          break;
        case C_SEMI:
          this.lastEnd = p1End;
          this.start = i;
          this.end = i + 1;
          return (this.type = T_SEMICOLON);
        case C_MINUS:
          if (s.charCodeAt(i + 1) === CH_MINUS) {
            i = lineEnd(s, i + 2, n);
            continue;
          }
          break;
        case C_SLASH:
          if (s.charCodeAt(i + 1) === CH_STAR) {
            i = this.blockCommentEnd(i);
            if (i < 0) return T_ERROR;
            continue;
          }
          break;
        case C_DOT:
          if (isDigit(s.charCodeAt(i + 1))) {
            e = this.numberEnd(i);
            type = T_NUMBER;
          }
          break;
        case C_NUL:
          return this.fail(i, 'NUL character in SQL text', ERROR_UNSUPPORTED);
        default:
          break;
      }
      if (e < 0) return T_ERROR;
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
        fast.lastIndex = i;
        fast.test(s);
        const j = fast.lastIndex;
        if (j > i) {
          let k = j;
          while (k > i && isSpace(s.charCodeAt(k - 1))) k--;
          if (k > i) last = k;
          i = j;
        }
      }
      if (i >= n) {
        this.lastEnd = last;
        this.start = this.end = n;
        return (this.type = T_EOF);
      }
      let c = s.charCodeAt(i);
      if (c === CH_SPACE) {
        if (++i >= n) continue;
        c = s.charCodeAt(i);
      }
      let e = i + 1;
      if (c >= 97 && c <= 122) {
        const c1 = s.charCodeAt(i + 1);
        if (c1 !== CH_QUOTE && c1 !== CH_AMP) {
          e = identEnd(s, i + 1, n);
          if (watch && e - i === 4 && isInto(s, i)) return this.stopAtInto(i, entryType, entryStart, entryEnd, prevType, prevStart);
          i = last = e;
          continue;
        }
      }
      switch (c < 128 ? CHAR_CLASS[c] : C_IDENT) {
        case C_SPACE:
          i++;
          continue;
        case C_IDENT:
          e = this.prefixedString(i, c);
          if (e === 0) {
            e = identEnd(s, i + 1, n);
            if (watch && e - i === 4 && isInto(s, i)) return this.stopAtInto(i, entryType, entryStart, entryEnd, prevType, prevStart);
          }
          break;
        case C_DIGIT:
          e = this.numberEnd(i);
          break;
        case C_QUOTE:
          e = this.escapeInPlainStrings ? this.escapeStringEnd(i, i + 1) : this.plainStringEnd(i, i + 1);
          break;
        case C_DQUOTE:
          e = this.quotedEnd(i, i + 1, CH_DQUOTE);
          break;
        case C_DOLLAR:
          e = this.dollarEnd(i);
          break;
        case C_SEMI:
          this.lastEnd = last;
          this.start = i;
          this.end = i + 1;
          return (this.type = T_SEMICOLON);
        case C_MINUS:
          if (s.charCodeAt(i + 1) === CH_MINUS) {
            i = lineEnd(s, i + 2, n);
            continue;
          }
          break;
        case C_SLASH:
          if (s.charCodeAt(i + 1) === CH_STAR) {
            i = this.blockCommentEnd(i);
            if (i < 0) return T_ERROR;
            continue;
          }
          break;
        case C_DOT:
          if (isDigit(s.charCodeAt(i + 1))) e = this.numberEnd(i);
          break;
        case C_NUL:
          return this.fail(i, 'NUL character in SQL text', ERROR_UNSUPPORTED);
        default:
          break;
      }
      if (e < 0) return T_ERROR;
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

  private fail(at: number, message: string, kind: number): TokenType {
    this.start = at;
    this.end = this.length;
    this.error = message;
    this.errorKind = kind;
    return (this.type = T_ERROR);
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
    const s = this.sql;
    const n = this.length;
    let j = from;
    while (j < n) {
      if (s.charCodeAt(j) === quote) {
        if (s.charCodeAt(j + 1) !== quote) return j + 1;
        j += 2;
      } else {
        j++;
      }
    }
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

function identEnd(s: string, from: number, n: number): number {
  let j = from;
  while (j < n) {
    const d = s.charCodeAt(j);
    if (d < 128 && IDENT_CONT[d] !== 1) break;
    j++;
  }
  return j;
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
