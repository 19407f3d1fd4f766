import { CH_EQ, CH_LPAREN } from '../../guard/chars';
import { explained } from '../../guard/families/explained';
import type { HeadRule } from '../../guard/head-rule';
import type { StatementReader } from '../../guard/statement-reader';

/**
 * MySQL DESCRIBE / DESC / EXPLAIN: a table description, EXPLAIN FOR CONNECTION, or EXPLAIN
 * [ANALYZE] [FORMAT = x] [INTO @v] stmt, judged as stmt (lib/guard/families/explained.ts)
 * even without ANALYZE: fail closed. A table named like a leading keyword (`DESC handler`)
 * is judged as that statement: most such words are reserved.
 */
export function describeMysql(r: StatementReader, _rule: HeadRule, depth: number): void {
  let analyze = false;
  r.adv();
  for (;;) {
    if (r.is('ANALYZE')) {
      analyze = true;
      r.adv();
    } else if (r.is('EXTENDED') || r.is('PARTITIONS')) {
      r.adv();
    } else if (r.is('FORMAT')) {
      r.adv();
      if (r.isOp(CH_EQ)) r.adv();
      r.adv();
    } else if (r.is('INTO')) {
      r.adv();
      r.adv();
      r.adv();
    } else {
      break;
    }
  }
  if (r.isOp(CH_LPAREN) || (r.headRule() !== undefined && !r.is('FOR'))) {
    explained(r, depth, analyze ? 'EXPLAIN ANALYZE' : 'EXPLAIN', analyze);
    return;
  }
  r.allowAs('read', r.is('FOR') ? 'EXPLAIN' : 'DESCRIBE');
  r.scanToEnd();
}
