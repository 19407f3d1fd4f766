/**
 * ASCII character classes used by the lexers. Code units >= 0x80 are identifier characters
 * in all three dialects (PostgreSQL and MySQL accept any high byte, SQLite any non-ASCII
 * character), so the tables only cover 0..127 and callers test `c >= 128` first.
 */

/** Letters and `_`: may start an unquoted identifier. */
const IDENT_START = new Uint8Array(128);
/** Letters, digits, `_` and `$`: may continue an unquoted identifier in all three dialects. */
export const IDENT_CONT = new Uint8Array(128);
/** Letters, digits and `_`, but not `$`: PostgreSQL dollar-quote tag characters. */
const TAG_CONT = new Uint8Array(128);

for (let c = 0; c < 128; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  const digit = c >= 48 && c <= 57;
  IDENT_START[c] = letter || c === 95 ? 1 : 0;
  TAG_CONT[c] = letter || digit || c === 95 ? 1 : 0;
  IDENT_CONT[c] = letter || digit || c === 95 || c === 36 ? 1 : 0;
}

/**
 * First-character classes for the lexers' dispatch switch (one table lookup instead of a
 * chain of comparisons). Each lexer interprets the classes with its dialect's rules.
 */
export const C_OTHER = 0;
export const C_SPACE = 1;
export const C_IDENT = 2;
export const C_DIGIT = 3;
export const C_QUOTE = 4;
export const C_DQUOTE = 5;
export const C_BACKTICK = 6;
export const C_DOLLAR = 7;
export const C_SEMI = 8;
export const C_MINUS = 9;
export const C_SLASH = 10;
export const C_DOT = 11;
export const C_HASH = 12;
export const C_STAR = 13;
export const C_NUL = 14;
export const C_QUESTION = 15;
export const C_LBRACKET = 16;
export const C_VARIABLE = 17;

export const CHAR_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  let k = C_OTHER;
  if (c === 32 || (c >= 9 && c <= 13)) k = C_SPACE;
  else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) k = C_IDENT;
  else if (c >= 48 && c <= 57) k = C_DIGIT;
  CHAR_CLASS[c] = k;
}
CHAR_CLASS[39] = C_QUOTE;
CHAR_CLASS[34] = C_DQUOTE;
CHAR_CLASS[96] = C_BACKTICK;
CHAR_CLASS[36] = C_DOLLAR;
CHAR_CLASS[59] = C_SEMI;
CHAR_CLASS[45] = C_MINUS;
CHAR_CLASS[47] = C_SLASH;
CHAR_CLASS[46] = C_DOT;
CHAR_CLASS[35] = C_HASH;
CHAR_CLASS[42] = C_STAR;
CHAR_CLASS[0] = C_NUL;
CHAR_CLASS[63] = C_QUESTION;
CHAR_CLASS[91] = C_LBRACKET;
CHAR_CLASS[64] = C_VARIABLE;
CHAR_CLASS[58] = C_VARIABLE;

export const CH_TAB = 9;
export const CH_LF = 10;
export const CH_VT = 11;
export const CH_FF = 12;
export const CH_CR = 13;
export const CH_SPACE = 32;
export const CH_BANG = 33;
export const CH_DQUOTE = 34;
export const CH_DOLLAR = 36;
export const CH_AMP = 38;
export const CH_QUOTE = 39;
export const CH_LPAREN = 40;
export const CH_RPAREN = 41;
export const CH_STAR = 42;
export const CH_COMMA = 44;
export const CH_MINUS = 45;
export const CH_DOT = 46;
export const CH_SLASH = 47;
export const CH_COLON = 58;
export const CH_EQ = 61;
export const CH_AT = 64;
export const CH_RBRACKET = 93;
export const CH_BACKTICK = 96;

/** `' '`, `\t`, `\n`, `\v`, `\f`, `\r`: whitespace in all three dialects (PostgreSQL >= 16 includes `\v`). */
export function isSpace(c: number): boolean {
  return c === CH_SPACE || (c >= CH_TAB && c <= CH_CR);
}

// The predicates below take `charCodeAt` results, which are NaN past the end of the string:
// comparisons keep that case false and cheap (a typed-array lookup at NaN is slow in V8).

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isIdentStart(c: number): boolean {
  return c >= 128 || (c >= 0 && IDENT_START[c] === 1);
}

/** Letters, digits, `_` and any non-ASCII code unit (PostgreSQL dollar-quote tag characters). */
export function isTagCont(c: number): boolean {
  return c >= 128 || (c >= 0 && TAG_CONT[c] === 1);
}

/**
 * After an ASCII letter or `_`, the next code unit `c1` (NaN at the end) leaves it a plain
 * word start in every dialect: only `'` (E'…', B'…', X'…', N'…') and `&` (U&'…', U&"…") make
 * a prefixed literal.
 */
export function isPlainWordStart(c1: number): boolean {
  return c1 !== CH_QUOTE && c1 !== CH_AMP;
}

/** `s` has the word INTO (any case) at `i`; the caller checked the word is 4 long. */
export function isInto(s: string, i: number): boolean {
  return (s.charCodeAt(i) | 0x20) === 0x69 && (s.charCodeAt(i + 1) | 0x20) === 0x6e && (s.charCodeAt(i + 2) | 0x20) === 0x74 && (s.charCodeAt(i + 3) | 0x20) === 0x6f;
}
