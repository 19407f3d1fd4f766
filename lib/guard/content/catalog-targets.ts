import type { GuardRules } from '../guard-rules';
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

/** Words that end a FROM list (or start a clause in which a name is no FROM item). */
const FROM_LIST_ENDS = new Set(['where', 'group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'for', 'on', 'using', 'union', 'intersect', 'except', 'returning', 'set', 'select', 'values', 'lock']);
const LOCK_STRENGTHS = new Set(['update', 'share', 'no', 'key']);

/**
 * PostgreSQL and MySQL: a statement with a row-locking clause (FOR UPDATE | NO KEY UPDATE |
 * SHARE | KEY SHARE; MySQL also LOCK IN SHARE MODE) that reads a system catalog (MySQL: a
 * table of the mysql, sys, … schemas) in a FROM list. Rows of pg_class or pg_authid locked
 * by a runtime transaction block every ALTER TABLE / ALTER ROLE, like `LOCK pg_class`. Fail
 * closed: any catalog FROM item counts, whichever query level the clause belongs to.
 */
export function rowLockedCatalog(tk: StatementTokens, rules: GuardRules): { at: number; catalog: string } | undefined {
  let locks = false;
  let found: { at: number; catalog: string } | undefined;
  let inFrom = false;
  for (let i = 0; i < tk.n; i++) {
    const w = tk.word(i);
    if (w === 'for' && LOCK_STRENGTHS.has(tk.word(i + 1) ?? '')) locks = true;
    if (w === 'lock' && tk.grammar.content.rowLocks?.lockInShareMode === true && tk.word(i + 1) === 'in') locks = true;
    const item = i > 0 && (tk.word(i - 1) === 'from' || tk.word(i - 1) === 'join' || (inFrom && tk.isOp(i - 1, ',')));
    if (item && found === undefined) {
      const catalog = catalogTarget(tk, rules, i);
      if (catalog !== undefined) found = { at: i, catalog };
    }
    if (w === 'from' || w === 'join') inFrom = true;
    else if (w !== undefined && FROM_LIST_ENDS.has(w)) inFrom = false;
  }
  return locks ? found : undefined;
}
