import { expect } from 'chai';
import { createLexer, tokenize, type LexerOptions } from '../../lib/guard/lexer';
import { T_EOF, T_ERROR, T_SEMICOLON, T_WORD } from '../../lib/guard/tokens';
import type { Dialect } from '../../lib/types';

// [sql, expected tokens as "type text" lines (or "error <message>")]
type Case = [sql: string, tokens: string[]];

function show(sql: string, dialect: Dialect, options?: LexerOptions): string[] {
  return tokenize(sql, dialect, options).map((token) => `${token.type} ${token.text}`);
}

const POSTGRES: Case[] = [
  ['select 1', ['word select', 'number 1']],
  ['SELECT a, b FROM t;', ['word SELECT', 'word a', 'op ,', 'word b', 'word FROM', 'word t', 'semicolon ;']],
  ['a$b a$$ $1 $12x', ['word a$b', 'word a$$', 'param $1', 'param $12', 'word x']],
  ['$1_0$$', ['error numeric literal followed by identifier characters and $ (read differently by PostgreSQL 15 and 16)']],
  ['$$x$$ $a$y$a$ $ab$ z $ab$', ['string $$x$$', 'string $a$y$a$', 'string $ab$ z $ab$']],
  ['$a$ $b$ ; $b$ $a$', ['string $a$ $b$ ; $b$ $a$']],
  ['$abc + 1', ['op $', 'word abc', 'op +', 'number 1']],
  ['$ 1', ['op $', 'number 1']],
  ["'it''s' 'a\\'", ["string 'it''s'", "string 'a\\'"]],
  ["E'a\\'b' e'\\\\'", ["string E'a\\'b'", "string e'\\\\'"]],
  ["E'a'\n'\\'' x", ["string E'a'\n'\\''", 'word x']],
  ["E'a' 'b'", ["string E'a'", "string 'b'"]],
  ["E'a'\n-- c\n'b'", ["string E'a'\n-- c\n'b'"]],
  ["B'01' X'ff' N'x' U&'\\0041' U&\"x\"", ["string B'01'", "string X'ff'", "string N'x'", "string U&'\\0041'", 'quoted-ident U&"x"']],
  ['u& "x"', ['word u', 'op &', 'quoted-ident "x"']],
  ["ue'x'", ['word ue', "string 'x'"]],
  ['"a""b" "x"', ['quoted-ident "a""b"', 'quoted-ident "x"']],
  ['/* a /* b */ c */ x', ['word x']],
  ['-- a\rb', ['word b']],
  ['1.5 .5 1. 1e5 1e-5 1..2', ['number 1.5', 'number .5', 'number 1.', 'number 1e5', 'number 1e-5', 'number 1', 'op .', 'number .2']],
  ['1.into', ['number 1.', 'word into']],
  ['1e$$x$$', ['error numeric literal followed by identifier characters and $ (read differently by PostgreSQL 15 and 16)']],
  ['12_3$$ x $$', ['error numeric literal followed by identifier characters and $ (read differently by PostgreSQL 15 and 16)']],
  ['x\u00a0y', ['word x\u00a0y']],
  ['ü ☃', ['word ü', 'word ☃']],
  ['a\vb', ['word a', 'word b']],
  ["'abc", ['error unterminated quoted string']],
  ['"abc', ['error unterminated quoted identifier']],
  ['$q$abc', ['error unterminated dollar-quoted string']],
  ['/* /* */', ['error unterminated /* comment']],
  ['a\u0000', ['word a', 'error NUL character in SQL text']],
  ['::int', ['op :', 'op :', 'word int']],
];

const MYSQL: Case[] = [
  ['select 1', ['word select', 'number 1']],
  ['select 1--1', ['word select', 'number 1', 'op -', 'op -', 'number 1']],
  ['select 1 --x', ['word select', 'number 1', 'op -', 'op -', 'word x']],
  ['select 1 -- x', ['word select', 'number 1']],
  ['select 1 --\tx', ['word select', 'number 1']],
  ['a # b\nc', ['word a', 'word c']],
  ['a /* b */ c', ['word a', 'word c']],
  ['a /* /* */ c', ['word a', 'word c']],
  ['a /*! b */ c', ['word a', 'word b', 'word c']],
  ['a /*!50000 b */ c', ['word a', 'word b', 'word c']],
  ['a /*M!100100 b */ c', ['word a', 'word b', 'word c']],
  ['a /*+ hint */ c', ['word a', 'word c']],
  ["'a\\'b' \"c\\\"d\" 'e''f'", ["string 'a\\'b'", 'string "c\\"d"', "string 'e''f'"]],
  ['`a``b` `c\\`', ['quoted-ident `a``b`', 'quoted-ident `c\\`']],
  ['1abc 1e5 1.into $x', ['word 1abc', 'number 1e5', 'number 1.', 'word into', 'word $x']],
  ['@a @@global.x ?', ['op @', 'word a', 'op @', 'op @', 'word global', 'op .', 'word x', 'param ?']],
  ['a /*! b', ['word a', 'word b', 'error unterminated executable comment']],
  ['/*! /* */ */', ['error comment inside an executable comment']],
  ['/*! # x */', ['error comment inside an executable comment']],
  ["'abc", ['error unterminated quoted string']],
  ['`abc', ['error unterminated quoted identifier']],
  ['/* abc', ['error unterminated comment']],
];

