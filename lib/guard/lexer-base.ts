import {
  CHAR_CLASS, C_DIGIT, C_DOT, C_IDENT, C_MINUS, C_NUL, C_OTHER, C_SEMI, C_SLASH, C_SPACE, CH_MINUS, CH_QUOTE, CH_STAR, isDigit, isInto, isPlainWordStart,
} from './chars';
import type { Lexer } from './lexer';
import { decimalEnd, doubledQuoteEnd, endsNumber, identEnd } from './scan-runs';
import { ERROR_FATAL, ERROR_UNSUPPORTED, T_EOF, T_ERROR, T_NUMBER, T_OP, T_SEMICOLON, T_STRING, T_WORD, type TokenType } from './tokens';

/** How a plain '…' string is read (LexerBase.stringEnd); QUOTE_NEXT: only the dialect's tokenEnd reads it. */
export type QuoteMode = 0 | 1 | 2 | 3;
export const QUOTE_NEXT = 0;
/** The quote doubled stands for itself; a backslash is a plain character (SQLite). */
export const QUOTE_DOUBLED = 1;
/** As QUOTE_DOUBLED, noting backslashes (PostgreSQL standard_conforming_strings = on, MySQL NO_BACKSLASH_ESCAPES). */
export const QUOTE_DOUBLED_NOTE = 2;
/** Backslash escapes the next character, and is noted (MySQL's default). */
export const QUOTE_ESCAPES = 3;

/**
 * The state and the token loop every dialect lexer shares: the fields of the Lexer
 * interface, starting over on new text, next() and skim(). The dialect classes supply only
 * how a token or comment is measured (tokenEnd, commentEnd), so there is one token stream
 * per dialect: skim() is next() in a loop that reports nothing, and cannot disagree with it.
 */
export abstract class LexerBase implements Lexer {
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
  /** MySQL: versions of versioned executable comments seen (capped; see `tooManyVersions`). */
  readonly versions: number[] = [];
  tooManyVersions = false;
  sawMariadbComment = false;
  sawBackslashInString = false;
  /** Type of the token the dialect's `tokenEnd` measured last. */
  protected tokenType: TokenType = T_OP;
  /**
   * How this reading reads a plain `'…'` string (see stringEnd); the dialect sets it. With
   * anything but QUOTE_NEXT skim() measures such strings itself, by the same stringEnd the
   * dialect's tokenEnd uses, so the two cannot disagree.
   */
  protected quoteMode: QuoteMode = QUOTE_NEXT;
  /** A backslash at or after the last position asked of backslashFrom, `length` if none; -1 before the first search. */
  private backslashAt = -1;

  constructor(sql: string) {
    this.sql = sql;
    this.length = sql.length;
  }

  /**
   * The end of the token starting at i (first character c, class k), with its type in
   * `tokenType`; 0 at the start of a comment (see commentEnd), -1 after recording an error.
   */
  protected abstract tokenEnd(i: number, c: number, k: number): number;
  /** Where scanning resumes after the comment tokenEnd found at i, or -1 after recording an error. */
  protected abstract commentEnd(i: number, c: number): number;
  /** The end of the number starting at i (a digit, or `.` before a digit), in the dialect's rules. */
  protected abstract numberEnd(i: number): number;

  /**
   * For tokenEnd's classes every dialect measures alike: `;`, a number starting `.5`, NUL
   * (refused: the servers read the text as a C string, so a NUL would cut it short), and
   * otherwise a one-character operator.
   */
  protected otherTokenEnd(i: number, k: number): number {
    if (k === C_SEMI) {
      this.tokenType = T_SEMICOLON;
      return i + 1;
    }
    if (k === C_DOT && isDigit(this.sql.charCodeAt(i + 1))) {
      this.tokenType = T_NUMBER;
      return this.numberEnd(i);
    }
    if (k === C_NUL) return this.failed(i, 'NUL character in SQL text', ERROR_UNSUPPORTED);
    this.tokenType = T_OP;
    return i + 1;
  }

  /** otherTokenEnd, where `--` and `/*` always start a comment (PostgreSQL, SQLite): 0 there, for commentEnd. */
  protected commentOrOtherEnd(i: number, k: number): number {
    if ((k === C_MINUS && this.sql.charCodeAt(i + 1) === CH_MINUS) || (k === C_SLASH && this.sql.charCodeAt(i + 1) === CH_STAR)) return 0;
    return this.otherTokenEnd(i, k);
  }

