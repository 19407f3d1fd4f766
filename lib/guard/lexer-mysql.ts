import {
  CHAR_CLASS, C_BACKTICK, C_DIGIT, C_DOLLAR, C_DOT, C_DQUOTE, C_HASH, C_IDENT, C_MINUS, C_NUL, C_QUESTION, C_QUOTE, C_SEMI, C_SLASH,
  C_SPACE, C_STAR, CH_BACKSLASH, CH_BACKTICK, CH_BANG, CH_DOT, CH_LF, CH_MINUS, CH_SLASH, CH_SPACE, CH_STAR, IDENT_CONT, isDigit, isInto, isSpace,
} from './chars';
import type { Lexer, LexerOptions } from './lexer';
import { ERROR_FATAL, ERROR_UNSUPPORTED, T_EOF, T_ERROR, T_NUMBER, T_OP, T_PARAM, T_QUOTED_IDENT, T_SEMICOLON, T_STRING, T_WORD, type TokenType } from './tokens';

/**
 * Runs of text skim() may consume in one native call: anything but quotes, comment starts,
 * `;` and NUL, plus complete '…', "…" (no backslash inside) and `…` literals. In MySQL
 * nothing else depends on where a token starts, so the run needs no token structure.
 * Alternatives are told apart by their first character and the repetition is bounded, so
 * a call is linear in what it consumes. Not used inside an executable comment (where
 * `*\/` ends the code).
 */
