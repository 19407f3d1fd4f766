import { CH_DOT, CH_EQ, CH_LPAREN, CH_RPAREN } from '../../guard/chars';
import { SQLITE_ACTION_PRAGMAS, SQLITE_FILE_PRAGMAS, SQLITE_GUARDED_PRAGMAS, SQLITE_ONE_WAY_PRAGMAS, SQLITE_READ_PRAGMAS, SQLITE_SESSION_PRAGMAS } from './pragmas';
import { literalValue } from '../../guard/sql-values';
import type { StatementReader } from '../../guard/statement-reader';
import { asciiLower, asciiUpper, isContent } from '../../guard/token-text';
import { T_QUOTED_IDENT, T_STRING, T_WORD } from '../../guard/tokens';

const UNRECOGNIZED = 'unrecognized PRAGMA statement';

/**
 * SQLite PRAGMA [schema.]name [= value | (value)], keyword `PRAGMA <NAME>`. Which pragmas
 * are reads, per-connection settings, file or schema changes and actions is data in
 * lib/dialects/sqlite/pragmas.ts: reading any known pragma is allowed; setting one is
 * allowed for per-connection settings, and for one-way switches to the allowed value (integrity
 * checks kept on, trusted_schema off); file/schema changes, locking/safety settings, actions and unknown pragmas are
 * refused.
 */
export function pragma(r: StatementReader): void {
  let t = r.adv();
  if (t !== T_WORD && t !== T_QUOTED_IDENT && t !== T_STRING) return r.refuseRest('other', 'PRAGMA', UNRECOGNIZED);
  let nameStart = r.lx.start;
  let nameEnd = r.lx.end;
  let nameType = t;
  t = r.adv();
  if (r.isOp(CH_DOT)) {
    t = r.adv();
    if (t !== T_WORD && t !== T_QUOTED_IDENT && t !== T_STRING) return r.refuseRest('other', 'PRAGMA', UNRECOGNIZED);
    nameStart = r.lx.start;
    nameEnd = r.lx.end;
    nameType = t;
    t = r.adv();
  }
  const raw = r.sql.slice(nameStart, nameEnd);
  const name = asciiLower(nameType === T_WORD ? raw : raw.slice(1, -1));
  const keyword = `PRAGMA ${asciiUpper(name)}`;
  const sets = isContent(t);
  if (sets && !r.isOp(CH_EQ) && !r.isOp(CH_LPAREN)) return r.refuseRest('other', keyword, UNRECOGNIZED);
  const oneWay = SQLITE_ONE_WAY_PRAGMAS.get(name);
  if (sets && oneWay !== undefined) {
    // `= value` or `(value)`: one word, number or string of the allowed ones, then the end.
    const v = r.adv();
    const value = isContent(v) ? literalValue(r.sql, v, r.lx.start, r.lx.end, r.dialect)?.toLowerCase() : undefined;
    let after = r.adv();
    if (r.isOp(CH_RPAREN)) after = r.adv();
    if (value === undefined || !oneWay.values.has(value) || isContent(after)) return r.refuseRest('other', keyword, oneWay.reason);
    r.set('session', keyword, true);
    return r.scanToEnd();
  }
  if (SQLITE_READ_PRAGMAS.has(name)) r.set('read', keyword, true);
  else if (SQLITE_SESSION_PRAGMAS.has(name)) r.set(sets ? 'session' : 'read', keyword, true);
  else if (SQLITE_FILE_PRAGMAS.has(name)) r.set(sets ? 'ddl' : 'read', keyword, !sets, sets ? 'changes the database file or schema' : undefined);
  else if (SQLITE_GUARDED_PRAGMAS.has(name)) r.set(sets ? 'other' : 'read', keyword, !sets, sets ? 'changes locking, safety or process-wide settings' : undefined);
  else if (SQLITE_ACTION_PRAGMAS.has(name)) r.set('other', keyword, false, 'runs a maintenance action');
  else r.set('other', keyword, false, 'unknown PRAGMA');
  r.scanToEnd();
}
