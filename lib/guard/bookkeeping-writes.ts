import type { Dialect } from '../types';
import { dialectModule } from '../dialects/registry';
import type { RuntimeDdlError } from '../errors';
import type { SessionReading } from './classify';
import type { GuardGrammar, GuardRules } from './guard-rules';
import { createLexer, type LexerOptions } from './lexer';
import { locksThroughSubqueries } from './locking-subqueries';
import { migrateRefused } from './refusing-migrations';
import { literalValue, nameOf } from './sql-values';
import { asciiLower } from './token-text';
import { T_EOF, T_ERROR, T_OP, T_QUOTED_IDENT, T_SEMICOLON, T_STRING, T_WORD } from './tokens';

/**
 * knex's own bookkeeping tables (`knex_migrations` and `knex_migrations_lock`, or the
 * knexfile's `tableName` and `<tableName>_lock`) are read by a runtime connection
 * (migrate:status, list, currentVersion) and never written: every changing command (latest,
 * up, down, rollback, unlock) starts by creating or writing them, so refusing those
 * statements refuses the command before any migration runs, also when a plain knex (the
 * knex CLI) was built from a runtime config. Hand-written writes are refused the same way:
 * on SQLite (no privileges) and for an app connected as the owner or a superuser the guard
 * is the only boundary. The text is read at token level, like the catalog targets in
 * content/judge.ts: through WITH, comments, quoting, schema qualification, `OR REPLACE`,
 * `REPLACE INTO`, and every reading of the text the session settings allow.
 */
export function bookkeepingWriteCheck(dialect: Dialect, tableNames: readonly string[] = [DEFAULT_TABLE]): (sql: string, session?: SessionReading) => RuntimeDdlError | undefined {
  const rules = dialectModule(dialect).guardRules;
  const { grammar } = rules;
  // As the statement's names are compared (sql-values.ts nameOf: ASCII letters folded, as the
  // servers fold them), and fully lower-cased too (SQLite names from strings): both, so no
  // spelling of a configured name escapes (red team 22: `Ärzte_migrations`). PostgreSQL cuts
  // long names to 63 bytes, the lock table's too: compared cut on both sides.
  const maxBytes = grammar.identifierMaxBytes;
  const fold = (name: string): string => (maxBytes === undefined ? name : clipBytes(name, maxBytes));
  const unicode = grammar.unicodeTableNames === true;
  const names = [...new Set(tableNames.flatMap((name) => [asciiLower(name), name.toLowerCase(), ...(unicode ? [unicodeFold(name)] : [])]))];
  const folded = new Set(names.flatMap((table) => [table, `${table}_lock`]).map(fold));
  // A non-ASCII name may also be one the server folds onto a protected one (MySQL, red team 24).
  const tables = { has: (name: string): boolean => folded.has(fold(name)) || (unicode && !ASCII_ONLY.test(name) && folded.has(unicodeFold(name))) };
  const uescape = grammar.content.uescapeNames;
  const modes = readings(grammar);
  // Cheap first test on the hot path (every runtime query): the name must occur in the text,
  // unless U&"…" (PostgreSQL) could spell it with escapes. One regex scan, no lower-cased copy.
  // Non-ASCII text takes the full-Unicode test where it can spell a protected name: on a
  // dialect that folds names in Unicode (MySQL), or for a configured name that is not ASCII
  // (SQLite names from strings are lower-cased in full). Elsewhere no server folds a
  // non-ASCII character onto an ASCII one, and looking for one at every character cost more
  // than the names (a third of a cache miss's check on SQLite, `npm run bench`).
  const wide = unicode || names.some((name) => !ASCII_ONLY.test(name));
  const mention = new RegExp(`${names.map((table) => fold(table).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}${uescape ? '|u&' : ''}${wide ? '|[^\\x00-\\x7f]' : ''}`, 'i');
  const mentions = (sql: string): boolean => {
    const m = mention.exec(sql);
    if (m === null) return false;
    if (m[0].charCodeAt(0) < 128) return true;
    const text = unicode ? unicodeFold(sql) : sql.toLowerCase();
    return names.some((table) => text.includes(fold(table).toLowerCase())) || (uescape && text.includes('u&'));
  };
  // Uncached: the guarded client's verdict cache (client.ts) holds this check's verdict
  // together with the classifier's, so it runs once per text the cache has not seen.
  return (sql, session) => {
    if (mentions(sql)) {
      for (const options of modes(session)) {
        if (writesBookkeeping(sql, dialect, rules, options, tables)) return migrateRefused(dialect);
      }
    }
    return undefined;
  };
}

/** The protected table names, asked as a statement spells them. */
interface BookkeepingTables {
  has(name: string): boolean;
}