const SIMPLE_TEXT =
  /(?:[^'"`#\-\/;\u0000]+|'[^'\\]*(?:''[^'\\]*)*'|"[^"\\]*(?:""[^"\\]*)*"|`[^`]*(?:``[^`]*)*`|-(?!-(?:[\u0000-\u0020\u007f]|$))|\/(?!\*)){0,4096}/y;

/** Distinct comment versions remembered for the alternative readings (see classify.ts). */
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
export class MysqlLexer implements Lexer {
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
  /** Versions of versioned executable comments seen (capped; see `tooManyVersions`). */
  readonly versions: number[] = [];
  tooManyVersions = false;
  sawMariadbComment = false;
  sawBackslashInString = false;
  private inExec = false;
  /** Where the running executable comment began (for its "unterminated" error). */
  private execStart = 0;
  /** Set by numberEnd: the digits began an identifier (`1abc`). */
  private numberWasWord = false;
  private readonly escapes: boolean;
  private readonly mariadb: boolean;
  private readonly threshold: number;

  constructor(sql: string, options?: LexerOptions) {
    this.sql = sql;
    this.length = sql.length;
    this.escapes = options?.altBackslash !== true;
    this.mariadb = options?.server !== 'mysql';
    this.threshold = options?.versionThreshold ?? Infinity;
  }
  /** Starts over on new text (the classifier reuses one lexer per dialect for its default reading). */
  reset(sql: string): void {
    this.sql = sql;
    this.length = sql.length;
    this.type = T_EOF;
    this.start = this.end = this.lastEnd = 0;
    this.error = '';
    this.errorKind = 0;
    this.tooManyVersions = false;
    this.sawMariadbComment = false;
    this.sawBackslashInString = false;
    if (this.versions.length > 0) this.versions.length = 0;
    this.inExec = false;
  }


  next(): TokenType {
    if (this.type === T_ERROR) return T_ERROR;
    const s = this.sql;
    const n = this.length;
    let i = this.end;
    for (;;) {
      if (i >= n) {
        if (this.inExec) return this.fail(this.execStart, 'unterminated executable comment', ERROR_UNSUPPORTED);
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
        case C_DOLLAR:
          e = identEnd(s, i + 1, n);
          type = T_WORD;
          break;
        case C_DIGIT:
          e = this.numberEnd(i);
          type = e < 0 ? T_NUMBER : (this.numberWasWord ? T_WORD : T_NUMBER);
          break;
        case C_QUOTE:
        case C_DQUOTE:
          e = this.stringEnd(i, c);
          type = T_STRING;
          break;
        case C_BACKTICK:
          e = this.backtickEnd(i);
          type = T_QUOTED_IDENT;
          break;
        case C_SEMI:
          type = T_SEMICOLON;
          break;
        case C_QUESTION:
          type = T_PARAM;
          break;
        case C_DOT:
          if (isDigit(s.charCodeAt(i + 1))) {
            e = this.numberEnd(i);
            type = T_NUMBER;
          }
          break;
        case C_NUL:
          return this.fail(i, 'NUL character in SQL text', ERROR_UNSUPPORTED);
        case C_HASH:
        case C_MINUS:
        case C_SLASH:
        case C_STAR: {
          const skipped = this.skipComment(i, c);
          if (skipped < 0) return T_ERROR;
          if (skipped > i) {
            i = skipped;
            continue;
          }
          break;
        }
        default:
          break;
      }
      if (e < 0) return T_ERROR;
      this.start = i;
      this.end = e;
      return (this.type = type);
    }
  }

  /** See Lexer.skim. */
  skim(watch: boolean, prevType: number, prevStart: number): TokenType {
    if (this.type === T_ERROR) return T_ERROR;
    if (!watch) return this.skimToEnd();
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
        if (this.inExec) return this.fail(this.execStart, 'unterminated executable comment', ERROR_UNSUPPORTED);
        this.lastEnd = p1End;
        this.start = this.end = n;
        return (this.type = T_EOF);
      }
      let c = s.charCodeAt(i);
      // Fast paths for one space, then a lower-case word or a backquoted identifier.
      if (c === CH_SPACE) {
        if (++i >= n) continue;
        c = s.charCodeAt(i);
      }
      if (c >= 97 && c <= 122) {
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
      } else if (c === CH_BACKTICK) {
        const e = this.backtickEnd(i);
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
        case C_DOLLAR:
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
          break;
        case C_DIGIT:
          e = this.numberEnd(i);
          type = this.numberWasWord ? T_WORD : T_NUMBER;
          break;
        case C_QUOTE:
        case C_DQUOTE:
          e = this.stringEnd(i, c);
          type = T_STRING;
          break;
        case C_BACKTICK:
          e = this.backtickEnd(i);
          type = T_QUOTED_IDENT;
          break;
        case C_SEMI:
          this.lastEnd = p1End;
          this.start = i;
          this.end = i + 1;
          return (this.type = T_SEMICOLON);
        case C_QUESTION:
          type = T_PARAM;
          break;
        case C_DOT:
          if (isDigit(s.charCodeAt(i + 1))) {
            e = this.numberEnd(i);
            type = T_NUMBER;
          }
          break;
        case C_NUL:
          return this.fail(i, 'NUL character in SQL text', ERROR_UNSUPPORTED);
        case C_HASH:
        case C_MINUS:
        case C_SLASH:
        case C_STAR: {
          const skipped = this.skipComment(i, c);
          if (skipped < 0) return T_ERROR;
          if (skipped > i) {
            i = skipped;
            continue;
          }
          break;
        }
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

  /** skim() without the INTO watch: only the statement's end matters. */
  private skimToEnd(): TokenType {
    const s = this.sql;
    const n = this.length;
    let last = this.end;
    let i = this.end;
    for (;;) {
      if (!this.inExec && i < n) {
        SIMPLE_TEXT.lastIndex = i;
        SIMPLE_TEXT.test(s);
        const j = SIMPLE_TEXT.lastIndex;
        if (j > i) {
          let k = j;
          while (k > i && isSpace(s.charCodeAt(k - 1))) k--;
          if (k > i) last = k;
          i = j;
        }
      }
      if (i >= n) {
        if (this.inExec) return this.fail(this.execStart, 'unterminated executable comment', ERROR_UNSUPPORTED);
        this.lastEnd = last;
        this.start = this.end = n;
        return (this.type = T_EOF);
      }
      let c = s.charCodeAt(i);
      if (c === CH_SPACE) {
        if (++i >= n) continue;
        c = s.charCodeAt(i);
      }
      if (c >= 97 && c <= 122) {
        i = last = identEnd(s, i + 1, n);
        continue;
      }
      let e = i + 1;
      switch (c < 128 ? CHAR_CLASS[c] : C_IDENT) {
        case C_SPACE:
          i++;
          continue;
        case C_IDENT:
        case C_DOLLAR:
          e = identEnd(s, i + 1, n);
          break;
        case C_DIGIT:
          e = this.numberEnd(i);
          break;
        case C_QUOTE:
        case C_DQUOTE:
          e = this.stringEnd(i, c);
          break;
        case C_BACKTICK:
          e = this.backtickEnd(i);
          break;
        case C_SEMI:
          this.lastEnd = last;
          this.start = i;
          this.end = i + 1;
          return (this.type = T_SEMICOLON);
        case C_DOT:
          if (isDigit(s.charCodeAt(i + 1))) e = this.numberEnd(i);
          break;
        case C_NUL:
          return this.fail(i, 'NUL character in SQL text', ERROR_UNSUPPORTED);
        case C_HASH:
        case C_MINUS:
        case C_SLASH:
        case C_STAR: {
          const skipped = this.skipComment(i, c);
          if (skipped < 0) return T_ERROR;
          if (skipped > i) {
            i = skipped;
            continue;
          }
          break;
        }
        default:
          break;
      }
      if (e < 0) return T_ERROR;
      i = last = e;
    }
  }

  private fail(at: number, message: string, kind: number): TokenType {
    this.start = at;
    this.end = this.length;
    this.error = message;
    this.errorKind = kind;
    return (this.type = T_ERROR);
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
      return i + 2;
    }
    if (c === CH_SLASH) return s.charCodeAt(i + 1) === CH_STAR ? this.blockComment(i) : i;
    // `--` starts a comment only before whitespace, a control character or the end.
    if (c === CH_MINUS) {
      if (s.charCodeAt(i + 1) !== CH_MINUS) return i;
      const c2 = s.charCodeAt(i + 2);
      if (i + 2 < n && c2 > CH_SPACE && c2 !== 127) return i;
    }
    if (this.inExec) {
      this.fail(i, 'comment inside an executable comment', ERROR_UNSUPPORTED);
      return -1;
    }
    let j = i + 1;
    while (j < n && s.charCodeAt(j) !== CH_LF) j++;
    return j;
  }

  /**
   * sql_lex.cc MY_LEX_NUMBER_IDENT: digits followed by identifier characters form an
   * identifier (`1abc`), except an exponent (`1e5`, `1e+5`); `1.` and `1.5` are numbers, so
   * `select 1.into …` has an INTO keyword right after the number.
   */
  private numberEnd(i: number): number {
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
  private stringEnd(i: number, quote: number): number {
    const s = this.sql;
    const n = this.length;
    const escapes = this.escapes;
    let j = i + 1;
    while (j < n) {
      const d = s.charCodeAt(j);
      if (d === quote) {
        if (s.charCodeAt(j + 1) !== quote) return j + 1;
        j += 2;
      } else if (d === CH_BACKSLASH) {
        this.sawBackslashInString = true;
        j += escapes ? 2 : 1;
      } else {
        j++;
      }
    }
    this.fail(i, 'unterminated quoted string', ERROR_FATAL);
    return -1;
  }

  private backtickEnd(i: number): number {
    const s = this.sql;
    const n = this.length;
    let j = i + 1;
    while (j < n) {
      if (s.charCodeAt(j) === CH_BACKTICK) {
        if (s.charCodeAt(j + 1) !== CH_BACKTICK) return j + 1;
        j += 2;
      } else {
        j++;
      }
    }
    this.fail(i, 'unterminated quoted identifier', ERROR_FATAL);
    return -1;
  }

  /**
   * At `/*` (index i): returns where scanning resumes, or -1 after recording an error.
   * Executable comments leave `inExec` set so their content is lexed as code.
   */
  private blockComment(i: number): number {
    const s = this.sql;
    const n = this.length;
    const c2 = s.charCodeAt(i + 2);
    const mariadbMarker = (c2 === 77 || c2 === 109) && s.charCodeAt(i + 3) === CH_BANG; // /*M! (MariaDB)
    if (c2 === CH_BANG || mariadbMarker) {
      if (this.inExec) {
        this.fail(i, 'nested executable comment', ERROR_UNSUPPORTED);
        return -1;
      }
      if (mariadbMarker) this.sawMariadbComment = true;
      const body = i + (mariadbMarker ? 4 : 3);
      let digits = 0;
      while (digits < 6 && isDigit(s.charCodeAt(body + digits))) digits++;
      // MySQL reads exactly five version digits, MariaDB five or six.
      let used = digits < 5 ? 0 : this.mariadb ? digits : 5;
      if (used > 0) this.noteVersion(Number(s.slice(body, body + used)));
      if (used > 0 && digits === 6) this.noteVersion(Number(s.slice(body, body + 5)));
      let runs = used === 0 || Number(s.slice(body, body + used)) <= this.threshold;
      if (mariadbMarker && !this.mariadb) {
        runs = false;
        used = 0;
      }
      if (runs) {
        this.inExec = true;
        this.execStart = i;
        return body + used;
      }
      // Skipped: MySQL's consume_comment(lip, 1) for a version it does not run; a plain
      // comment (no nesting) when MySQL meets MariaDB's /*M!.
      const e = mariadbMarker && !this.mariadb ? plainCommentEnd(s, i + 2) : skippedCommentEnd(s, body, n);
      if (e < 0) this.fail(i, 'unterminated comment', ERROR_FATAL);
      return e;
    }
    if (this.inExec) {
      this.fail(i, 'comment inside an executable comment', ERROR_UNSUPPORTED);
      return -1;
    }
    // Optimizer hints /*+ … *\/ are comments too. MySQL comments do not nest.
    const e = plainCommentEnd(s, i + 2);
    if (e < 0) this.fail(i, 'unterminated comment', ERROR_FATAL);
    return e;
  }

  private noteVersion(version: number): void {
    if (this.versions.includes(version)) return;
    if (this.versions.length >= MAX_COMMENT_VERSIONS) this.tooManyVersions = true;
    else this.versions.push(version);
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

/** At `e`/`E` after digits: the end of `e[+-]digits`, or 0 when no exponent follows. */
function exponentEnd(s: string, j: number): number {
  let k = j + 1;
  const sign = s.charCodeAt(k);
  if (sign === 43 || sign === CH_MINUS) k++;
  if (!isDigit(s.charCodeAt(k))) return 0;
  while (isDigit(s.charCodeAt(k))) k++;
  return k;
}

function plainCommentEnd(s: string, from: number): number {
  const k = s.indexOf('*/', from);
  return k < 0 ? -1 : k + 2;
}

/** consume_comment(lip, 1): one nested `/* … *\/` may appear inside a skipped versioned comment. */
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
