// classifySql measured side by side with a Rails-style leading-keyword regex, in one run:
// ns per typical knex statement (per dialect), throughput on a 1 MB and a 10 MB multi-row
// INSERT, and how the time scales from 1 MB to 10 MB. Every figure is the median of many
// timed rounds after a warm-up; rounds of all contenders are interleaved so drift in
// machine speed hits them alike. There is no cache inside classifySql: every call lexes
// and classifies from scratch, which is what is measured.
import knex from 'knex';
import { performance } from 'node:perf_hooks';
import { classifySql } from '../lib/guard/classify';
import type { Dialect } from '../lib/types';
import { median } from './median';

export interface ClassifierBenchRow {
  name: string;
  value: number;
  unit: string;
  target?: string;
  ok?: boolean;
}

const DIALECTS: readonly Dialect[] = ['postgres', 'mysql', 'sqlite'];
const CLIENTS: Record<Dialect, string> = { postgres: 'pg', mysql: 'mysql2', sqlite: 'better-sqlite3' };

/**
 * The reference: a "does this statement start with a schema-changing keyword?" test in the
 * style of Rails' `write_query?` (/\A(?:[(\s]|\/\*.*?\*\/|--[^\n]*\n)*(?:INSERT|…)\b/i),
 * here listing DDL and privilege verbs. It only looks at the leading keyword, so it is
 * cheap and blind to stacked statements, strings and comments.
 */
export const RAILS_STYLE_DDL_REGEX =
  /^(?:[(\s]|\/\*[\s\S]*?\*\/|--[^\n]*\n)*(?:CREATE|ALTER|DROP|TRUNCATE|RENAME|COMMENT|GRANT|REVOKE|VACUUM|ANALYZE|REINDEX|CLUSTER|REFRESH|SECURITY|REASSIGN|IMPORT|LOAD|ATTACH|DO)\b/i;

/** Typical statements as knex compiles them for each dialect (native placeholders). */
export function typicalStatements(dialect: Dialect): string[] {
  const k = knex({ client: CLIENTS[dialect], useNullAsDefault: true, log: { warn: () => undefined } });
  const insert = k('users').insert({ email: 'a@b.c', name: 'A', created_at: new Date(0) });
  const builders = [
    k('users').where({ id: 1 }).first(),
    k('users').select('id', 'email', 'name').where('email', 'a@b.c').andWhere('deleted_at', null).orderBy('id').limit(20).offset(40),
    dialect === 'mysql' ? insert : insert.returning('id'),
    k('users').insert({ id: 1, email: 'a@b.c' }).onConflict('id').merge(),
    k('users').where({ id: 1 }).update({ name: 'B', updated_at: new Date(0) }),
    k('sessions').where('expires_at', '<', new Date(0)).del(),
    k('users as u').join('posts as p', 'u.id', 'p.user_id').select('u.id', 'p.title').where('u.active', true).orderBy('p.created_at', 'desc').limit(10),
    k('posts').count('* as n').where('user_id', 1).groupBy('status'),
    dialect === 'sqlite' ? k('jobs').where({ state: 'new' }).limit(1) : k('jobs').where({ state: 'new' }).forUpdate().skipLocked().limit(1),
    k('users').whereIn('id', [1, 2, 3, 4, 5]),
  ];
  return builders.map((builder) => builder.toSQL().toNative().sql);
}

/** A multi-row INSERT of about `bytes` characters (ASCII, so characters = bytes). */
export function bigInsert(dialect: Dialect, bytes: number): string {
  const q = dialect === 'mysql' ? '`' : '"';
  const head = `insert into ${q}users${q} (${q}id${q}, ${q}name${q}, ${q}email${q}, ${q}score${q}, ${q}active${q}) values `;
  const rows: string[] = [];
  let size = head.length;
  for (let i = 0; size < bytes; i++) {
    const row = `(${i}, 'user ${i} O''Brien, drop table x; --', 'user${i}@example.com', ${(i * 3.5).toFixed(1)}, true)`;
    rows.push(row);
    size += row.length + 2;
  }
  return head + rows.join(', ');
}

/** Milliseconds for `iterations` calls of `run`. */
function time(run: () => void, iterations: number): number {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) run();
  return performance.now() - start;
}

