import { expect } from 'chai';
import { isInto } from '../../lib/guard/chars';
import { createLexer, type Lexer, type LexerOptions } from '../../lib/guard/lexer';
import { T_EOF, T_ERROR, T_SEMICOLON, T_WORD } from '../../lib/guard/tokens';
import type { Dialect } from '../../lib/types';
import { seededRandom } from '../support/spelling-variants';

// skim() measures plain words, digit runs, whitespace and punctuation itself and hands every
// other character to next(). These inputs glue the pieces where the two could part ways
// (numbers against letters, `.`, `$` and `e`; one-letter prefixes against quotes; comment
// starts against `-`, `/`, `*`; the end of the text right after any piece) and compare
// skim(), watching for INTO or not, with the reference: next() called in a loop.

const prng = seededRandom;

const PIECES = [
  '1', '12', '3.5', '1.', '.5', '1..2', '1e5', '1E+5', '1e-', '1e', '1_0', '0x1F', '12abc', '1$', '1a$', '$1', '$12a', '$1$', '$', '$$', '$a$', '$a', 'a$',
  'a$$b', '$_$', 'e', 'E', 'b', 'B', 'x', 'X', 'n', 'N', 'u', 'U', 'U&', 'u&', '_', '_utf8', '_latin1', "'", '"', '`', '[', ']', "''", '&', "E'\\''",
  "x'ff'", "X'0A'", "B'01'", "N'n'", "U&'u'", 'U&"q"', "_utf8's'", "e'\\\\'", '-', '--', '-- ', '--\n', '#', '#x\n', '/', '*', '/*', '*/', '/*!',
  '/*!50000', '/*!100100', '/*M!', '/*M!100100', '/*+', '?', '?1', ':a', '@a', '@@', '#a', ':a::b', '$a(', ';', ',', '(', ')', '=', '+', '<', '|', '!',
  '%', '~', '\\', ' ', ' ', '\t', '\n', '\r', '\v', 'into', 'INTO', 'Into', 'intO', 'into1', 'xinto', 'into$', 'insert', 'select', 'values', 'from',
  'ü', '☃', '😀', '\u00a0', '\u0000', '\u0085',
];

function adversarial(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += PIECES[Math.floor(random() * PIECES.length)];
  return out;
}

interface Stop {
  type: number;
  start: number;
  end: number;
  lastEnd: number;
  p1: number[];
  error: string;
  errorKind: number;
}

/** What skim() promises, computed with next() alone (the token loop skim() replaced). */
function referenceSkim(lx: Lexer, watch: boolean, prevType: number, prevStart: number): Stop {
  let p1Type: number = lx.type;
  let p1Start = lx.start;
  let p1End = lx.end;
  let p2Type = prevType;
  let p2Start = prevStart;
  for (;;) {
    const t = lx.next();
    if (t === T_WORD && watch && lx.end - lx.start === 4 && isInto(lx.sql, lx.start)) {
      return { type: t, start: lx.start, end: lx.end, lastEnd: lx.end, p1: [p1Type, p1Start, p1End, p2Type, p2Start], error: '', errorKind: 0 };
    }
    if (t === T_SEMICOLON || t === T_EOF) return { type: t, start: lx.start, end: lx.end, lastEnd: p1End, p1: [], error: '', errorKind: 0 };
    if (t === T_ERROR) return { type: t, start: lx.start, end: lx.end, lastEnd: 0, p1: [], error: lx.error, errorKind: lx.errorKind };
    p2Type = p1Type;
    p2Start = p1Start;
    p1Type = t;
    p1Start = lx.start;
    p1End = lx.end;
  }
}

function skimStop(lx: Lexer, watch: boolean, prevType: number, prevStart: number): Stop {
  const t = lx.skim(watch, prevType, prevStart);
  const intoStop = t === T_WORD;
  return {
    type: t,
    start: lx.start,
    end: lx.end,
    lastEnd: t === T_ERROR ? 0 : lx.lastEnd,
    p1: intoStop ? [lx.p1Type, lx.p1Start, lx.p1End, lx.p2Type, lx.p2Start] : [],
    error: t === T_ERROR ? lx.error : '',
    errorKind: t === T_ERROR ? lx.errorKind : 0,
  };
}

/** Walks the whole text both ways, statement by statement and INTO by INTO, comparing every stop and the lexer's findings. */
function agrees(sql: string, dialect: Dialect, options: LexerOptions, watch: boolean): void {
  const ref = createLexer(sql, dialect, options);
  const lx = createLexer(sql, dialect, options);
  let prevType = 0;
  let prevStart = 0;
  for (let guard = 0; guard <= sql.length + 1; guard++) {
    const first = ref.next();
    expect(lx.next(), 'first token').to.equal(first);
    if (first === T_EOF || first === T_ERROR) break;
    if (first === T_SEMICOLON) continue;
    let stop: Stop;
    do {
      const p2Type = prevType;
      const p2Start = prevStart;
      stop = referenceSkim(ref, watch, p2Type, p2Start);
      expect(skimStop(lx, watch, p2Type, p2Start), JSON.stringify(sql)).to.deep.equal(stop);
      prevType = stop.p1[0] ?? 0;
      prevStart = stop.p1[1] ?? 0;
    } while (stop.type === T_WORD);
    if (stop.type !== T_SEMICOLON) break;
  }
  expect([lx.versions, lx.tooManyVersions, lx.sawMariadbComment, lx.sawBackslashInString], 'findings').to.deep.equal([
    ref.versions, ref.tooManyVersions, ref.sawMariadbComment, ref.sawBackslashInString,
  ]);
}

const READINGS: ReadonlyArray<[Dialect, LexerOptions]> = [
  ['postgres', {}],
  ['postgres', { altBackslash: true }],
  ['mysql', {}],
  ['mysql', { altBackslash: true, ansiQuotes: true }],
  ['mysql', { server: 'mysql', versionThreshold: 80000 }],
  ['sqlite', {}],
];

describe('lexer: skim() against next() on adversarial input', () => {
  for (const [dialect, options] of READINGS) {
    const name = `${dialect} ${JSON.stringify(options)}`;
    it(`${name}: stops, statement ends, INTO neighbours, errors and findings agree (1500 generated texts)`, () => {
      const random = prng(0x5e1ec7 + name.length);
      for (let k = 0; k < 1500; k++) {
        const sql = adversarial(random, 1 + Math.floor(random() * 60));
        agrees(sql, dialect, options, false);
        agrees(sql, dialect, options, true);
      }
    });
  }

  it('ends a text that stops right after a number, a word, a prefix letter or a fraction the same way', () => {
    for (const [dialect, options] of READINGS) {
      for (const tail of ['1', '12', '3.5', '1.', 'a', 'E', 'x', 'U', 'into', '$1', '1e', '12abc']) {
        for (const sql of [`select ${tail}`, `select 1,${tail}`, `select (${tail})`, `insert into t values (${tail}`]) {
          agrees(sql, dialect, options, false);
          agrees(sql, dialect, options, true);
        }
      }
    }
  });

  it('reads numbers glued to letters, `$` and `.` as the dialect does (one multi-row INSERT per dialect)', () => {
    const rows = Array.from({ length: 200 }, (_, i) => `(${i}, ${i}.5, ${i}e1, ${i}x, $${i}, '${i}', x'${i}', E'${i}', ${i}.into)`).join(',');
    for (const [dialect, options] of READINGS) agrees(`insert into t values ${rows}; select 1 into x`, dialect, options, true);
  });
});
