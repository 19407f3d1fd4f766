import { CH_LPAREN } from '../../guard/chars';
import { REASON_TWO_PHASE, type HeadRule } from '../../guard/head-rule';
import type { StatementReader } from '../../guard/statement-reader';
import { T_QUOTED_IDENT, T_STRING, T_WORD } from '../../guard/tokens';

/**
 * PostgreSQL PREPARE name [(types)] AS statement: judged as the statement (EXECUTE of it is
 * then allowed: it was judged here). PREPARE TRANSACTION 'id' is refused: the prepared
 * transaction outlives the session, for any session to finish (two-phase commit).
 * (MySQL PREPARE … FROM is refused by its head rule: the text comes from a string or a
 * variable the guard cannot see.)
 */
export function preparePostgres(r: StatementReader, _rule: HeadRule, depth: number): void {
  r.adv();
  if (r.is('TRANSACTION')) {
    if (r.adv() === T_STRING) {
      r.set('transaction', 'PREPARE TRANSACTION', false, REASON_TWO_PHASE);
      r.scanToEnd();
      return;
    }
  } else if (r.lx.type === T_WORD || r.lx.type === T_QUOTED_IDENT) {
    r.adv();
  }
  if (r.isOp(CH_LPAREN)) {
    r.adv();
    r.skipToClose(1);
    r.adv();
  }
  if (!r.is('AS')) {
    r.set('other', 'PREPARE', false, 'unrecognized PREPARE statement');
    r.scanToEnd();
    return;
  }
  r.adv();
  r.head(depth + 1);
  if (r.allowed) r.keyword = 'PREPARE';
}
