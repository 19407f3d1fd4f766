import type { Dialect } from '../types';
import { dialectModule } from '../dialects/registry';
import { T_EOF, T_ERROR, TOKEN_NAMES, type TokenType } from './tokens';

/**
 * Readings of the same text that depend on server or session settings the guard cannot
 * see. The default reading is the servers' default; alternative-readings.ts re-reads the text under
 * the alternatives whenever the text contains something they would read differently.
 */
export interface LexerOptions {
  /**
   * PostgreSQL: `standard_conforming_strings = off` (backslash escapes in plain '…').
   * MySQL: `NO_BACKSLASH_ESCAPES` / `ANSI_QUOTES` (backslash is a plain character).
   */
  altBackslash?: boolean;
  /**
   * MySQL: `ANSI_QUOTES` without `NO_BACKSLASH_ESCAPES` (what `sql_mode=ANSI` gives): `"…"` is
   * an identifier (doubling only) while `'…'` keeps its backslash escapes.
   */
  ansiQuotes?: boolean;
  /** MySQL family: `'mysql'` never runs MariaDB's `/*M! … *\/` comments. Default `'mariadb'`. */
  server?: 'mariadb' | 'mysql';
  /** MySQL family: a versioned executable comment runs when its version <= this. Default Infinity. */
  versionThreshold?: number;
  /**
   * The session's settings were read from the server: this is its one reading of backslashes
   * and quotes (MySQL: an executable-comment marker inside a string is then data, unless
   * the text has executable comments some server skips).
   */
  sessionKnown?: boolean;
}

/**
 * A pull lexer: `next()` skips whitespace and comments and describes the next token in
 * `type`/`start`/`end` (offsets into `sql`, end exclusive) without allocating. After
 * `T_ERROR` it stays at the error; `error` says why and `errorKind` is ERROR_FATAL or
 * ERROR_UNSUPPORTED (tokens.ts). Every path advances by at least one character per call
 * and looks at each character a bounded number of times, so lexing is linear in the input
 * length. `skim` stops where a loop of `next` would and steps over plain runs (and plain '…'
 * strings, by the dialect's own rule) inline, handing every other character to `next`
 * (lexer-base.ts): one token stream per dialect.
 */
export interface Lexer {
  sql: string;
  type: TokenType;
  start: number;
  end: number;
  error: string;
  errorKind: number;
  /** After `skim`: end of the statement's last token. */
  lastEnd: number;
  /** After `skim` stopped at INTO: the token before it (p1) and the one before that (p2). */
  p1Type: number;
  p1Start: number;
  p1End: number;
  p2Type: number;
  p2Start: number;
  /**
   * A backslash appeared inside a string whose reading depends on a session setting
   * (PostgreSQL plain '…', MySQL '…' and "…"): the text needs the alternative reading.
   */
  sawBackslashInString: boolean;
  /** MySQL: versions of versioned executable comments seen so far. */
  readonly versions: number[];
  /** MySQL: more distinct versions than MAX_COMMENT_VERSIONS were seen. */
  tooManyVersions: boolean;
  /** MySQL: a MariaDB `/*M!` comment was seen. */
  sawMariadbComment: boolean;
  next(): TokenType;
  reset(sql: string): void;
  /**
   * Scans from the current token (already seen by the caller) to the end of the statement
   * without reporting tokens: the classifier's fast path, since most of a statement only
   * has to be skipped correctly. With `watch` it stops at an INTO word (returning T_WORD
   * with that token current). Otherwise returns T_SEMICOLON, T_EOF or T_ERROR.
   * `prevType` / `prevStart` describe the token before the current one.
   */
  skim(watch: boolean, prevType: number, prevStart: number): TokenType;
}

/** The dialect's own lexer over `sql` (its module's `lexer`, lib/dialects/<d>/lexer.ts). */
export function createLexer(sql: string, dialect: Dialect, options?: LexerOptions): Lexer {
  return dialectModule(dialect).lexer(sql, options);
}

export interface Token {
  type: string;
  text: string;
  start: number;
  end: number;
}

/** All tokens of `sql`, for tests and debugging (the classifier pulls tokens instead). */
export function tokenize(sql: string, dialect: Dialect, options?: LexerOptions): Token[] {
  const lexer = createLexer(sql, dialect, options);
  const tokens: Token[] = [];
  for (;;) {
    const type = lexer.next();
    if (type === T_EOF) return tokens;
    const text = type === T_ERROR ? lexer.error : sql.slice(lexer.start, lexer.end);
    tokens.push({ type: TOKEN_NAMES[type] ?? 'unknown', text, start: lexer.start, end: lexer.end });
    if (type === T_ERROR) return tokens;
  }
}
