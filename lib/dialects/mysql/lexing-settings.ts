import type { CurrentReading, KeepsReading } from '../../guard/lexing-settings';

/**
 * MySQL character sets whose multibyte characters never contain `\` or `'` bytes. big5,
 * cp932, gbk, sjis and gb18030 do, so a backslash the client added can be swallowed.
 * DEFAULT is not among them: it takes the server's default, which the guard does not know.
 */
const MYSQL_SAFE_CHARSET =
  /^(?:utf8|utf8mb3|utf8mb4|latin[1257]|ascii|binary|cp125[0-7]|cp850|cp852|cp866|koi8[ru]|greek|hebrew|armscii8|dec8|hp8|swe7|keybcs2|macce|macroman|geostd8|tis620|eucjpms|ujis|euckr|gb2312)(?:_[a-z0-9_]+)?$/i;

/**
 * Connection character sets the MySQL drivers write with Node's one-byte `latin1` encoding
 * (mysql2 and mariadb; `binary` and `ascii` alike), which keeps only the low byte of a
 * character above U+00FF: `ħ` (U+0127) goes out as `'`, `Ŝ` (U+015C) as `\`, so the server
 * reads quotes where the guard read letters (red team 14). Such text is refused on them
 * (SessionSettings.narrowText); characters up to U+00FF are sent as they are.
 */
export const MYSQL_NARROW_CHARSET = /^(?:latin1|ascii|binary)(?:_[a-z0-9_]+)?$/i;

const ANSI_QUOTES_MODES = new Set(['ANSI_QUOTES', 'ANSI', 'DB2', 'MAXDB', 'MSSQL', 'ORACLE', 'POSTGRESQL']);

/**
 * The sql_mode flags that change lexing: ANSI_QUOTES (`"…"` becomes an identifier; also set
 * by the combination modes above), NO_BACKSLASH_ESCAPES (mysql2 escapes bound values with
 * backslashes, which then stop protecting them) and MariaDB's MSSQL (`[…]` becomes an
 * identifier, so a `'` inside brackets opens no string; the guard's lexer does not read
 * brackets, so the mode is refused, at the session read and in SET).
 */
export function sqlModeFlags(mode: string): { ansiQuotes: boolean; noBackslashEscapes: boolean; brackets: boolean } {
  const words = mode.split(',').map((word) => word.trim().toUpperCase());
  return { ansiQuotes: words.some((word) => ANSI_QUOTES_MODES.has(word)), noBackslashEscapes: words.includes('NO_BACKSLASH_ESCAPES'), brackets: words.includes('MSSQL') };
}

/**
 * NO_BACKSLASH_ESCAPES and MSSQL are never allowed (see sqlModeFlags); ANSI_QUOTES only
 * where the session has it already; never DEFAULT.
 */
function sqlModeKeepsReading(value: string, current: CurrentReading): boolean {
  // DEFAULT is the global value, which the guard does not read and which may differ from the
  // session's (an afterCreate hook may have set it): refused in every reading.
  if (/^default$/i.test(value.trim())) return false;
  // Mode names only: the server also takes a bitmask (`SET sql_mode = 4` is ANSI_QUOTES) and
  // a hex string (0x414E5349 is 'ANSI'), which the names would not show.
  if (!value.split(',').every((mode) => /^\s*(?:[A-Za-z_][A-Za-z0-9_]*)?\s*$/.test(mode))) return false;
  const flags = sqlModeFlags(value);
  return !flags.noBackslashEscapes && !flags.brackets && flags.ansiQuotes === (current.ansiQuotes === true);
}

/** MySQL session variables that change lexing or what the connection's bytes mean. */
export const MYSQL_LEXING_SETTINGS: ReadonlyMap<string, KeepsReading> = new Map([
  ['sql_mode', sqlModeKeepsReading],
  ['character_set_client', (value: string) => MYSQL_SAFE_CHARSET.test(value)],
  ['character_set_connection', (value: string) => MYSQL_SAFE_CHARSET.test(value)],
  ['collation_connection', (value: string) => MYSQL_SAFE_CHARSET.test(value)],
  // SET NAMES / SET CHARACTER SET / SET CHARSET, checked as one pseudo-setting.
  ['names', (value: string) => MYSQL_SAFE_CHARSET.test(value)],
]);
