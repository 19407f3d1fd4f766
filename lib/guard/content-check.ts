import { MYSQL_GUARD_RULES } from '../dialects/mysql/guard-rules';
import { POSTGRES_GUARD_RULES } from '../dialects/postgres/guard-rules';
import { SQLITE_GUARD_RULES } from '../dialects/sqlite/guard-rules';
import type { Dialect } from '../types';
import type { StatementKind } from './classify';
import { prefilterFor, refusedFunction, refusedSettingKeyword, refusedSettingOf, type GuardRules } from './guard-rules';
import { createLexer, type LexerOptions } from './lexer';
import { POSTGRES_LEXING_SETTINGS, type CurrentReading } from './lexing-settings';
import { literalValue, nameOf } from './sql-values';
import { T_EOF, T_ERROR, T_OP, T_PARAM, T_QUOTED_IDENT, T_SEMICOLON, T_STRING, T_WORD } from './tokens';

export const GUARD_RULES: Readonly<Record<Dialect, GuardRules>> = { postgres: POSTGRES_GUARD_RULES, mysql: MYSQL_GUARD_RULES, sqlite: SQLITE_GUARD_RULES };

/** Text that cannot match any rule skips the token walk (U&: PostgreSQL escaped names). */
const PREFILTER: Readonly<Record<Dialect, RegExp>> = {
  postgres: prefilterFor(POSTGRES_GUARD_RULES, ['pg_', 'set_config', 'u&']),
  mysql: prefilterFor(MYSQL_GUARD_RULES, []),
  sqlite: prefilterFor(SQLITE_GUARD_RULES, ['sqlite_']),
};

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
 * Refusals for what a statement contains rather than how it starts: calls of refused
 * server functions (anywhere: select list, WHERE, CTEs, subqueries; qualified, quoted or
 * escaped), PostgreSQL set_config() of identity, superuser-only or lexing settings,
 * writes whose target is a system catalog, and PostgreSQL LOCK of a system catalog. Lexes
 * with the same options as the reading, so statement boundaries agree.
 */
export function contentRefusals(sql: string, dialect: Dialect, options: LexerOptions | undefined): ContentRefusal[] {
  if (!PREFILTER[dialect].test(sql)) return [];
  const rules = GUARD_RULES[dialect];
  const lx = createLexer(sql, dialect, options);
  const out: ContentRefusal[] = [];
  const types: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (;;) {
    const t = lx.next();
    if (t === T_SEMICOLON || t === T_EOF || t === T_ERROR) {
      judgeStatement(sql, dialect, rules, types, starts, ends, out, options ?? {});
      types.length = starts.length = ends.length = 0;
      if (t !== T_SEMICOLON) return out;
      continue;
    }
    types.push(t);
    starts.push(lx.start);
    ends.push(lx.end);
  }
}

