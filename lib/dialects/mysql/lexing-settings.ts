import type { CurrentReading, KeepsReading } from '../../guard/lexing-settings';

/**
 * The MySQL connection character sets a runtime session may use: UTF-8, whose bytes of a
 * non-ASCII character are all 0x80 or above, and the one-byte sets the drivers write with
 * Node's latin1 encoding (MYSQL_NARROW_CHARSET, refused above U+00FF). The bytes that go out
 * are the driver's encoder's, not the server's idea of the set: for the others mysql2 and
 * mariadb use iconv-lite, whose `gb2312` is GBK (乗 is 81 5C, a backslash to MariaDB's
 * gb2312) and whose `eucjp` writes ¥ as 5C (red team 15); big5, cp932, gbk, sjis and
 * gb18030 swallow a backslash on the server. So every other set is refused. DEFAULT is
 * not among them: it takes the server's default, which the guard does not know.
 */
export const MYSQL_SAFE_CHARSET = /^(?:utf8|utf8mb3|utf8mb4|latin1|ascii|binary)(?:_[a-z0-9_]+)?$/i;

/**
 * What a runtime SET may switch the character set to: UTF-8 only. The drivers follow the
 * server's report of the change, so `SET NAMES latin1` on a UTF-8 session would make them
 * write latin1 while the session stays read as UTF-8, not narrow (red team 16).
 */
const MYSQL_UTF8_CHARSET = /^(?:utf8|utf8mb3|utf8mb4)(?:_[a-z0-9_]+)?$/i;

/**
 * A knex connection's own `charset` / `collation` option: what the driver encodes with,
 * whatever the server reports later (MariaDB gives a session utf8mb4 for a set it does not
 * have, such as gb18030, while the driver keeps writing gb18030: red team 15). 'narrow':
 * latin1, ascii or binary; 'refused': any other set but UTF-8, and mysql2's numeric
 * `charsetNumber`; undefined: UTF-8 or not set.
 */
export function configuredCharset(settings: unknown): { option: string; value: string; verdict: 'narrow' | 'refused' } | undefined {
  if (typeof settings !== 'object' || settings === null) return undefined;
  // mysql2 also takes the set as a number (a collation id), which names nothing the guard can check.
  const number = (settings as Record<string, unknown>)['charsetNumber'];
  if (number !== undefined) return { option: 'charsetNumber', value: String(number), verdict: 'refused' };
  for (const option of ['charset', 'collation']) {
    const value = (settings as Record<string, unknown>)[option];
    if (value === undefined) continue;
    // Only a string: the driver reads an object its own way (mysql2 calls its toUpperCase()).
    if (typeof value !== 'string') return { option, value: typeof value, verdict: 'refused' };
    if (MYSQL_UTF8_CHARSET.test(value)) continue;
    return { option, value, verdict: MYSQL_NARROW_CHARSET.test(value) ? 'narrow' : 'refused' };
  }
  return undefined;
}

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
  ['character_set_client', (value: string) => MYSQL_UTF8_CHARSET.test(value)],
  ['character_set_connection', (value: string) => MYSQL_UTF8_CHARSET.test(value)],
  ['collation_connection', (value: string) => MYSQL_UTF8_CHARSET.test(value)],
  // Where SET CHARACTER SET (refused) and the server take the connection set from; kept UTF-8 (red team 32).
  ['character_set_database', (value: string) => MYSQL_UTF8_CHARSET.test(value)],
  ['collation_database', (value: string) => MYSQL_UTF8_CHARSET.test(value)],
  ['character_set_server', (value: string) => MYSQL_UTF8_CHARSET.test(value)],
  ['collation_server', (value: string) => MYSQL_UTF8_CHARSET.test(value)],
  // SET NAMES, checked as a pseudo-setting (SET CHARACTER SET / CHARSET are refused: set-mysql.ts).
  ['names', (value: string) => MYSQL_UTF8_CHARSET.test(value)],
]);