let sink = 0;

/** One charCodeAt pass with a table lookup per character: what merely reading the text costs on this machine. */
const CLASS = new Uint8Array(128).map((_, c) => (c >= 97 && c <= 122 ? 1 : c === 32 ? 2 : 0));
function charLoop(sql: string): number {
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    n += c < 128 ? (CLASS[c] as number) : 1;
  }
  return n;
}

export async function benchClassifier(rounds = 61): Promise<ClassifierBenchRow[]> {
  const rows: ClassifierBenchRow[] = [];
  const typical = new Map(DIALECTS.map((dialect) => [dialect, typicalStatements(dialect)] as const));
  for (const [dialect, statements] of typical) {
    for (const sql of statements) {
      if (!classifySql(sql, dialect).allowedOnRuntime) throw new Error(`bench statement refused: ${sql}`);
    }
  }
  const contenders: Array<{ name: string; run: () => void; count: number; ns: number[]; iterations: number }> = [];
  for (const [dialect, statements] of typical) {
    // One closure per contender with a direct call inside, so the timed call sites stay monomorphic.
    const classify = (): void => {
      for (const sql of statements) sink += classifySql(sql, dialect).statements.length;
    };
    const regex = (): void => {
      for (const sql of statements) sink += RAILS_STYLE_DDL_REGEX.test(sql) ? 1 : 0;
    };
    const floor = (): void => {
      for (const sql of statements) sink += charLoop(sql);
    };
    contenders.push({ name: `${dialect}: classifySql`, run: classify, count: statements.length, ns: [], iterations: 0 });
    contenders.push({ name: `${dialect}: regex`, run: regex, count: statements.length, ns: [], iterations: 0 });
    contenders.push({ name: `${dialect}: floor`, run: floor, count: statements.length, ns: [], iterations: 0 });
  }
  // Warm-up for every contender first, so the JIT has settled before anything is timed.
  const warmUp = 4_000;
  for (let pass = 0; pass < 5; pass++) for (const contender of contenders) time(contender.run, warmUp);
  // Each contender's round lasts about as long as every other's (~2 ms): on a shared machine a
  // round long enough to be preempted would otherwise count against the slower contender only.
  for (const contender of contenders) contender.iterations = Math.max(20, Math.round((2 * warmUp) / time(contender.run, warmUp)));
  // Many short rounds, round-robin over all contenders (in a rotating order), so a slow
  // spell of a shared machine hits every contender alike; each figure is a median.
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(k + round) % contenders.length];
      if (contender === undefined) continue;
      contender.ns.push((time(contender.run, contender.iterations) * 1e6) / (contender.iterations * contender.count));
    }
  }
  const big = new Map(
    DIALECTS.map((dialect) => [dialect, { one: bigInsert(dialect, 1_000_000), ten: bigInsert(dialect, 10_000_000), oneMs: [] as number[], tenMs: [] as number[], loopMs: [] as number[], sixteenRatios: [] as number[] }] as const),
  );
  for (const [dialect, inputs] of big) {
    if (!classifySql(inputs.one, dialect).allowedOnRuntime) throw new Error('bench insert refused');
    time(() => classifySql(inputs.one, dialect), 5);
    time(() => classifySql(inputs.ten, dialect), 1);
    time(() => (sink += charLoop(inputs.ten)), 1);
  }
  // A round times ten 1 MB calls against one 10 MB call, so both take about as long and
  // are exposed to the same noise; the 1 MB figure is per call.
  for (let round = 0; round < 11; round++) {
    for (const [dialect, inputs] of big) {
      inputs.oneMs.push(time(() => classifySql(inputs.one, dialect), 10) / 10);
      inputs.tenMs.push(time(() => classifySql(inputs.ten, dialect), 1));
      inputs.loopMs.push(time(() => (sink += charLoop(inputs.ten)), 1));
    }
  }
  // 16 MB against 1 MB: far enough apart that a super-linear step shows (linear is 16). Each
  // round times one 16 MB call next to sixteen 1 MB calls (about as long, so both are exposed
  // to the same noise; the order alternates) and the figure is the median of the per-round ratios.
  for (const [dialect, inputs] of big) {
    const sixteen = bigInsert(dialect, 16_000_000);
    time(() => classifySql(sixteen, dialect), 1);
    for (let round = 0; round < 7; round++) {
      const big16 = (): number => time(() => classifySql(sixteen, dialect), 1);
      const small16 = (): number => time(() => classifySql(inputs.one, dialect), 16) / 16;
      const bigFirst = round % 2 === 0;
      const first = bigFirst ? big16() : small16();
      const second = bigFirst ? small16() : big16();
      inputs.sixteenRatios.push(bigFirst ? first / second : second / first);
    }
  }
  for (const dialect of DIALECTS) {
    const ns = median(contenders.find((c) => c.name === `${dialect}: classifySql`)?.ns ?? []);
    const regexNs = median(contenders.find((c) => c.name === `${dialect}: regex`)?.ns ?? []);
    rows.push({ name: `${dialect}: classifySql, typical knex statement`, value: Math.round(ns), unit: 'ns/statement', target: '≤ 300', ok: ns <= 300 });
    rows.push({ name: `${dialect}: Rails-style leading-keyword regex`, value: Math.round(regexNs), unit: 'ns/statement' });
    rows.push({ name: `${dialect}: classifySql ÷ regex, typical statement`, value: Number((ns / regexNs).toFixed(1)), unit: '×', target: '≤ 8', ok: ns / regexNs <= 8 });
    const floorNs = median(contenders.find((c) => c.name === `${dialect}: floor`)?.ns ?? []);
    rows.push({ name: `${dialect}: one charCodeAt pass over the same text (machine floor)`, value: Math.round(floorNs), unit: 'ns/statement' });
    const inputs = big.get(dialect);
    if (inputs === undefined) continue;
    const oneMbRate = inputs.one.length / 1e6 / (median(inputs.oneMs) / 1000);
    const tenMbRate = inputs.ten.length / 1e6 / (median(inputs.tenMs) / 1000);
    const ratio = median(inputs.tenMs) / median(inputs.oneMs);
    rows.push({ name: `${dialect}: classifySql, 1 MB INSERT`, value: Math.round(oneMbRate), unit: 'MB/s', target: '≥ 200', ok: oneMbRate >= 200 });
    rows.push({ name: `${dialect}: classifySql, 10 MB INSERT`, value: Math.round(tenMbRate), unit: 'MB/s', target: '≥ 200', ok: tenMbRate >= 200 });
    rows.push({ name: `${dialect}: time 10 MB / time 1 MB`, value: Number(ratio.toFixed(2)), unit: '×', target: '≤ 12', ok: ratio <= 12 });
    const sixteen = median(inputs.sixteenRatios);
    rows.push({ name: `${dialect}: time 16 MB / time 1 MB (median of per-round ratios)`, value: Number(sixteen.toFixed(2)), unit: '×', target: '≤ 17', ok: sixteen <= 17 });
    const vsLoop = median(inputs.tenMs) / median(inputs.loopMs);
    rows.push({ name: `${dialect}: 10 MB INSERT, classifySql ÷ charCodeAt class-table loop`, value: Number(vsLoop.toFixed(2)), unit: '×', target: '≤ 1', ok: vsLoop <= 1 });
  }
  if (sink === -1) console.log(sink);
  return rows;
}

function print(rows: ClassifierBenchRow[]): void {
  const width = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) {
    const verdict = row.target === undefined ? '' : `  target ${row.target}${row.ok === undefined ? '' : row.ok ? '  ok' : '  MISSED'}`;
    console.log(`  ${row.name.padEnd(width)}  ${String(row.value).padStart(10)} ${row.unit}${verdict}`);
  }
}

if (require.main === module) {
  benchClassifier()
    .then((rows) => {
      console.log(`classifySql bench — node ${process.version}, ${process.platform}/${process.arch}`);
      print(rows);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
