import type { Dialect } from '../types';
import type { StatementKind } from './classify';
import { CH_LPAREN, CH_RPAREN, isInto } from './chars';
import type { ContentWatch } from './content/content-watch';
import { intoClause, resolvePendingInto } from './families/into';
import { parenthesized } from './families/parenthesized';
import type { GuardRules } from './guard-rules';
import { MAX_DEPTH, REASON_UNKNOWN, type HeadRule, type StatementHeads } from './head-rule';
import type { Lexer, LexerOptions } from './lexer';
import { asciiUpper, isContent } from './token-text';
import { T_EOF, T_OP, T_WORD } from './tokens';

/**
 * The token cursor of one reading, shared by the statement families: it owns the lexer,
 * the statement's verdict so far, the lookback (the two tokens before the current one,
 * updated only by `step`), the INTO watch and the content watch. Every token a statement
 * is read with passes through `step` (or, where nothing watches, is skimmed by the lexer),
 * so the head decision and the content rules read one token stream in one pass.
 */
export class StatementReader {
  sql = '';
  kind: StatementKind = 'read';
  keyword = '';
  allowed = true;
  reason: string | undefined = undefined;
  /** The INTO watch is on (PostgreSQL SELECT … INTO, MySQL INTO OUTFILE …). */
  watch = false;
  /** An INTO clause was seen; the next token decides it (MySQL: GuardGrammar.selectInto). */
  pendingInto = false;
  /** End of the statement's last token so far. */
  lastEnd = 0;
  back1Type = T_EOF;
  back1Start = 0;
  back1End = 0;
  back2Type = T_EOF;
  back2Start = 0;
  /** The dialect has SELECT … INTO (PostgreSQL, MySQL): the reader looks for INTO clauses. */
  readonly intoDialect: boolean;
  /** Read statements alone can carry an INTO clause (PostgreSQL). */
  private readonly intoOnlyInReads: boolean;

  constructor(
    readonly lx: Lexer,
    readonly dialect: Dialect,
    readonly heads: StatementHeads,
    readonly rules: GuardRules,
    /** An alternative reading: statements the server cannot even lex never run. */
    readonly alternative: boolean,
    readonly options: LexerOptions | undefined,
    readonly content: ContentWatch,
  ) {
    this.intoDialect = rules.grammar.selectInto !== undefined;
    this.intoOnlyInReads = rules.grammar.selectInto?.onlyInReads === true;
  }

  reset(sql: string): void {
    this.sql = sql;
  }

  /** Starts a statement at the current token. */
  begin(): void {
    this.kind = 'read';
    this.keyword = '';
    this.allowed = true;
    this.reason = undefined;
    this.watch = this.intoDialect;
    this.pendingInto = false;
    this.back1Type = this.back2Type = T_EOF;
    this.lastEnd = this.lx.end;
  }

  // ---- verdicts -------------------------------------------------------------------------

  set(kind: StatementKind, keyword: string, allowed: boolean, reason?: string): void {
    this.kind = kind;
    this.keyword = keyword;
    this.allowed = allowed;
    this.reason = reason;
    this.watch = this.intoDialect && allowed;
  }

  /** Settles an allowed verdict found late (after tokens were watched) unless something refused already. */
  allowAs(kind: StatementKind, keyword: string): void {
    if (this.allowed) this.set(kind, keyword, true);
  }

  /** Refuses the statement unless something already refused it (the first reason wins). */
  refuse(kind: StatementKind, keyword: string, reason: string): void {
    if (this.allowed) this.set(kind, keyword, false, reason);
  }

  refuseRest(kind: StatementKind, keyword: string, reason: string): void {
    this.set(kind, keyword, false, reason);
    this.scanToEnd();
  }

  // ---- token movement -------------------------------------------------------------------

  /** The lexer's next token, seen by the content watch. The only place tokens are pulled. */
  pull(): number {
    const lx = this.lx;
    const t = lx.next();
    if (this.content.on && t >= T_WORD && t <= T_OP) this.content.push(t, lx.start, lx.end);
    return t;
  }

