import type { Dialect } from '../types';
import { CH_AT, CH_COLON, CH_COMMA, CH_DOT, CH_EQ, CH_LPAREN, CH_RBRACKET, CH_RPAREN, isInto } from './chars';
import {
  DDL_OBJECTS, HEAD_RULES, wordHash, H_BEGIN_MYSQL, H_COPY, H_DDL, H_DESCRIBE_MYSQL, H_EXPLAIN, H_INSERT, H_LOAD_MYSQL, H_LOCK_MYSQL, H_PRAGMA,
  H_PREPARE_PG, H_RENAME_MYSQL, H_SET_MYSQL, H_SET_PG, H_SIMPLE, H_START, H_TABLE_MAINTENANCE, H_VERB_WORD, H_WITH, PRIVILEGE_OBJECTS,
  REASON_PRIVILEGE, REASON_SERVER, REASON_UNKNOWN, type HeadRule,
} from './keywords';
import { contentRefusals, GUARD_RULES } from './content-check';
import { refusedSettingKeyword, refusedSettingOf } from './guard-rules';
import { createLexer, type Lexer, type LexerOptions } from './lexer';
import { MYSQL_LEXING_SETTINGS, POSTGRES_LEXING_SETTINGS } from './lexing-settings';
import { literalValue, nameOf } from './sql-values';
import { MAX_COMMENT_VERSIONS } from '../dialects/mysql/lexer';
import { SQLITE_ACTION_PRAGMAS, SQLITE_FILE_PRAGMAS, SQLITE_GUARDED_PRAGMAS, SQLITE_INTEGRITY_PRAGMAS, SQLITE_READ_PRAGMAS, SQLITE_SESSION_PRAGMAS } from '../dialects/sqlite/pragmas';
import { ERROR_FATAL, T_EOF, T_ERROR, T_NUMBER, T_OP, T_PARAM, T_QUOTED_IDENT, T_SEMICOLON, T_STRING, T_WORD } from './tokens';

/**
 * What a statement does, as far as the runtime guard cares (the allow/refuse decisions
 * per statement are listed in keywords.ts):
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
   *   `DROP PREPARE`, `BEGIN NOT ATOMIC`, `DESCRIBE`, `PRAGMA <NAME>` (e.g.
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

const MAX_DEPTH = 8;
/** MySQL engines a temporary table may use: they keep it in this server's own storage. */
const TEMP_TABLE_ENGINES = new Set(['innodb', 'memory', 'heap', 'myisam', 'aria']);
/** Words that may stand between CREATE and TEMPORARY … TABLE. */
const TEMP_MODIFIERS = new Set(['OR', 'REPLACE', 'GLOBAL', 'LOCAL']);
/** Finds candidate INTO words for nextInto(); `g` so lastIndex sets where the search starts. */
const INTO_TEXT = /into/gi;
const SELECT_INTO_REASON = 'SELECT … INTO creates a table';

function isContent(t: number): boolean {
  return t >= T_WORD && t <= T_OP;
}

/** ASCII-only upper-casing: the servers fold keywords byte-wise, so `ſelect` is not SELECT. */
function asciiUpper(word: string): string {
  for (let i = 0; i < word.length; i++) {
    if (word.charCodeAt(i) >= 128) return word.replace(/[a-z]+/g, (m) => m.toUpperCase());
  }
  return word.toUpperCase();
}

