import { dialectModule } from '../dialects/registry';
import type { Dialect } from '../types';
import type { SessionReading } from './classify';

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
  /**
   * The driver writes this session's text in a one-byte encoding that keeps only the low byte
   * of a character above U+00FF (MySQL latin1, ascii, binary): `ħ` (U+0127) reaches the
   * server as `'`, and U+00A0 as byte A0, a space to the server. Text with either is refused.
   */
  readonly narrowText?: boolean;
}

/**
 * Reads the session's lexing settings, or throws GuardSessionError when the guard cannot
 * judge text on it safely: a client-only multibyte PostgreSQL client_encoding or MySQL
 * connection character set (SJIS, GBK, BIG5…: a byte of the driver's text that the guard
 * reads as a character would swallow a backslash on the server), or MySQL NO_BACKSLASH_ESCAPES
 * (mysql2 escapes bound values with backslashes). Each dialect's reader is its
 * guardText.readSession (lib/dialects/<d>/guard-text.ts); undefined where it has none.
 */
export async function readSessionSettings(dialect: Dialect, connection: object): Promise<SessionSettings | undefined> {
  return dialectModule(dialect).guardText.readSession?.(connection);
}
