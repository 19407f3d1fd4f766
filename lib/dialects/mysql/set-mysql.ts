import { CH_AT, CH_COMMA, CH_DOT, CH_LPAREN, CH_RPAREN } from '../../guard/chars';
import { REASON_PRIVILEGE, REASON_SERVER, type HeadRule } from '../../guard/head-rule';
import { nameOf } from '../../guard/sql-values';
import type { StatementReader } from '../../guard/statement-reader';
import { asciiUpper, isContent } from '../../guard/token-text';
import { T_OP, T_QUOTED_IDENT, T_WORD } from '../../guard/tokens';
import { lexingSetting, refusedSetting } from '../../guard/families/settings';

/**
 * MySQL SET: a list of assignments, each of which may be GLOBAL / PERSIST / PERSIST_ONLY or
 * `@@global.x` (refused: server-wide), SESSION / LOCAL / `@@x` / `@x` (allowed, unless the
 * setting is refused or lexing-relevant: settings.ts). Special forms: SET PASSWORD, SET
 * ROLE (but SET ROLE NONE, which only drops privileges), SET DEFAULT ROLE, SET RESOURCE
 * GROUP (refused), SET [SESSION] TRANSACTION, SET NAMES / CHARACTER SET, MariaDB SET
 * STATEMENT … FOR statement (judged as the statement; a refused setting stays refused).
 */
export function setMysql(r: StatementReader, _rule: HeadRule, depth: number): void {
  const s = r.sql;
  r.adv();
  if (specialItem(r, true)) return;
  let t: number = r.lx.type;
  const statement = r.is('STATEMENT');
  if (statement) t = r.adv();
  r.set('session', statement ? 'SET STATEMENT' : 'SET', true);
  let itemStart = true;
  let first = true;
  let parens = 0;
  while (isContent(t)) {
    if (itemStart && parens === 0) {
      itemStart = false;
      if (!first && specialItem(r, false)) return;
      t = r.lx.type;
      const scope = globalScope(r);
      if (scope !== '') return r.refuseRest('other', `SET ${scope}`, 'changes server-wide settings');
      if (r.is('SESSION') || r.is('LOCAL')) t = r.adv();
      let userVariable = false;
      if (r.isOp(CH_AT)) {
        userVariable = true;
        if (r.adv() === T_OP && r.isOp(CH_AT)) {
          userVariable = false;
          t = r.adv();
          const atScope = globalScope(r);
          if (atScope !== '') return r.refuseRest('other', `SET ${atScope}`, 'changes server-wide settings');
          // @@session.x / @@local.x
          if ((r.is('SESSION') || r.is('LOCAL')) && r.adv() === T_OP && r.isOp(CH_DOT)) t = r.adv();
        }
      }
      if (first && r.is('TRANSACTION') && !statement) r.set('transaction', 'SET TRANSACTION', true);
      else if (!userVariable) sessionVariable(r);
      first = false;
      t = r.lx.type;
      if (!isContent(t)) break;
    }
    if (t === T_OP) {
      const c = s.charCodeAt(r.lx.start);
      if (c === CH_LPAREN) parens++;
      else if (c === CH_RPAREN) parens--;
      else if (c === CH_COMMA && parens === 0) itemStart = true;
    } else if (statement && parens === 0 && r.is('FOR')) {
      if (!r.allowed) return r.scanToEnd();
      r.adv();
      r.head(depth + 1);
      if (r.allowed) r.keyword = 'SET STATEMENT';
      return;
    }
    t = r.adv();
  }
}

/**
 * PASSWORD, ROLE, DEFAULT ROLE and RESOURCE GROUP at the start of a list item: MariaDB runs
 * them as any item of the list, not only the first (`SET @a = 1, PASSWORD = …`: red team 44).
 * True when that decides the statement; otherwise the reader stands at the item's name
 * (past a DEFAULT that no ROLE follows, as before).
 */
function specialItem(r: StatementReader, first: boolean): boolean {
  if (r.lx.type !== T_WORD) return false;
  if (r.is('PASSWORD')) {
    r.refuseRest('privilege', 'SET PASSWORD', REASON_PRIVILEGE);
    return true;
  }
  if (r.is('ROLE')) {
    // SET ROLE NONE only drops privileges; SET ROLE DEFAULT activates roles the guard cannot see, and stays refused.
    if (r.adv() === T_WORD && r.is('NONE') && !isContent(r.adv())) {
      if (first) r.set('session', 'SET ROLE', true);
      return true;
    }
    r.refuseRest('privilege', 'SET ROLE', 'changes the current role');
    return true;
  }
  if (r.is('DEFAULT')) {
    r.adv();
    if (r.is('ROLE')) {
      r.refuseRest('privilege', 'SET DEFAULT ROLE', REASON_PRIVILEGE);
      return true;
    }
  }
  if (r.is('RESOURCE')) {
    r.refuseRest('other', 'SET RESOURCE GROUP', REASON_SERVER);
    return true;
  }
  return false;
}

/** GLOBAL / PERSIST / PERSIST_ONLY at the current token, or ''. */
function globalScope(r: StatementReader): string {
  if (r.is('GLOBAL')) return 'GLOBAL';
  if (r.is('PERSIST')) return 'PERSIST';
  if (r.is('PERSIST_ONLY')) return 'PERSIST_ONLY';
  return '';
}

/**
 * SET CHARACTER SET x / SET CHARSET x set the client's set to x but the connection's to
 * character_set_database, which follows `USE` and the database's default: a set the guard
 * does not see (sjis, big5, ucs2 through a database's default; red team 32). SET NAMES
 * names the connection set itself.
 */
const CHARACTER_SET_REASON = "sets the connection character set to the database's default (character_set_database), which the guard does not follow; use SET NAMES utf8mb4";

/**
 * The current token names a session variable; sql_mode and the connection character set
 * (NAMES, CHARACTER SET, CHARSET, character_set_client…) may only be set to a literal value
 * that does not change how text is read.
 */
function sessionVariable(r: StatementReader): void {
  const t = r.lx.type;
  if (t !== T_WORD && t !== T_QUOTED_IDENT) return;
  const name = nameOf(r.sql, t, r.lx.start, r.lx.end);
  if (name === undefined) return;
  if (t === T_WORD && name === 'character') {
    if (r.adv() === T_WORD && r.is('SET')) r.refuse('session', 'SET CHARACTER SET', CHARACTER_SET_REASON);
    return;
  }
  if (t === T_WORD && name === 'charset') return r.refuse('session', 'SET CHARSET', CHARACTER_SET_REASON);
  if (t === T_WORD && name === 'names') return lexingSetting(r, 'names', 'NAMES', true);
  if (!refusedSetting(r, name)) lexingSetting(r, name, asciiUpper(name));
}
