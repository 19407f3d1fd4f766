import { REASON_PRIVILEGE, REASON_SERVER, type HeadRule } from '../head-rule';
import type { StatementReader } from '../statement-reader';
import { isContent } from '../token-text';
import { T_WORD } from '../tokens';
import { DDL_OBJECTS, PRIVILEGE_OBJECTS, type DdlObject } from './ddl-objects';
import { tempTableReaches } from './temp-table';

/** Words that may stand between CREATE and TEMPORARY … TABLE. */
const TEMP_MODIFIERS = new Set(['OR', 'REPLACE', 'GLOBAL', 'LOCAL']);

/**
 * CREATE / ALTER / DROP: refused (the rule's verdict), with the object type completing the
 * keyword (`CREATE TABLE`, `DROP MATERIALIZED VIEW`) so that dangerouslyAllow can name one
 * object type. Roles, users, groups and default privileges are kind 'privilege'; ALTER
 * SYSTEM / LOCK INSTANCE are server changes. A dialect's `sessionDdl` (MySQL DROP PREPARE,
 * its DEALLOCATE PREPARE) are allowed session statements. A TEMPORARY table keeps TEMPORARY
 * in its keyword only when it reaches no other object (temp-table.ts), so opting in
 * `CREATE TEMPORARY TABLE` covers no more than a private scratch table.
 */
export function ddlFamily(r: StatementReader, rule: HeadRule): void {
  const verb = rule.keyword;
  let temporary = false;
  // TEMPORARY counts only among the plain table modifiers (`CREATE OR REPLACE GLOBAL TEMP
  // TABLE`): `CREATE DEFINER = temp …` or any other token before the object drops it.
  let onlyModifiers = true;
  let object = '';
  let t = r.adv();
  // The object type is the first known object word within a few tokens (modifiers such
  // as OR REPLACE, UNIQUE, DEFINER = x@y, ALGORITHM = MERGE are skipped).
  for (let k = 0; k < 24 && isContent(t); k++) {
    if (t !== T_WORD) onlyModifiers = false;
    if (t === T_WORD) {
      const word = r.upper();
      if (word === 'TEMP' || word === 'TEMPORARY') {
        temporary = true;
      } else if (!TEMP_MODIFIERS.has(word) && !DDL_OBJECTS.has(word)) {
        onlyModifiers = false;
      } else {
        const spec = DDL_OBJECTS.get(word);
        if (spec !== undefined) {
          object = objectName(r, word, spec);
          if (object !== '') break;
          t = r.lx.type;
          continue;
        }
      }
    }
    t = r.adv();
  }
  if (!onlyModifiers) temporary = false;
  const keyword = `${verb}${temporary ? ' TEMPORARY' : ''}${object === '' ? '' : ` ${object}`}`;
  if (r.rules.grammar.sessionDdl.has(`${verb} ${object}`)) r.set('session', `${verb} ${object}`, true);
  else if (object === 'SYSTEM' || object === 'INSTANCE') r.set('other', keyword, false, REASON_SERVER);
  else if (PRIVILEGE_OBJECTS.has(object)) r.set('privilege', keyword, false, REASON_PRIVILEGE);
  else if (keyword === 'CREATE TEMPORARY TABLE' && tempTableReaches(r)) {
    r.set(r.kind, 'CREATE TABLE', false, 'a temporary table that reaches another object (INHERITS, PARTITION OF, TABLESPACE, ENGINE, DIRECTORY, UNION, CONNECTION)');
  } else r.keyword = keyword;
  r.scanToEnd();
}

/** Completes a (possibly multi-word) object type; '' when the word is no object here. */
function objectName(r: StatementReader, first: string, spec: DdlObject): string {
  let name = first;
  let level = 0;
  let candidates = spec.then;
  let t = r.adv();
  while (t === T_WORD && candidates.length > 0) {
    const word = r.upper();
    const next = candidates.filter((seq) => seq[level] === word);
    if (next.length === 0) break;
    name += ` ${word}`;
    level++;
    t = r.adv();
    candidates = next.filter((seq) => seq.length > level);
  }
  return level > 0 || spec.alone ? name : '';
}
