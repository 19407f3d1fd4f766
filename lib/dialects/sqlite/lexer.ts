import {
  C_BACKTICK, C_DIGIT, C_DOLLAR, C_DQUOTE, C_HASH, C_IDENT, C_LBRACKET, C_QUESTION, C_QUOTE,
  C_VARIABLE, CH_BACKTICK, CH_COLON, CH_DOT, CH_DQUOTE, CH_LPAREN, CH_MINUS, CH_QUOTE, IDENT_CONT, isDigit,
} from '../../guard/chars';
import type { LexerOptions } from '../../guard/lexer';
import { LexerBase, QUOTE_DOUBLED } from '../../guard/lexer-base';
import { identEnd, lineCommentEnd, plainCommentEnd } from '../../guard/scan-runs';
import { ERROR_FATAL, ERROR_UNSUPPORTED, T_NUMBER, T_OP, T_PARAM, T_QUOTED_IDENT, T_STRING, T_WORD } from '../../guard/tokens';

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
          return this.doubledEnd(i, i + 2, CH_QUOTE);
        }
        this.tokenType = T_WORD;
        return identEnd(s, i + 1, n);
      case C_DIGIT:
        this.tokenType = T_NUMBER;
        return this.numberEnd(i);
      case C_QUOTE:
        this.tokenType = T_STRING;
        return this.doubledEnd(i, i + 1, CH_QUOTE);
      case C_DQUOTE:
        this.tokenType = T_QUOTED_IDENT;
        return this.doubledEnd(i, i + 1, CH_DQUOTE);
      case C_BACKTICK:
        this.tokenType = T_QUOTED_IDENT;
        return this.doubledEnd(i, i + 1, CH_BACKTICK);
      case C_LBRACKET: {
        this.tokenType = T_QUOTED_IDENT;
        const j = s.indexOf(']', i + 1);
        return j >= 0 ? j + 1 : this.failed(i, 'unterminated quoted identifier', ERROR_FATAL);
      }
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
      default:
        return this.commentOrOtherEnd(i, k);
    }
  }

  /** Past the `--` or `/*` comment at i, or -1 after recording an error. */
  protected commentEnd(i: number, c: number): number {
    const s = this.sql;
    const n = this.length;
    if (c === CH_MINUS) return lineCommentEnd(s, i + 2, n);
    const e = plainCommentEnd(s, i + 2);
    return e >= 0 ? e : this.failed(i, 'unterminated /* comment', ERROR_FATAL);
  }

  /** Digits, `.`, exponent and any identifier characters glued on (SQLite makes those an error). */
  protected numberEnd(i: number): number {
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
        return this.failed(i, 'Tcl-style parameter suffix $name(…)', ERROR_UNSUPPORTED);
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
