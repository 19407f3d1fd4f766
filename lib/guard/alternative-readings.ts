import type { Dialect } from '../types';
import type { Classification, SessionReading } from './classify';
import type { Lexer } from './lexer';
import { MAX_COMMENT_VERSIONS } from '../dialects/mysql/lexer';
import { Reading } from './reading';

function annotate(result: Classification, note: string): Classification {
  for (const statement of result.statements) {
    if (!statement.allowedOnRuntime && statement.reason !== undefined) statement.reason = `${statement.reason} (${note})`;
  }
  return result;
}

/**
 * Re-reads text whose meaning depends on settings the guard cannot see, and refuses it if
 * any reading runs a refused statement:
 * - PostgreSQL with a backslash: `standard_conforming_strings = off` (a session may SET it);
 * - MySQL with a backslash: `NO_BACKSLASH_ESCAPES` / `ANSI_QUOTES` (sql_mode is per session);
 * - MySQL with versioned `/*!NNNNN` or MariaDB `/*M!` comments: each server kind and each
 *   version threshold, since which comments run depends on the server.
 * Statements that a reading cannot even lex are not run by the server under that reading.
 */
export function alternatives(sql: string, dialect: Dialect, primary: Classification, lexer: Lexer, session: SessionReading | undefined): Classification {
  const backslash = lexer.sawBackslashInString;
  if (dialect === 'postgres') {
    // Known settings: the primary reading is the server's; nothing to guess.
    if (!backslash || session !== undefined) return primary;
    const reading = new Reading(sql, dialect, { altBackslash: true }, true);
    const alt = reading.run();
    return reading.refusesSomething ? annotate(alt, 'if standard_conforming_strings is off') : primary;
  }
  if (dialect !== 'mysql') return primary;
  const versions = lexer.versions;
  const conditional = versions.length > 0 || lexer.sawMariadbComment;
  if (lexer.tooManyVersions || versions.length > MAX_COMMENT_VERSIONS) {
    const first = primary.statements[0];
    const last = primary.statements[primary.statements.length - 1];
    return {
      allowedOnRuntime: false,
      statements: [{ kind: 'other', keyword: '', start: first?.start ?? 0, end: last?.end ?? sql.length, allowedOnRuntime: false, reason: 'too many distinct versioned comments' }],
    };
  }
  if (!conditional && (!backslash || session !== undefined)) return primary;
  const thresholds = conditional ? [-1, ...versions, Infinity] : [Infinity];
  const servers: Array<'mariadb' | 'mysql'> = conditional ? ['mariadb', 'mysql'] : ['mariadb'];
  // sql_mode readings: the default; NO_BACKSLASH_ESCAPES (with or without ANSI_QUOTES: `"…"`
  // then ends at the same place, string or identifier); ANSI_QUOTES alone (`sql_mode=ANSI`).
  // The first mode is the primary reading's; with known settings it is the only one.
  const modes: ReadonlyArray<{ altBackslash: boolean; ansiQuotes: boolean; note: string }> = session !== undefined
    ? [{ altBackslash: session.altBackslash === true, ansiQuotes: session.ansiQuotes === true, note: '' }]
    : backslash
    ? [
        { altBackslash: false, ansiQuotes: false, note: '' },
        { altBackslash: true, ansiQuotes: false, note: 'with NO_BACKSLASH_ESCAPES' },
        { altBackslash: false, ansiQuotes: true, note: 'with ANSI_QUOTES' },
      ]
    : [{ altBackslash: false, ansiQuotes: false, note: '' }];
  for (const [index, { altBackslash, ansiQuotes, note }] of modes.entries()) {
    for (const server of servers) {
      for (const versionThreshold of thresholds) {
        if (index === 0 && server === 'mariadb' && versionThreshold === Infinity) continue;
        const reading = new Reading(sql, dialect, { altBackslash, ansiQuotes, server, versionThreshold }, true);
        const alt = reading.run();
        if (reading.refusesSomething) {
          const notes: string[] = [];
          if (note !== '') notes.push(note);
          if (server === 'mysql' || versionThreshold !== Infinity) notes.push(`on a ${server === 'mysql' ? 'MySQL' : 'MariaDB'} server that skips some versioned comments`);
          return annotate(alt, notes.join(', '));
        }
      }
    }
  }
  return primary;
}