/** `name` cut to at most `max` UTF-8 bytes at a character boundary, as PostgreSQL cuts identifiers. */
function clipBytes(name: string, max: number): string {
  if (Buffer.byteLength(name, 'utf8') <= max) return name;
  let bytes = 0;
  let end = 0;
  for (const ch of name) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > max) break;
    bytes += size;
    end += ch.length;
  }
  return name.slice(0, end);
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * A fold at least as wide as a server's Unicode lower-casing of names: compatibility forms
 * decomposed (KELVIN SIGN is K, ANGSTROM SIGN is A with a ring), combining marks dropped
 * (U+0130 lower-cases to i with a dot above), then lower case. Wider than the server's (é
 * becomes e): a name it folds onto a protected one is refused, never one that escapes.
 */
export function unicodeFold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '');
}

/** knex's name for its migrations table when the config names none. */
export const DEFAULT_TABLE = 'knex_migrations';

/**
 * The session's one reading when known; otherwise every reading the servers may apply (fail
 * closed): the default and the grammar's backslash modes. No session setting changes how the
 * text reads where the grammar declares no `sessionReading` (SQLite).
 */
function readings(grammar: GuardGrammar): (session: SessionReading | undefined) => LexerOptions[] {
  const none: LexerOptions[] = [{}];
  if (grammar.sessionReading === undefined) return () => none;
  const ansi = grammar.sessionReading.ansiQuotes;
  const unknown: LexerOptions[] = [{}, ...grammar.alternatives.backslashModes.map((m) => ({ altBackslash: m.altBackslash, ansiQuotes: m.ansiQuotes }))];
  return (session) => (session === undefined ? unknown : [{ altBackslash: session.altBackslash === true, ansiQuotes: ansi && session.ansiQuotes === true && session.altBackslash !== true }]);
}

/** Words that put the write's target (or a table DDL / LOCK / TRUNCATE acts on) right after them. */
const TARGET_HEADS = new Set(['into', 'update', 'table', 'truncate', 'lock']);
/** Skipped between such a word and the table: `UPDATE ONLY t`, `TRUNCATE TABLE ONLY t`, MySQL `UPDATE LOW_PRIORITY IGNORE t`. */
const MODIFIERS = new Set(['only', 'low_priority', 'ignore', 'quick', 'table', 'if', 'not', 'exists']);
/** After FOR: a row-locking clause (MySQL knows only UPDATE and SHARE; PostgreSQL also NO KEY UPDATE and KEY SHARE). */
const ROW_LOCK_STRENGTHS = new Set(['update', 'share', 'no', 'key']);
/** Where a write names its tables anywhere (MySQL, `catalogAnywhereInWrites`): a statement with one of these verbs that names a bookkeeping table anywhere writes it (multi-table UPDATE / DELETE write what they join). */
const ANYWHERE_WRITE_VERBS = new Set(['insert', 'update', 'delete', 'replace', 'create', 'alter', 'drop', 'truncate', 'rename', 'lock', 'load']);
/** Verbs that are also MySQL function names (string INSERT() and REPLACE(), numeric TRUNCATE()). */
const FUNCTION_VERBS = new Set(['insert', 'replace', 'truncate']);

function writesBookkeeping(sql: string, dialect: Dialect, rules: GuardRules, options: LexerOptions, tables: BookkeepingTables): boolean {
  const lx = createLexer(sql, dialect, options);
  const types: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (;;) {
    const t = lx.next();
    if (t === T_SEMICOLON || t === T_EOF || t === T_ERROR) {
      if (statementWrites(sql, dialect, rules, types, starts, ends, tables)) return true;
      // Unlexable text is refused by the classifier anyway.
      if (t !== T_SEMICOLON) return false;
      types.length = starts.length = ends.length = 0;
      continue;
    }
    types.push(t);
    starts.push(lx.start);
    ends.push(lx.end);
  }
}

