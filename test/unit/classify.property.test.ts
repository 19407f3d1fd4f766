import { expect } from 'chai';
import { performance } from 'node:perf_hooks';
import { classifySql, type Classification } from '../../lib/guard/classify';
import { createLexer } from '../../lib/guard/lexer';
import { T_EOF, T_ERROR, T_SEMICOLON } from '../../lib/guard/tokens';
import type { Dialect } from '../../lib/types';
import { seededRandom } from '../support/spelling-variants';

// Property tests on generated input (seeded, so failures reproduce): the classifier
// always returns a well-formed answer without hitting its internal-error path, answers
// the same way twice, skims statements exactly as token-by-token lexing does, and takes
// time linear in the input length.

const DIALECTS: readonly Dialect[] = ['postgres', 'mysql', 'sqlite'];

const prng = seededRandom;

// SQL-ish pieces, weighted toward what lexers find tricky.
const PIECES = [
  "'", '"', '`', '$', '$$', '$a$', '$1', '-', '--', '/', '*', '/*', '*/', '/*!', '/*!50000', '/*M!', '#', ';', '\\', '\\\\', '[', ']',
  '(', ')', ',', '.', ':', '?', '@', '@@', '=', '&', 'E', "E'", "e'", "x'", "B'", "N'", "U&'", 'U&"', '\n', '\r', '\t', ' ', ' ', ' ',
  'select', 'SELECT', 'into', 'INTO', 'drop table', 'create', 'insert into', 'with', 'as', 'set', 'global', 'role', 'pragma',
  'explain', 'analyze', 'copy', 'from', 'stdin', 'outfile', 'table', 'values', 'update', 'delete', 'grant', 'do', 'begin', 'end',
  'Into', 'into$', 'u&', 'e', 'n', 'u', 'd', '9', '+', '\v',
  'a', 'b', 'x', '1', '42', '1.5', '1e5', '1.', '.5', '1_0', '0x1F', 'a$', '$1a', '1e+', '1e-', '_', 'ü', '☃', '😀', '\u00a0', '\u2028', '\u0000',
];

function chaos(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += PIECES[Math.floor(random() * PIECES.length)];
  return out;
}

/** Well-formed statements (every quote closed), so that lexing runs to the end of the input. */
function wellFormed(random: () => number, dialect: Dialect, length: number): string {
  const parts: string[] = [];
  let size = 0;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  while (size < length) {
    const n = Math.floor(random() * 1000);
    const quoted = dialect === 'mysql' ? `\`c${n}\`` : `"c${n}"`;
    const piece = pick([
      `select ${quoted}, 'it''s ${n}; drop table x' from t${n} where a = ? -- c ${n}\n;`,
      `insert into t (a, b) values (${n}, 'x/*${n}*/y'), (${n + 1}, 'z') /* c; */;`,
      `update t set a = a + ${n} where b in (select c from d where e like '%${n}%');`,
      `with x as (select ${n}) select * from x;`,
      dialect === 'postgres' ? `select $q$ ; drop ${n} $q$, E'\\'${n}\\'' ;` : dialect === 'mysql' ? `select 'a\\'${n}' # c\n;` : `select [c ${n}] from t;`,
    ]);
    parts.push(piece);
    size += piece.length;
  }
  return parts.join(' ');
}

function wellFormedResult(sql: string, result: Classification): void {
  expect(result).to.have.keys(['allowedOnRuntime', 'statements']);
  let previousEnd = 0;
  for (const statement of result.statements) {
    expect(statement.start).to.be.a('number').and.at.least(previousEnd);
    expect(statement.end).to.be.above(statement.start).and.at.most(sql.length);
    expect(['read', 'write', 'transaction', 'session', 'ddl', 'privilege', 'other']).to.include(statement.kind);
    expect(statement.keyword).to.match(/^([A-Z_0-9$]+( [A-Z_0-9$]+)*)?$|[^\x00-\x7f]/);
    if (!statement.allowedOnRuntime) expect(statement.reason).to.be.a('string').and.not.match(/^internal error/);
    if (statement.kind === 'other') expect(statement.allowedOnRuntime).to.equal(false);
    previousEnd = statement.end;
  }
  expect(result.allowedOnRuntime).to.equal(result.statements.every((statement) => statement.allowedOnRuntime));
}

