import { expect } from 'chai';
import { classifySql } from '../../lib/guard/classify';
import { createStatementCheck } from '../../lib/guard/client';
import { redactLiterals } from '../../lib/guard/redact-literals';

// mysql2 formats bound values into the text on the client; the guard judges that text.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { format } = require('mysql2') as { format: (sql: string, values: unknown[]) => string };

/**
 * MySQL: after mysql2 formatted the bound values in, every statement's start/end are its own
 * bounds in the formatted text (no surrounding whitespace or comments, inside the text, in
 * order), in every reading that refuses it; a refusal's error shows exactly that span with
 * its literals redacted, and never a bound value. A statement that only exists in another
 * reading of a bound value (NO_BACKSLASH_ESCAPES) is all literal in the default reading,
 * so it is shown as '?'.
 */
const PARTS = ["'", '\\', '"', ';', ' drop table x', ' -- ', '/*', '*/', '/*!50000 ', '`', '?', 'hunter2', '\n', '#', "\\'", ' select 1', ' grant all on *.* to u'];
const TEMPLATES = ['select * from t where a = ?', 'insert into t (a, b) values (?, ?)', 'update t set a = ? where id = ?', 'select ? as x, ? as y', 'select 1; select ?'];

function* formattedTexts(count: number): Generator<string> {
  let seed = 11;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let k = 0; k < count; k++) {
    const template = TEMPLATES[rnd(TEMPLATES.length)] as string;
    const values = [0, 1].map(() => Array.from({ length: 1 + rnd(6) }, () => PARTS[rnd(PARTS.length)]).join(''));
    yield format(template, values);
  }
}

describe('classifySql: MySQL statement spans after placeholder formatting', () => {
  const check = createStatementCheck('mysql', { role: 'runtime', dangerouslyAllow: [] });

  it('every statement of 3000 formatted texts spans exactly its own tokens', () => {
    let refused = 0;
    for (const sql of formattedTexts(3000)) {
      const result = classifySql(sql, 'mysql');
      let previousEnd = 0;
      for (const statement of result.statements) {
        const text = sql.slice(statement.start, statement.end);
        expect(statement.start, sql).to.be.at.least(previousEnd);
        expect(statement.end, sql).to.be.at.most(sql.length);
        expect(text.length, sql).to.be.above(0);
        expect(text, sql).to.equal(text.trim());
        expect(text.startsWith('--') || text.startsWith('#'), sql).to.equal(false);
        previousEnd = statement.end;
      }
      const first = result.statements.find((statement) => !statement.allowedOnRuntime);
      if (first === undefined) continue;
      refused++;
      const error = check(sql);
      expect(error, sql).to.not.equal(undefined);
      expect(error?.statement, sql).to.equal(redactLiterals(sql, 'mysql', first.start, first.end));
      expect(error?.statement, sql).to.not.include('hunter2');
    }
    // The generator must exercise refusals, or the test proves nothing.
    expect(refused).to.be.above(50);
  });

  it('a statement that only another reading of a bound value makes is shown redacted', () => {
    const sql = format('select * from t where a = ?', ["x\\'; drop table y; -- "]);
    const result = classifySql(sql, 'mysql');
    const refused = result.statements.find((statement) => !statement.allowedOnRuntime);
    expect(refused).to.include({ keyword: 'DROP TABLE' });
    expect(sql.slice(refused?.start, refused?.end)).to.equal('drop table y');
    expect(check(sql)?.statement).to.equal("'?'");
  });

  it('a refused statement written around bound values is shown with them redacted', () => {
    const sql = format('select ?; grant all on *.* to ?', ['hunter2', 'u']);
    const refused = classifySql(sql, 'mysql').statements.find((statement) => !statement.allowedOnRuntime);
    expect(sql.slice(refused?.start, refused?.end)).to.equal("grant all on *.* to 'u'");
    expect(check(sql)?.statement).to.equal("grant all on *.* to '?'");
  });
});
