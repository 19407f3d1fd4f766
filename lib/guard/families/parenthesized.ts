import { CH_LPAREN } from '../chars';
import { MAX_DEPTH, REASON_UNKNOWN } from '../head-rule';
import type { StatementReader } from '../statement-reader';
import { T_WORD } from '../tokens';
import { withStatement } from './with';

/** `(SELECT 1) UNION (SELECT 2)`, `((VALUES (1)))`, `(WITH …)`: only queries may be parenthesized. */
export function parenthesized(r: StatementReader, depth: number): void {
  while (r.isOp(CH_LPAREN)) r.adv();
  if (r.is('SELECT') || r.is('VALUES') || r.is('TABLE')) {
    r.set('read', r.upper(), true);
    r.adv();
    r.scanToEnd();
  } else if (r.is('WITH') && depth <= MAX_DEPTH) {
    r.set('read', 'WITH', true);
    withStatement(r);
  } else {
    r.set('other', r.lx.type === T_WORD ? r.upper() : '', false, REASON_UNKNOWN);
    r.scanToEnd();
  }
}
