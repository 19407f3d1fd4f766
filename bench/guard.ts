// Guarded vs plain knex on SQLite in-memory primary-key selects, measured side by side:
// rounds alternate which instance goes first, and the overhead is the median of the
// per-round ratios, so drift in machine speed cancels out.
import knex, { type Knex } from 'knex';
import { performance } from 'node:perf_hooks';
import { guard } from '../lib';
import { createStatementCheck } from '../lib/guard/client';
import { RAILS_STYLE_DDL_REGEX, typicalStatements } from './classifier';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  target?: string;
  ok?: boolean;
}

async function database(): Promise<Knex> {
  const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
  await db.schema.createTable('items', (t) => {
    t.increments('id');
    t.string('name');
  });
  await db.batchInsert('items', Array.from({ length: 1000 }, (_, i) => ({ name: `item ${i}` })), 200);
  return db;
}

let distinct = 0;

/** `fresh`: every SQL text is new (a literal id in the text), so the guard's verdict cache always misses. */
async function run(db: Knex, count: number, fresh = false): Promise<number> {
  const start = performance.now();
  if (fresh) {
    for (let i = 0; i < count; i++) await db('items').whereRaw(`id = ${(i % 1000) + 1} and ${distinct++} >= 0`).first('id', 'name');
  } else {
    for (let i = 0; i < count; i++) await db('items').where({ id: (i % 1000) + 1 }).first('id', 'name');
  }
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function benchGuard(rounds = 30, perRound = 3000): Promise<BenchRow[]> {
  const plain = await database();
  const guarded = guard(await database());
  try {
    await run(plain, perRound);
    await run(guarded, perRound);
    const ratios: number[] = [];
    const plainTimes: number[] = [];
    const guardedTimes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [plain, guarded] : [guarded, plain];
      const times = new Map<Knex, number>();
      for (const db of order) times.set(db, await run(db, perRound));
      const p = times.get(plain) as number;
      const g = times.get(guarded) as number;
      plainTimes.push(p);
      guardedTimes.push(g);
      ratios.push(g / p);
    }
    const overhead = (median(ratios) - 1) * 100;
    const missRatios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [plain, guarded] : [guarded, plain];
      const times = new Map<Knex, number>();
      for (const db of order) times.set(db, await run(db, perRound, true));
      missRatios.push((times.get(guarded) as number) / (times.get(plain) as number));
    }
    const missRatio = median(missRatios);
    return [
      { name: 'guarded ÷ plain, every SQL text distinct (cache always misses)', value: Number(missRatio.toFixed(3)), unit: '×', target: '≤ 1.10', ok: missRatio <= 1.1 },
      { name: 'plain knex, SQLite :memory: pk select', value: Math.round(perRound / (median(plainTimes) / 1000)), unit: 'queries/s' },
      { name: 'guarded knex, same query', value: Math.round(perRound / (median(guardedTimes) / 1000)), unit: 'queries/s' },
      { name: 'guard overhead (median of interleaved rounds)', value: Number(overhead.toFixed(2)), unit: '%', target: '≤ 2', ok: overhead <= 2 },
    ];
  } finally {
    await plain.destroy();
    await guarded.destroy();
  }
}

/** Fresh, flat copies of `statements`: knex builds a new SQL string per query, so no hash is cached yet. */
function freshCopies(statements: readonly string[], copies: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < copies; i++) for (const sql of statements) out.push(sql.split('').join(''));
  return out;
}

/**
 * The per-query cost of the guard itself (cached verdict, as a guarded client pays it
 * after the first sight of a statement shape) beside the Rails-style regex on the same
 * strings: the guard aims to be as cheap as the regex while being as correct as a parser.
 */
export function benchCheck(rounds = 15): BenchRow[] {
  const statements = typicalStatements('postgres');
  const check = createStatementCheck('postgres', { role: 'runtime', dangerouslyAllow: [] });
  for (const sql of statements) check(sql);
  const guardNs: number[] = [];
  const regexNs: number[] = [];
  let sink = 0;
  for (let round = 0; round < rounds; round++) {
    const a = freshCopies(statements, 2000);
    const b = freshCopies(statements, 2000);
    let start = performance.now();
    for (const sql of a) if (check(sql)) sink++;
    guardNs.push(((performance.now() - start) * 1e6) / a.length);
    start = performance.now();
    for (const sql of b) if (RAILS_STYLE_DDL_REGEX.test(sql)) sink++;
    regexNs.push(((performance.now() - start) * 1e6) / b.length);
  }
  if (sink !== 0) throw new Error('a typical statement was refused');
  return [
    { name: 'guard check per query, cached verdict (pg, fresh strings)', value: Math.round(median(guardNs)), unit: 'ns/statement' },
    { name: 'Rails-style leading-keyword regex, same strings', value: Math.round(median(regexNs)), unit: 'ns/statement' },
  ];
}
