import type { HeadRule } from '../../guard/head-rule';
import { nameOf } from '../../guard/sql-values';
import type { StatementReader } from '../../guard/statement-reader';
import { T_QUOTED_IDENT, T_WORD } from '../../guard/tokens';

/**
 * PostgreSQL RESET / DISCARD are allowed (RESET ROLE and RESET SESSION AUTHORIZATION only
 * go back toward the login role), except RESET ALL, RESET <lexing setting> and DISCARD
 * ALL: they return settings to their defaults (server configuration, role and database
 * settings, the startup packet), which the guard does not know and which need not be what
 * the session reads now (an afterCreate hook may have set it). Refused in every reading;
 * an alternative reading only re-reads the text, so it leaves these to the primary one.
 */
export function resetPostgres(r: StatementReader, rule: HeadRule): void {
  if (!r.alternative) {
    const t = r.adv();
    const lx = r.lx;
    const name = t === T_WORD || t === T_QUOTED_IDENT ? nameOf(r.sql, t, lx.start, lx.end) : undefined;
    if (name === 'all' || (rule.keyword === 'RESET' && (name === undefined || r.rules.lexingSettings.has(name)))) {
      r.refuse('session', rule.keyword, `would change how the server reads SQL text (${name === 'all' ? 'every setting' : (name ?? 'a setting')} back to its default, which the guard does not know)`);
    }
  }
  r.scanToEnd();
}
