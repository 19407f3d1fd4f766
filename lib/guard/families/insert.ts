import type { StatementReader } from '../statement-reader';

/**
 * INSERT / REPLACE / MERGE: modifiers, then the statement's own INTO, which is stepped over
 * without the INTO watch (it names the target, it is no SELECT … INTO). Then the rest,
 * watched: `INSERT INTO t SELECT … INTO OUTFILE` is still refused.
 */
export function insertTail(r: StatementReader): void {
  // Without the INTO watch (PostgreSQL DML, SQLite) the statement's own INTO needs no care.
  if (!r.watch) return r.scanToEnd();
  r.advRaw();
  const { insertModifiers, conflictClause } = r.rules.grammar;
  if (insertModifiers.length > 0) {
    // MySQL LOW_PRIORITY, DELAYED, HIGH_PRIORITY, IGNORE.
    while (isOneOf(r, insertModifiers)) r.advRaw();
  } else if (conflictClause && r.is('OR')) {
    // SQLite INSERT OR REPLACE.
    r.advRaw();
    r.advRaw();
  }
  // The statement's own INTO stays the current token, so the watch never sees it.
  r.scanToEnd();
}

export const insertFamily = (r: StatementReader): void => insertTail(r);

function isOneOf(r: StatementReader, words: readonly string[]): boolean {
  for (const word of words) if (r.is(word)) return true;
  return false;
}
