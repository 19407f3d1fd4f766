import { expect } from 'chai';
import { formatLikeConnector } from '../../lib/dialects/mysql/connector-format';
import type { ClientFormat } from '../../lib/guard/raw-connection';
import { literalValues, valuesInCode } from '../../lib/guard/value-placement';

/*
 * valuesInCode (lib/guard/value-placement.ts): where each MySQL driver writes a bound value,
 * read as the server reads the text. A value written inside a comment, a string or a quoted
 * name could end it (red team 38); a value the driver leaves out is harmless.
 */

const sqlstring = require('sqlstring') as { format: (sql: string, values: unknown) => string; escape: (value: unknown) => string };
const mysql2 = require('mysql2') as { format: (sql: string, values: unknown) => string };

const DRIVERS: Record<string, ClientFormat> = {
  // mysqljs: every `?`, in comments, strings and quoted names too.
  mysql: (sql, values) => sqlstring.format(sql, values),
  // mysql2 (sql-escaper): skips comments, strings and quoted names as the server does.
  mysql2: (sql, values) => mysql2.format(sql, values),
  // the mariadb connector: its own reading (`/*/` ends a comment for it).
  mariadb: (sql, values) => formatLikeConnector(sql, values, (value) => sqlstring.escape(value)),
};

/** Per text, whether each driver writes its values only in code (default session reading). */
const CASES: Array<[string, unknown[], Record<string, boolean>]> = [
  ['select ? as a, ? as b', [1, 'x'], { mysql: true, mysql2: true, mariadb: true }],
  ['select * from t where id in (?) and b = ?', [[1, 2], 'x'], { mysql: true, mysql2: true, mariadb: true }],
  // The connector has no `??`: it fills the first `?` of it, and the value still stands in code.
  ['select ?? from t where id = ?', ['a', 1], { mysql: true, mysql2: true, mariadb: true }],
  ["select `?`, '?', ? from t", ['a', 'b', 'c'], { mysql: false, mysql2: true, mariadb: true }],
  ['update t set flag = 1 where id = ? /* by ? */', [1, 'x'], { mysql: false, mysql2: true, mariadb: true }],
  ['update t set flag = 1 where id = ? /*/ by ? */', [1, 'x'], { mysql: false, mysql2: true, mariadb: false }],
  ["update t set flag = 1 where id = ? and note like '%?%'", [1, 'x'], { mysql: false, mysql2: true, mariadb: true }],
  ['select `done?` from t where note = ?', ['x'], { mysql: false, mysql2: true, mariadb: true }],
  ['select 1 -- ?\n, ?', ['x', 'y'], { mysql: false, mysql2: true, mariadb: true }],
  ['select 1 # ?\n, ?', ['x', 'y'], { mysql: false, mysql2: true, mariadb: true }],
  // An executable comment every server runs is code; one some server skips (a version, MariaDB's
  // /*M!) would make a value inside it a comment's there. The connector reads /*! as a comment (unfilled).
  ['select 1 /*! , ? */', ['x'], { mysql: true, mysql2: true, mariadb: true }],
  ['select 1 /*!99999 , ? */', ['x'], { mysql: false, mysql2: false, mariadb: true }],
  ['select 1 /*M! , ? */', ['x'], { mysql: false, mysql2: true, mariadb: true }],
];

