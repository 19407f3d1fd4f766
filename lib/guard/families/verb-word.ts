import { REASON_SERVER, type HeadRule } from '../head-rule';
import type { StatementReader } from '../statement-reader';
import { T_WORD } from '../tokens';

/**
 * Statements whose keyword is the verb plus the word after it; the verdict is the rule's
 * unless noted. MySQL RESET / CHANGE / STOP / INSTALL / UNINSTALL: `RESET MASTER`,
 * `INSTALL PLUGIN` (all refused: server state).
 */
export function verbWord(r: StatementReader, rule: HeadRule): void {
  r.adv();
  if (r.lx.type === T_WORD) r.keyword = `${rule.keyword} ${r.upper()}`;
  r.scanToEnd();
}

/** START TRANSACTION is transaction control; MySQL START REPLICA / SLAVE / GROUP_REPLICATION change server state. */
export function start(r: StatementReader): void {
  r.adv();
  if (r.is('TRANSACTION')) r.set('transaction', 'START TRANSACTION', true);
  else r.set('other', r.lx.type === T_WORD ? `START ${r.upper()}` : 'START', false, REASON_SERVER);
  r.scanToEnd();
}
