/**
 * Token types shared by the dialect lexers. Plain numeric constants (not a `const enum`)
 * so they survive transpile-only builds and compare as small integers in the hot loop.
 */
export const T_EOF = 0;
/** An unquoted word: keyword or identifier (`select`, `users`, `created_at`). */
export const T_WORD = 1;
/** A quoted identifier: `"x"`, `` `x` ``, `[x]`, `U&"x"`. */
export const T_QUOTED_IDENT = 2;
/** A string literal of any form: `'x'`, `E'x'`, `$$x$$`, `X'ff'`, MySQL `"x"`. */
export const T_STRING = 3;
export const T_NUMBER = 4;
/** A bind parameter: `$1`, `?`, `?1`, `:name`, `@name`, `$name` (SQLite). */
export const T_PARAM = 5;
/** Any other single character (operator or punctuation); its code is `sql.charCodeAt(start)`. */
export const T_OP = 6;
/** A top-level `;`: ends a statement. */
export const T_SEMICOLON = 7;
/** The input cannot be lexed safely from here on; see `Lexer.error`. The lexer stays at EOF. */
export const T_ERROR = 8;

export type TokenType = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export const TOKEN_NAMES: readonly string[] = ['eof', 'word', 'quoted-ident', 'string', 'number', 'param', 'op', 'semicolon', 'error'];

/**
 * Why lexing stopped. `FATAL` errors are ones the server itself rejects (an unterminated
 * string is a syntax error there too), so a statement that only fails this way never runs;
 * `UNSUPPORTED` marks input the guard refuses to reason about (NUL bytes, comments inside
 * MySQL executable comments, Tcl-style SQLite parameters) whatever the server would do.
 */
export const ERROR_FATAL = 1;
export const ERROR_UNSUPPORTED = 2;