/** Statement ends found by skim() equal those found by stepping next(). */
function skimAgrees(sql: string, dialect: Dialect): void {
  const stepping = createLexer(sql, dialect);
  const skimming = createLexer(sql, dialect);
  for (let guard = 0; guard < sql.length + 2; guard++) {
    let type = stepping.next();
    const skimType = skimming.next();
    expect(skimType, 'first token').to.equal(type);
    if (type === T_EOF || type === T_ERROR) return;
    if (type === T_SEMICOLON) continue;
    let lastEnd = stepping.end;
    while ((type = stepping.next()) !== T_SEMICOLON && type !== T_EOF && type !== T_ERROR) lastEnd = stepping.end;
    const skimmed = skimming.skim(false, 0, 0);
    expect(skimmed, 'stop').to.equal(type);
    if (type === T_ERROR) return;
    expect(skimming.lastEnd, 'statement end').to.equal(lastEnd);
    expect(skimming.start, 'stop position').to.equal(stepping.start);
    if (type === T_EOF) return;
  }
}

/**
 * Linear time, proven without a wall-clock ceiling: the large input is 64 times the small
 * one, so linear work takes about 64 times as long and quadratic work about 4096 times. The
 * bound, 512, leaves 8x for noise on the linear side and is still 8x under quadratic. Time
 * is this process's CPU time, which other processes on a loaded machine do not inflate
 * (wall time does, most for the longer run), and each side is the fastest of several runs:
 * GC and cache misses only ever add time, so the minimum is the least disturbed measurement.
 */
const SCALE = 64;
const LINEAR_BOUND = 512;

/** CPU milliseconds (user + system) this process spent since `since`. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
}

function fastest(run: () => void, rounds: number): number {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = process.cpuUsage();
    run();
    best = Math.min(best, cpuMs(start));
  }
  return best;
}

/** large/small time ratio; the small side is repeated until it takes a measurable time. */
function growth(small: () => void, large: () => void): { ratio: number; note: string } {
  let repeat = 1;
  while (fastest(() => { for (let i = 0; i < repeat; i++) small(); }, 1) < 5 && repeat < 1 << 16) repeat *= 2;
  const smallTime = fastest(() => { for (let i = 0; i < repeat; i++) small(); }, 7) / repeat;
  const largeTime = fastest(large, 3);
  return { ratio: largeTime / smallTime, note: `${smallTime.toFixed(3)} ms vs ${largeTime.toFixed(2)} ms` };
}

