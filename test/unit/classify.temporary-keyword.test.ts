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
  // A temporary table that reaches another object is no longer only a temporary table.
  ['CREATE TEMP TABLE kid () INHERITS (victim)', 'postgres', 'CREATE TABLE'],
  ['create temporary table kid (a int) inherits (public.victim, other)', 'postgres', 'CREATE TABLE'],
  ['create temp table kid (a int) /* c */ INHERITS\n(victim) on commit drop', 'postgres', 'CREATE TABLE'],
  ["create temp table p1 partition of victim for values in (1)", 'postgres', 'CREATE TABLE'],
  ['create temp table x (a int) tablespace pg_default', 'postgres', 'CREATE TABLE'],
  ['create temp table x (a int) with (fillfactor = 70) tablespace fast', 'postgres', 'CREATE TABLE'],
  ["create temporary table x (a int) engine=connect table_type=csv file_name='/etc/passwd'", 'mysql', 'CREATE TABLE'],
  ["CREATE TEMPORARY TABLE x (a int) ENGINE = FEDERATED CONNECTION='mysql://u@h/db/t'", 'mysql', 'CREATE TABLE'],
  ["create temporary table x (a int) engine 'CONNECT'", 'mysql', 'CREATE TABLE'],
  ['create temporary table x (a int) engine=`Sequence`', 'mysql', 'CREATE TABLE'],
  ["create temporary table x (a int) connection='mysql://u@h/db/t'", 'mysql', 'CREATE TABLE'],
  ["create temporary table x (a int) data directory = '/tmp'", 'mysql', 'CREATE TABLE'],
  ["create temporary table x (a int) engine=myisam index directory='/tmp'", 'mysql', 'CREATE TABLE'],
  ['create temporary table x (a int) engine=mrg_myisam union=(t1, t2)', 'mysql', 'CREATE TABLE'],
  ['create temporary table x (a int) union (t1)', 'mysql', 'CREATE TABLE'],
  // Only its own storage: still a temporary table.
  ['create temp table x (like victim including all)', 'postgres', 'CREATE TEMPORARY TABLE'],
  ['create temp table x (a int) partition by range (a)', 'postgres', 'CREATE TEMPORARY TABLE'],
  ['create temp table x (a int) on commit delete rows', 'postgres', 'CREATE TEMPORARY TABLE'],
  ['create temp table x as select a from t union select b from u', 'postgres', 'CREATE TEMPORARY TABLE'],
  ['create temporary table x like victim', 'mysql', 'CREATE TEMPORARY TABLE'],
  ['create temporary table x (a int) engine=InnoDB', 'mysql', 'CREATE TEMPORARY TABLE'],
  ["create temporary table x (engine int, data text) ENGINE = 'memory'", 'mysql', 'CREATE TEMPORARY TABLE'],
  ['create temporary table x (a int) engine=Aria', 'mysql', 'CREATE TEMPORARY TABLE'],
  ['create temporary table x engine=myisam select a from t union select b from u', 'mysql', 'CREATE TEMPORARY TABLE'],
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
