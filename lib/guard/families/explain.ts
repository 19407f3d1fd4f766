import { CH_EQ, CH_LPAREN, CH_RPAREN } from '../chars';
import type { HeadRule } from '../head-rule';
import type { StatementReader } from '../statement-reader';
import { isContent } from '../token-text';
import { explained } from './explained';

/**
 * EXPLAIN is judged as the statement it explains (explained.ts), even when the server only
 * plans it: fail closed, and `dangerouslyAllow` names the explained statement's keyword.
 */

/** PostgreSQL EXPLAIN [ANALYZE] [VERBOSE] stmt | EXPLAIN (option [value], …) stmt. */
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

/** SQLite EXPLAIN [QUERY PLAN] stmt: SQLite never runs the explained statement, but it is judged anyway. */
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

/**
 * MySQL DESCRIBE / DESC / EXPLAIN: a table description, EXPLAIN FOR CONNECTION, or EXPLAIN
 * [ANALYZE] [FORMAT = x] [INTO @v] stmt (judged as stmt). A table named like a leading
 * keyword (`DESC handler`) is judged as that statement: most such words are reserved.
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
