import type { Dialect } from '../types';
import { dialectModules } from '../dialects/registry';
import { alternatives } from './alternative-readings';
import { fastClassification } from './fast-path';
import type { GuardGrammar } from './guard-rules';
import type { LexerOptions } from './lexer';
import { Reading } from './reading';

/**
 * What a statement does, as far as the runtime guard cares (the allow/refuse decisions
 * per statement are listed in lib/dialects/<d>/statement-heads.ts):
 * - `read`: SELECT, VALUES, TABLE, SHOW, EXPLAIN (without ANALYZE), DESCRIBE, DO (MySQL),
 *   FETCH / DECLARE (pg), catalog PRAGMAs, COPY … TO STDOUT
 * - `write`: INSERT, UPDATE, DELETE, REPLACE, MERGE, CALL, EXECUTE and NOTIFY (pg),
 *   COPY … FROM STDIN
 * - `transaction`: BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT,
 *   RELEASE, SET TRANSACTION, SET CONSTRAINTS, PREPARE TRANSACTION, XA, LOCK TABLE (pg)
 * - `session`: SET, RESET, per-connection PRAGMAs, LISTEN / UNLISTEN, DISCARD, CLOSE, USE,
 *   DEALLOCATE, UNLOCK TABLES, DETACH (SQLite)
 * - `ddl`: changes the schema (CREATE/ALTER/DROP/TRUNCATE/COMMENT/RENAME…, pg SELECT … INTO,
 *   PRAGMAs that change the database file)
 * - `privilege`: changes privileges or identity (GRANT/REVOKE, roles, users, SET ROLE…)
 * - `other`: everything else; always refused (maintenance, server administration, file
 *   access, unknown leading words, input that cannot be lexed)
 * Kinds other than `ddl`, `privilege` and `other` are refused only with a reason (e.g. a
 * statement refused because of what it contains keeps the kind of its leading keyword).
 */
export type StatementKind = 'read' | 'write' | 'transaction' | 'session' | 'ddl' | 'privilege' | 'other';

export interface ClassifiedStatement {
  kind: StatementKind;
  /**
   * The statement's normalized keyword: ASCII-uppercased words joined by one space. It is
   * what `dangerouslyAllow` lists, so it is stable:
   * - the leading keyword for simple statements: `SELECT`, `INSERT`, `TRUNCATE`, `VACUUM`,
   *   `GRANT`, `DO`, `COPY`, `ATTACH`, `FLUSH`, `KILL`…;
   * - CREATE / ALTER / DROP plus the object type, with `TEMPORARY` kept and other modifiers
   *   (OR REPLACE, UNIQUE, IF [NOT] EXISTS, DEFINER=…, CONCURRENTLY…) dropped:
   *   `CREATE TABLE`, `CREATE TEMPORARY TABLE`, `DROP INDEX`, `CREATE MATERIALIZED VIEW`,
   *   `ALTER DEFAULT PRIVILEGES`, `CREATE USER`, `DROP OWNED`, `ALTER SYSTEM`;
   * - fixed multi-word forms: `SELECT INTO` (pg, and MySQL INTO a non-@ variable),
   *   `SELECT INTO OUTFILE`, `SELECT INTO DUMPFILE`, `SET ROLE`, `SET SESSION AUTHORIZATION`,
   *   `SET GLOBAL`, `SET PERSIST`, `SET PERSIST_ONLY`, `SET PASSWORD`, `SET DEFAULT ROLE`,
   *   `SET RESOURCE GROUP`, `LOAD DATA`, `LOAD XML`, `LOAD INDEX`, `LOCK TABLES`,
   *   `OPTIMIZE TABLE`, `REPAIR TABLE`, `ANALYZE TABLE`, `CHECK TABLE`, `RENAME TABLE`,
   *   `RENAME USER`, `REFRESH MATERIALIZED VIEW`, `SECURITY LABEL`, `IMPORT FOREIGN SCHEMA`,
   *   `REASSIGN OWNED`, `START TRANSACTION`, `PREPARE TRANSACTION`, `SET TRANSACTION`,
   *   `SET CONSTRAINTS`, `SET SESSION CHARACTERISTICS`, `LOCK TABLE` (pg), `LOCK INSTANCE`,
   *   `UNLOCK TABLES`, `CHECKSUM TABLE`, `CACHE INDEX`, `IMPORT TABLE`, `DEALLOCATE PREPARE`,
   *   `DROP PREPARE`, `BEGIN NOT ATOMIC`, `DELETE HISTORY` (MariaDB), `DESCRIBE`, `PRAGMA <NAME>` (e.g.
   *   `PRAGMA JOURNAL_MODE`), and verb + next word for MySQL RESET / CHANGE / STOP / START /
   *   INSTALL / UNINSTALL (`RESET MASTER`, `INSTALL PLUGIN`);
   * - `SET` for every other setting assignment (any scope: SESSION, LOCAL, `@x`, `@@x`);
   * - wrappers (EXPLAIN, pg PREPARE … AS, MariaDB SET STATEMENT … FOR) report `EXPLAIN`,
   *   `EXPLAIN ANALYZE`, `EXPLAIN QUERY PLAN`, `PREPARE`, `SET STATEMENT` when the wrapped
   *   statement is allowed, and the wrapped statement's own keyword when it is refused
   *   (so `dangerouslyAllow: ['CREATE TABLE']` covers `EXPLAIN ANALYZE CREATE TABLE … AS`);
   * - WITH statements report their main statement (`SELECT`, `DELETE`…), or `WITH` when
   *   none is recognized (refused);
   * - `''` when there is no keyword: input that could not be lexed, or a statement that
   *   does not start with a word.
   */
  keyword: string;
  /** Offsets into the input (end exclusive), without surrounding whitespace and comments. */
  start: number;
  end: number;
  allowedOnRuntime: boolean;
  /** Short reason when refused, e.g. 'changes the schema', 'unterminated quoted string'. */
  reason?: string;
}

