import type { StatementKind } from '../classify';
import { refusedFunction, type GuardRules } from '../guard-rules';
import type { CurrentReading } from '../lexing-settings';
import { T_QUOTED_IDENT, T_WORD } from '../tokens';
import { catalogTarget, rowLockedCatalog } from './catalog-targets';
import type { StatementTokens } from './statement-tokens';

export interface ContentRefusal {
  /** Offset of the token at fault: the statement that contains it is refused. */
  at: number;
  kind: StatementKind;
  keyword: string;
  reason: string;
}

/**
 * MySQL: statements that write what they name (CREATE: a TEMPORARY TABLE let through by
 * dangerouslyAllow; CALL: the sys schema's procedures change performance_schema set-up).
 */
const WRITE_VERBS = new Set(['insert', 'update', 'delete', 'replace', 'merge', 'create', 'call']);
/** Words between a target-introducing keyword and the table: `UPDATE ONLY t`, `DELETE FROM ONLY t`, `INSERT OR REPLACE INTO t`. */
const TARGET_MODIFIERS = new Set(['only', 'low_priority', 'quick', 'ignore', 'delayed', 'high_priority']);

/**
 * What a statement contains rather than how it starts, judged on the statement's tokens:
 * calls of refused server functions (anywhere: select list, WHERE, CTEs, subqueries;
 * qualified, quoted or escaped), PostgreSQL set_config() of identity, superuser-only or
 * lexing settings and search_path entries that reach writable metadata schemas (the
 * dialect's grammar.content.setConfig), writes whose target is a system catalog,
 * PostgreSQL LOCK and row locks (PostgreSQL, MySQL) of a system catalog, MySQL USE of a
 * system schema and system variables assigned inside a statement
 * (grammar.content.systemVariables). The first refusal found is the statement's.
 */