function asciiLower(word: string): string {
  for (let i = 0; i < word.length; i++) {
    if (word.charCodeAt(i) >= 128) return word.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return word.toLowerCase();
}

/**
 * One reading of the input: lexes with one set of options and classifies each statement
 * from its leading keyword(s), scanning the rest of the statement only for what matters
 * (its end, INTO clauses, nested statements). Token state is read straight off the lexer.
 */
class Reading {
  readonly lx: Lexer;
  private sql: string;
  private readonly dialect: Dialect;
  private readonly rules: ReadonlyMap<number, HeadRule>;
  private readonly common: readonly HeadRule[];
  /** PostgreSQL and MySQL look for INTO clauses (SELECT INTO table / OUTFILE). */
  private readonly intoDialect: boolean;
  /** An alternative reading: statements the server cannot even lex never run. */
  private readonly alternative: boolean;
  private readonly options: LexerOptions | undefined;

  private kind: StatementKind = 'read';
  private keyword = '';
  private allowed = true;
  private reason: string | undefined = undefined;
  private watch = false;
  private pendingInto = false;
  private lastEnd = 0;
  private p1Type = T_EOF;
  private p1Start = 0;
  private p1End = 0;
  private p2Type = T_EOF;
  private p2Start = 0;
  /** Cache for nextInto(): -2 unknown, -1 none left, else an index. */
  private intoAt = -2;
  /** After run(): some statement is refused for what it does, or for text no server reads. */
  refusesSomething = false;

  constructor(sql: string, dialect: Dialect, options: LexerOptions | undefined, alternative: boolean) {
    this.sql = sql;
    this.dialect = dialect;
    this.rules = HEAD_RULES[dialect];
    this.common = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'].map((word) => this.rules.get(wordHash(word, 0, word.length))).filter((rule): rule is HeadRule => rule !== undefined);
    this.intoDialect = dialect !== 'sqlite';
    this.alternative = alternative;
    this.options = options;
    this.lx = createLexer(sql, dialect, options);
  }

  /** Reuses this reading (and its lexer) for new text: saves two allocations per call. */
  reset(sql: string): this {
    this.sql = sql;
    this.refusesSomething = false;
    this.intoAt = -2;
    this.lx.reset(sql);
    return this;
  }

  run(): Classification {
    const lx = this.lx;
    const statements: ClassifiedStatement[] = [];
    let allowedOnRuntime = true;
    let t = lx.next();
    let resumedAt = 0;
    for (;;) {
      if (t === T_EOF) break;
      if (t === T_SEMICOLON) {
        resumedAt = lx.end;
        t = lx.next();
        continue;
      }
      // (Read only when needed: statements[-1] on an empty array is a slow property lookup.)
      const last = t === T_ERROR && lx.start < resumedAt ? statements[statements.length - 1] : undefined;
      if (last !== undefined) {
        // An error that began before this point (a MySQL executable comment left open around
        // the statements already read): the last statement is the one it leaves unfinished.
        last.kind = 'other';
        last.keyword = '';
        last.end = this.sql.length;
        last.allowedOnRuntime = false;
        last.reason = lx.error;
        allowedOnRuntime = false;
        if (!(this.alternative && lx.errorKind === ERROR_FATAL)) this.refusesSomething = true;
        break;
      }
      const start = lx.start;
      this.kind = 'read';
      this.keyword = '';
      this.allowed = true;
      this.reason = undefined;
      this.watch = this.intoDialect;
      this.pendingInto = false;
      this.p1Type = this.p2Type = T_EOF;
      this.lastEnd = lx.end;
      if (t !== T_ERROR) this.head(0);
      let end = this.lastEnd;
      if (lx.type === T_ERROR) {
        end = this.sql.length;
        this.kind = 'other';
        this.keyword = '';
        this.allowed = false;
        this.reason = lx.error;
        // Under an alternative reading the server rejects this statement's text outright,
        // so it never runs: reported as refused, but no reason to refuse the input.
        if (!(this.alternative && lx.errorKind === ERROR_FATAL)) this.refusesSomething = true;
      } else if (!this.allowed) {
        this.refusesSomething = true;
      }
      const statement: ClassifiedStatement = { kind: this.kind, keyword: this.keyword, start, end, allowedOnRuntime: this.allowed };
      if (this.reason !== undefined) statement.reason = this.reason;
      statements.push(statement);
      if (!this.allowed) allowedOnRuntime = false;
      if (lx.type !== T_SEMICOLON) break;
      resumedAt = lx.end;
      t = lx.next();
    }
    // What statements contain (refused functions, catalog writes): content-check.ts.
    for (const refusal of contentRefusals(this.sql, this.dialect, this.options)) {
      const statement = statements.find((st) => st.start <= refusal.at && refusal.at < st.end);
      // Also over a refusal by the head (CREATE TEMPORARY TABLE … AS SELECT pg_read_file(…)):
      // letting the head's keyword through with dangerouslyAllow must not let the call through.
      // Unlexable text keeps its own refusal.
      if (statement === undefined || (!statement.allowedOnRuntime && statement.keyword === '')) continue;
      statement.kind = refusal.kind;
      statement.keyword = refusal.keyword;
      statement.allowedOnRuntime = false;
      statement.reason = refusal.reason;
      allowedOnRuntime = false;
      this.refusesSomething = true;
    }
    return { allowedOnRuntime, statements };
  }

  // ---- verdicts -------------------------------------------------------------------------

  private set(kind: StatementKind, keyword: string, allowed: boolean, reason?: string): void {
    this.kind = kind;
    this.keyword = keyword;
    this.allowed = allowed;
    this.reason = reason;
    this.watch = this.intoDialect && allowed;
  }

  /** Settles an allowed verdict found late (after tokens were watched) unless something refused already. */
  private allowAs(kind: StatementKind, keyword: string): void {
    if (this.allowed) this.set(kind, keyword, true);
  }

  /** Refuses the statement unless something already refused it (the first reason wins). */
  private refuse(kind: StatementKind, keyword: string, reason: string): void {
    if (!this.allowed) return;
    this.set(kind, keyword, false, reason);
  }

  // ---- token movement -------------------------------------------------------------------

  /** Moves to the next token and applies the INTO watch to it. */
  private adv(): number {
    const lx = this.lx;
    // Never step over the end of the statement (`;`, EOF, error).
    if (!(lx.type >= T_WORD && lx.type <= T_OP)) return lx.type;
    this.p2Type = this.p1Type;
    this.p2Start = this.p1Start;
    this.p1Type = lx.type;
    this.p1Start = lx.start;
    this.p1End = lx.end;
    const t = lx.next();
    if (t >= T_WORD && t <= T_OP) {
      this.lastEnd = lx.end;
      if (this.watch) this.watchToken(t);
    }
    return t;
  }

  /** Moves to the next token without the INTO watch (for an INSERT's or MERGE's own INTO). */
  private advRaw(): number {
    const lx = this.lx;
    if (!(lx.type >= T_WORD && lx.type <= T_OP)) return lx.type;
    this.p2Type = this.p1Type;
    this.p2Start = this.p1Start;
    this.p1Type = lx.type;
    this.p1Start = lx.start;
    this.p1End = lx.end;
    const t = lx.next();
    if (t >= T_WORD && t <= T_OP) this.lastEnd = lx.end;
    return t;
  }

  /**
   * Consumes the rest of the statement, up to `;`, the end or a lexical error. The current
   * token has been watched already (or deliberately not). The lexer skims without reporting
   * tokens, stopping only at INTO words while the INTO watch is on.
   */
  private scanToEnd(): void {
    const lx = this.lx;
    if (!(lx.type >= T_WORD && lx.type <= T_OP)) return;
    // No "into" anywhere ahead in the text: nothing for the watch to find, skim fast.
    if (this.watch && !this.pendingInto && this.nextInto(lx.end) < 0) {
      lx.skim(false, this.p1Type, this.p1Start);
      this.lastEnd = lx.lastEnd;
      return;
    }
    while (this.watch) {
      if (lx.skim(true, this.p1Type, this.p1Start) !== T_WORD) {
        this.lastEnd = lx.lastEnd;
        return;
      }
      // At an INTO word, with the two tokens before it in lx.p1* / lx.p2*.
      this.lastEnd = lx.end;
      this.p1Type = lx.p1Type;
      this.p1Start = lx.p1Start;
      this.p1End = lx.p1End;
      this.p2Type = lx.p2Type;
      this.p2Start = lx.p2Start;
      this.intoClause(lx.p1Type, lx.p1Start, lx.p1End, lx.p2Type, lx.p2Start);
      // MySQL judges INTO by the token after it.
      if (this.pendingInto && !isContent(this.adv())) return;
    }
    lx.skim(false, this.p1Type, this.p1Start);
    this.lastEnd = lx.lastEnd;
  }

  /**
   * Index of the next "into" (any case, anywhere: strings and comments included) at or
   * after `from`, or -1. Cached, and asked with non-decreasing `from`, so the search runs
   * over the text at most once per reading.
   */
  private nextInto(from: number): number {
    if (this.intoAt === -1 || this.intoAt >= from) return this.intoAt;
    INTO_TEXT.lastIndex = from;
    this.intoAt = INTO_TEXT.test(this.sql) ? INTO_TEXT.lastIndex - 4 : -1;
    return this.intoAt;
  }

  /** From a current token inside parentheses at `depth`, moves to the matching `)`. */
  private skipToClose(depth: number): void {
    const lx = this.lx;
    const s = this.sql;
    let d = depth;
    let t: number = lx.type;
    while (t >= T_WORD && t <= T_OP) {
      if (t === T_OP) {
        const c = s.charCodeAt(lx.start);
        if (c === CH_LPAREN) d++;
        else if (c === CH_RPAREN && --d === 0) return;
      }
      t = this.adv();
    }
  }

  private is(word: string): boolean {
    const lx = this.lx;
    if (lx.type !== T_WORD || lx.end - lx.start !== word.length) return false;
    const s = this.sql;
    const base = lx.start;
    for (let k = 0; k < word.length; k++) {
      let c = s.charCodeAt(base + k);
      if (c >= 97 && c <= 122) c -= 32;
      if (c !== word.charCodeAt(k)) return false;
    }
    return true;
  }

  private isOp(code: number): boolean {
    return this.lx.type === T_OP && this.sql.charCodeAt(this.lx.start) === code;
  }

  private upper(): string {
    return asciiUpper(this.sql.slice(this.lx.start, this.lx.end));
  }

  private wordAt(start: number, end: number, word: string): boolean {
    if (end - start !== word.length) return false;
    return asciiUpper(this.sql.slice(start, end)) === word;
  }

  // ---- INTO watch -----------------------------------------------------------------------

  /** The INTO watch for a token entered by `adv()` (the previous tokens are in p1/p2). */
  private watchToken(t: number): void {
    if (this.pendingInto) {
      this.resolveMysqlInto(t);
      return;
    }
    const lx = this.lx;
    if (t === T_WORD && lx.end - lx.start === 4 && isInto(this.sql, lx.start)) this.intoClause(this.p1Type, this.p1Start, this.p1End, this.p2Type, this.p2Start);
  }

  /** The current token is the word INTO; p1 is the token before it, p2 the one before that. */
  private intoClause(p1Type: number, p1Start: number, p1End: number, p2Type: number, p2Start: number): void {
    const s = this.sql;
    // `AS into` is a column alias and `t.into` a column; neither is an INTO clause.
    if (p1Type === T_WORD && this.wordAt(p1Start, p1End, 'AS')) return;
    if (p1Type === T_OP && s.charCodeAt(p1Start) === CH_DOT) {
      if (p2Type === T_WORD || p2Type === T_QUOTED_IDENT || p2Type === T_PARAM) return;
      if (p2Type === T_OP) {
        const c = s.charCodeAt(p2Start);
        if (c === CH_RPAREN || c === CH_RBRACKET) return;
      }
    }
    if (this.dialect === 'postgres') this.refuse('ddl', 'SELECT INTO', SELECT_INTO_REASON);
    else this.pendingInto = true;
  }

  /** MySQL: `INTO @var` is fine; `INTO OUTFILE|DUMPFILE` writes a server file; anything else is refused. */
  private resolveMysqlInto(t: number): void {
    this.pendingInto = false;
    if (t === T_OP && this.sql.charCodeAt(this.lx.start) === CH_AT) return;
    if (this.is('OUTFILE')) this.refuse('other', 'SELECT INTO OUTFILE', 'writes a file on the server');
    else if (this.is('DUMPFILE')) this.refuse('other', 'SELECT INTO DUMPFILE', 'writes a file on the server');
    else this.refuse('other', 'SELECT INTO', 'INTO something other than a user variable (@name)');
  }

  // ---- statement heads ------------------------------------------------------------------

  /** Classifies the statement whose first token is current, consuming it to its end. */
  private head(depth: number): void {
    const lx = this.lx;
    const t = lx.type;
    if (depth > MAX_DEPTH) {
      this.set('other', '', false, 'statements nested too deeply');
      this.scanToEnd();
      return;
    }
    if (t === T_OP && this.sql.charCodeAt(lx.start) === CH_LPAREN) {
      this.parenthesized(depth);
      return;
    }
    if (t !== T_WORD) {
      this.set('other', '', false, isContent(t) ? 'statement does not start with a keyword' : 'missing statement');
      this.scanToEnd();
      return;
    }
    const rule = this.headRule();
    if (rule === undefined) {
      this.set('other', this.upper(), false, REASON_UNKNOWN);
      this.scanToEnd();
      return;
    }
    this.set(rule.kind, rule.keyword, rule.allowed, rule.reason);
    // PostgreSQL accepts an INTO clause only in a top-level SELECT; elsewhere it is a syntax
    // error, so only read-kind statements (and the wrappers, which re-judge) need the watch.
    if (this.dialect === 'postgres' && rule.kind !== 'read') this.watch = false;
    switch (rule.handler) {
      case H_SIMPLE:
        if (this.dialect === 'postgres' && !this.alternative && (rule.keyword === 'RESET' || rule.keyword === 'DISCARD')) {
          this.resetReading(rule.keyword);
        }
        // The lexer skims on from the leading word itself.
        this.scanToEnd();
        return;
      case H_WITH:
        this.withStatement();
        return;
      case H_INSERT:
        this.insertTail();
        return;
      case H_DDL:
        this.ddl(rule.keyword);
        return;
      case H_VERB_WORD:
        this.adv();
        if (this.lx.type === T_WORD) this.keyword = `${rule.keyword} ${this.upper()}`;
        this.scanToEnd();
        return;
      case H_TABLE_MAINTENANCE:
        this.adv();
        // MariaDB ANALYZE [FORMAT=…] stmt runs stmt and reports its plan: judged as stmt.
        if (rule.keyword === 'ANALYZE' && this.dialect === 'mysql' && !this.is('TABLE') && !this.is('TABLES') && (this.is('FORMAT') || this.isOp(CH_LPAREN) || this.headRule() !== undefined)) {
          if (this.is('FORMAT')) {
            this.adv();
            if (this.isOp(CH_EQ)) this.adv();
            this.adv();
          }
          this.explained(depth, 'ANALYZE', true);
          return;
        }
        if (this.is('NO_WRITE_TO_BINLOG') || this.is('LOCAL')) this.adv();
        if (this.is('TABLE') || this.is('TABLES')) this.keyword = `${rule.keyword} TABLE`;
        this.scanToEnd();
        return;
      case H_START:
        this.adv();
        if (this.is('TRANSACTION')) this.set('transaction', 'START TRANSACTION', true);
        else this.set('other', this.lx.type === T_WORD ? `START ${this.upper()}` : 'START', false, REASON_SERVER);
        this.scanToEnd();
        return;
      case H_BEGIN_MYSQL:
        // BEGIN [WORK] only: MariaDB's BEGIN NOT ATOMIC … END runs a compound statement.
        this.adv();
        if (isContent(this.lx.type) && !this.is('WORK')) this.set('other', this.is('NOT') ? 'BEGIN NOT ATOMIC' : 'BEGIN', false, 'compound statement');
        this.scanToEnd();
        return;
      case H_PREPARE_PG:
        this.preparePostgres(depth);
        return;
      case H_SET_PG:
        this.setPostgres();
        return;
      case H_SET_MYSQL:
        this.setMysql(depth);
        return;
      case H_EXPLAIN:
        if (this.dialect === 'sqlite') this.explainSqlite(depth);
        else this.explainPostgres(depth);
        return;
      case H_DESCRIBE_MYSQL:
        this.describeMysql(depth);
        return;
      case H_COPY:
        this.copy();
        return;
      case H_PRAGMA:
        this.pragma();
        return;
      case H_LOAD_MYSQL:
        this.adv();
        while (this.is('LOW_PRIORITY') || this.is('CONCURRENT') || this.is('LOCAL')) this.adv();
        if (this.is('INDEX')) this.set('other', 'LOAD INDEX', false, REASON_SERVER);
        else if (this.lx.type === T_WORD) this.keyword = `LOAD ${this.upper()}`;
        this.scanToEnd();
        return;
      case H_LOCK_MYSQL:
        this.adv();
        if (this.is('TABLE') || this.is('TABLES')) this.keyword = 'LOCK TABLES';
        else if (this.is('INSTANCE')) this.keyword = 'LOCK INSTANCE';
        this.scanToEnd();
        return;
      case H_RENAME_MYSQL:
        this.adv();
        if (this.is('USER')) this.set('privilege', 'RENAME USER', false, REASON_PRIVILEGE);
        else if (this.is('TABLE') || this.is('TABLES')) this.keyword = 'RENAME TABLE';
        this.scanToEnd();
        return;
      default:
        this.set('other', rule.keyword, false, REASON_UNKNOWN);
        this.scanToEnd();
    }
  }

  /** The dialect's rule for the current word, if it is a leading keyword. */
  private headRule(): HeadRule | undefined {
    const lx = this.lx;
    if (lx.type !== T_WORD) return undefined;
    // The statements knex sends most, tried before hashing the word.
    const common = this.common;
    if (lx.end - lx.start === 6) {
      for (let k = 0; k < common.length; k++) {
        const rule = common[k] as HeadRule;
        if (this.is(rule.word)) return rule;
      }
    }
    const rule = this.rules.get(wordHash(this.sql, lx.start, lx.end));
    return rule !== undefined && this.is(rule.word) ? rule : undefined;
  }

  /** `(SELECT 1) UNION (SELECT 2)`, `((VALUES (1)))`, `(WITH …)`. */
  private parenthesized(depth: number): void {
    while (this.isOp(CH_LPAREN)) this.adv();
    if (this.is('SELECT') || this.is('VALUES') || this.is('TABLE')) {
      this.set('read', this.upper(), true);
      this.adv();
      this.scanToEnd();
    } else if (this.is('WITH') && depth <= MAX_DEPTH) {
      this.set('read', 'WITH', true);
      this.withStatement();
    } else {
      this.set('other', this.lx.type === T_WORD ? this.upper() : '', false, REASON_UNKNOWN);
      this.scanToEnd();
    }
  }

  /** After INSERT / REPLACE / MERGE: modifiers and the statement's own INTO, then the rest. */
  private insertTail(): void {
    // Without the INTO watch (PostgreSQL DML, SQLite) the statement's own INTO needs no care.
    if (!this.watch) return this.scanToEnd();
    this.advRaw();
    if (this.dialect === 'mysql') {
      while (this.is('LOW_PRIORITY') || this.is('DELAYED') || this.is('HIGH_PRIORITY') || this.is('IGNORE')) this.advRaw();
    } else if (this.dialect === 'sqlite' && this.is('OR')) {
      this.advRaw();
      this.advRaw();
    }
    // The statement's own INTO stays the current token, so the watch never sees it.
    this.scanToEnd();
  }

  /**
   * WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (body) [SEARCH …] [CYCLE …], …
   * then the main statement, which gives the keyword. Bodies may be INSERT / UPDATE /
   * DELETE / MERGE (pg data-modifying CTEs); their INTO is the DML's own.
   */
  private withStatement(): void {
    let wrote = false;
    let t = this.adv();
    if (this.is('RECURSIVE')) t = this.adv();
    for (;;) {
      if (t !== T_WORD && t !== T_QUOTED_IDENT) return this.withFallback();
      t = this.adv();
      if (this.isOp(CH_LPAREN)) {
        this.adv();
        this.skipToClose(1);
        t = this.adv();
      }
      if (!this.is('AS')) return this.withFallback();
      t = this.adv();
      if (this.is('NOT')) t = this.adv();
      if (this.is('MATERIALIZED')) t = this.adv();
      if (!this.isOp(CH_LPAREN)) return this.withFallback();
      this.advRaw();
      if (this.is('INSERT') || this.is('MERGE')) {
        wrote = true;
        this.advRaw();
        if (this.is('INTO')) this.adv();
      } else {
        if (this.is('UPDATE') || this.is('DELETE')) wrote = true;
        if (this.watch) this.watchToken(this.lx.type);
      }
      this.skipToClose(1);
      if (this.lx.type !== T_OP) return this.withFallback();
      t = this.adv();
      if (this.is('SEARCH')) {
        while (isContent(t) && !this.is('SET')) t = this.adv();
        this.adv();
        t = this.adv();
      }
      if (this.is('CYCLE')) {
        while (isContent(t) && !this.is('USING')) t = this.adv();
        this.adv();
        t = this.adv();
      }
      if (!this.isOp(CH_COMMA)) break;
      t = this.adv();
    }
    if (this.isOp(CH_LPAREN)) {
      this.allowAs(wrote ? 'write' : 'read', 'SELECT');
      this.scanToEnd();
    } else if (this.is('SELECT') || this.is('VALUES') || this.is('TABLE')) {
      this.allowAs(wrote ? 'write' : 'read', this.upper());
      this.adv();
      this.scanToEnd();
    } else if (this.is('INSERT') || this.is('MERGE') || this.is('REPLACE')) {
      this.allowAs('write', this.upper());
      this.insertTail();
    } else if (this.is('UPDATE') || this.is('DELETE')) {
      this.allowAs('write', this.upper());
      this.adv();
      this.scanToEnd();
    } else {
      this.withFallback();
    }
  }

  private withFallback(): void {
    this.refuse('other', 'WITH', 'unrecognized statement after WITH');
    this.scanToEnd();
  }

  private ddl(verb: string): void {
    let temporary = false;
    // TEMPORARY counts only among the plain table modifiers (`CREATE OR REPLACE GLOBAL TEMP
    // TABLE`): `CREATE DEFINER = temp …` or any other token before the object drops it, so
    // nothing but a real temporary object is reported with that keyword.
    let onlyModifiers = true;
    let object = '';
    let t = this.adv();
    // The object type is the first known object word within a few tokens (modifiers such
    // as OR REPLACE, UNIQUE, DEFINER = x@y, ALGORITHM = MERGE are skipped).
    for (let k = 0; k < 24 && isContent(t); k++) {
      if (t !== T_WORD) onlyModifiers = false;
      if (t === T_WORD) {
        const word = this.upper();
        if (word === 'TEMP' || word === 'TEMPORARY') {
          temporary = true;
        } else if (!TEMP_MODIFIERS.has(word) && !DDL_OBJECTS.has(word)) {
          onlyModifiers = false;
        } else {
          const spec = DDL_OBJECTS.get(word);
          if (spec !== undefined) {
            object = this.objectName(word, spec);
            if (object !== '') break;
            t = this.lx.type;
            continue;
          }
        }
      }
      t = this.adv();
    }
    if (!onlyModifiers) temporary = false;
    const keyword = `${verb}${temporary ? ' TEMPORARY' : ''}${object === '' ? '' : ` ${object}`}`;
    if (object === 'PREPARE' && verb === 'DROP' && this.dialect === 'mysql') this.set('session', 'DROP PREPARE', true);
    else if (object === 'SYSTEM' || object === 'INSTANCE') this.set('other', keyword, false, REASON_SERVER);
    else if (PRIVILEGE_OBJECTS.has(object)) this.set('privilege', keyword, false, REASON_PRIVILEGE);
    else if (keyword === 'CREATE TEMPORARY TABLE' && this.tempTableReaches()) {
      this.set(this.kind, 'CREATE TABLE', false, 'a temporary table that reaches another object (INHERITS, PARTITION OF, TABLESPACE, ENGINE, DIRECTORY, UNION, CONNECTION)');
    }
    else this.keyword = keyword;
    this.scanToEnd();
  }

  /**
   * At the table name of a CREATE TEMPORARY TABLE: whether its options (before any AS /
   * SELECT query) reach another object, so that `dangerouslyAllow: ['CREATE TEMPORARY
   * TABLE']` must not cover it: PostgreSQL INHERITS (alters the permanent parent),
   * PARTITION OF, TABLESPACE; MySQL ENGINE other than InnoDB / MEMORY / MyISAM / Aria
   * (CONNECT, FEDERATED reach files or other servers), CONNECTION, DATA / INDEX DIRECTORY,
   * UNION. `LIKE other` only reads. Consumes the tokens it reads.
   */
  private tempTableReaches(): boolean {
    let depth = 0;
    for (let t: number = this.lx.type; isContent(t); t = this.adv()) {
      if (t === T_OP) {
        if (this.isOp(CH_LPAREN)) depth++;
        else if (this.isOp(CH_RPAREN)) depth--;
        continue;
      }
      if (depth !== 0 || t !== T_WORD) continue;
      if (this.is('AS') || this.is('SELECT') || this.is('VALUES')) return false;
      if (this.is('INHERITS') || this.is('TABLESPACE') || this.is('UNION') || this.is('CONNECTION')) return true;
      if (this.is('PARTITION')) {
        if (this.adv() === T_WORD && this.is('OF')) return true;
        t = this.lx.type;
        if (t === T_OP && this.isOp(CH_LPAREN)) depth++;
        continue;
      }
      if ((this.is('DATA') || this.is('INDEX')) && this.dialect === 'mysql') {
        if (this.adv() === T_WORD && this.is('DIRECTORY')) return true;
        continue;
      }
      if (this.is('ENGINE') && this.dialect === 'mysql') {
        let v = this.adv();
        if (v === T_OP && this.isOp(CH_EQ)) v = this.adv();
        const engine = isContent(v) ? literalValue(this.sql, v, this.lx.start, this.lx.end, this.dialect) ?? nameOf(this.sql, v, this.lx.start, this.lx.end) : undefined;
        if (engine === undefined || !TEMP_TABLE_ENGINES.has(engine.toLowerCase())) return true;
      }
    }
    return false;
  }

  /** Completes a (possibly multi-word) object type; '' when the word is no object here. */
  private objectName(first: string, spec: { alone: boolean; then: readonly (readonly string[])[] }): string {
    let name = first;
    let level = 0;
    let candidates = spec.then;
    let t = this.adv();
    while (t === T_WORD && candidates.length > 0) {
      const word = this.upper();
      const next = candidates.filter((seq) => seq[level] === word);
      if (next.length === 0) break;
      name += ` ${word}`;
      level++;
      t = this.adv();
      candidates = next.filter((seq) => seq.length > level);
    }
    return level > 0 || spec.alone ? name : '';
  }

  /** PREPARE name [(types)] AS statement (judged as the statement), or PREPARE TRANSACTION 'id'. */
  private preparePostgres(depth: number): void {
    this.adv();
    if (this.is('TRANSACTION')) {
      if (this.adv() === T_STRING) {
        this.set('transaction', 'PREPARE TRANSACTION', true);
        this.scanToEnd();
        return;
      }
    } else if (this.lx.type === T_WORD || this.lx.type === T_QUOTED_IDENT) {
      this.adv();
    }
    if (this.isOp(CH_LPAREN)) {
      this.adv();
      this.skipToClose(1);
      this.adv();
    }
    if (!this.is('AS')) {
      this.set('other', 'PREPARE', false, 'unrecognized PREPARE statement');
      this.scanToEnd();
      return;
    }
    this.adv();
    this.head(depth + 1);
    if (this.allowed) this.keyword = 'PREPARE';
  }

  /**
   * SET [SESSION | LOCAL] …: settings are allowed, except the role and session
   * authorization (`SET ROLE x`, `SET role = x`, `SET SESSION AUTHORIZATION x`), which
   * change identity. RESET (a separate statement) is allowed: it only goes back.
   */
  private setPostgres(): void {
    let t = this.adv();
    let session = false;
    if (this.is('SESSION')) {
      session = true;
      t = this.adv();
    } else if (this.is('LOCAL')) {
      t = this.adv();
    }
    if (session && this.is('CHARACTERISTICS')) {
      this.set('session', 'SET SESSION CHARACTERISTICS', true);
    } else if ((session && this.is('AUTHORIZATION')) || (this.is('SESSION') && this.adv() === T_WORD && this.is('AUTHORIZATION'))) {
      this.set('privilege', 'SET SESSION AUTHORIZATION', false, 'changes the session user');
      // SET SESSION AUTHORIZATION DEFAULT is RESET SESSION AUTHORIZATION: back to the login user.
      if (this.resetsTo('default', false, false)) this.set('session', 'SET SESSION AUTHORIZATION', true);
    } else if (this.is('ROLE')) {
      this.set('privilege', 'SET ROLE', false, 'changes the current role');
      // SET ROLE NONE is RESET ROLE: back to the session user's own rights.
      if (this.resetsTo('none', false)) this.set('session', 'SET ROLE', true);
    } else if (this.is('TRANSACTION')) {
      this.set('transaction', 'SET TRANSACTION', true);
    } else if (this.is('CONSTRAINTS')) {
      this.set('transaction', 'SET CONSTRAINTS', true);
    } else if (t === T_QUOTED_IDENT || t === T_WORD) {
      const raw = this.sql.slice(this.lx.start, this.lx.end);
      if (t === T_QUOTED_IDENT && (raw.charCodeAt(0) | 0x20) === 0x75) {
        this.set('other', 'SET', false, 'setting name with Unicode escapes');
      } else {
        const name = asciiLower(t === T_QUOTED_IDENT ? raw.slice(1, -1) : raw);
        if (name === 'role') {
          this.set('privilege', 'SET ROLE', false, 'changes the current role');
          if (this.resetsTo('none', true)) this.set('session', 'SET ROLE', true);
        } else if (name === 'session_authorization') {
          this.set('privilege', 'SET SESSION AUTHORIZATION', false, 'changes the session user');
          if (this.resetsTo('default', true, false)) this.set('session', 'SET SESSION AUTHORIZATION', true);
        }
        else {
          this.set('session', 'SET', true);
          if (!this.refusedSetting(name)) this.lexingSetting(name, asciiUpper(name));
        }
      }
    } else {
      this.set('session', 'SET', true);
    }
    this.scanToEnd();
  }

  /**
   * MySQL SET: a list of assignments, each of which may be GLOBAL / PERSIST /
   * PERSIST_ONLY or `@@global.x` (refused: server-wide), SESSION / LOCAL / `@@x` / `@x`
   * (allowed). Special forms: SET PASSWORD, SET ROLE, SET DEFAULT ROLE (refused),
   * SET RESOURCE GROUP (refused), SET [SESSION] TRANSACTION, SET NAMES / CHARACTER SET,
   * MariaDB SET STATEMENT … FOR statement (judged as the statement).
   */
  private setMysql(depth: number): void {
    const s = this.sql;
    let t = this.adv();
    if (this.is('PASSWORD')) return this.refuseRest('privilege', 'SET PASSWORD', REASON_PRIVILEGE);
    if (this.is('ROLE')) {
      // SET ROLE NONE only drops the current role: fewer privileges, never more. (SET ROLE
      // DEFAULT activates roles the guard cannot see, and stays refused.)
      if (this.adv() === T_WORD && this.is('NONE') && !isContent(this.adv())) return this.set('session', 'SET ROLE', true);
      return this.refuseRest('privilege', 'SET ROLE', 'changes the current role');
    }
    if (this.is('DEFAULT')) {
      t = this.adv();
      if (this.is('ROLE')) return this.refuseRest('privilege', 'SET DEFAULT ROLE', REASON_PRIVILEGE);
    }
    if (this.is('RESOURCE')) return this.refuseRest('other', 'SET RESOURCE GROUP', REASON_SERVER);
    const statement = this.is('STATEMENT');
    if (statement) t = this.adv();
    this.set('session', statement ? 'SET STATEMENT' : 'SET', true);
    let itemStart = true;
    let first = true;
    let parens = 0;
    while (isContent(t)) {
      if (itemStart && parens === 0) {
        itemStart = false;
        const scope = this.globalScope();
        if (scope !== '') return this.refuseRest('other', `SET ${scope}`, 'changes server-wide settings');
        if (this.is('SESSION') || this.is('LOCAL')) t = this.adv();
        let userVariable = false;
        if (this.isOp(CH_AT)) {
          userVariable = true;
          if (this.adv() === T_OP && this.isOp(CH_AT)) {
            userVariable = false;
            t = this.adv();
            const atScope = this.globalScope();
            if (atScope !== '') return this.refuseRest('other', `SET ${atScope}`, 'changes server-wide settings');
            // @@session.x / @@local.x
            if ((this.is('SESSION') || this.is('LOCAL')) && this.adv() === T_OP && this.isOp(CH_DOT)) t = this.adv();
          }
        }
        if (first && this.is('TRANSACTION') && !statement) this.set('transaction', 'SET TRANSACTION', true);
        else if (!userVariable) this.mysqlLexingSetting();
        first = false;
        t = this.lx.type;
        if (!isContent(t)) break;
      }
      if (t === T_OP) {
        const c = s.charCodeAt(this.lx.start);
        if (c === CH_LPAREN) parens++;
        else if (c === CH_RPAREN) parens--;
        else if (c === CH_COMMA && parens === 0) itemStart = true;
      } else if (statement && parens === 0 && this.is('FOR')) {
        // A refused setting stays refused whatever the statement it is for.
        if (!this.allowed) return this.scanToEnd();
        this.adv();
        this.head(depth + 1);
        if (this.allowed) this.keyword = 'SET STATEMENT';
        return;
      }
      t = this.adv();
    }
  }

  /**
   * MySQL: the current token names a session variable; sql_mode, the connection character
   * set (NAMES, CHARACTER SET, CHARSET, character_set_client…) may only be set to a literal
   * value that does not change how text is read (lexing-settings.ts).
   */
  private mysqlLexingSetting(): void {
    const t = this.lx.type;
    if (t !== T_WORD && t !== T_QUOTED_IDENT) return;
    const name = nameOf(this.sql, t, this.lx.start, this.lx.end);
    if (name === undefined) return;
    if (t === T_WORD && name === 'character') {
      if (this.adv() === T_WORD && this.is('SET')) this.lexingSetting('names', 'CHARACTER SET', true);
      return;
    }
    if (t === T_WORD && (name === 'names' || name === 'charset')) return this.lexingSetting('names', name === 'names' ? 'NAMES' : 'CHARSET', true);
    if (!this.refusedSetting(name)) this.lexingSetting(name, asciiUpper(name));
  }

  /** Refuses assigning a setting listed in the dialect's guard rules (superuser-only, identity). */
  private refusedSetting(name: string): boolean {
    const refused = refusedSettingOf(GUARD_RULES[this.dialect], name);
    if (refused === undefined) return false;
    this.refuse(refused.kind, refusedSettingKeyword(name, refused), refused.reason);
    return true;
  }

  /**
   * The current token is the name of a setting being assigned (PostgreSQL SET, MySQL SET
   * item). If the setting changes how the server reads text, the value must be one literal
   * that keeps the reading; anything else refuses the statement. Leaves the token after
   * the value current.
   */
  private lexingSetting(name: string, label: string, bare = false): void {
    const allowedValue = (this.dialect === 'postgres' ? POSTGRES_LEXING_SETTINGS : MYSQL_LEXING_SETTINGS).get(name);
    if (allowedValue === undefined) return;
    let t = this.adv();
    if (!bare) {
      if (this.is('TO')) t = this.adv();
      else {
        if (this.isOp(CH_COLON)) t = this.adv();
        if (this.isOp(CH_EQ)) t = this.adv();
      }
    }
    const value = isContent(t) ? literalValue(this.sql, t, this.lx.start, this.lx.end, this.dialect) : undefined;
    if (value !== undefined) t = this.adv();
    // The value must be the whole assignment (MySQL: up to the next item; NAMES may add COLLATE x).
    const whole = !isContent(t) || (this.dialect === 'mysql' && (this.isOp(CH_COMMA) || (bare && this.is('COLLATE'))));
    if (value === undefined || !whole || !allowedValue(value, this.options ?? {})) {
      this.refuse('session', `SET ${label}`, `changes how the server reads SQL text (${name}); only values that keep it are allowed`);
    }
  }

  /**
   * PostgreSQL: after the current token (the setting's name), and TO or `=` (required with
   * `assignment`), comes exactly `word` (a keyword or plain string), and the statement
   * ends. Consumes what it reads. Without `strings`, only the keyword counts: `'default'`
   * is a role named "default" (DEFAULT is a keyword of the grammar; the string is a value),
   * whereas the role setting reads `'none'` and NONE alike.
   */
  private resetsTo(word: string, assignment: boolean, strings = true): boolean {
    let t = this.adv();
    if (this.is('TO') || this.isOp(CH_EQ)) t = this.adv();
    else if (assignment) return false;
    const plain = t === T_WORD || (strings && t === T_STRING && this.sql.charCodeAt(this.lx.start) === 0x27);
    if (!plain) return false;
    const value = literalValue(this.sql, t, this.lx.start, this.lx.end, this.dialect);
    if (value === undefined || value.toLowerCase() !== word) return false;
    return !isContent(this.adv());
  }

  /**
   * PostgreSQL RESET ALL, RESET <lexing setting> and DISCARD ALL return the settings to
   * their defaults (server configuration, role and database settings, the startup packet),
   * which the guard does not know and which need not be what the session reads now (an
   * afterCreate hook may have set it): refused in every reading.
   */
  private resetReading(keyword: string): void {
    const t = this.adv();
    const name = t === T_WORD || t === T_QUOTED_IDENT ? nameOf(this.sql, t, this.lx.start, this.lx.end) : undefined;
    if (name === 'all' || (keyword === 'RESET' && (name === undefined || POSTGRES_LEXING_SETTINGS.has(name)))) {
      this.refuse('session', keyword, `would change how the server reads SQL text (${name === 'all' ? 'every setting' : (name ?? 'a setting')} back to its default, which the guard does not know)`);
    }
  }

  private globalScope(): string {
    if (this.is('GLOBAL')) return 'GLOBAL';
    if (this.is('PERSIST')) return 'PERSIST';
    if (this.is('PERSIST_ONLY')) return 'PERSIST_ONLY';
    return '';
  }

  private refuseRest(kind: StatementKind, keyword: string, reason: string): void {
    this.set(kind, keyword, false, reason);
    this.scanToEnd();
  }

  /** EXPLAIN [ANALYZE] [VERBOSE] stmt | EXPLAIN (option [value], …) stmt: judged as stmt. */
  private explainPostgres(depth: number): void {
    let analyze = false;
    let t = this.adv();
    if (this.isOp(CH_LPAREN)) {
      t = this.adv();
      let d = 1;
      while (isContent(t)) {
        if (this.isOp(CH_LPAREN)) d++;
        else if (this.isOp(CH_RPAREN) && --d === 0) break;
        else if (this.is('ANALYZE') || this.is('ANALYSE')) analyze = true;
        t = this.adv();
      }
      this.adv();
    } else {
      while (this.is('ANALYZE') || this.is('ANALYSE') || this.is('VERBOSE')) {
        if (!this.is('VERBOSE')) analyze = true;
        this.adv();
      }
    }
    this.explained(depth, analyze ? 'EXPLAIN ANALYZE' : 'EXPLAIN', analyze);
  }

  /** EXPLAIN [QUERY PLAN] stmt: SQLite never runs the explained statement, but it is judged anyway. */
  private explainSqlite(depth: number): void {
    this.adv();
    let keyword = 'EXPLAIN';
    if (this.is('QUERY')) {
      this.adv();
      if (this.is('PLAN')) this.adv();
      keyword = 'EXPLAIN QUERY PLAN';
    }
    this.explained(depth, keyword, false);
  }

  /**
   * DESCRIBE / DESC / EXPLAIN: a table description, EXPLAIN FOR CONNECTION, or EXPLAIN
   * [ANALYZE] [FORMAT = x] [INTO @v] stmt (judged as stmt). A table named like a leading
   * keyword (`DESC handler`) is judged as that statement: most such words are reserved.
   */
  private describeMysql(depth: number): void {
    let analyze = false;
    let t = this.adv();
    for (;;) {
      if (this.is('ANALYZE')) {
        analyze = true;
        t = this.adv();
      } else if (this.is('EXTENDED') || this.is('PARTITIONS')) {
        t = this.adv();
      } else if (this.is('FORMAT')) {
        t = this.adv();
        if (this.isOp(CH_EQ)) t = this.adv();
        t = this.adv();
      } else if (this.is('INTO')) {
        this.adv();
        this.adv();
        t = this.adv();
      } else {
        break;
      }
    }
    // A statement keyword after the options: EXPLAIN that statement (fail closed: any
    // leading keyword, not only the explainable ones, so EXPLAIN DROP … is judged as DROP).
    if (this.isOp(CH_LPAREN) || (this.headRule() !== undefined && !this.is('FOR'))) {
      this.explained(depth, analyze ? 'EXPLAIN ANALYZE' : 'EXPLAIN', analyze);
      return;
    }
    this.allowAs('read', this.is('FOR') ? 'EXPLAIN' : 'DESCRIBE');
    this.scanToEnd();
  }

  private explained(depth: number, keyword: string, runs: boolean): void {
    if (!isContent(this.lx.type)) {
      this.set('other', keyword, false, 'nothing to explain');
      return;
    }
    this.head(depth + 1);
    if (!this.allowed) return;
    this.keyword = keyword;
    if (!runs) this.kind = 'read';
  }

  /**
   * COPY … FROM STDIN / TO STDOUT moves data over the connection: allowed. COPY to or from a
   * file or PROGRAM runs on the server with its file-system rights: refused.
   */
  private copy(): void {
    this.watch = true;
    let t = this.adv();
    if (this.is('BINARY')) t = this.adv();
    if (this.isOp(CH_LPAREN)) {
      this.advRaw();
      if (this.is('INSERT') || this.is('MERGE')) {
        this.advRaw();
        if (this.is('INTO')) this.adv();
      } else {
        this.watchToken(this.lx.type);
      }
      this.skipToClose(1);
      t = this.adv();
    }
    let d = 0;
    while (isContent(t)) {
      if (d === 0 && (this.is('FROM') || this.is('TO'))) break;
      if (this.isOp(CH_LPAREN)) d++;
      else if (this.isOp(CH_RPAREN)) d--;
      t = this.adv();
    }
    if (!isContent(t)) {
      this.set('other', 'COPY', false, 'unrecognized COPY statement');
      return;
    }
    const from = this.is('FROM');
    t = this.adv();
    if (this.is('STDIN') || this.is('STDOUT')) this.refuseUnless(true, from ? 'write' : 'read', 'COPY', '');
    else if (this.is('PROGRAM')) this.refuse('other', 'COPY', 'runs a program on the server');
    else if (t === T_STRING) this.refuse('other', 'COPY', from ? 'reads a file on the server' : 'writes a file on the server');
    else this.refuse('other', 'COPY', 'unrecognized COPY target');
    this.scanToEnd();
  }

  /** Sets an allowed verdict unless something (an INTO in the query) already refused it. */
  private refuseUnless(ok: boolean, kind: StatementKind, keyword: string, reason: string): void {
    if (!this.allowed) return;
    if (ok) this.set(kind, keyword, true);
    else this.set(kind, keyword, false, reason);
  }

  /**
   * PRAGMA [schema.]name [= value | (value)]: see lib/dialects/sqlite/pragmas.ts for which are reads,
   * per-connection settings, file or schema changes and actions.
   */
  private pragma(): void {
    let t = this.adv();
    if (t !== T_WORD && t !== T_QUOTED_IDENT && t !== T_STRING) return this.refuseRest('other', 'PRAGMA', 'unrecognized PRAGMA statement');
    let nameStart = this.lx.start;
    let nameEnd = this.lx.end;
    let nameType = t;
    t = this.adv();
    if (this.isOp(CH_DOT)) {
      t = this.adv();
      if (t !== T_WORD && t !== T_QUOTED_IDENT && t !== T_STRING) return this.refuseRest('other', 'PRAGMA', 'unrecognized PRAGMA statement');
      nameStart = this.lx.start;
      nameEnd = this.lx.end;
      nameType = t;
      t = this.adv();
    }
    const raw = this.sql.slice(nameStart, nameEnd);
    const name = asciiLower(nameType === T_WORD ? raw : raw.slice(1, -1));
    const keyword = `PRAGMA ${asciiUpper(name)}`;
    const sets = isContent(t);
    if (sets && !this.isOp(CH_EQ) && !this.isOp(CH_LPAREN)) return this.refuseRest('other', keyword, 'unrecognized PRAGMA statement');
    const keepsOn = SQLITE_INTEGRITY_PRAGMAS.get(name);
    if (sets && keepsOn !== undefined) {
      // `= value` or `(value)`: one word, number or string that keeps the checks on, then the end.
      const v = this.adv();
      const value = isContent(v) ? literalValue(this.sql, v, this.lx.start, this.lx.end, this.dialect)?.toLowerCase() : undefined;
      let after = this.adv();
      if (this.isOp(CH_RPAREN)) after = this.adv();
      if (value === undefined || !keepsOn.has(value) || isContent(after)) return this.refuseRest('other', keyword, 'switches off integrity checks the schema declares (foreign keys)');
      this.set('session', keyword, true);
      return this.scanToEnd();
    }
    if (SQLITE_READ_PRAGMAS.has(name)) this.set('read', keyword, true);
    else if (SQLITE_SESSION_PRAGMAS.has(name)) this.set(sets ? 'session' : 'read', keyword, true);
    else if (SQLITE_FILE_PRAGMAS.has(name)) this.set(sets ? 'ddl' : 'read', keyword, !sets, sets ? 'changes the database file or schema' : undefined);
    else if (SQLITE_GUARDED_PRAGMAS.has(name)) this.set(sets ? 'other' : 'read', keyword, !sets, sets ? 'changes locking, safety or process-wide settings' : undefined);
    else if (SQLITE_ACTION_PRAGMAS.has(name)) this.set('other', keyword, false, 'runs a maintenance action');
    else this.set('other', keyword, false, 'unknown PRAGMA');
    this.scanToEnd();
  }
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

function annotate(result: Classification, note: string): Classification {
  for (const statement of result.statements) {
    if (!statement.allowedOnRuntime && statement.reason !== undefined) statement.reason = `${statement.reason} (${note})`;
  }
  return result;
}

function failClosed(sql: string, reason: string): Classification {
  const text = typeof sql === 'string' ? sql : '';
  return { allowedOnRuntime: false, statements: [{ kind: 'other', keyword: '', start: 0, end: text.length, allowedOnRuntime: false, reason }] };
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
function alternatives(sql: string, dialect: Dialect, primary: Classification, lexer: Lexer, session: SessionReading | undefined): Classification {
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

/**
 * Splits `sql` into statements with the dialect's own lexical rules and says, for each,
 * what it is and whether a least-privilege runtime connection may run it. Never throws:
 * input it cannot make sense of yields a refused statement of kind 'other'. Empty input,
 * comments only or `;` only give an allowed classification with no statements.
 */
export function classifySql(sql: string, dialect: Dialect, session?: SessionReading): Classification {
  try {
    if (typeof sql !== 'string') return failClosed('', 'SQL text is not a string');
    if (HEAD_RULES[dialect] === undefined) return failClosed(sql, `unknown dialect ${String(dialect)}`);
    const known = session !== undefined && dialect !== 'sqlite' ? session : undefined;
    const reading = known === undefined
      ? (DEFAULT_READINGS[dialect] ??= new Reading('', dialect, undefined, false)).reset(sql)
      : new Reading(sql, dialect, { altBackslash: known.altBackslash === true, ansiQuotes: dialect === 'mysql' && known.ansiQuotes === true && known.altBackslash !== true }, false);
    const primary = reading.run();
    if (!primary.allowedOnRuntime) return primary;
    return alternatives(sql, dialect, primary, reading.lx, known);
  } catch (error) {
    return failClosed(sql, `internal error: ${error instanceof Error ? error.message : String(error)}`);
  }
}
