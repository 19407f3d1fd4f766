import { CH_EQ, CH_LPAREN } from '../chars';
import type { HeadRule } from '../head-rule';
import type { StatementReader } from '../statement-reader';
import { explained } from './explained';

/**
 * MySQL OPTIMIZE / REPAIR / ANALYZE / CHECK [NO_WRITE_TO_BINLOG | LOCAL] TABLE: refused
 * (MariaDB runs them with DML privileges; CHECK can rewrite table status). MariaDB's
 * ANALYZE [FORMAT=…] stmt is its EXPLAIN ANALYZE: it runs stmt, and is judged as stmt.
 */
export function tableMaintenance(r: StatementReader, rule: HeadRule, depth: number): void {
  r.adv();
  if (rule.keyword === 'ANALYZE' && r.rules.grammar.analyzeRunsStatement && !r.is('TABLE') && !r.is('TABLES') && (r.is('FORMAT') || r.isOp(CH_LPAREN) || r.headRule() !== undefined)) {
    if (r.is('FORMAT')) {
      r.adv();
      if (r.isOp(CH_EQ)) r.adv();
      r.adv();
    }
    explained(r, depth, 'ANALYZE', true);
    return;
  }
  if (r.is('NO_WRITE_TO_BINLOG') || r.is('LOCAL')) r.adv();
  if (r.is('TABLE') || r.is('TABLES')) r.keyword = `${rule.keyword} TABLE`;
  r.scanToEnd();
}
