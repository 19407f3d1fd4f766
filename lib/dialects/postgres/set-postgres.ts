import { CH_COMMA, CH_DOT, CH_EQ } from '../../guard/chars';
import { SEARCH_PATH_REASON, searchPathValueNamesCatalog } from './set-config';
import { literalValue, nameOf } from '../../guard/sql-values';
import type { StatementReader } from '../../guard/statement-reader';
import { asciiLower, asciiUpper, isContent } from '../../guard/token-text';
import { T_QUOTED_IDENT, T_STRING, T_WORD } from '../../guard/tokens';
import { lexingSetting, refusedSetting } from '../../guard/families/settings';

/**
 * PostgreSQL SET [SESSION | LOCAL] …: settings are allowed, except
 * - the role and the session authorization (`SET ROLE x`, `SET role = x`, `SET SESSION
 *   AUTHORIZATION x`), which change identity; `SET ROLE NONE` and `SET SESSION
 *   AUTHORIZATION DEFAULT` are the RESET forms and allowed;
 * - refused settings (superuser-only, guard-rules.ts) and lexing settings set to a value
 *   that changes how text is read (settings.ts).
 * SET TRANSACTION / CONSTRAINTS are transaction control; SET SESSION CHARACTERISTICS is an
 * allowed session setting. search_path entries that reach writable metadata schemas are
 * refused (searchPath).
 */
export function setPostgres(r: StatementReader): void {
  let t = r.adv();
  let session = false;
  if (r.is('SESSION')) {
    session = true;
    t = r.adv();
  } else if (r.is('LOCAL')) {
    t = r.adv();
  }
  if (session && r.is('CHARACTERISTICS')) {
    r.set('session', 'SET SESSION CHARACTERISTICS', true);
  } else if ((session && r.is('AUTHORIZATION')) || (r.is('SESSION') && r.adv() === T_WORD && r.is('AUTHORIZATION'))) {
    r.set('privilege', 'SET SESSION AUTHORIZATION', false, 'changes the session user');
    if (resetsTo(r, 'default', false, false)) r.set('session', 'SET SESSION AUTHORIZATION', true);
  } else if (r.is('TRANSACTION')) {
    r.set('transaction', 'SET TRANSACTION', true);
  } else if (r.is('CONSTRAINTS')) {
    r.set('transaction', 'SET CONSTRAINTS', true);
  } else if (t === T_QUOTED_IDENT || t === T_WORD) {
    const raw = r.sql.slice(r.lx.start, r.lx.end);
    if (t === T_QUOTED_IDENT && (raw.charCodeAt(0) | 0x20) === 0x75) {
      r.set('other', 'SET', false, 'setting name with Unicode escapes');
    } else {
      // The whole dotted name first (an extension's: `auto_explain.log_min_duration`, red team
      // 23); `SET role.tenant = …` is a custom setting, not SET ROLE (red team 26).
      const { name, after, escaped } = dottedName(r, asciiLower(t === T_QUOTED_IDENT ? raw.slice(1, -1) : raw));
      if (escaped) {
        r.set('other', 'SET', false, 'setting name with Unicode escapes');
      } else if (name === 'role') {
        r.set('privilege', 'SET ROLE', false, 'changes the current role');
        // The keyword form `SET ROLE x` takes no TO / =; `SET "role" = x` is the generic one.
        if (resetsTo(r, 'none', t === T_QUOTED_IDENT, true, after)) r.set('session', 'SET ROLE', true);
      } else if (name === 'search_path' || name === 'schema') {
        r.set('session', 'SET', true);
        searchPath(r, after);
      } else if (name === 'session_authorization') {
        r.set('privilege', 'SET SESSION AUTHORIZATION', false, 'changes the session user');
        if (resetsTo(r, 'default', true, false, after)) r.set('session', 'SET SESSION AUTHORIZATION', true);
      } else {
        r.set('session', 'SET', true);
        if (!refusedSetting(r, name)) lexingSetting(r, name, asciiUpper(name), false, after);
      }
    }
  } else {
    r.set('session', 'SET', true);
  }
  r.scanToEnd();
}

