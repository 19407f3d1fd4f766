import { CH_COLON, CH_COMMA, CH_EQ } from '../chars';
import { refusedSettingKeyword, refusedSettingOf } from '../guard-rules';
import { literalValue } from '../sql-values';
import type { StatementReader } from '../statement-reader';
import { isContent } from '../token-text';

/**
 * Assigning one setting (PostgreSQL SET, a MySQL SET item), shared by the dialects' SET
 * families (lib/dialects/postgres/set-postgres.ts, lib/dialects/mysql/set-mysql.ts). Two
 * tables decide: the dialect's refused settings (guard-rules.ts: identity, superuser-only)
 * and its lexing-relevant settings (lexing-settings.ts), which may only be set to one
 * literal value that keeps how the server reads text.
 */

/** Refuses assigning a setting listed in the dialect's guard rules; whether it was. */
export function refusedSetting(r: StatementReader, name: string): boolean {
  const refused = refusedSettingOf(r.rules, name);
  if (refused === undefined) return false;
  r.refuse(refused.kind, refusedSettingKeyword(name, refused), refused.reason);
  return true;
}

/**
 * The current token names a setting being assigned. If the setting changes how the server
 * reads text, the value must be one literal that keeps the reading; anything else refuses
 * the statement. Leaves the token after the value current. `bare`: no `=` / TO (SET NAMES x).
 */
export function lexingSetting(r: StatementReader, name: string, label: string, bare = false, after?: number): void {
  const allowedValue = r.rules.lexingSettings.get(name);
  if (allowedValue === undefined) return;
  // `after`: the caller already moved past the name (and this is the token it found).
  let t = after ?? r.adv();
  if (!bare) {
    if (r.is('TO')) t = r.adv();
    else {
      if (r.isOp(CH_COLON)) t = r.adv();
      if (r.isOp(CH_EQ)) t = r.adv();
    }
  }
  const lx = r.lx;
  const value = isContent(t) ? literalValue(r.sql, t, lx.start, lx.end, r.dialect) : undefined;
  if (value !== undefined) t = r.adv();
  // The value must be the whole assignment (MySQL: up to the next item; NAMES may add COLLATE x).
  const whole = !isContent(t) || (r.rules.grammar.setItemLists && (r.isOp(CH_COMMA) || (bare && r.is('COLLATE'))));
  if (value === undefined || !whole || !allowedValue(value, r.options ?? {})) {
    r.refuse('session', `SET ${label}`, `changes how the server reads SQL text (${name}); only values that keep it are allowed`);
  }
}