  /** Past the closing `quote` of a run from `from` in which only the doubled quote escapes; -1 after recording an error at `start`. */
  protected doubledEnd(start: number, from: number, quote: number): number {
    const e = doubledQuoteEnd(this.sql, from, quote);
    return e >= 0 ? e : this.failed(start, quote === CH_QUOTE ? 'unterminated quoted string' : 'unterminated quoted identifier', ERROR_FATAL);
  }

  /** See Lexer.next: skips whitespace and comments, then reports the token tokenEnd measures. */
  next(): TokenType {
    if (this.type === T_ERROR) return T_ERROR;
    const s = this.sql;
    const n = this.length;
    let i = this.end;
    for (;;) {
      if (i >= n) return this.endOfInput(this.lastEnd);
      const c = s.charCodeAt(i);
      // Fast path: an ASCII letter or `_` not followed by a quote or `&` starts a plain word in
      // every dialect (no E'…', U&'…', X'…' prefix), so tokenEnd is not needed.
      if (c < 128 && CHAR_CLASS[c] === C_IDENT && (i + 1 >= n || isPlainWordStart(s.charCodeAt(i + 1)))) {
        this.start = i;
        this.end = identEnd(s, i + 1, n);
        return (this.type = T_WORD);
      }
      const k = c < 128 ? (CHAR_CLASS[c] as number) : C_IDENT;
      if (k === C_SPACE) {
        i++;
        continue;
      }
      // Punctuation (`,`, `(`, `=`, …) is a one-character operator in every dialect.
      if (k === C_OTHER) {
        this.start = i;
        this.end = i + 1;
        return (this.type = T_OP);
      }
      const e = this.tokenEnd(i, c, k);
      if (e === 0) {
        i = this.commentEnd(i, c);
        if (i < 0) return T_ERROR;
        continue;
      }
      if (e < 0) return T_ERROR;
      this.start = i;
      this.end = e;
      return (this.type = this.tokenType);
    }
  }

  /**
   * See Lexer.skim: next() in a loop keeping only what the caller needs (the last token's
   * end, and with `watch` the two tokens before an INTO word). The tokens next() measures
   * without asking the dialect (whitespace, one-character punctuation, plain words) are
   * measured here inline by the same tests, and so are digit runs (with a `.digits`
   * fraction) ending at whitespace, punctuation, `;` or the end, which every dialect's number
   * scan reads as one number, and plain '…' strings where the dialect's quoteMode says how
   * it reads them (by the same stringEnd its tokenEnd calls). Any other character is handed
   * to next() itself, so other strings, comments, quoted names, `$`, parameters and
   * executable comments are only ever scanned by the dialect's code. That saves a next()
   * call per short token (numbers, commas, parens) and per string of a VALUES list.
   */
  skim(watch: boolean, prevType: number, prevStart: number): TokenType {
    if (this.type === T_ERROR) return T_ERROR;
    const s = this.sql;
    const n = this.length;
    let p1Type: number = this.type;
    let p1Start = this.start;
    let p1End = this.end;
    let p2Type = prevType;
    let p2Start = prevStart;
    let i = this.end;
    let e = 0;
    for (;;) {
      let t: TokenType;
      let start = i;
      // At the end (no charCodeAt past it: V8 then compiles slower out-of-bounds reads), next() ends the input.
      const c = i < n ? s.charCodeAt(i) : 128;
      // Non-ASCII (and the end) go to next(): a word there may need the dialect's rules.
      const k = c < 128 ? (CHAR_CLASS[c] as number) : C_NUL;
      if (k === C_SPACE) {
        i++;
        continue;
      }
      if (k === C_OTHER) {
        t = T_OP;
        i++;
      } else if (k === C_IDENT && (i + 1 >= n || isPlainWordStart(s.charCodeAt(i + 1)))) {
        t = T_WORD;
        i = identEnd(s, i + 1, n);
        if (watch && i - start === 4 && isInto(s, start)) {
          this.start = start;
          this.end = i;
          this.type = T_WORD;
          this.p1Type = p1Type;
          this.p1Start = p1Start;
          this.p1End = p1End;
          this.p2Type = p2Type;
          this.p2Start = p2Start;
          this.lastEnd = i;
          return T_WORD;
        }
      } else if (k === C_DIGIT && endsNumber(s, (i = decimalEnd(s, i + 1, n)), n)) {
        t = T_NUMBER;
      } else if (c === CH_QUOTE && this.quoteMode !== QUOTE_NEXT && (e = this.skimString(start)) >= 0) {
        t = T_STRING;
        i = e;
      } else {
        // Everything else (and the end of the input) is next()'s to measure, from `start`.
        this.end = start;
        t = this.next();
        if (t === T_WORD) {
          if (watch && this.end - this.start === 4 && isInto(s, this.start)) {
            this.p1Type = p1Type;
            this.p1Start = p1Start;
            this.p1End = p1End;
            this.p2Type = p2Type;
            this.p2Start = p2Start;
            this.lastEnd = this.end;
            return t;
          }
        } else if (t === T_SEMICOLON || t === T_EOF) {
          this.lastEnd = p1End;
          return t;
        } else if (t === T_ERROR) {
          return t;
        }
        start = this.start;
        i = this.end;
      }
      p2Type = p1Type;
      p2Start = p1Start;
      p1Type = t;
      p1Start = start;
      p1End = i;
    }
  }

