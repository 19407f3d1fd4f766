import { expect } from 'chai';
import { classifySql } from '../../lib/guard/classify';
import type { Dialect } from '../../lib/types';

/*
 * `CREATE TEMPORARY TABLE` is the keyword an opt-in lets through for the runtime role, so
 * only a real temporary table may be reported with it: [sql, dialect, keyword of the first
 * refused statement].
 */
const CASES: Array<[sql: string, dialect: Dialect, keyword: string]> = [
  ['create temporary table x (a int)', 'postgres', 'CREATE TEMPORARY TABLE'],
  ['CREATE TEMP TABLE x (a int)', 'postgres', 'CREATE TEMPORARY TABLE'],
  ['create /* c */ temp /* c */ table x (a int)', 'postgres', 'CREATE TEMPORARY TABLE'],
  ['create global temporary table x (a int)', 'postgres', 'CREATE TEMPORARY TABLE'],
  ['create local temp table x (a int)', 'postgres', 'CREATE TEMPORARY TABLE'],
  ['create or replace temporary table x (a int)', 'mysql', 'CREATE TEMPORARY TABLE'],
  ['create temp table x (a)', 'sqlite', 'CREATE TEMPORARY TABLE'],
  // Not a temporary table, or not only one.
  ['create definer=temp@localhost table x (a int)', 'mysql', 'CREATE TABLE'],
  ['create definer = temp view v as select 1', 'mysql', 'CREATE VIEW'],
  ['create temp unlogged table x (a int)', 'postgres', 'CREATE TABLE'],
  ['create temp view v as select 1', 'postgres', 'CREATE TEMPORARY VIEW'],
  ['create temp sequence s', 'postgres', 'CREATE TEMPORARY SEQUENCE'],
  ['create temp trigger t after insert on x begin select 1; end', 'sqlite', 'CREATE TEMPORARY TRIGGER'],
  ['create temporary function f() returns int as $$select 1$$ language sql', 'postgres', 'CREATE TEMPORARY FUNCTION'],
  ['create temporary table x (a int); drop table y', 'postgres', 'DROP TABLE'],
  ['create temporary table x (a int) /*!; drop table y */', 'mysql', 'DROP TABLE'],
  ['create temp table x as select pg_read_file($$/etc/passwd$$)', 'postgres', 'PG_READ_FILE()'],
  ["create temp table x as select set_config('client_encoding', 'SJIS', false)", 'postgres', 'SET'],
];

describe('classifySql: the CREATE TEMPORARY TABLE keyword', () => {
  for (const [sql, dialect, keyword] of CASES) {
    it(`${dialect}: ${sql}`, () => {
      const result = classifySql(sql, dialect);
      const refused = result.statements.filter((statement) => !statement.allowedOnRuntime).map((statement) => statement.keyword);
      const expected = keyword === 'CREATE TEMPORARY TABLE' ? ['CREATE TEMPORARY TABLE'] : undefined;
      if (expected !== undefined) expect(refused, JSON.stringify(result)).to.deep.equal(expected);
      else {
        expect(refused, JSON.stringify(result)).to.include(keyword);
        if (keyword !== 'CREATE TEMPORARY TABLE') expect(refused.every((k) => k === 'CREATE TEMPORARY TABLE'), JSON.stringify(result)).to.equal(false);
      }
    });
  }
});
