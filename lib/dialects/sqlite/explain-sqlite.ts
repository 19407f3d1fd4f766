import { explained } from '../../guard/families/explained';
import type { HeadRule } from '../../guard/head-rule';
import type { StatementReader } from '../../guard/statement-reader';

/** SQLite EXPLAIN [QUERY PLAN] stmt: SQLite never runs the explained statement, but it is judged anyway (lib/guard/families/explained.ts). */
export function explainSqlite(r: StatementReader, _rule: HeadRule, depth: number): void {
  r.adv();
  let keyword = 'EXPLAIN';
  if (r.is('QUERY')) {
    r.adv();
    if (r.is('PLAN')) r.adv();
    keyword = 'EXPLAIN QUERY PLAN';
  }
  explained(r, depth, keyword, false);
}

