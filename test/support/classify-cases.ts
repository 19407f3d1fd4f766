import { expect } from 'chai';
import { classifySql, type Classification, type StatementKind } from '../../lib/guard/classify';
import type { Dialect } from '../../lib/types';

/**
 * The table-driven harness behind test/unit/classify.{postgres,mysql,sqlite}.test.ts.
 *
 * [sql, expected, keyword?]: an allowed kind (every statement allowed, the first of that
 * kind and keyword), 'refused' (the keyword is the first refused statement's) or 'empty'.
 */
export type Expected = Exclude<StatementKind, 'ddl' | 'privilege' | 'other'> | 'refused' | 'empty';
export type Case = [sql: string, expected: Expected, keyword?: string];

/** Properties every classification has, whatever the statement. */
export function checkInvariants(sql: string, result: Classification): void {
  let previousEnd = 0;
  for (const statement of result.statements) {
    expect(statement.start, 'start').to.be.at.least(previousEnd);
    expect(statement.end, 'end').to.be.above(statement.start);
    expect(statement.end, 'end').to.be.at.most(sql.length);
    if (statement.kind === 'other') expect(statement.allowedOnRuntime, 'other is refused').to.equal(false);
    if (!statement.allowedOnRuntime) expect(statement.reason, 'refusals say why').to.be.a('string');
    previousEnd = statement.end;
  }
  expect(result.allowedOnRuntime).to.equal(result.statements.every((statement) => statement.allowedOnRuntime));
}

export function check(dialect: Dialect, sql: string, expected: Expected, keyword?: string): void {
  const result = classifySql(sql, dialect);
  const shown = JSON.stringify(result);
  checkInvariants(sql, result);
  if (expected === 'empty') {
    expect(result, shown).to.deep.equal({ allowedOnRuntime: true, statements: [] });
  } else if (expected === 'refused') {
    expect(result.allowedOnRuntime, shown).to.equal(false);
    if (keyword !== undefined) expect(result.statements.find((statement) => !statement.allowedOnRuntime)?.keyword, shown).to.equal(keyword);
  } else {
    expect(result.allowedOnRuntime, shown).to.equal(true);
    expect(result.statements[0]?.kind, shown).to.equal(expected);
    if (keyword !== undefined) expect(result.statements[0]?.keyword, shown).to.equal(keyword);
  }
}

/** One `describe` per named group, one `it` (titled by its SQL) per case, checked on `dialect`. */
export function describeCaseGroups(dialect: Dialect, groups: ReadonlyArray<[name: string, cases: Case[]]>): void {
  for (const [name, cases] of groups) {
    describe(name, () => {
      for (const [sql, expected, keyword] of cases) it(sql, () => check(dialect, sql, expected, keyword));
    });
  }
}
