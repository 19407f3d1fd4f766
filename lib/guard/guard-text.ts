import type { SessionSettings } from './session-settings';

/**
 * How the guard reads a dialect's sessions and SQL text outside the classifier: the
 * guarded client's session check and bound values (client.ts), the literals redacted from
 * messages (redact-literals.ts), a setting's value as written (sql-values.ts). Each
 * dialect's answers are in lib/dialects/<d>/guard-text.ts.
 */
export interface GuardText {
  /**
   * Reads the session's lexing settings over the raw driver connection, or throws
   * GuardSessionError when the guard cannot judge text on it (session-settings.ts).
   * Undefined: the dialect has no such settings (SQLite).
   */
  readonly readSession?: (connection: object) => Promise<SessionSettings>;
  /** Text sent before the session is read (pool.afterCreate's calls) is judged as if `narrowText` held: the driver's encoding is not known yet (MySQL). */
  readonly narrowWhenUnread?: boolean;
  /**
   * What the knex connection's own options make the driver encode text with, whatever the
   * server reports: 'narrow' (SessionSettings.narrowText on every session), 'refused' (no
   * connection is made), undefined (as the server reports). Absent: the driver always
   * sends UTF-8 (pg, SQLite).
   */
  readonly configuredText?: (settings: unknown) => { option: string; value: string; verdict: 'narrow' | 'refused' } | undefined;
  /**
   * A setting the connection's login options ask for that a runtime connection may not
   * have, refused before connecting (PostgreSQL startup options: a library loaded later
   * applies its settings past the session read). Absent: nothing is set at login.
   */
  readonly startupRefusal?: (settings: unknown) => StartupRefusal | undefined;
  /**
   * The connection settings as the driver will read them, where it reads more than the
   * keys given (mysql2 fills options left unset from a `uri`): the checks before connecting
   * judge this view. Absent: the keys given are all the driver reads.
   */
  readonly driverView?: (settings: unknown, driver?: string) => unknown;
  /** A one-letter word glued to a string is its introducer (MySQL X'…', B'…', N'…'), redacted with it. */
  readonly letterIntroducers: boolean;
  /** Quoted tokens that are a setting's value as written, besides plain '…' (literalValue). */
  readonly values: {
    /** `"…"` lexed as a quoted identifier (PostgreSQL `SET x = "v"`). */
    readonly doubleQuotedIdentifier: boolean;
    /** `"…"` lexed as a string (MySQL without ANSI_QUOTES). */
    readonly doubleQuotedString: boolean;
    /** `$tag$…$tag$` (PostgreSQL). */
    readonly dollarQuoted: boolean;
  };
}

/** A login setting a runtime connection may not have, or a login switch the guard does not read. */
export interface StartupRefusal {
  /** Where the driver took it from (PostgreSQL: `connectionString`, `options`, `PGOPTIONS`, `pg.defaults.options`). */
  option: string;
  /** The setting's name, or the switch (`-O`); never a value. */
  name: string;
  switch: boolean;
  reason: string;
}
