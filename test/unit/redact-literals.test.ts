import { expect } from 'chai';
import { redactLiterals } from '../../lib/guard/redact-literals';
import type { Dialect } from '../../lib/types';

// [sql, expected text with every literal replaced by '?']
type Case = [sql: string, redacted: string];

const POSTGRES: Case[] = [
  ["alter user app with password 'hunter2-secret'", "alter user app with password '?'"],
  ["select 'it''s', 'x'", "select '?', '?'"],
  ["select '' , ''''", "select '?' , '?'"],
  ['select $$a\'b$$, $tag$ x $$ \'y\' $tag$, $a$ $b$ ; $b$ $a$', "select '?', '?', '?'"],
  ['select $1, $2 from t', 'select $1, $2 from t'],
  ["select E'\\'secret', e'a\\\\'", "select '?', '?'"],
  ["select E'a'\n'sec\\'ret'", "select '?'"],
  ["select U&'d\\0061t', X'ff', B'01', N'nat'", "select '?', '?', '?', '?'"],
  ['select "Quoted""Ident", U&"x" from "t"', 'select "Quoted""Ident", U&"x" from "t"'],
  ["select 1 -- it's a comment\n, 2 /* 'not' /* \"a\" */ string */", "select 1 -- it's a comment\n, 2 /* 'not' /* \"a\" */ string */"],
  ["select a$$b, 'x'", "select a$$b, '?'"],
  ["alter role r password 'unterminated secret", "alter role r password '?'"],
  ["select $q$ never closed 'x'", "select '?'"],
  ["select E'\\' unterminated", "select '?'"],
  // With standard_conforming_strings off, 'a\' x ' is one literal: both readings are redacted.
  ["select 'a\\' , 'b' , c", "select '?'"],
  ["select 'a\\', c", "select '?'"],
];

const MYSQL: Case[] = [
  ["alter user 'app'@'%' identified by 'hunter2-secret'", "alter user '?'@'?' identified by '?'"],
  ["select 'it''s', \"dq\"\"x\"", "select '?', '?'"],
  // A backslash escapes the quote by default; with NO_BACKSLASH_ESCAPES it does not: both readings are redacted.
  ["select 'a\\'b' , c", "select '?'"],
  // 'p\\' ends at the same quote in both readings.
  ["set password = 'p\\\\' , x = 1", "set password = '?' , x = 1"],
  ['select "a\\"b"', "select '?'"],
  ['select `ba``ck`, `t`.`c` from `t`', 'select `ba``ck`, `t`.`c` from `t`'],
  ["select x'ff', X'00', b'01', N'nat', 0xff", "select '?', '?', '?', '?', 0xff"],
  ["select _utf8mb4'abc'", "select _utf8mb4'?'"],
  ["select 1 # it's\n, 2 -- \"q\n, 3 /* 'c' */", "select 1 # it's\n, 2 -- \"q\n, 3 /* 'c' */"],
  ["select 1 /*!50700 , 'v' */ /*M!100100 , \"m\" */", "select 1 /*!50700 , '?' */ /*M!100100 , '?' */"],
  ["select ? , 'x'", "select ? , '?'"],
  ["create user u identified by 'never closed", "create user u identified by '?'"],
];

const SQLITE: Case[] = [
  ["attach database 'secret-path-hunter2' as x", "attach database '?' as x"],
  ["select 'it''s', X'ff', x'00'", "select '?', '?', '?'"],
  // No backslash escapes in SQLite: 'a\' ends at the second quote.
  ["select 'a\\', 'b'", "select '?', '?'"],
  ['select "ident", `bt`, [br] from "t"', 'select "ident", `bt`, [br] from "t"'],
  ["select 1 -- it's\n, 2 /* 'c' */", "select 1 -- it's\n, 2 /* 'c' */"],
  ['select ?, ?1, :name, @v, $x', 'select ?, ?1, :name, @v, $x'],
  ["select 'unterminated secret", "select '?'"],
];

const TABLES: Record<Dialect, Case[]> = { postgres: POSTGRES, mysql: MYSQL, sqlite: SQLITE };

describe('redactLiterals', () => {
  for (const dialect of ['postgres', 'mysql', 'sqlite'] as const) {
    describe(dialect, () => {
      for (const [sql, redacted] of TABLES[dialect]) {
        it(JSON.stringify(sql), () => {
          expect(redactLiterals(sql, dialect)).to.equal(redacted);
        });
      }
    });
  }

  it('redacts a part of a longer text as read in its context', () => {
    const sql = "select 'a;b'; alter user x password 'p;w'; select 2";
    const start = sql.indexOf('alter');
    const end = sql.indexOf("; select 2");
    expect(redactLiterals(sql, 'postgres', start, end)).to.equal("alter user x password '?'");
    // A part that begins inside a literal starts with the redaction.
    expect(redactLiterals(sql, 'postgres', sql.indexOf('p;w'), end)).to.equal("'?'");
  });

  it('leaves text without literals unchanged', () => {
    for (const dialect of ['postgres', 'mysql', 'sqlite'] as const) {
      expect(redactLiterals('drop table posts', dialect)).to.equal('drop table posts');
      expect(redactLiterals('', dialect)).to.equal('');
    }
  });
});