  /**
   * End of the '…' string at `start` as next() would measure it, or -1 when it is
   * unterminated: next() then reads it again to report the error, so the backslash cache
   * (which assumes scans only move forward) is dropped.
   */
  private skimString(start: number): number {
    const e = this.stringEnd(start + 1, "'", CH_QUOTE, this.quoteMode);
    if (e < 0) this.backslashAt = -1;
    return e;
  }

  /** Starts over on new text (the classifier reuses one lexer per dialect for its default reading). */
  reset(sql: string): void {
    this.sql = sql;
    this.length = sql.length;
    this.type = T_EOF;
    this.start = this.end = this.lastEnd = 0;
    this.error = '';
    this.errorKind = 0;
    this.backslashAt = -1;
  }

  /**
   * Index of the first backslash at or after `from`, or `length`. The answer is kept until
   * a later `from` passes it, and lexing only moves forward, so all calls together search
   * the text once: a string scan can ask "is there a backslash before my closing quote?"
   * without looking at its characters one by one.
   */
  protected backslashFrom(from: number): number {
    let b = this.backslashAt;
    if (b < from) {
      b = this.sql.indexOf('\\', from);
      if (b < 0) b = this.length;
      this.backslashAt = b;
    }
    return b;
  }

  /**
   * Past the closing `quote` (`text` is the quote as a string) of a string whose body starts
   * at `from`, read by `mode`; -1 when it is unterminated (the caller reports it). The
   * quote doubled stands for itself; QUOTE_ESCAPES: a backslash escapes the next character;
   * QUOTE_DOUBLED_NOTE, QUOTE_ESCAPES: a backslash inside sets sawBackslashInString (the
   * text then needs the readings where backslashes count differently).
   */
  protected stringEnd(from: number, text: string, quote: number, mode: QuoteMode): number {
    const s = this.sql;
    if (mode === QUOTE_DOUBLED) return doubledQuoteEnd(s, from, quote);
    let j = from;
    for (;;) {
      const q = s.indexOf(text, j);
      if (q < 0) return -1;
      const b = this.backslashFrom(j);
      if (b < q) {
        this.sawBackslashInString = true;
        if (mode === QUOTE_ESCAPES) {
          j = b + 2;
          continue;
        }
      }
      if (s.charCodeAt(q + 1) !== quote) return q + 1;
      j = q + 2;
    }
  }

  /** Stops at an error starting at `at`; the lexer then stays at T_ERROR. */
  protected fail(at: number, message: string, kind: number): TokenType {
    this.start = at;
    this.end = this.length;
    this.error = message;
    this.errorKind = kind;
    return (this.type = T_ERROR);
  }

  /** fail() for the measuring methods, which report an error as -1. */
  protected failed(at: number, message: string, kind: number): number {
    this.fail(at, message, kind);
    return -1;
  }

  /** The scan reached the end of the input; `lastEnd` is the end of the statement's last token. */
  protected endOfInput(lastEnd: number): TokenType {
    this.lastEnd = lastEnd;
    this.start = this.end = this.length;
    return (this.type = T_EOF);
  }
}
