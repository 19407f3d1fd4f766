import type { StatementKind } from '../../guard/classify';
import { refusedSettingKeyword, refusedSettingOf, type GuardRules, type SetConfigRule } from '../../guard/guard-rules';
import type { CurrentReading } from '../../guard/lexing-settings';
import { T_PARAM, T_STRING } from '../../guard/tokens';
import type { StatementTokens } from '../../guard/content/statement-tokens';

/**
 * Schemas whose writable tables a search_path entry would make reachable unqualified, out of
 * the catalog-target rule's sight: information_schema (sql_features …) and the pg_toast
 * family. pg_catalog and pg_temp are searched implicitly whatever the path says, so naming
 * them changes nothing.
 */
export const SEARCH_PATH_REASON = 'puts information_schema or pg_toast on the search_path';

/** A search_path value (SET, set_config(), or the session's own) names information_schema or the pg_toast family. */
export function searchPathValueNamesCatalog(value: string): boolean {
  const text = value.toLowerCase();
  return text.includes('information_schema') || text.includes('pg_toast');
}

/** PostgreSQL's settings assigned where the SET family (set-postgres.ts) does not judge the value: the content watch asks these. */
export const POSTGRES_SET_CONFIG: SetConfigRule = { functionName: 'set_config', call: setConfigRefusal };

/**
 * PostgreSQL set_config(name, value, is_local) with its argument list starting at token i:
 * judged like `SET name = value` (set-postgres.ts): identity (role, session_authorization,
 * except role 'none'), refused settings, lexing settings, search_path. The name must be a
 * string literal the guard can read.
 */
function setConfigRefusal(tk: StatementTokens, rules: GuardRules, i: number, current: CurrentReading): { kind: StatementKind; keyword: string; reason: string } | undefined {
  const closes = (k: number): boolean => k < tk.n && (tk.isOp(k + 1, ',') || tk.isOp(k + 1, ')'));
  // Only a string literal is a value the guard knows: a bare word or "quoted" name is a
  // column (`set_config(n, …) FROM (VALUES (…)) v(n)`), whose value is read at run time.
  const single = (k: number): string | undefined => (closes(k) && tk.type(k) === T_STRING ? tk.literal(k) : undefined);
  const rawName = single(i);
  if (rawName === undefined) return { kind: 'other', keyword: 'SET_CONFIG()', reason: 'set_config() of a setting the guard cannot read: the name must be a string literal' };
  const setting = rawName.trim().toLowerCase();
  const value = single(i + 2);
  if (setting === 'search_path') {
    // A bound value stays allowed (schema-per-tenant apps set it so); the tables it could
    // reach are information_schema's few writable metadata tables. Any other non-literal
    // value (a column, an expression) is unknown and refused.
    const bound = closes(i + 2) && tk.type(i + 2) === T_PARAM;
    if (value === undefined ? !bound : searchPathValueNamesCatalog(value)) return { kind: 'other', keyword: 'SET SEARCH_PATH', reason: SEARCH_PATH_REASON };
    return undefined;
  }
  // Exactly 'none' (the server compares the string as it is: 'NONE' and ' none' name roles; red team 45).
  if (setting === 'role' && value === 'none') return undefined;
  const refused = refusedSettingOf(rules, setting);
  if (refused !== undefined) return { kind: refused.kind, keyword: refusedSettingKeyword(setting, refused), reason: refused.reason };
  const allowed = rules.lexingSettings.get(setting);
  if (allowed !== undefined && (value === undefined || !allowed(value.trim(), current))) {
    return { kind: 'other', keyword: 'SET', reason: `changes how the server reads SQL text (${setting})` };
  }
  return undefined;
}
