import {
  C_BACKTICK, C_DIGIT, C_DOLLAR, C_DQUOTE, C_HASH, C_IDENT, C_MINUS, C_QUESTION, C_QUOTE, C_SLASH, C_STAR,
  CH_BACKTICK, CH_BANG, CH_DOT, CH_DQUOTE, CH_MINUS, CH_QUOTE, CH_SLASH, CH_SPACE, CH_STAR, IDENT_CONT, isDigit,
} from '../../guard/chars';
import type { LexerOptions } from '../../guard/lexer';
import { LexerBase, QUOTE_DOUBLED_NOTE, QUOTE_ESCAPES } from '../../guard/lexer-base';
import { identEnd, lineCommentEnd, plainCommentEnd } from '../../guard/scan-runs';
import { ERROR_FATAL, ERROR_UNSUPPORTED, T_NUMBER, T_PARAM, T_QUOTED_IDENT, T_STRING, T_WORD, type TokenType } from '../../guard/tokens';

/** Distinct comment versions remembered for the alternative readings (see lib/guard/alternative-readings.ts). */
export const MAX_COMMENT_VERSIONS = 4;

/**
 * MySQL / MariaDB lexer following sql/sql_lex.cc: `#` comments, `--` comments only when
 * followed by whitespace, a control character or the end (`1--1` is arithmetic), `/* *\/`
 * comments (not nested), `'…'` and `"…"` strings with backslash escapes and doubled quotes
 * (`altBackslash`: NO_BACKSLASH_ESCAPES or ANSI_QUOTES, doubling only), `` `…` ``
 * identifiers with doubled backticks, identifiers that may start with a digit.
 *
 * Executable comments `/*! … *\/`, `/*!50700 … *\/`, `/*M! … *\/` and `/*M!100100 … *\/`
 * are run by the server, so their markers are skipped and their content is lexed as code.
 * Whether a versioned or `/*M!` comment runs depends on the server (MySQL never runs
 * `/*M!`, versions compare with the server's), so `server` and `versionThreshold` select one
 * reading; a comment that does not run is skipped the way the server skips it (one level
 * of nested `/* *\/` allowed). Comments inside a running executable comment are refused
 * (ERROR_UNSUPPORTED): the servers disagree on them and no legitimate query needs them.
 */
export class MysqlLexer extends LexerBase {
  private inExec = false;
  /** Where the running executable comment began (for its "unterminated" error). */
  private execStart = 0;
  /** Where the running executable comment would end for a server that skips it. */
  private execSkipEnd = 0;
  /** Executable-comment markers (`/*!`, `/*M!`) read as markers, running or skipped. */
  private execMarkers = 0;
  /** Set by numberEnd: the digits began an identifier (`1abc`). */
  private numberWasWord = false;
  /** Set by tokenEnd when it returns 0: where scanning resumes after a comment or marker. */
  private skipTo = 0;
  private readonly escapes: boolean;
  private readonly ansiQuotes: boolean;
  private readonly mariadb: boolean;
  private readonly threshold: number;
  private readonly sessionKnown: boolean;

  constructor(sql: string, options?: LexerOptions) {
    super(sql);
    this.escapes = options?.altBackslash !== true;
    this.ansiQuotes = options?.ansiQuotes === true;
    this.mariadb = options?.server !== 'mysql';
    this.threshold = options?.versionThreshold ?? Infinity;
    this.sessionKnown = options?.sessionKnown === true;
    this.quoteMode = this.escapes ? QUOTE_ESCAPES : QUOTE_DOUBLED_NOTE;
  }
  /** Also forgets the comment versions, MariaDB comments and backslashes seen, and any open executable comment. */
  override reset(sql: string): void {
    super.reset(sql);
    this.tooManyVersions = false;
    this.sawMariadbComment = false;
    this.sawBackslashInString = false;
    if (this.versions.length > 0) this.versions.length = 0;
    this.inExec = false;
    this.execMarkers = 0;
  }

  /**
   * The end of the token starting at i (class k), with its type in `tokenType`; 0 when a
   * comment or an executable-comment marker starts there (already skipped: scanning resumes
   * at `skipTo`), -1 after recording an error.
   */
  protected tokenEnd(i: number, c: number, k: number): number {
    const s = this.sql;
    switch (k) {
      case C_IDENT:
      case C_DOLLAR:
        this.tokenType = T_WORD;
        return identEnd(s, i + 1, this.length);
      case C_DIGIT: {
        const e = this.numberEnd(i);
        this.tokenType = this.numberWasWord ? T_WORD : T_NUMBER;
        return e;
      }
      case C_DQUOTE:
        if (this.ansiQuotes) {
          this.tokenType = T_QUOTED_IDENT;
          return this.doubledEnd(i, i + 1, CH_DQUOTE);
        }
        this.tokenType = T_STRING;
        return this.quotedStringEnd(i, c);
      case C_QUOTE:
        this.tokenType = T_STRING;
        return this.quotedStringEnd(i, c);
      case C_BACKTICK:
        this.tokenType = T_QUOTED_IDENT;
        return this.doubledEnd(i, i + 1, CH_BACKTICK);
      case C_QUESTION:
        this.tokenType = T_PARAM;
        return i + 1;
      case C_HASH:
      case C_MINUS:
      case C_SLASH:
      case C_STAR: {
        const skipped = this.skipComment(i, c);
        if (skipped < 0) return -1;
        if (skipped > i) {
          this.skipTo = skipped;
          return 0;
        }
        break;
      }
      default:
        break;
    }
    return this.otherTokenEnd(i, k);
  }