export interface Classification {
  allowedOnRuntime: boolean;
  statements: ClassifiedStatement[];
}

/**
 * A session's settings as known from the server (read on the connection), so the text is
 * read the one way the server reads it instead of every way it might:
 * - `altBackslash`: PostgreSQL `standard_conforming_strings = off`; MySQL `NO_BACKSLASH_ESCAPES`;
 * - `ansiQuotes`: MySQL `ANSI_QUOTES` (`"…"` is an identifier).
 */
export interface SessionReading {
  altBackslash?: boolean;
  ansiQuotes?: boolean;
}

/**
 * One reusable default reading per dialect. classifySql is synchronous and never re-entered,
 * so sharing the scratch state is safe; every call still classifies from scratch and
 * returns fresh objects (this is no result cache).
 */
const DEFAULT_READINGS: Partial<Record<Dialect, Reading>> = {};

/** Each dialect's guard grammar; no entry: a name no dialect module has. */
const GRAMMARS: ReadonlyMap<string, GuardGrammar> = new Map(dialectModules().map((module) => [module.name, module.guardRules.grammar]));

/** How the session's known settings read text, as lexer options (MySQL ANSI_QUOTES only counts without NO_BACKSLASH_ESCAPES). */
function knownReading(grammar: GuardGrammar, known: SessionReading): LexerOptions {
  return { altBackslash: known.altBackslash === true, ansiQuotes: grammar.sessionReading?.ansiQuotes === true && known.ansiQuotes === true && known.altBackslash !== true, sessionKnown: true };
}

function failClosed(sql: string, reason: string): Classification {
  const text = typeof sql === 'string' ? sql : '';
  return { allowedOnRuntime: false, statements: [{ kind: 'other', keyword: '', start: 0, end: text.length, allowedOnRuntime: false, reason }] };
}

/**
 * Splits `sql` into statements with the dialect's own lexical rules and says, for each,
 * what it is and whether a least-privilege runtime connection may run it. Never throws:
 * input it cannot make sense of yields a refused statement of kind 'other'. Empty input,
 * comments only or `;` only give an allowed classification with no statements.
 */
export function classifySql(sql: string, dialect: Dialect, session?: SessionReading): Classification {
  try {
    // Long texts skip the fast path: its one regex match is meant for the short statements knex
    // builds. It answers for known dialects only; fullClassification refuses a non-string or
    // an unknown dialect.
    if (typeof sql === 'string' && sql.length <= FAST_PATH_MAX_SQL) {
      const fast = fastClassification(sql, dialect);
      if (fast !== undefined) return fast;
    }
    return fullClassification(sql, dialect, session);
  } catch (error) {
    return failClosed(sql, `internal error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const FAST_PATH_MAX_SQL = 4096;

/** classifySql without the fast path (fast-path.ts): what the fast path's verdicts are tested against. */
export function fullClassification(sql: string, dialect: Dialect, session?: SessionReading): Classification {
  try {
    if (typeof sql !== 'string') return failClosed('', 'SQL text is not a string');
    const grammar = GRAMMARS.get(dialect);
    if (grammar === undefined) return failClosed(sql, `unknown dialect ${String(dialect)}`);
    const known = session !== undefined && grammar.sessionReading !== undefined ? session : undefined;
    const reading = known === undefined
      ? (DEFAULT_READINGS[dialect] ??= new Reading('', dialect, undefined, false)).reset(sql)
      : new Reading(sql, dialect, knownReading(grammar, known), false);
    const primary = reading.run();
    if (!primary.allowedOnRuntime) return primary;
    return alternatives(sql, dialect, grammar.alternatives, primary, reading.lx, known);
  } catch (error) {
    return failClosed(sql, `internal error: ${error instanceof Error ? error.message : String(error)}`);
  }
}
