import { CH_COMMA, CH_LPAREN } from '../chars';
import type { StatementReader } from '../statement-reader';
import { isContent } from '../token-text';
import { T_OP, T_QUOTED_IDENT, T_WORD } from '../tokens';
import { insertTail } from './insert';

/**
 * WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (body) [SEARCH …] [CYCLE …], …
 * then the main statement, which gives the keyword (kind 'write' if any body writes).
 * Bodies may be INSERT / UPDATE / DELETE / MERGE (pg data-modifying CTEs); their INTO is
 * the DML's own. Anything else after the CTEs is refused as 'WITH'.
 */
export function withStatement(r: StatementReader): void {
  let wrote = false;
  let t = r.adv();
  if (r.is('RECURSIVE')) t = r.adv();
  for (;;) {
    if (t !== T_WORD && t !== T_QUOTED_IDENT) return withFallback(r);
    t = r.adv();
    if (r.isOp(CH_LPAREN)) {
      r.adv();
      r.skipToClose(1);
      t = r.adv();
    }
    if (!r.is('AS')) return withFallback(r);
    t = r.adv();
    if (r.is('NOT')) t = r.adv();
    if (r.is('MATERIALIZED')) t = r.adv();
    if (!r.isOp(CH_LPAREN)) return withFallback(r);
    r.advRaw();
    if (r.is('INSERT') || r.is('MERGE')) {
      wrote = true;
      r.advRaw();
      if (r.is('INTO')) r.adv();
    } else {
      if (r.is('UPDATE') || r.is('DELETE')) wrote = true;
      if (r.watch) r.watchInto(r.lx.type);
    }
    r.skipToClose(1);
    if (r.lx.type !== T_OP) return withFallback(r);
    t = r.adv();
    if (r.is('SEARCH')) {
      while (isContent(t) && !r.is('SET')) t = r.adv();
      r.adv();
      t = r.adv();
    }
    if (r.is('CYCLE')) {
      while (isContent(t) && !r.is('USING')) t = r.adv();
      r.adv();
      t = r.adv();
    }
    if (!r.isOp(CH_COMMA)) break;
    t = r.adv();
  }
  if (r.isOp(CH_LPAREN)) {
    r.allowAs(wrote ? 'write' : 'read', 'SELECT');
    r.scanToEnd();
  } else if (r.is('SELECT') || r.is('VALUES') || r.is('TABLE')) {
    r.allowAs(wrote ? 'write' : 'read', r.upper());
    r.adv();
    r.scanToEnd();
  } else if (r.is('INSERT') || r.is('MERGE') || r.is('REPLACE')) {
    r.allowAs('write', r.upper());
    insertTail(r);
  } else if (r.is('DELETE')) {
    r.allowAs('write', 'DELETE');
    // The dialect's own DELETE rule reads the rest (MariaDB DELETE HISTORY is refused).
    const rule = r.headRule();
    if (rule?.family !== undefined) return rule.family(r, rule, 1);
    r.adv();
    r.scanToEnd();
  } else if (r.is('UPDATE')) {
    r.allowAs('write', 'UPDATE');
    r.adv();
    r.scanToEnd();
  } else {
    withFallback(r);
  }
}

function withFallback(r: StatementReader): void {
  r.refuse('other', 'WITH', 'unrecognized statement after WITH');
  r.scanToEnd();
}

export const withFamily = (r: StatementReader): void => withStatement(r);
