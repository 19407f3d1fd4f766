import type { GuardRules } from '../guard-rules';
import { locksThroughSubqueries } from '../locking-subqueries';
import type { StatementTokens } from './statement-tokens';

/** The catalog a `[schema.]table` name chain at i is, or undefined. */
export function catalogTarget(tk: StatementTokens, rules: GuardRules, i: number): string | undefined {
  if (!tk.isName(i)) return undefined;
  const parts: string[] = [tk.name(i) ?? ''];
  let j = i;
  while (tk.isOp(j + 1, '.') && tk.isName(j + 2)) {
    parts.push(tk.name(j + 2) ?? '');
    j += 2;
  }
  const table = parts[parts.length - 1] as string;
  const schema = parts.length > 1 ? (parts[parts.length - 2] as string) : undefined;
  if (schema !== undefined && rules.catalogSchemas.has(schema)) return parts.join('.');
  if ((schema === undefined || tk.grammar.qualifiedCatalogTables) && rules.isCatalogTable(table)) return parts.join('.');
  return undefined;
}

const LOCK_STRENGTHS = new Set(['update', 'share', 'no', 'key']);

/**
 * PostgreSQL and MySQL: a statement with a row-locking clause (FOR UPDATE | NO KEY UPDATE |
 * SHARE | KEY SHARE; MySQL also LOCK IN SHARE MODE) that names a system catalog (MySQL: a
 * table of the mysql, sys, … schemas). Rows of pg_class or pg_authid locked by a runtime
 * transaction block every ALTER TABLE / ALTER ROLE, like `LOCK pg_class`. Fail closed: a
 * catalog named anywhere counts, whichever query level the clause belongs to and however
 * the FROM item is written (`TABLE pg_authid`, `FROM ONLY`, `FROM (mysql.t)`,
 * STRAIGHT_JOIN, `{ OJ … }`: red team 13), and MySQL's SET / DO / SHOW, whose subqueries
 * InnoDB reads with shared locks (red team 20); not a function's name
 * (`pg_try_advisory_xact_lock(id) … FOR UPDATE SKIP LOCKED`) nor a type after `::`.
 */
export function rowLockedCatalog(tk: StatementTokens, rules: GuardRules): { at: number; catalog: string } | undefined {
  // A statement whose subqueries read with row locks (MySQL SET / DO / CALL / SHOW … (SELECT …)): of the catalogs with row locks.
  const subqueries = tk.grammar.content.rowLocks?.subqueries;
  const subqueryLocks = subqueries !== undefined && locksThroughSubqueries(tk, subqueries.consistentHeads);
  let locks = false;
  let found: { at: number; catalog: string } | undefined;
  let foundLockable: { at: number; catalog: string } | undefined;
  for (let i = 0; i < tk.n; i++) {
    const w = tk.word(i);
    if (w === 'for' && LOCK_STRENGTHS.has(tk.word(i + 1) ?? '')) locks = true;
    if (w === 'lock' && tk.grammar.content.rowLocks?.lockInShareMode === true && tk.word(i + 1) === 'in') locks = true;
    if (foundLockable === undefined && tk.isName(i) && !tk.isOp(i - 1, '.') && !tk.isOp(i - 1, ':')) {
      let end = i;
      while (tk.isOp(end + 1, '.') && tk.isName(end + 2)) end += 2;
      const catalog = tk.isOp(end + 1, '(') ? undefined : catalogTarget(tk, rules, i);
      if (catalog !== undefined) {
        found ??= { at: i, catalog };
        if (!subqueries?.lockFreeSchemas.has(catalog.split('.')[0] ?? '')) foundLockable = { at: i, catalog };
      }
    }
  }
  return locks ? found : subqueryLocks ? foundLockable : undefined;
}