describe('classifySql properties', () => {
  for (const dialect of DIALECTS) {
    describe(dialect, () => {
      it('returns a well-formed, deterministic answer for 3000 random inputs', () => {
        const random = prng(0x5eed + dialect.length);
        for (let i = 0; i < 3000; i++) {
          const sql = chaos(random, Math.floor(random() * 160));
          // classifySql catches everything (an internal error fails closed), so not throwing
          // proves nothing: wellFormedResult asserts the answer, and that no reason is an internal error.
          const result = classifySql(sql, dialect);
          try {
            wellFormedResult(sql, result);
          } catch (error) {
            throw new Error(`${JSON.stringify(sql)}: ${(error as Error).message}`);
          }
          expect(classifySql(sql, dialect), sql).to.deep.equal(result);
        }
      });

      it('skims statements exactly as stepping through tokens does (4000 random inputs)', () => {
        const random = prng(0xc0ffee + dialect.length);
        for (let i = 0; i < 4000; i++) {
          const sql = chaos(random, Math.floor(random() * 160));
          try {
            skimAgrees(sql, dialect);
          } catch (error) {
            throw new Error(`${JSON.stringify(sql)}: ${(error as Error).message}`);
          }
        }
      });

      it('answers for well-formed generated statements, all of whose statements it sees', () => {
        const random = prng(0xfeed + dialect.length);
        const sql = wellFormed(random, dialect, 20_000);
        const result = classifySql(sql, dialect);
        wellFormedResult(sql, result);
        expect(result.statements.every((statement) => statement.kind !== 'other'), JSON.stringify(result.statements.find((s) => s.kind === 'other'))).to.equal(true);
        expect(result.statements.length).to.be.above(100);
      });

      it(`takes time linear in the input length (${SCALE}x the input within ${LINEAR_BOUND}x the time)`, function () {
        this.timeout(120_000);
        for (const material of ['well-formed', 'chaos'] as const) {
          const random = prng(0x11ea + dialect.length);
          const chunks: string[] = [];
          for (let i = 0; i < SCALE; i++) chunks.push(material === 'chaos' ? chaos(random, 4096).replace(/\u0000/g, ' ') : wellFormed(random, dialect, 4096));
          const small = chunks[0] as string;
          const large = chunks.join(' ');
          const { ratio, note } = growth(() => classifySql(small, dialect), () => classifySql(large, dialect));
          expect(ratio, `${material}: ${note}`).to.be.below(LINEAR_BOUND);
        }
      });
    });
  }

  it('handles adversarial shapes without superlinear work', function () {
    this.timeout(120_000);
    const shapes: Array<[Dialect, (n: number) => string]> = [
      ['postgres', (n) => 'select ' + '$a$x'.repeat(n)],
      ['postgres', (n) => 'select ' + '/*'.repeat(n) + '*/'.repeat(n)],
      ['postgres', (n) => "select E'" + "a'\n'".repeat(n) + "'"],
      ['postgres', (n) => 'select ' + 'a$'.repeat(n) + ' $$'],
      ['postgres', (n) => 'explain '.repeat(n) + 'select 1'],
      ['postgres', (n) => '('.repeat(n) + 'select 1' + ')'.repeat(n)],
      ['postgres', (n) => 'insert into t values (' + '1'.repeat(n) + ')'],
      ['postgres', (n) => 'insert into t values (' + '1'.repeat(n) + 'a$'],
      ['postgres', (n) => 'insert into t values ($' + '1'.repeat(n) + 'a$'],
      ['postgres', (n) => 'insert into t values (1.' + '5'.repeat(n) + 'e' + '7'.repeat(n) + ')'],
      ['postgres', (n) => "insert into t values ('" + 'a'.repeat(n) + '\\' + 'b'.repeat(n) + "')"],
      ['postgres', (n) => "insert into t values ('" + "a''".repeat(n)],
      ['postgres', (n) => 'insert into t values ("' + 'a""'.repeat(n)],
      ['mysql', (n) => "insert into t values ('" + "a''".repeat(n)],
      ['mysql', (n) => 'insert into t values (' + '-'.repeat(n) + '1)'],
      ['sqlite', (n) => "insert into t values ('" + "a''".repeat(n)],
      ['sqlite', (n) => 'insert into t values (' + 'a$'.repeat(n) + ')'],
      ['mysql', (n) => 'select 1 ' + '/*!50000 , 1 */'.repeat(n)],
      ['mysql', (n) => "select '" + '\\\''.repeat(n) + "'"],
      ['mysql', (n) => 'set ' + '@a = 1, '.repeat(n) + '@b = 2'],
      ['sqlite', (n) => 'select ' + '[a]'.repeat(n)],
      ['sqlite', (n) => 'with ' + 'x as (select 1), '.repeat(n) + 'y as (select 2) select 1'],
    ];
    for (const [dialect, shape] of shapes) {
      const small = shape(1_000);
      const large = shape(1_000 * SCALE);
      const { ratio, note } = growth(() => classifySql(small, dialect), () => classifySql(large, dialect));
      expect(ratio, `${dialect} ${small.slice(0, 30)}: ${note}`).to.be.below(LINEAR_BOUND);
    }
  });
});