  /** Moves to the next token within the statement (never over `;`, the end or an error). */
  step(into: boolean): number {
    const lx = this.lx;
    if (!(lx.type >= T_WORD && lx.type <= T_OP)) return lx.type;
    this.back2Type = this.back1Type;
    this.back2Start = this.back1Start;
    this.back1Type = lx.type;
    this.back1Start = lx.start;
    this.back1End = lx.end;
    const t = this.pull();
    if (t >= T_WORD && t <= T_OP) {
      this.lastEnd = lx.end;
      if (into && this.watch) this.watchInto(t);
    }
    return t;
  }

  /** Moves to the next token and applies the INTO watch to it. */
  adv(): number {
    return this.step(true);
  }

  /** Moves to the next token without the INTO watch (an INSERT's or MERGE's own INTO). */
  advRaw(): number {
    return this.step(false);
  }

  /** The INTO watch for the current token (the tokens before it are in the lookback). */
  watchInto(t: number): void {
    if (this.pendingInto) return resolvePendingInto(this, t);
    const lx = this.lx;
    if (t === T_WORD && lx.end - lx.start === 4 && isInto(this.sql, lx.start)) intoClause(this);
  }

  /**
   * Consumes the rest of the statement. The current token has been watched already (or
   * deliberately not). While the content watch records, every token is stepped; otherwise
   * the lexer skims, stopping only at INTO words while the INTO watch is on.
   */
  scanToEnd(): void {
    const lx = this.lx;
    if (!isContent(lx.type)) return;
    if (this.content.on) {
      while (isContent(this.step(true)));
      return;
    }
    // Skimming with the watch costs a length test per word (skim stops at INTO words only), no
    // more than first searching the text for "into" would.
    while (this.watch) {
      if (lx.skim(true, this.back1Type, this.back1Start) !== T_WORD) {
        this.lastEnd = lx.lastEnd;
        return;
      }
      // At an INTO word, with the two tokens before it in lx.p1* / lx.p2*.
      this.lastEnd = lx.end;
      this.back1Type = lx.p1Type;
      this.back1Start = lx.p1Start;
      this.back1End = lx.p1End;
      this.back2Type = lx.p2Type;
      this.back2Start = lx.p2Start;
      intoClause(this);
      // A pending INTO is judged by the token after it (MySQL).
      if (this.pendingInto && !isContent(this.adv())) return;
    }
    lx.skim(false, this.back1Type, this.back1Start);
    this.lastEnd = lx.lastEnd;
  }

  /** From a current token inside parentheses at `depth`, moves to the matching `)`. */
  skipToClose(depth: number): void {
    let d = depth;
    for (let t: number = this.lx.type; isContent(t); t = this.adv()) {
      if (this.isOp(CH_LPAREN)) d++;
      else if (this.isOp(CH_RPAREN) && --d === 0) return;
    }
  }

  // ---- the current token ----------------------------------------------------------------

  /** The current token is the (upper-case) keyword `word`, in any ASCII case. */
  is(word: string): boolean {
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

  isOp(code: number): boolean {
    return this.lx.type === T_OP && this.sql.charCodeAt(this.lx.start) === code;
  }

  upper(): string {
    return asciiUpper(this.sql.slice(this.lx.start, this.lx.end));
  }

  // ---- statement heads ------------------------------------------------------------------

  /** The dialect's rule for the current word, if it is a leading keyword. */
  headRule(): HeadRule | undefined {
    const lx = this.lx;
    if (lx.type !== T_WORD) return undefined;
    return this.heads.find(this.sql, lx.start, lx.end);
  }

  /** Classifies the statement whose first token is current, consuming it to its end. */
  head(depth: number): void {
    const t = this.lx.type;
    if (depth > MAX_DEPTH) return this.refuseRest('other', '', 'statements nested too deeply');
    if (this.isOp(CH_LPAREN)) return parenthesized(this, depth);
    if (t !== T_WORD) return this.refuseRest('other', '', isContent(t) ? 'statement does not start with a keyword' : 'missing statement');
    const rule = this.headRule();
    if (rule === undefined) return this.refuseRest('other', this.upper(), REASON_UNKNOWN);
    this.set(rule.kind, rule.keyword, rule.allowed, rule.reason);
    // Where only a top-level SELECT may carry an INTO clause (a syntax error elsewhere), only
    // read-kind statements (and the wrappers, which re-judge) need the watch.
    if (this.intoOnlyInReads && rule.kind !== 'read') this.watch = false;
    if (rule.family === undefined) return this.scanToEnd();
    rule.family(this, rule, depth);
  }
}
