import { CH_EQ, CH_LPAREN, CH_RPAREN } from '../chars';
import { literalValue, nameOf } from '../sql-values';
import type { StatementReader } from '../statement-reader';
import { isContent } from '../token-text';
import { T_OP, T_WORD } from '../tokens';

/**
 * At the table name of a CREATE TEMPORARY TABLE: whether its options (before any AS /
 * SELECT query) reach another object, so that `dangerouslyAllow: ['CREATE TEMPORARY
 * TABLE']` must not cover it: PostgreSQL INHERITS (alters the permanent parent),
 * PARTITION OF, TABLESPACE; MySQL ENGINE other than InnoDB / MEMORY / MyISAM / Aria
 * (CONNECT, FEDERATED reach files or other servers), CONNECTION, DATA / INDEX DIRECTORY,
 * UNION (the dialect's `tempTableOptions`). `LIKE other` only reads. Consumes the tokens it reads.
 */
export function tempTableReaches(r: StatementReader): boolean {
  const options = r.rules.grammar.tempTableOptions;
  let depth = 0;
  for (let t: number = r.lx.type; isContent(t); t = r.adv()) {
    if (t === T_OP) {
      if (r.isOp(CH_LPAREN)) depth++;
      else if (r.isOp(CH_RPAREN)) depth--;
      continue;
    }
    if (depth !== 0 || t !== T_WORD) continue;
    if (r.is('AS') || r.is('SELECT') || r.is('VALUES')) return false;
    if (r.is('INHERITS') || r.is('TABLESPACE') || r.is('UNION') || r.is('CONNECTION')) return true;
    if (r.is('PARTITION')) {
      if (r.adv() === T_WORD && r.is('OF')) return true;
      t = r.lx.type;
      if (t === T_OP && r.isOp(CH_LPAREN)) depth++;
      continue;
    }
    if ((r.is('DATA') || r.is('INDEX')) && options !== undefined) {
      if (r.adv() === T_WORD && r.is('DIRECTORY')) return true;
      continue;
    }
    if (r.is('ENGINE') && options !== undefined) {
      let v = r.adv();
      if (v === T_OP && r.isOp(CH_EQ)) v = r.adv();
      const lx = r.lx;
      const engine = isContent(v) ? literalValue(r.sql, v, lx.start, lx.end, r.dialect) ?? nameOf(r.sql, v, lx.start, lx.end) : undefined;
      if (engine === undefined || !options.engines.has(engine.toLowerCase())) return true;
    }
  }
  return false;
}
