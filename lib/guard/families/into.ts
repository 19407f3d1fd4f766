import { CH_DOT, CH_RBRACKET, CH_RPAREN } from '../chars';
import type { StatementReader } from '../statement-reader';
import { asciiUpper } from '../token-text';
import { T_OP, T_PARAM, T_QUOTED_IDENT, T_WORD } from '../tokens';

/**
 * The INTO watch: what a SELECT's INTO clause does is the dialect's (GuardGrammar.selectInto:
 * PostgreSQL `SELECT … INTO t` creates a table, a DDL in a read's clothes; MySQL
 * `SELECT … INTO OUTFILE | DUMPFILE` writes a server file). An INSERT's, REPLACE's or
 * MERGE's own INTO is stepped over without the watch (families/insert.ts). `AS into` (an
 * alias) and `t.into` (a column) are no INTO clause.
 */

/** The current token is the word INTO; the lookback holds the two tokens before it. */
export function intoClause(r: StatementReader): void {
  const s = r.sql;
  const p1Type = r.back1Type;
  const p1Start = r.back1Start;
  if (p1Type === T_WORD && r.back1End - p1Start === 2 && asciiUpper(s.slice(p1Start, r.back1End)) === 'AS' && r.rules.grammar.selectInto?.intoAfterAs !== true) return;
  if (p1Type === T_OP && s.charCodeAt(p1Start) === CH_DOT) {
    const p2Type = r.back2Type;
    if (p2Type === T_WORD || p2Type === T_QUOTED_IDENT || p2Type === T_PARAM) return;
    if (p2Type === T_OP) {
      const c = s.charCodeAt(r.back2Start);
      if (c === CH_RPAREN || c === CH_RBRACKET) return;
    }
  }
  r.rules.grammar.selectInto?.atInto(r);
}

/** The token after an INTO the dialect left pending (MySQL `INTO @var`, `INTO OUTFILE`). */
export function resolvePendingInto(r: StatementReader, t: number): void {
  r.pendingInto = false;
  r.rules.grammar.selectInto?.afterInto?.(r, t);
}
