import type { StatementReader } from '../../guard/statement-reader';

/**
 * MariaDB `DELETE [LOW_PRIORITY] [QUICK] [IGNORE] HISTORY FROM t [BEFORE SYSTEM_TIME …]`
 * (the MySQL head table's DELETE) removes the history rows of a system-versioned table:
 * its audit trail, which MariaDB guards with a privilege of its own (DELETE HISTORY), as it
 * does TRUNCATE. Refused, like forging that history by `SET timestamp` /
 * `system_versioning_insert_history`. Any other DELETE is a plain write. The current token
 * is DELETE.
 */
export function deleteHistory(r: StatementReader): void {
  r.adv();
  while (r.is('LOW_PRIORITY') || r.is('QUICK') || r.is('IGNORE')) r.adv();
  if (r.is('HISTORY')) r.refuse('other', 'DELETE HISTORY', 'deletes the history of a system-versioned table (its audit trail)');
  r.scanToEnd();
}
