/**
 * Session settings that change how the server reads SQL text, and the values a runtime
 * connection may set them to. Anything else (another value, a value computed at run time,
 * one the guard cannot read) is refused: after such a change the guard's reading of later
 * text, and the drivers' client-side escaping of bound values, would no longer match the
 * server's. The tables are per dialect: lib/dialects/postgres/lexing-settings.ts and
 * lib/dialects/mysql/lexing-settings.ts (SQLite has no such settings).
 */

/**
 * How the session reads text now (the server's defaults unless read from the server):
 * `altBackslash` is PostgreSQL standard_conforming_strings off / MySQL NO_BACKSLASH_ESCAPES.
 */
export interface CurrentReading {
  altBackslash?: boolean;
  ansiQuotes?: boolean;
}

/** Whether `value` keeps the reading the session has now. */
export type KeepsReading = (value: string, current: CurrentReading) => boolean;