export function judgeContent(tk: StatementTokens, rules: GuardRules, current: CurrentReading): ContentRefusal | undefined {
  const { n } = tk;
  const grammar = tk.grammar.content;
  const refusal = (i: number, kind: StatementKind, keyword: string, reason: string): ContentRefusal => ({ at: tk.start(i), kind, keyword, reason });
  const setConfig = grammar.setConfig;
  let writes = false;
  let deleting = false;
  let deleteTarget = false;
  let catalogNamed = -1;
  for (let i = 0; i < n; i++) {
    const type = tk.type(i);
    if (!tk.isName(i)) continue;
    const fn = tk.name(i);
    if (fn === undefined) return refusal(i, 'other', '', 'a quoted name the guard cannot decode');
    if (type === T_QUOTED_IDENT && grammar.uescapeNames && tk.word(i + 1) === 'uescape') return refusal(i, 'other', '', 'Unicode escapes with UESCAPE in a name');
    if (type === T_WORD && WRITE_VERBS.has(fn)) writes = true;
    if (tk.isOp(i + 1, '.') && rules.catalogSchemas.has(fn)) catalogNamed = i;
    // PostgreSQL attribute notation `x.f` calls f(x) wherever x has no column f: after `(…)`
    // or `[…]` (`('.'::text).pg_ls_dir`), after the alias of a scalar FROM item
    // (`s.pg_ls_dir from lower('.') s`), even one named `pg_catalog`. So every refused name
    // after `.` counts, by prefix too; a column such as `u.dblink_url` is refused with it.
    const attribute = grammar.attributeCalls && tk.isOp(i - 1, '.') && refusedFunction(rules, fn) !== undefined;
    // The name a SQLite PRAGMA statement sets or reads is no table-valued function (`PRAGMA
    // pragma_list`, red team 46): the PRAGMA rule judges it (lib/dialects/sqlite/pragma.ts).
    const pragmaName = i <= 3 && tk.word(0) === 'pragma' && (i === 1 || (i === 3 && tk.isOp(2, '.')));
    if (tk.isOp(i + 1, '(') || attribute || (!pragmaName && rules.bareNamePrefixes.some((prefix) => fn.startsWith(prefix)))) {
      const reason = refusedFunction(rules, fn);
      // SQLite `pragma_user_version` with no argument only reads, like `PRAGMA user_version`.
      const readOnly = rules.readsWithoutArgument?.(fn) === true && (!tk.isOp(i + 1, '(') || tk.isOp(i + 2, ')'));
      if (reason !== undefined && !readOnly) return refusal(i, 'other', `${fn.toUpperCase()}()`, `calls ${fn}(): ${reason}`);
      if (setConfig !== undefined && fn === setConfig.functionName) {
        const why = setConfig.call(tk, rules, i + 2, current);
        if (why !== undefined) return refusal(i, why.kind, why.keyword, why.reason);
      }
    }
    if (type !== T_WORD) continue;
    // A write's target: INSERT/MERGE/REPLACE … INTO t, UPDATE t, DELETE FROM t.
    let target = -1;
    if (fn === 'into' || fn === 'update') target = i + 1;
    // COPY table FROM … writes the table (COPY … TO only reads it).
    else if (fn === 'copy' && i === 0 && grammar.targetStatements.has('copy') && hasWordAfter(tk, 1, 'from')) target = tk.word(1) === 'binary' ? 2 : 1;
    else if (fn === 'delete') deleting = true;
    else if (fn === 'from' && deleting) {
      deleting = false;
      target = i + 1;
      deleteTarget = true;
    } else if (fn === 'lock' && i === 0 && grammar.targetStatements.has('lock')) {
      const locked = lockedCatalog(tk, rules);
      if (locked !== undefined) return refusal(i, 'other', 'LOCK CATALOG', `locks the system catalog ${locked}`);
    } else if (fn === 'use' && grammar.targetStatements.has('use')) {
      // Wherever USE stands, not only first: MariaDB `SET STATEMENT … FOR USE mysql` runs it
      // too (red team 34), and a bare USE elsewhere (`USE INDEX`) never names a schema.
      const schema = tk.name(i + 1);
      if (schema !== undefined && rules.catalogSchemas.has(schema)) return refusal(i, 'other', 'USE CATALOG', `makes the system schema ${schema} the default`);
    }
    if (target < 0) continue;
    // SQLite `UPDATE OR IGNORE t`: the conflict clause stands before the target.
    if (tk.grammar.conflictClause && tk.word(target) === 'or') target += 2;
    while (TARGET_MODIFIERS.has(tk.word(target) ?? '')) target++;
    target = pastParens(tk, target);
    const catalog = catalogTarget(tk, rules, target);
    const deletable = deleteTarget && catalog !== undefined && rules.deletableCatalogTables?.has(catalog.split('.').pop() ?? '') === true;
    deleteTarget = false;
    if (catalog !== undefined && !deletable) return refusal(i, 'ddl', 'CATALOG WRITE', `writes the system catalog ${catalog}`);
  }
  if (rules.catalogAnywhereInWrites && writes && catalogNamed >= 0) {
    return refusal(catalogNamed, 'ddl', 'CATALOG WRITE', `a write statement that names the system schema ${tk.name(catalogNamed) ?? ''}`);
  }
  if (grammar.systemVariables !== undefined) {
    const assigned = grammar.systemVariables(tk, rules, current);
    if (assigned !== undefined) return assigned;
  }
  if (grammar.rowLocks !== undefined) {
    const locked = rowLockedCatalog(tk, rules);
    if (locked !== undefined) return refusal(locked.at, 'other', 'LOCK CATALOG', `locks rows of the system catalog ${locked.catalog} (FOR UPDATE / SHARE, or a MySQL SET / DO / SHOW subquery)`);
  }
  return undefined;
}

/** Some token after index `after` is the word `word`. */
function hasWordAfter(tk: StatementTokens, after: number, word: string): boolean {
  for (let k = after + 1; k < tk.n; k++) if (tk.type(k) === T_WORD && tk.name(k) === word) return true;
  return false;
}

/**
 * Past the `(` before a target: PostgreSQL's `ONLY ( t )` (red team 17). Skipped wherever a
 * target stands: what follows a `(` there can only be the target, so counting it as the target
 * makes the check stricter, never looser.
 */
function pastParens(tk: StatementTokens, k: number): number {
  while (tk.isOp(k, '(')) k++;
  return k;
}

/**
 * PostgreSQL LOCK [TABLE] [ONLY] t [*] [, …] [IN mode] [NOWAIT]: an ACCESS EXCLUSIVE lock on
 * pg_authid (or any catalog) blocks every login and every session's catalog reads.
 */
function lockedCatalog(tk: StatementTokens, rules: GuardRules): string | undefined {
  let k = tk.word(1) === 'table' ? 2 : 1;
  for (;;) {
    if (tk.word(k) === 'only') k++;
    k = pastParens(tk, k);
    const catalog = catalogTarget(tk, rules, k);
    if (catalog !== undefined) return catalog;
    while (k < tk.n && !tk.isOp(k, ',') && tk.word(k) !== 'in' && tk.word(k) !== 'nowait') k++;
    if (!tk.isOp(k, ',')) return undefined;
    k++;
  }
}