describe('value placement: bound values only where the server reads code', () => {
  let connection: object;
  beforeEach(() => {
    // A fresh connection each test: verdicts are kept per connection.
    connection = {};
  });

  for (const [sql, values, expected] of CASES) {
    for (const [driver, format] of Object.entries(DRIVERS)) {
      it(`${driver}: ${JSON.stringify(sql)} → ${expected[driver] === true ? 'in code' : 'refused'}`, () => {
        const verdict = valuesInCode(connection, sql, values, format, 'mysql', {});
        expect(verdict).to.equal(expected[driver]);
      });
    }
  }

  it('reads "…" as a name under ANSI_QUOTES, as a string without it', () => {
    const sql = 'select "?" , ?';
    expect(valuesInCode({}, sql, ['x', 'y'], DRIVERS['mysql'] as ClientFormat, 'mysql', {})).to.equal(false);
    expect(valuesInCode({}, sql, ['x', 'y'], DRIVERS['mysql'] as ClientFormat, 'mysql', { ansiQuotes: true })).to.equal(false);
    expect(valuesInCode({}, 'select "a" , ?', ['y'], DRIVERS['mysql'] as ClientFormat, 'mysql', { ansiQuotes: true })).to.equal(true);
    expect(valuesInCode({}, 'select "a" , ?', ['y'], DRIVERS['mysql'] as ClientFormat, 'mysql', {})).to.equal(true);
  });

  it('with the session unread (a pool hook\'s call), every backslash reading must agree', () => {
    // With backslash escapes `'\'` does not end the string, so the ? is inside it; without, it is code.
    const sql = "select '\\' , ?";
    expect(valuesInCode({}, sql, ['x'], DRIVERS['mysql2'] as ClientFormat, 'mysql', { altBackslash: true })).to.equal(true);
    expect(valuesInCode({}, sql, ['x'], DRIVERS['mysql'] as ClientFormat, 'mysql', undefined)).to.equal(false);
  });

  it('keeps verdicts per connection: one driver\'s reading does not answer for another\'s', () => {
    const sql = 'select 1 as one /*/ ? */ /* ? */';
    const one = {};
    const two = {};
    expect(valuesInCode(one, sql, ['x', 'y'], DRIVERS['mysql2'] as ClientFormat, 'mysql', {})).to.equal(true);
    expect(valuesInCode(two, sql, ['x', 'y'], DRIVERS['mysql'] as ClientFormat, 'mysql', {})).to.equal(false);
  });

  it('does not mistake the text\'s own digits for a value', () => {
    expect(valuesInCode({}, "select '7301000000000', ? /* ? */", ['x', 'y'], DRIVERS['mysql'] as ClientFormat, 'mysql', {})).to.equal(false);
    expect(valuesInCode({}, "select '7301000000000', ?", ['x'], DRIVERS['mysql'] as ClientFormat, 'mysql', {})).to.equal(true);
  });
});

describe('value placement: what a bound value is written as', () => {
  const mysql = (sql: string, values: unknown): string => sqlstring.format(sql, values);

  it('takes scalars, dates, Buffers, toSqlString objects, String objects and non-empty lists (of lists) as literals', () => {
    expect(literalValues([null, undefined, true, 1, 2n, 'x', new Date(0), Buffer.from('a'), { toSqlString: () => 'NOW()' }, new String('s'), [1, 2], [[1, 2], [3, 4]]])).to.equal(true);
  });

  it('refuses an empty list (written as nothing: `-?-` becomes `--`), a list of objects, a function', () => {
    for (const value of [[], [{ a: 1 }], () => 1, [[[1]]]]) expect(literalValues([value]), JSON.stringify(value) ?? 'function').to.equal(false);
  });

  it('takes a plain object of literals (written as `a = 1, b = 2`) only after SET or UPDATE', () => {
    const body = { name: 'x', role: 'admin' };
    expect(literalValues([body])).to.equal(true);
    expect(literalValues([{ name: { nested: 1 } }])).to.equal(false);
    expect(valuesInCode({}, 'update t set ? where id = ?', [body, 1], mysql, 'mysql', {})).to.equal(true);
    expect(valuesInCode({}, 'insert into t (a) values (?) on duplicate key update ?', [1, body], mysql, 'mysql', {})).to.equal(true);
    // knex's update({ name: body }): the object would set `role` too.
    expect(valuesInCode({}, 'update `t` set `name` = ? where `id` = ?', [body, 1], mysql, 'mysql', {})).to.equal(false);
    expect(valuesInCode({}, 'delete from `t` where `id` between ? and ?', [0, { id: 1 }], mysql, 'mysql', {})).to.equal(false);
  });

  it('checks each value of a named-placeholders map', () => {
    expect(literalValues({ a: 1, b: 'x' }, true)).to.equal(true);
    expect(literalValues({ a: [] }, true)).to.equal(false);
  });

  it('counts more than a million values by the same rule it finds them', () => {
    const values = Array.from({ length: 1_000_002 }, (_, i) => i);
    const sql = `select 1 from t where id in (${values.map(() => '?').join(',')})`;
    expect(valuesInCode({}, sql, values, (text, v) => mysql2.format(text, v), 'mysql', {})).to.equal(true);
    expect(valuesInCode({}, `${sql} /* ? */`, [...values, 'x'], mysql, 'mysql', {})).to.equal(false);
  });
});