function judgeStatement(sql: string, dialect: Dialect, rules: GuardRules, types: number[], starts: number[], ends: number[], out: ContentRefusal[], current: CurrentReading): void {
  const n = types.length;
  const isOp = (i: number, ch: string): boolean => i < n && types[i] === T_OP && sql[starts[i] as number] === ch;
  // SQLite reads a '…' string where only a name fits as that name: `FROM 'sqlite_master'`,
  // `FROM 'pragma_optimize'(…)`. Such strings count as names after FROM / JOIN / `,` /
  // INTO / UPDATE / TABLE, or before `(`.
  const stringName = (i: number): boolean => {
    // MySQL "…" before `(`: a name under ANSI_QUOTES, a syntax error otherwise; fail closed.
    if (dialect === 'mysql' && types[i] === T_STRING && sql[starts[i] as number] === '"' && isOp(i + 1, '(')) return true;
    if (dialect !== 'sqlite' || types[i] !== T_STRING || sql[starts[i] as number] !== "'") return false;
    if (isOp(i + 1, '(') || isOp(i - 1, ',') || isOp(i - 1, '.')) return true;
    const before = i > 0 && types[i - 1] === T_WORD ? sql.slice(starts[i - 1], ends[i - 1]).toLowerCase() : '';
    return before === 'from' || before === 'join' || before === 'into' || before === 'update' || before === 'table';
  };
  const name = (i: number): string | undefined => {
    if (i >= n) return undefined;
    if (stringName(i)) return literalValue(sql, T_STRING, starts[i] as number, ends[i] as number, dialect)?.toLowerCase();
    return nameOf(sql, types[i] as number, starts[i] as number, ends[i] as number);
  };
  const isName = (i: number): boolean => i < n && (types[i] === T_WORD || types[i] === T_QUOTED_IDENT || stringName(i));
  const word = (i: number): string | undefined => (i < n && types[i] === T_WORD ? name(i) : undefined);
  const refuse = (i: number, kind: StatementKind, keyword: string, reason: string): void => {
    out.push({ at: starts[i] as number, kind, keyword, reason });
  };

  // PostgreSQL: see SEARCH_PATH_REASON.
  if (dialect === 'postgres' && word(0) === 'set') {
    const at = word(1) === 'session' || word(1) === 'local' ? 2 : 1;
    // `SET SCHEMA 'x'` is an alias of `SET search_path TO 'x'`.
    const setting = name(at);
    if ((setting === 'search_path' || setting === 'schema') && searchPathNamesCatalog(sql, dialect, types, starts, ends, at + 1)) {
      refuse(0, 'other', 'SET SEARCH_PATH', SEARCH_PATH_REASON);
      return;
    }
  }
  let writes = false;
  let deleting = false;
  let deleteTarget = false;
  let catalogNamed = -1;
  for (let i = 0; i < n; i++) {
    const type = types[i] as number;
    if (!isName(i)) continue;
    const fn = name(i);
    if (fn === undefined) {
      refuse(i, 'other', '', 'a quoted name the guard cannot decode');
      return;
    }
    if (type === T_QUOTED_IDENT && dialect === 'postgres' && word(i + 1) === 'uescape') {
      refuse(i, 'other', '', 'Unicode escapes with UESCAPE in a name');
      return;
    }
    if (type === T_WORD && WRITE_VERBS.has(fn)) writes = true;
    if (isName(i) && isOp(i + 1, '.') && rules.catalogSchemas.has(fn)) catalogNamed = i;
    // PostgreSQL attribute notation `x.f` calls f(x); after a catalog schema it is only a qualified name.
    // Exact names only: a column such as `u.dblink_url` is no call.
    const attribute = dialect === 'postgres' && rules.functions.has(fn) && isOp(i - 1, '.') && !(i >= 2 && rules.catalogSchemas.has(name(i - 2) ?? ''));
    if (isOp(i + 1, '(') || attribute || rules.bareNamePrefixes.some((prefix) => fn.startsWith(prefix))) {
      const reason = refusedFunction(rules, fn);
      // SQLite `pragma_user_version` with no argument only reads, like `PRAGMA user_version`.
      const readOnly = rules.readsWithoutArgument?.(fn) === true && (!isOp(i + 1, '(') || isOp(i + 2, ')'));
      if (reason !== undefined && !readOnly) {
        refuse(i, 'other', `${fn.toUpperCase()}()`, `calls ${fn}(): ${reason}`);
        return;
      }
      if (dialect === 'postgres' && fn === 'set_config') {
        const why = setConfigRefusal(sql, dialect, rules, types, starts, ends, i + 2, current);
        if (why !== undefined) {
          refuse(i, why.kind, why.keyword, why.reason);
          return;
        }
      }
    }
    if (type !== T_WORD) continue;
    // A write's target: INSERT/MERGE/REPLACE … INTO t, UPDATE t, DELETE FROM t.
    let target = -1;
    if (fn === 'into' || fn === 'update') target = i + 1;
    // COPY table FROM … writes the table (COPY … TO only reads it).
    else if (fn === 'copy' && i === 0 && dialect === 'postgres' && types.some((ty, k) => k > 1 && ty === T_WORD && name(k) === 'from')) target = word(1) === 'binary' ? 2 : 1;
    else if (fn === 'delete') deleting = true;
    else if (fn === 'from' && deleting) {
      deleting = false;
      target = i + 1;
      deleteTarget = true;
    } else if (fn === 'lock' && i === 0 && dialect === 'postgres') {
      // LOCK [TABLE] [ONLY] t [*] [, …] [IN mode] [NOWAIT]: an ACCESS EXCLUSIVE lock on
      // pg_authid (or any catalog) blocks every login and every session's catalog reads.
      let k = word(1) === 'table' ? 2 : 1;
      for (;;) {
        if (word(k) === 'only') k++;
        const catalog = catalogTarget(rules, dialect, name, isName, isOp, k);
        if (catalog !== undefined) {
          refuse(i, 'other', 'LOCK CATALOG', `locks the system catalog ${catalog}`);
          return;
        }
        while (k < n && !isOp(k, ',') && word(k) !== 'in' && word(k) !== 'nowait') k++;
        if (!isOp(k, ',')) break;
        k++;
      }
    } else if (fn === 'use' && i === 0 && dialect === 'mysql') {
      const schema = name(1);
      if (schema !== undefined && rules.catalogSchemas.has(schema)) {
        refuse(i, 'other', 'USE CATALOG', `makes the system schema ${schema} the default`);
        return;
      }
    }
    if (target < 0) continue;
    if (dialect === 'sqlite' && word(target) === 'or') target += 2;
    while (TARGET_MODIFIERS.has(word(target) ?? '')) target++;
    const catalog = catalogTarget(rules, dialect, name, isName, isOp, target);
    const deletable = deleteTarget && catalog !== undefined && rules.deletableCatalogTables?.has(catalog.split('.').pop() ?? '') === true;
    deleteTarget = false;
    if (catalog !== undefined && !deletable) {
      refuse(i, 'ddl', 'CATALOG WRITE', `writes the system catalog ${catalog}`);
      return;
    }
  }
  if (rules.catalogAnywhereInWrites && writes && catalogNamed >= 0) {
    refuse(catalogNamed, 'ddl', 'CATALOG WRITE', `a write statement that names the system schema ${name(catalogNamed) ?? ''}`);
    return;
  }
  if (dialect === 'postgres') {
    const locked = rowLockedCatalog(n, word, (i) => catalogTarget(rules, dialect, name, isName, isOp, i), isOp);
    if (locked !== undefined) refuse(locked.at, 'other', 'LOCK CATALOG', `locks rows of the system catalog ${locked.catalog} (FOR UPDATE / SHARE)`);
  }
}

