/** Words that open a subquery reading tables: `( SELECT …`, `( WITH …`, MySQL 8 `( TABLE t`. */
const SUBQUERY_WORDS = new Set(['select', 'with', 'table']);

/** How the locking-subquery test reads a statement's tokens (the bookkeeping check and the content judge each have their own token arrays). */
export interface TokenView {
  readonly n: number;
  word(i: number): string | undefined;
  isOp(i: number, ch: string): boolean;
}

/**
 * Whether a statement reads the tables of its subqueries with shared row locks, as InnoDB
 * does outside SERIALIZABLE for every statement but a plain read (red team 20: `SET @v =
 * (SELECT …)`, `DO (SELECT …)`, `CALL p((SELECT …))`, `SHOW … WHERE (SELECT …)`): its
 * leading word (past opening parentheses; for MariaDB's `SET STATEMENT … FOR stmt`, stmt's)
 * is not one of `consistentHeads`, and it has a subquery. `SHOW COLUMNS FROM t` (knex's
 * hasColumn) has none, so it stays allowed.
 */
export function locksThroughSubqueries(tk: TokenView, consistentHeads: ReadonlySet<string>): boolean {
  let head = 0;
  while (tk.isOp(head, '(')) head++;
  if (tk.word(head) === 'set' && tk.word(head + 1) === 'statement') {
    while (head < tk.n && tk.word(head) !== 'for') head++;
    head++;
    while (tk.isOp(head, '(')) head++;
  }
  if (consistentHeads.has(tk.word(head) ?? '')) return false;
  for (let i = head; i + 1 < tk.n; i++) if (tk.isOp(i, '(') && SUBQUERY_WORDS.has(tk.word(i + 1) ?? '')) return true;
  return false;
}
