import { GuardSessionError } from '../errors';
import type { Dialect } from '../types';
import type { SessionReading } from './classify';
import { MYSQL_LEXING_SETTINGS, POSTGRES_LEXING_SETTINGS, sqlModeFlags } from './lexing-settings';

/**
 * The settings of one server session that change how the server reads SQL text, read over
 * the raw driver connection on its first guarded query (so after knex's own set-up and the
 * pool's afterCreate hook). They then stay as read: the guard refuses every runtime
 * statement that would change them (lexing-settings.ts).
 */
export interface SessionSettings {
  /** How the classifier reads this session's text. */
  readonly reading: SessionReading;
  /** Identifies `reading`, for per-reading verdict caches. */
  readonly key: string;
}

type Row = Record<string, unknown>;

const PG_READ = "select current_setting('standard_conforming_strings') as scs, current_setting('client_encoding') as enc";
const MYSQL_READ = 'select @@session.sql_mode as m, @@session.character_set_client as c, @@session.character_set_connection as cc';

/** The encodings a runtime SET may choose are the ones a session may start with. */
function safe(map: typeof POSTGRES_LEXING_SETTINGS, name: string, value: string): boolean {
  return map.get(name)?.(value, {}) === true;
}

/**
 * Reads the session's lexing settings, or throws GuardSessionError when the guard cannot
 * judge text on it safely: a client-only multibyte PostgreSQL client_encoding or MySQL
 * connection character set (SJIS, GBK, BIG5…: a byte of the driver's text that the guard
 * reads as a character would swallow a backslash on the server), or MySQL NO_BACKSLASH_ESCAPES (mysql2 escapes bound values with backslashes).
 */
export async function readSessionSettings(dialect: Dialect, connection: unknown): Promise<SessionSettings | undefined> {
  if (dialect === 'postgres') {
    const pg = connection as { query(text: string): Promise<{ rows: Row[] }> };
    const row = (await pg.query(PG_READ)).rows[0] ?? {};
    const encoding = String(row['enc']);
    if (!safe(POSTGRES_LEXING_SETTINGS, 'client_encoding', encoding)) {
      throw GuardSessionError.of({
        dialect,
        variable: 'client_encoding',
        value: encoding,
        reason: 'a client-only multibyte encoding, in which a backslash can be read as part of a character',
        remedy: 'Leave client_encoding at UTF8 for the runtime connection (remove it from the connection options, PGCLIENTENCODING and any afterCreate hook).',
      });
    }
    const altBackslash = String(row['scs']).toLowerCase() !== 'on';
    return { reading: { altBackslash }, key: altBackslash ? 'scs-off' : '' };
  }
  if (dialect === 'mysql') {
    const my = connection as { query(sql: string, callback: (error: Error | null, rows: Row[]) => void): void };
    const rows = await new Promise<Row[]>((resolve, reject) => my.query(MYSQL_READ, (error, result) => (error ? reject(error) : resolve(result))));
    const row = rows[0] ?? {};
    const flags = sqlModeFlags(String(row['m'] ?? ''));
    if (flags.noBackslashEscapes) {
      throw GuardSessionError.of({
        dialect,
        variable: 'sql_mode',
        value: 'NO_BACKSLASH_ESCAPES',
        reason: 'mysql2 escapes bound values with backslashes, which this mode makes plain characters',
        remedy: 'Remove NO_BACKSLASH_ESCAPES from sql_mode for the runtime connection (server configuration, the user\'s defaults or an afterCreate hook).',
      });
    }
    for (const [variable, value] of [['character_set_client', String(row['c'])], ['character_set_connection', String(row['cc'])]] as const) {
      if (!safe(MYSQL_LEXING_SETTINGS, variable, value)) {
        throw GuardSessionError.of({
          dialect,
          variable,
          value,
          reason: 'a multibyte character set in which a backslash can be read as part of a character',
          remedy: 'Use charset utf8mb4 for the runtime connection (connection option `charset`, no SET NAMES in afterCreate).',
        });
      }
    }
    return { reading: { ansiQuotes: flags.ansiQuotes }, key: flags.ansiQuotes ? 'ansi-quotes' : '' };
  }
  return undefined;
}
