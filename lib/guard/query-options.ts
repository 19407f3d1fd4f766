import { RuntimeDdlError } from '../errors';
import type { Dialect, Role } from '../types';
import { dialectModule } from '../dialects/registry';

/**
 * A query whose knex `.options({…})` carries a key that replaces the text or values the
 * driver sends (pg `text`, mysql2 `sql`, …: lib/dialects/<d>/guard-rules.ts), or that makes
 * the options object a command of the driver's own (pg `submit`, mysql2 `constructor`),
 * refused: the guard judges `sql` and the driver would run something else. The statement shown is the
 * one judged (`statement` gives it redacted, only when refusing: redaction lexes the whole
 * text, and knex puts an `options` object on every query); the replacement is not read, only named.
 */
export function textOptionsRefusal(dialect: Dialect, role: Role, options: unknown, statement: () => string): RuntimeDdlError | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  const replacing = dialectModule(dialect).guardRules.textOptions;
  if (replacing.length === 0) return undefined;
  // for…in: the keys knex's merge (lodash assign / extend) and the driver would see.
  for (const key in options) {
    if (!replacing.includes(key)) continue;
    return new RuntimeDdlError(
      'E_RUNTIME_DDL',
      `Refused .options({ ${key} }) on a ${role} connection: it replaces the SQL or bindings the guard checked (or makes the options the driver's own command), so the driver would send text nobody checked.`,
      {
        remedy: `Put the statement in the query itself (knex.raw(sql, bindings) or the query builder) instead of .options({ ${replacing.join(' | ')} }); other driver options (e.g. rowMode, nestTables) are fine.`,
        kind: 'other',
        keyword: 'QUERY OPTIONS',
        role,
        dialect,
        statement: statement(),
      },
    );
  }
  return undefined;
}

/**
 * The query object as knex will go on to read it, copied as plain data, each property read
 * once: a raw's own `toSQL()` can give an object whose `sql`, `bindings` or `options` is an
 * accessor that answers the guard one thing and knex another (red team 18), and knex's
 * 'query' event, which fires after the check, shares `options` with the query, so a
 * listener could set pg `text` / mysql2 `sql` on it (red team 17). The copy is judged and
 * sent: `options` frozen, so a listener can read them but not change them.
 */
export function plainQuery<Q extends string | object>(param: Q): Q {
  if (typeof param !== 'object' || param === null) return param;
  const copy: Record<string, unknown> = { ...param };
  const { options } = copy;
  if (typeof options === 'object' && options !== null) copy['options'] = Object.freeze({ ...options });
  return copy as Q;
}