/**
 * After the current token (the setting's name), and TO or `=` (required with `assignment`),
 * comes exactly `word` (a keyword or plain string), and the statement ends. Consumes what it
 * reads. Without `strings`, only the keyword counts: `'default'` is a role named "default"
 * (DEFAULT is a keyword of the grammar; the string is a value), whereas the role setting
 * reads `'none'` and NONE alike.
 */
function resetsTo(r: StatementReader, word: string, assignment: boolean, strings = true, after?: number): boolean {
  // `after`: the caller already moved past the name (and this is the token it found).
  let t = after ?? r.adv();
  if (r.is('TO') || r.isOp(CH_EQ)) t = r.adv();
  else if (assignment) return false;
  // A keyword is folded to lower case; a string or "quoted" name must be the word exactly:
  // the server compares the value as it is, so 'NONE' and ' none' name roles (red team 45).
  const quoted = strings && ((t === T_STRING && r.sql.charCodeAt(r.lx.start) === 0x27) || (t === T_QUOTED_IDENT && r.sql.charCodeAt(r.lx.start) === 0x22));
  if (t !== T_WORD && !quoted) return false;
  const value = literalValue(r.sql, t, r.lx.start, r.lx.end, r.dialect);
  if (value === undefined || (t === T_WORD ? asciiLower(value) : value) !== word) return false;
  return !isContent(r.adv());
}

/**
 * SET search_path / SET SCHEMA: a comma-separated list of names and plain strings, none
 * naming information_schema or pg_toast. Judged here, on every text: the content watch runs
 * only on text that spells a catalog's name, and `E'information\137schema'` or two string
 * lines the server joins do not (red team 45). Any other entry (an escape string, a bound
 * value, two strings without a comma) is refused: the guard does not decode it.
 */
const UNREAD_ENTRY = 'a search_path entry the guard does not read (an escape string, a bound value, strings without a comma between them): write names or plain strings';

function searchPath(r: StatementReader, after: number): void {
  let t = after;
  if (r.is('TO') || r.isOp(CH_EQ)) t = r.adv();
  let item = true;
  while (isContent(t)) {
    if (!item) {
      if (!r.isOp(CH_COMMA)) return r.refuseRest('other', 'SET SEARCH_PATH', UNREAD_ENTRY);
      item = true;
    } else {
      // A name as the server reads it (U&"…" decoded); a string only in its plain '…' form.
      const value =
        t === T_WORD || t === T_QUOTED_IDENT
          ? nameOf(r.sql, t, r.lx.start, r.lx.end)
          : t === T_STRING && r.sql.charCodeAt(r.lx.start) === 0x27
            ? literalValue(r.sql, t, r.lx.start, r.lx.end, r.dialect)
            : undefined;
      if (value === undefined) return r.refuseRest('other', 'SET SEARCH_PATH', UNREAD_ENTRY);
      if (searchPathValueNamesCatalog(value)) return r.refuseRest('other', 'SET SEARCH_PATH', SEARCH_PATH_REASON);
      item = false;
    }
    t = r.adv();
  }
}

/**
 * The setting name that starts with `first` (the current token): PostgreSQL's var_name is
 * `ColId ('.' ColId)*`, folded to lower case as the server folds GUC names. Leaves the token
 * after the name current, and returns it; `escaped`: a part is U&"…", not read.
 */
function dottedName(r: StatementReader, first: string): { name: string; after: number; escaped: boolean } {
  let name = first;
  let t = r.adv();
  while (r.isOp(CH_DOT)) {
    t = r.adv();
    if (t !== T_WORD && t !== T_QUOTED_IDENT) break;
    const raw = r.sql.slice(r.lx.start, r.lx.end);
    // U&"…": escapes the guard does not decode here, refused like a first part spelled so.
    if (t === T_QUOTED_IDENT && (raw.charCodeAt(0) | 0x20) === 0x75) return { name, after: r.adv(), escaped: true };
    name += `.${asciiLower(t === T_QUOTED_IDENT ? raw.slice(1, -1) : raw)}`;
    t = r.adv();
  }
  return { name, after: t, escaped: false };
}