const SQLITE: Case[] = [
  ['select 1', ['word select', 'number 1']],
  ["'a\\' x", ["string 'a\\'", 'word x']],
  ['"a""b" `c``d` [e]]', ['quoted-ident "a""b"', 'quoted-ident `c``d`', 'quoted-ident [e]', 'op ]']],
  ["x'ab' xy'z'", ["string x'ab'", 'word xy', "string 'z'"]],
  ['? ?12 :a @b $c #d $e::f', ['param ?', 'param ?12', 'param :a', 'param @b', 'param $c', 'param #d', 'param $e::f']],
  ['$ @ : #', ['op $', 'op @', 'op :', 'op #']],
  ['$a(b)', ['error Tcl-style parameter suffix $name(…)']],
  ['a -- b\rc\nd', ['word a', 'word d']],
  ['a /* /* */ b', ['word a', 'word b']],
  ['1e5 1e-5 0x1f 1abc', ['number 1e5', 'number 1e-5', 'number 0x1f', 'number 1abc']],
  ["'abc", ['error unterminated quoted string']],
  ['[abc', ['error unterminated quoted identifier']],
  ['/* abc', ['error unterminated /* comment']],
];

describe('lexer', () => {
  const dialects: Array<[Dialect, Case[]]> = [['postgres', POSTGRES], ['mysql', MYSQL], ['sqlite', SQLITE]];
  for (const [dialect, cases] of dialects) {
    describe(dialect, () => {
      for (const [sql, tokens] of cases) it(sql, () => expect(show(sql, dialect)).to.deep.equal(tokens));
    });
  }

  describe('alternative readings', () => {
    it("postgres: standard_conforming_strings off makes '…' take backslash escapes", () => {
      expect(show("'a\\'' x", 'postgres', { altBackslash: true })).to.deep.equal(["string 'a\\''", 'word x']);
    });
    it('mysql: NO_BACKSLASH_ESCAPES makes backslash plain', () => {
      expect(show("'a\\' x", 'mysql', { altBackslash: true })).to.deep.equal(["string 'a\\'", 'word x']);
    });
    it('mysql: a versioned comment above the threshold is skipped like a comment', () => {
      expect(show('a /*!99999 b */ c', 'mysql', { versionThreshold: 80000 })).to.deep.equal(['word a', 'word c']);
    });
    it('mysql: a skipped versioned comment may hold one nested comment', () => {
      expect(show('a /*!99999 /* b */ c */ d', 'mysql', { versionThreshold: 80000 })).to.deep.equal(['word a', 'word d']);
    });
    it('mysql: a MySQL server reads /*M! as a plain comment', () => {
      expect(show('a /*M! b */ c', 'mysql', { server: 'mysql' })).to.deep.equal(['word a', 'word c']);
    });
    it('mysql: five version digits on MySQL, six on MariaDB', () => {
      expect(show('/*!100100 b */', 'mysql', { server: 'mysql' })).to.deep.equal(['number 0', 'word b']);
      expect(show('/*!100100 b */', 'mysql')).to.deep.equal(['word b']);
    });
    it('records what needs re-reading', () => {
      const pg = createLexer("'a\\b'", 'postgres');
      while (pg.next() !== T_EOF);
      expect(pg.sawBackslashInString).to.equal(true);
      const my = createLexer('/*!50000 a */ /*M! b */', 'mysql');
      while (my.next() !== T_EOF);
      expect(my.versions).to.deep.equal([50000]);
      expect(my.sawMariadbComment).to.equal(true);
    });
  });

  describe('skim agrees with next()', () => {
    const samples = [
      "select 'a;b', \"c;d\", $$e;f$$ from t where x = 1; drop table y",
      'select a into b from c; select 1',
      "insert into t values ('x', 1), ('y', 2) returning id",
      'select 1 /* ; */ -- ;\n, 2 ; select 3',
      "select E'\\';' ; x",
      'select `a;b` /*! ; */ ; x',
      'select [a;b] ; x',
      "select 'unterminated",
    ];
    for (const dialect of ['postgres', 'mysql', 'sqlite'] as const) {
      for (const sql of samples) {
        it(`${dialect}: ${sql}`, () => {
          const byNext = createLexer(sql, dialect);
          let type = byNext.next();
          let lastEnd = byNext.end;
          while (type !== T_SEMICOLON && type !== T_EOF && type !== T_ERROR) {
            lastEnd = byNext.end;
            type = byNext.next();
          }
          const bySkim = createLexer(sql, dialect);
          if (bySkim.next() === T_ERROR) return;
          const skimmed = bySkim.skim(false, 0, 0);
          expect([skimmed, skimmed === T_ERROR ? 0 : bySkim.lastEnd, bySkim.start]).to.deep.equal([type, type === T_ERROR ? 0 : lastEnd, byNext.start]);
        });
      }
    }
    it('stops at INTO words when watching', () => {
      const lexer = createLexer('select a as b into c from d', 'postgres');
      lexer.next();
      expect(lexer.skim(true, 0, 0)).to.equal(T_WORD);
      expect([lexer.start, lexer.end, lexer.p1Start, lexer.p1End]).to.deep.equal([14, 18, 12, 13]);
    });
  });
});
