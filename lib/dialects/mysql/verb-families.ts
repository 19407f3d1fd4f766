import { REASON_PRIVILEGE, REASON_SERVER } from '../../guard/head-rule';
import type { StatementReader } from '../../guard/statement-reader';
import { isContent } from '../../guard/token-text';
import { T_WORD } from '../../guard/tokens';

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
