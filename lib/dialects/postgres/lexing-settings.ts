import type { CurrentReading, KeepsReading } from '../../guard/lexing-settings';

/**
 * PostgreSQL client encodings that are safe: the server-side encodings. The client-only
 * ones (SJIS, BIG5, GBK, UHC, JOHAB, GB18030, SHIFT_JIS_2004 and their aliases) have
 * multibyte characters whose second byte is `\` or `'`. Names as PostgreSQL compares them:
 * lower case, non-alphanumerics removed (`Shift_JIS` → `shiftjis`).
 */
const PG_SAFE_ENCODING =
  /^(?:sqlascii|utf8|unicode|muleinternal|euc(?:jp|cn|kr|tw|jis2004)|latin(?:10|[1-9])|iso8859(?:1[03-6]?|[2-9])|koi8[ru]?|(?:win|windows|cp)(?:866|874|125[0-8])|alt|tcvn(?:5712)?|vscii|abc|iso88595|iso88596|iso88597|iso88598)$/;

/**
 * The values allowed per PostgreSQL setting; a setting not listed here does not change lexing.
 * DEFAULT is never among them: the default (server, role or database configuration) is not
 * known to the guard and may differ from what the session was set to.
 */
export const POSTGRES_LEXING_SETTINGS: ReadonlyMap<string, KeepsReading> = new Map([
  ['client_encoding', (value: string) => PG_SAFE_ENCODING.test(value.toLowerCase().replace(/[^a-z0-9]/g, ''))],
  // SET NAMES 'x' is client_encoding.
  ['names', (value: string) => PG_SAFE_ENCODING.test(value.toLowerCase().replace(/[^a-z0-9]/g, ''))],
  // `off` makes backslashes escapes in plain '…' strings: only the current value is kept.
  [
    'standard_conforming_strings',
    (value: string, current: CurrentReading) => (current.altBackslash === true ? /^(?:off|false|no|0|f|n)$/i : /^(?:on|true|yes|1|t|y)$/i).test(value),
  ],
  // `on` lets `\'` quote in client-only encodings.
  ['backslash_quote', (value: string) => /^(?:off|false|no|0|safe_encoding)$/i.test(value)],
]);
