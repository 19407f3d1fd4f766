import { REASON_TWO_PHASE, type HeadRule } from '../head-rule';
import type { StatementReader } from '../statement-reader';

/**
 * COMMIT / ROLLBACK end the session's own transaction; PostgreSQL `COMMIT PREPARED 'id'` /
 * `ROLLBACK PREPARED 'id'` finish a prepared (two-phase) one, which may be another
 * session's: refused, as PREPARE TRANSACTION and MySQL's XA are (red team 20).
 */
export function endTransaction(r: StatementReader, rule: HeadRule): void {
  r.adv();
  if (r.is('PREPARED')) r.set('transaction', `${rule.keyword} PREPARED`, false, REASON_TWO_PHASE);
  r.scanToEnd();
}
