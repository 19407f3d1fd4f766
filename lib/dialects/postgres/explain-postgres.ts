import { CH_LPAREN, CH_RPAREN } from '../../guard/chars';
import { explained } from '../../guard/families/explained';
import type { HeadRule } from '../../guard/head-rule';
import type { StatementReader } from '../../guard/statement-reader';
import { isContent } from '../../guard/token-text';

/**
 * PostgreSQL EXPLAIN [ANALYZE] [VERBOSE] stmt | EXPLAIN (option [value], …) stmt, judged as
 * stmt (lib/guard/families/explained.ts) even when the server only plans it: fail closed.
 */
export function explainPostgres(r: StatementReader, _rule: HeadRule, depth: number): void {
  let analyze = false;
  let t = r.adv();
  if (r.isOp(CH_LPAREN)) {
    t = r.adv();
    let d = 1;
    while (isContent(t)) {
      if (r.isOp(CH_LPAREN)) d++;
      else if (r.isOp(CH_RPAREN) && --d === 0) break;
      else if (r.is('ANALYZE') || r.is('ANALYSE')) analyze = true;
      t = r.adv();
    }
    r.adv();
  } else {
    while (r.is('ANALYZE') || r.is('ANALYSE') || r.is('VERBOSE')) {
      if (!r.is('VERBOSE')) analyze = true;
      r.adv();
    }
  }
  explained(r, depth, analyze ? 'EXPLAIN ANALYZE' : 'EXPLAIN', analyze);
}

