import type { Dialect } from '../types';
import type { Classification, SessionReading } from './classify';
import type { AlternativeReadings, ReadingMode } from './guard-rules';
import type { Lexer, LexerOptions } from './lexer';
import { Reading } from './reading';

function annotate(result: Classification, note: string): Classification {
  for (const statement of result.statements) {
    if (!statement.allowedOnRuntime && statement.reason !== undefined) statement.reason = `${statement.reason} (${note})`;
  }
  return result;
}

/**
 * Re-reads text whose meaning depends on settings the guard cannot see, and refuses it if
 * any reading runs a refused statement. The dialect's grammar lists them (`readings`,
 * GuardGrammar.alternatives):
 * - with a backslash in a string: the session modes that read it differently (PostgreSQL
 *   `standard_conforming_strings = off`; MySQL `NO_BACKSLASH_ESCAPES` / `ANSI_QUOTES`, as
 *   sql_mode is per session), unless the session's settings are known;
 * - with versioned `/*!NNNNN` or MariaDB `/*M!` comments: each server kind and each version
 *   threshold, since which comments run depends on the server.
 * Statements that a reading cannot even lex are not run by the server under that reading.
 */
export function alternatives(sql: string, dialect: Dialect, readings: AlternativeReadings, primary: Classification, lexer: Lexer, session: SessionReading | undefined): Classification {
  const { backslashModes, versionedComments } = readings;
  if (backslashModes.length === 0 && versionedComments === undefined) return primary;
  const backslash = lexer.sawBackslashInString;
  const versions = lexer.versions;
  const conditional = versionedComments !== undefined && (versions.length > 0 || lexer.sawMariadbComment);
  if (versionedComments !== undefined && (lexer.tooManyVersions || versions.length > versionedComments.maxVersions)) {
    const first = primary.statements[0];
    const last = primary.statements[primary.statements.length - 1];
    return {
      allowedOnRuntime: false,
      statements: [{ kind: 'other', keyword: '', start: first?.start ?? 0, end: last?.end ?? sql.length, allowedOnRuntime: false, reason: 'too many distinct versioned comments' }],
    };
  }
  // Known settings: the primary reading is the server's; only versioned comments remain to guess.
  if (!conditional && (!backslash || session !== undefined)) return primary;
  const thresholds = conditional ? [-1, ...versions, Infinity] : [Infinity];
  // The default server kind first (undefined: the dialect has only one).
  const servers = versionedComments === undefined ? [undefined] : conditional ? versionedComments.servers : versionedComments.servers.slice(0, 1);
  // The first mode is the primary reading's; with known settings it is the only one.
  const modes: readonly ReadingMode[] = session !== undefined
    ? [{ altBackslash: session.altBackslash === true, ansiQuotes: session.ansiQuotes === true, note: '' }]
    : backslash
    ? [{ altBackslash: false, ansiQuotes: false, note: '' }, ...backslashModes]
    : [{ altBackslash: false, ansiQuotes: false, note: '' }];
  for (const [index, { altBackslash, ansiQuotes, note }] of modes.entries()) {
    for (const [serverIndex, kind] of servers.entries()) {
      for (const versionThreshold of thresholds) {
        if (index === 0 && serverIndex === 0 && versionThreshold === Infinity) continue;
        const options: LexerOptions = kind === undefined ? { altBackslash, ansiQuotes } : { altBackslash, ansiQuotes, server: kind.server, versionThreshold };
        const reading = new Reading(sql, dialect, options, true);
        const alt = reading.run();
        if (reading.refusesSomething) {
          const notes: string[] = [];
          if (note !== '') notes.push(note);
          if (kind !== undefined && (serverIndex > 0 || versionThreshold !== Infinity)) notes.push(`on a ${kind.label} server that skips some versioned comments`);
          return annotate(alt, notes.join(', '));
        }
      }
    }
  }
  return primary;
}