/** Words that end a FROM list (or start a clause in which a name is no FROM item). */
const FROM_LIST_ENDS = new Set(['where', 'group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'for', 'on', 'using', 'union', 'intersect', 'except', 'returning', 'set', 'select', 'values']);
const LOCK_STRENGTHS = new Set(['update', 'share', 'no', 'key']);

/**
 * PostgreSQL: a statement with a row-locking clause (FOR UPDATE | NO KEY UPDATE | SHARE |
 * KEY SHARE) that reads a system catalog in a FROM list. Rows of pg_class or pg_authid locked
 * by a runtime transaction block every ALTER TABLE / ALTER ROLE, like `LOCK pg_class`. Fail
 * closed: any catalog FROM item counts, whichever query level the clause belongs to.
 */
function rowLockedCatalog(
  n: number,
  word: (i: number) => string | undefined,
  catalogAt: (i: number) => string | undefined,
  isOp: (i: number, ch: string) => boolean,
): { at: number; catalog: string } | undefined {
  let locks = false;
  let found: { at: number; catalog: string } | undefined;
  let inFrom = false;
  for (let i = 0; i < n; i++) {
    const w = word(i);
    if (w === 'for' && LOCK_STRENGTHS.has(word(i + 1) ?? '')) locks = true;
    const item = i > 0 && (word(i - 1) === 'from' || word(i - 1) === 'join' || (inFrom && isOp(i - 1, ',')));
    if (item && found === undefined) {
      const catalog = catalogAt(i);
      if (catalog !== undefined) found = { at: i, catalog };
    }
    if (w === 'from' || w === 'join') inFrom = true;
    else if (w !== undefined && FROM_LIST_ENDS.has(w)) inFrom = false;
  }
  return locks ? found : undefined;
}

/** The catalog a `[schema.]table` name chain at i is, or undefined. */
function catalogTarget(
  rules: GuardRules,
  dialect: Dialect,
  name: (i: number) => string | undefined,
  isName: (i: number) => boolean,
  isOp: (i: number, ch: string) => boolean,
  i: number,
): string | undefined {
  if (!isName(i)) return undefined;
  const parts: string[] = [name(i) ?? ''];
  let j = i;
  while (isOp(j + 1, '.') && isName(j + 2)) {
    parts.push(name(j + 2) ?? '');
    j += 2;
  }
  const table = parts[parts.length - 1] as string;
  const schema = parts.length > 1 ? (parts[parts.length - 2] as string) : undefined;
  if (schema !== undefined && rules.catalogSchemas.has(schema)) return parts.join('.');
  if ((schema === undefined || dialect === 'sqlite') && rules.isCatalogTable(table)) return parts.join('.');
  return undefined;
}

/**
 * Schemas whose writable tables a search_path entry would make reachable unqualified, out of
 * the catalog-target rule's sight: information_schema (sql_features …) and the pg_toast
 * family. pg_catalog and pg_temp are searched implicitly whatever the path says, so naming
 * them changes nothing.
 */
const SEARCH_PATH_REASON = 'puts information_schema or pg_toast on the search_path';
function searchPathValueNamesCatalog(value: string): boolean {
  const text = value.toLowerCase();
  return text.includes('information_schema') || text.includes('pg_toast');
}

/** The search_path list from token i on names a refused schema, or holds a token the guard cannot read. */
function searchPathNamesCatalog(sql: string, dialect: Dialect, types: number[], starts: number[], ends: number[], i: number): boolean {
  for (let k = i; k < types.length; k++) {
    const type = types[k] as number;
    if (type === T_OP && (sql[starts[k] as number] === ',' || sql[starts[k] as number] === '=')) continue;
    const text =
      type === T_STRING
        ? literalValue(sql, type, starts[k] as number, ends[k] as number, dialect)
        : type === T_WORD || type === T_QUOTED_IDENT
          ? nameOf(sql, type, starts[k] as number, ends[k] as number)
          : undefined;
    if (text === undefined || searchPathValueNamesCatalog(text)) return true;
  }
  return false;
}

/** set_config(name, value, is_local) at the argument list starting at i. */
function setConfigRefusal(
  sql: string,
  dialect: Dialect,
  rules: GuardRules,
  types: number[],
  starts: number[],
  ends: number[],
  i: number,
  current: CurrentReading,
): { kind: StatementKind; keyword: string; reason: string } | undefined {
  const closes = (k: number): boolean => {
    const next = types[k + 1];
    return k < types.length && next === T_OP && (sql[starts[k + 1] as number] === ',' || sql[starts[k + 1] as number] === ')');
  };
  // Only a string literal is a value the guard knows: a bare word or "quoted" name is a
  // column (`set_config(n, …) FROM (VALUES (…)) v(n)`), whose value is read at run time.
  const single = (k: number): string | undefined =>
    closes(k) && types[k] === T_STRING ? literalValue(sql, T_STRING, starts[k] as number, ends[k] as number, dialect) : undefined;
  const rawName = single(i);
  if (rawName === undefined) return { kind: 'other', keyword: 'SET_CONFIG()', reason: 'set_config() of a setting the guard cannot read: the name must be a string literal' };
  const setting = rawName.trim().toLowerCase();
  const value = single(i + 2);
  if (setting === 'search_path') {
    // A bound value stays allowed (schema-per-tenant apps set it so); the tables it could
    // reach are information_schema's few writable metadata tables. Any other non-literal
    // value (a column, an expression) is unknown and refused.
    const bound = closes(i + 2) && types[i + 2] === T_PARAM;
    if (value === undefined ? !bound : searchPathValueNamesCatalog(value)) {
      return { kind: 'other', keyword: 'SET SEARCH_PATH', reason: SEARCH_PATH_REASON };
    }
    return undefined;
  }
  if (setting === 'role' && value !== undefined && value.trim().toLowerCase() === 'none') return undefined;
  const refused = refusedSettingOf(rules, setting);
  if (refused !== undefined) return { kind: refused.kind, keyword: refusedSettingKeyword(setting, refused), reason: refused.reason };
  const allowed = POSTGRES_LEXING_SETTINGS.get(setting);
  if (allowed !== undefined && (value === undefined || !allowed(value.trim(), current))) {
    return { kind: 'other', keyword: 'SET', reason: `changes how the server reads SQL text (${setting})` };
  }
  return undefined;
}
