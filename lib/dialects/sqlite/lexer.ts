import {
  C_BACKTICK, C_DIGIT, C_DOLLAR, C_DOT, C_DQUOTE, C_HASH, C_IDENT, C_LBRACKET, C_MINUS, C_NUL, C_QUESTION, C_QUOTE, C_SEMI, C_SLASH,
  C_VARIABLE, CH_BACKTICK, CH_COLON, CH_DOT, CH_DQUOTE, CH_LPAREN, CH_MINUS, CH_QUOTE, CH_STAR, IDENT_CONT, isDigit,
} from '../../guard/chars';
import type { LexerOptions } from '../../guard/lexer';
import { LexerBase, QUOTE_DOUBLED } from '../../guard/lexer-base';
import { doubledQuoteEnd, identEnd, lineCommentEnd, plainCommentEnd } from '../../guard/scan-runs';
import { ERROR_FATAL, ERROR_UNSUPPORTED, T_NUMBER, T_OP, T_PARAM, T_QUOTED_IDENT, T_SEMICOLON, T_STRING, T_WORD } from '../../guard/tokens';

/**
 * SQLite lexer following src/tokenize.c: `--` comments to `\n`, `/* *\/` comments (not
 * nested; SQLite accepts an unterminated one at the end, the guard refuses it), `'…'`
 * strings and `X'…'` blobs with `''` doubling and no backslash escapes, identifiers in
 * `"…"` or `` `…` `` (doubling) or `[…]` (no escape), parameters `?`, `?NNN`, `:name`,
 * `@name`, `$name` and `#name` (with `::` continuations). A Tcl-style parameter suffix
 * `$name(…)` swallows everything up to whitespace or `)` in SQLite, quotes and `;`
 * included, and is refused (ERROR_UNSUPPORTED) rather than modelled.
 */
export class SqliteLexer extends LexerBase {
  constructor(sql: string, _options?: LexerOptions) {
    super(sql);
    // '…' is read by doubledQuoteEnd in every reading (quotedEnd below, and skim).
    this.quoteMode = QUOTE_DOUBLED;
  }

  /**
   * The end of the token starting at i (class k), with its type in `tokenType`; 0 at the
   * start of a comment, -1 after recording an error.
   */
  protected tokenEnd(i: number, c: number, k: number): number {
    const s = this.sql;
    const n = this.length;
    switch (k) {
      case C_IDENT:
        // X'…' is a blob literal; any other word followed by a quote is a word then a string.
        if ((c | 0x20) === 0x78 && s.charCodeAt(i + 1) === CH_QUOTE) {
          this.tokenType = T_STRING;
          return this.quotedEnd(i, i + 2, CH_QUOTE);
        }
        this.tokenType = T_WORD;
        return identEnd(s, i + 1, n);
      case C_DIGIT:
        this.tokenType = T_NUMBER;
        return this.numberEnd(i);
      case C_QUOTE:
        this.tokenType = T_STRING;
        return this.quotedEnd(i, i + 1, CH_QUOTE);
      case C_DQUOTE:
        this.tokenType = T_QUOTED_IDENT;
        return this.quotedEnd(i, i + 1, CH_DQUOTE);
      case C_BACKTICK:
        this.tokenType = T_QUOTED_IDENT;
        return this.quotedEnd(i, i + 1, CH_BACKTICK);
      case C_LBRACKET: {
        this.tokenType = T_QUOTED_IDENT;
        const j = s.indexOf(']', i + 1);
        if (j >= 0) return j + 1;
        this.fail(i, 'unterminated quoted identifier', ERROR_FATAL);
        return -1;
      }
      case C_SEMI:
        this.tokenType = T_SEMICOLON;
        return i + 1;
      case C_QUESTION: {
        this.tokenType = T_PARAM;
        let j = i + 1;
        while (isDigit(s.charCodeAt(j))) j++;
        return j;
      }
      case C_DOLLAR:
      case C_VARIABLE:
      case C_HASH:
        return this.variableEnd(i);
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
        this.fail(i, 'NUL character in SQL text', ERROR_UNSUPPORTED);
        return -1;
      default:
        break;
    }
    this.tokenType = T_OP;
    return i + 1;
  }

  /** Past the `--` or `/*` comment at i, or -1 after recording an error. */
  protected commentEnd(i: number, c: number): number {
    const s = this.sql;
    const n = this.length;
    if (c === CH_MINUS) return lineCommentEnd(s, i + 2, n);
    const e = plainCommentEnd(s, i + 2);
    if (e >= 0) return e;
    this.fail(i, 'unterminated /* comment', ERROR_FATAL);
    return -1;
  }

  /** '…', "…", `…`, X'…': the quote doubled inside stands for itself. */
  private quotedEnd(start: number, from: number, quote: number): number {
    const e = doubledQuoteEnd(this.sql, from, quote);
    if (e >= 0) return e;
    this.fail(start, quote === CH_QUOTE ? 'unterminated quoted string' : 'unterminated quoted identifier', ERROR_FATAL);
    return -1;
  }

  /** Digits, `.`, exponent and any identifier characters glued on (SQLite makes those an error). */
  private numberEnd(i: number): number {
    const s = this.sql;
    const n = this.length;
    let j = i;
    while (j < n) {
      const d = s.charCodeAt(j);
      if (d === CH_DOT || d >= 128 || IDENT_CONT[d] === 1) j++;
      else if ((d === 43 || d === CH_MINUS) && (s.charCodeAt(j - 1) | 0x20) === 0x65 && isDigit(s.charCodeAt(j + 1))) j++;
      else break;
    }
    return j;
  }

  /** `$name`, `@name`, `:name`, `#name` with `::` continuations; a lone sigil is an operator. */
  private variableEnd(i: number): number {
    const s = this.sql;
    const n = this.length;
    let j = i + 1;
    let named = 0;
    while (j < n) {
      const d = s.charCodeAt(j);
      if (d >= 128 || IDENT_CONT[d] === 1) {
        named++;
        j++;
      } else if (d === CH_LPAREN && named > 0) {
        this.fail(i, 'Tcl-style parameter suffix $name(…)', ERROR_UNSUPPORTED);
        return -1;
      } else if (d === CH_COLON && s.charCodeAt(j + 1) === CH_COLON) {
        j += 2;
      } else {
        break;
      }
    }
    this.tokenType = named === 0 ? T_OP : T_PARAM;
    return named === 0 ? i + 1 : j;
  }
}