  /** tokenEnd found a comment or an executable-comment marker at i and already measured it. */
  protected commentEnd(_i: number, _c: number): number {
    return this.skipTo;
  }

  /** An executable comment still open at the end of the input is refused. */
  protected override endOfInput(lastEnd: number): TokenType {
    if (this.inExec) return this.fail(this.execStart, 'unterminated executable comment', ERROR_UNSUPPORTED);
    // A marker this reading read inside a string, a name or a comment: in a reading that skips
    // an executable comment before it, it can be a marker, and the guard tries only the
    // versions it read as markers (red team 41: `/*!50000 '*\/' *\/` hid a third comment).
    // With no marker read, and either no backslash in a string or the session's own reading
    // of backslashes, no other reading is tried: the marker is data (CSS `/*! normalize.css
    // */` in a value, red team 44).
    const single = this.execMarkers === 0 && (this.sessionKnown || !this.sawBackslashInString);
    const hidden = single ? -1 : markerAt(this.sql, this.execMarkers);
    if (hidden >= 0) return this.fail(hidden, 'executable comment marker inside a string, a name or a comment', ERROR_UNSUPPORTED);
    return super.endOfInput(lastEnd);
  }

  /**
   * At `#`, `-`, `/` or `*`: where scanning resumes after a comment or an executable-comment
   * marker, `i` itself when there is none (an operator), -1 after recording an error.
   */
  private skipComment(i: number, c: number): number {
    const s = this.sql;
    const n = this.length;
    if (c === CH_STAR) {
      if (!this.inExec || s.charCodeAt(i + 1) !== CH_SLASH) return i;
      this.inExec = false;
      // A server that skips the comment ends it at its first `*/`, also one inside a string of it.
      if (this.execSkipEnd !== -1 && i + 2 !== this.execSkipEnd) return this.failed(this.execStart, 'executable comment that ends elsewhere on a server that skips it', ERROR_UNSUPPORTED);
      return i + 2;
    }
    if (c === CH_SLASH) return s.charCodeAt(i + 1) === CH_STAR ? this.blockComment(i) : i;
    // `--` starts a comment only before whitespace, a control character or the end.
    if (c === CH_MINUS) {
      if (s.charCodeAt(i + 1) !== CH_MINUS) return i;
      const c2 = s.charCodeAt(i + 2);
      if (i + 2 < n && c2 > CH_SPACE && c2 !== 127) return i;
    }
    if (this.inExec) return this.failed(i, 'comment inside an executable comment', ERROR_UNSUPPORTED);
    return lineCommentEnd(s, i + 1, n);
  }

  /**
   * sql_lex.cc MY_LEX_NUMBER_IDENT: digits followed by identifier characters form an
   * identifier (`1abc`), except an exponent (`1e5`, `1e+5`); `1.` and `1.5` are numbers, so
   * `select 1.into …` has an INTO keyword right after the number.
   */
  protected numberEnd(i: number): number {
    const s = this.sql;
    this.numberWasWord = false;
    let j = i;
    while (isDigit(s.charCodeAt(j))) j++;
    let c = s.charCodeAt(j);
    if (j > i && c !== CH_DOT && (c >= 128 || IDENT_CONT[c] === 1)) {
      if ((c | 0x20) === 0x65) {
        const k = exponentEnd(s, j);
        if (k > 0) return k;
      }
      this.numberWasWord = true;
      return identEnd(s, j, this.length);
    }
    if (c === CH_DOT) {
      j++;
      while (isDigit(s.charCodeAt(j))) j++;
      c = s.charCodeAt(j);
      if ((c | 0x20) === 0x65) {
        const k = exponentEnd(s, j);
        if (k > 0) j = k;
      }
    }
    return j;
  }

  /** '…' or "…": `\` escapes the next character (unless NO_BACKSLASH_ESCAPES), a doubled quote is a quote. */
  private quotedStringEnd(i: number, quote: number): number {
    const e = this.stringEnd(i + 1, quote === CH_QUOTE ? "'" : '"', quote, this.quoteMode);
    return e >= 0 ? e : this.failed(i, 'unterminated quoted string', ERROR_FATAL);
  }

