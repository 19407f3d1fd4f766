// One process's measurements of one built tree, for scripts/bench-compare.ts: it loads
// only that tree's dist (never two trees in one process: the JIT then favours whichever ran
// first) and prints one JSON line. Inputs (the statements, the big INSERT) come from a file
// the comparing script wrote, so both trees judge the same strings.
import type { Knex } from 'knex';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { itemQueries, itemsDatabase } from './items-database';
import { median } from './median';

type Dialect = 'postgres' | 'mysql' | 'sqlite';
interface Inputs {
  typical: Record<Dialect, string[]>;
  bigInsert: Record<Dialect, string>;
}
type Classify = (sql: string, dialect: Dialect) => { statements: unknown[] };

const [root, inputsFile] = process.argv.slice(2) as [string, string];
const { classifySql } = require(join(root, 'dist/cjs/guard/classify.js')) as { classifySql: Classify };
const { guard } = require(join(root, 'dist/cjs/index.js')) as { guard: <T extends Knex>(db: T) => T };
const inputs = JSON.parse(readFileSync(inputsFile, 'utf8')) as Inputs;

let sink = 0;

/** Median over `rounds` of ns per call of `run`, each round `iterations` calls, after a warm-up. */
function nsPer(run: () => void, iterations: number, rounds: number, callsPerRun = 1): number {
  for (let i = 0; i < iterations; i++) run();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) run();
    samples.push(((performance.now() - start) * 1e6) / (iterations * callsPerRun));
  }
  return median(samples);
}

/** Guarded ÷ plain over ABBA slices (see bench/guard.ts), median of rounds. */
async function overhead(plain: Knex, guarded: Knex, fresh: boolean): Promise<number> {
  const ratios: number[] = [];
  for (let round = 0; round < 15; round++) {
    let p = 0;
    let g = 0;
    for (let slice = 0; slice < 8; slice++) {
      if (slice % 4 === 0 || slice % 4 === 3) p += await itemQueries(plain, 400, fresh);
      else g += await itemQueries(guarded, 400, fresh);
    }
    ratios.push(g / p);
  }
  return median(ratios);
}

async function main(): Promise<void> {
  const out: Record<string, number> = {};
  for (const dialect of ['postgres', 'mysql', 'sqlite'] as const) {
    const statements = inputs.typical[dialect];
    out[`${dialect}: classifySql, typical statement (ns)`] = nsPer(() => {
      for (const sql of statements) sink += classifySql(sql, dialect).statements.length;
    }, 4000, 31, statements.length);
    const big = inputs.bigInsert[dialect];
    out[`${dialect}: classifySql, 1 MB INSERT (ms)`] = nsPer(() => (sink += classifySql(big, dialect).statements.length), 5, 11) / 1e6;
  }
  const plain = await itemsDatabase();
  const guarded = guard(await itemsDatabase());
  try {
    await itemQueries(plain, 2000, false);
    await itemQueries(guarded, 2000, false);
    await itemQueries(plain, 2000, true);
    await itemQueries(guarded, 2000, true);
    out['guarded ÷ plain, SQLite pk select, cached verdict (×)'] = await overhead(plain, guarded, false);
    out['guarded ÷ plain, every text distinct (×)'] = await overhead(plain, guarded, true);
  } finally {
    await plain.destroy();
    await guarded.destroy();
  }
  if (sink === -1) console.error(sink);
  console.log(JSON.stringify(out));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
