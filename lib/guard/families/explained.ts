import type { StatementReader } from '../statement-reader';
import { isContent } from '../token-text';

/**
 * A wrapped statement (EXPLAIN's, PREPARE … AS's, SET STATEMENT … FOR's, MariaDB
 * ANALYZE's), current in `r`: judged as itself, fail closed (any leading keyword, so
 * EXPLAIN DROP … is judged as DROP). When it is allowed the wrapper's keyword is reported,
 * and kind 'read' unless the wrapper runs it (`runs`: EXPLAIN ANALYZE).
 */
export function explained(r: StatementReader, depth: number, keyword: string, runs: boolean): void {
  if (!isContent(r.lx.type)) {
    r.set('other', keyword, false, 'nothing to explain');
    return;
  }
  r.head(depth + 1);
  if (!r.allowed) return;
  r.keyword = keyword;
  if (!runs) r.kind = 'read';
}