  /**
   * At `/*` (index i): returns where scanning resumes, or -1 after recording an error.
   * Executable comments leave `inExec` set so their content is lexed as code.
   */
  private blockComment(i: number): number {
    const s = this.sql;
    const n = this.length;
    const marker = executableMarker(s, i);
    const mariadbMarker = marker === 4;
    if (marker > 0) {
      if (this.inExec) return this.failed(i, 'nested executable comment', ERROR_UNSUPPORTED);
      if (mariadbMarker) this.sawMariadbComment = true;
      this.execMarkers++;
      const body = i + marker;
      let digits = 0;
      while (digits < 6 && isDigit(s.charCodeAt(body + digits))) digits++;
      // MySQL reads exactly five version digits, MariaDB five or six.
      let used = digits < 5 ? 0 : this.mariadb ? digits : 5;
      if (used > 0) this.noteVersion(Number(s.slice(body, body + used)));
      if (used > 0 && digits === 6) this.noteVersion(Number(s.slice(body, body + 5)));
      let runs = used === 0 || Number(s.slice(body, body + used)) <= this.threshold;
      // MariaDB never runs a /*! version from 50700 to 99999 (MySQL 5.7 features it lacks),
      // by value, five digits or six (`/*!050700`), whatever its own version; /*M! runs up to
      // its own (red teams 42, 43).
      if (this.mariadb && !mariadbMarker && used > 0) {
        const version = Number(s.slice(body, body + used));
        if (version >= 50700 && version <= 99999) runs = false;
      }
      if (mariadbMarker && !this.mariadb) {
        runs = false;
        used = 0;
      }
      if (runs) {
        this.inExec = true;
        this.execStart = i;
        // Every server runs a plain `/*!`; a versioned or `/*M!` one some server skips.
        this.execSkipEnd = used > 0 || mariadbMarker ? skippedCommentEnd(s, body, n) : -1;
        return body + used;
      }
      // Skipped: MySQL's consume_comment(lip, 1) for a version it does not run; a plain
      // comment (no nesting) when MySQL meets MariaDB's /*M!.
      const e = mariadbMarker && !this.mariadb ? plainCommentEnd(s, i + 2) : skippedCommentEnd(s, body, n);
      return e < 0 ? this.failed(i, 'unterminated comment', ERROR_FATAL) : e;
    }
    if (this.inExec) return this.failed(i, 'comment inside an executable comment', ERROR_UNSUPPORTED);
    // Optimizer hints /*+ … *\/ are comments too. MySQL comments do not nest.
    const e = plainCommentEnd(s, i + 2);
    return e < 0 ? this.failed(i, 'unterminated comment', ERROR_FATAL) : e;
  }

  private noteVersion(version: number): void {
    if (this.versions.includes(version)) return;
    if (this.versions.length >= MAX_COMMENT_VERSIONS) this.tooManyVersions = true;
    else this.versions.push(version);
  }
}

/** At `e`/`E` after digits: the end of `e[+-]digits`, or 0 when no exponent follows. */
function exponentEnd(s: string, j: number): number {
  let k = j + 1;
  const sign = s.charCodeAt(k);
  if (sign === 43 || sign === CH_MINUS) k++;
  if (!isDigit(s.charCodeAt(k))) return 0;
  while (isDigit(s.charCodeAt(k))) k++;
  return k;
}

/** consume_comment(lip, 1): one nested `/* … *\/` may appear inside a skipped versioned comment. */
/**
 * At `/*` (index i): the length of an executable-comment marker there, `/*!` (3) or MariaDB's
 * `/*M!` (4: an upper-case M only, MariaDB reads `/*m!` as a plain comment, red team 42), else 0.
 */
function executableMarker(s: string, i: number): number {
  const c = s.charCodeAt(i + 2);
  return c === CH_BANG ? 3 : c === 77 && s.charCodeAt(i + 3) === CH_BANG ? 4 : 0;
}

/** Where the text has more executable-comment markers than `read` (the first one past them), or -1. */
function markerAt(s: string, read: number): number {
  let seen = 0;
  for (let at = s.indexOf('/*'); at >= 0; at = s.indexOf('/*', at + 2)) {
    if (executableMarker(s, at) > 0 && ++seen > read) return at;
  }
  return -1;
}

function skippedCommentEnd(s: string, from: number, n: number): number {
  let i = from;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === CH_SLASH && s.charCodeAt(i + 1) === CH_STAR) {
      const e = plainCommentEnd(s, i + 2);
      if (e < 0) return -1;
      i = e;
    } else if (c === CH_STAR && s.charCodeAt(i + 1) === CH_SLASH) {
      return i + 2;
    } else {
      i++;
    }
  }
  return -1;
}
