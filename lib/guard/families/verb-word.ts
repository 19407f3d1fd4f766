import { REASON_PRIVILEGE, REASON_SERVER, type HeadRule } from '../head-rule';
import type { StatementReader } from '../statement-reader';
import { isContent } from '../token-text';
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

/** MySQL BEGIN [WORK] only: MariaDB's BEGIN NOT ATOMIC … END runs a compound statement. */
export function beginMysql(r: StatementReader): void {
  r.adv();
  if (isContent(r.lx.type) && !r.is('WORK')) r.set('other', r.is('NOT') ? 'BEGIN NOT ATOMIC' : 'BEGIN', false, 'compound statement');
  r.scanToEnd();
}

/** MySQL LOAD DATA / LOAD XML read a file into a table; LOAD INDEX INTO CACHE changes server state. All refused. */
export function loadMysql(r: StatementReader): void {
  r.adv();
  while (r.is('LOW_PRIORITY') || r.is('CONCURRENT') || r.is('LOCAL')) r.adv();
  if (r.is('INDEX')) r.set('other', 'LOAD INDEX', false, REASON_SERVER);
  else if (r.lx.type === T_WORD) r.keyword = `LOAD ${r.upper()}`;
  r.scanToEnd();
}

/** MySQL LOCK TABLES / LOCK INSTANCE: refused (UNLOCK TABLES, which only releases, is allowed). */
export function lockMysql(r: StatementReader): void {
  r.adv();
  if (r.is('TABLE') || r.is('TABLES')) r.keyword = 'LOCK TABLES';
  else if (r.is('INSTANCE')) r.keyword = 'LOCK INSTANCE';
  r.scanToEnd();
}

/** MySQL RENAME TABLE (schema) / RENAME USER (privilege). */
export function renameMysql(r: StatementReader): void {
  r.adv();
  if (r.is('USER')) r.set('privilege', 'RENAME USER', false, REASON_PRIVILEGE);
  else if (r.is('TABLE') || r.is('TABLES')) r.keyword = 'RENAME TABLE';
  r.scanToEnd();
}