function statementWrites(sql: string, dialect: Dialect, rules: GuardRules, types: number[], starts: number[], ends: number[], tables: BookkeepingTables): boolean {
  const { grammar } = rules;
  const { content } = grammar;
  const anywhere = rules.catalogAnywhereInWrites;
  const n = types.length;
  const isOp = (i: number, ch: string): boolean => i < n && types[i] === T_OP && sql[starts[i] as number] === ch;
  const word = (i: number): string | undefined => (i < n && types[i] === T_WORD ? nameOf(sql, T_WORD, starts[i] as number, ends[i] as number) : undefined);
  // Some dialects (SQLite) also read a '…' string where only a table name fits (`DELETE FROM 'knex_migrations'`).
  const name = (i: number): string | undefined => {
    if (i >= n) return undefined;
    if (types[i] === T_STRING) return grammar.stringNames ? literalValue(sql, T_STRING, starts[i] as number, ends[i] as number, dialect)?.toLowerCase() : undefined;
    return types[i] === T_WORD || types[i] === T_QUOTED_IDENT ? nameOf(sql, types[i] as number, starts[i] as number, ends[i] as number) : undefined;
  };
  // The last part of a `[schema.]table` chain starting at i.
  const tableAt = (i: number): string | undefined => {
    let j = i;
    while (isOp(j + 1, '.') && name(j + 2) !== undefined) j += 2;
    return name(j);
  };
  const bookkeeping = (i: number): boolean => tables.has(tableAt(i) ?? '');
  let deleting = false;
  let anywhereWrite = false;
  // Row locks (FOR UPDATE | FOR SHARE, PostgreSQL also FOR NO KEY UPDATE | FOR KEY SHARE,
  // MySQL also LOCK IN SHARE MODE) on a bookkeeping table block the migrator as a write
  // would (knex's migrator locks knex_migrations_lock FOR UPDATE): the statement counts as a
  // write of every bookkeeping table it names, at any query level.
  let locksRows = false;
  const rowLocks = content.rowLocks;
  for (let i = 0; i < n && rowLocks !== undefined; i++) {
    const w = word(i);
    if ((w === 'for' && ROW_LOCK_STRENGTHS.has(word(i + 1) ?? '')) || (rowLocks.lockInShareMode && w === 'lock' && word(i + 1) === 'in')) locksRows = true;
  }
  // A statement whose subqueries read with row locks (MySQL SET / DO / CALL / SHOW … (SELECT …)).
  const subqueries = rowLocks?.subqueries;
  if (subqueries !== undefined && locksThroughSubqueries({ n, word, isOp }, subqueries.consistentHeads)) locksRows = true;
  if (locksRows) {
    for (let i = 0; i < n; i++) if (tables.has(name(i) ?? '')) return true;
  }
  for (let i = 0; i < n; i++) {
    const w = word(i);
    if (w === undefined) {
      if (anywhere && anywhereWrite && tables.has(name(i) ?? '')) return true;
      continue;
    }
    // `replace(…)`, `insert(…)`, `truncate(…)` are functions; `ON DUPLICATE KEY UPDATE` follows an INSERT.
    // Nothing else is skipped: MariaDB's `SET STATEMENT … FOR <write>` writes, and so does
    // `UPDATE (a, b)` every table of its list (red team 24); `FOR UPDATE` locks what it names (above).
    if (anywhere && ANYWHERE_WRITE_VERBS.has(w) && !(isOp(i + 1, '(') && FUNCTION_VERBS.has(w)) && word(i - 1) !== 'key') anywhereWrite = true;
    if (anywhere && anywhereWrite && tables.has(w)) return true;
    let target = -1;
    // PostgreSQL `TABLE knex_migrations` (a statement of its own) is a read.
    if (TARGET_HEADS.has(w) && !(w === 'table' && i === 0)) target = i + 1;
    else if (w === 'delete') deleting = true;
    else if (w === 'from' && deleting) {
      deleting = false;
      target = i + 1;
    } else if (w === 'copy' && content.targetStatements.has('copy') && types.some((_, k) => k > i + 1 && word(k) === 'from')) {
      // COPY t FROM … writes t; COPY t TO … only reads it.
      target = word(i + 1) === 'binary' ? i + 2 : i + 1;
    }
    if (target < 0) continue;
    // A conflict clause (SQLite `UPDATE OR REPLACE t`, `INSERT OR IGNORE INTO t`: the INTO comes later).
    if (word(target) === 'or' && grammar.conflictClause) target += 2;
    // `TRUNCATE a, knex_migrations`, `LOCK TABLE a *, ONLY ( b )`, `DROP TABLE a, b`: each item of the list.
    const list = w === 'truncate' || w === 'lock' || w === 'table';
    for (;;) {
      while (MODIFIERS.has(word(target) ?? '') && !bookkeeping(target)) target++;
      // PostgreSQL `UPDATE ONLY ( t )`, `LOCK TABLE ONLY ( t )`.
      while (isOp(target, '(')) target++;
      if (bookkeeping(target)) return true;
      if (!list) break;
      // Past the item: its `schema.table` chain, then PostgreSQL's `*` (with the descendant tables) and the `)` of ONLY ( t ).
      let k = target;
      while (isOp(k + 1, '.')) k += 2;
      k++;
      while (isOp(k, '*') || isOp(k, ')')) k++;
      if (!isOp(k, ',')) break;
      target = k + 1;
    }
  }
  return false;
}
