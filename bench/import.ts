// Import cost of knex-roles against knex alone, as whole Node processes run side by side
// (A B A B …): wall time from spawn to exit, and each child's peak resident memory.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BenchRow } from './guard';
import { median } from './median';

const ROOT = join(__dirname, '..');
const REPORT = 'process.on("exit", () => process.stdout.write(String(process.resourceUsage().maxRSS)))';

function sample(target: string): { ms: number; kb: number } {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(target)}); ${REPORT}`], { cwd: ROOT, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`node -e require(${target}) failed: ${child.stderr}`);
  return { ms, kb: Number(child.stdout) };
}

/** Needs the build (`npm run build`): it imports dist/, as an app would. */
export function benchImport(rounds = 15): BenchRow[] {
  const ours = join(ROOT, 'dist/cjs/index.js');
  sample('knex');
  sample(ours); // warm the file cache for both
  const time: number[] = [];
  const memory: number[] = [];
  const knexMs: number[] = [];
  const oursMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const a = sample('knex');
    const b = sample(ours);
    knexMs.push(a.ms);
    oursMs.push(b.ms);
    time.push(b.ms / a.ms);
    memory.push(b.kb / a.kb);
  }
  const timeRatio = median(time);
  const memoryRatio = median(memory);
  return [
    { name: "node -e require('knex'), median", value: Math.round(median(knexMs)), unit: 'ms' },
    { name: "node -e require('knex-roles'), median", value: Math.round(median(oursMs)), unit: 'ms' },
    { name: 'knex-roles / knex, wall time (median of pairs)', value: Number(timeRatio.toFixed(3)), unit: '×', target: '≤ 1.1', ok: timeRatio <= 1.1 },
    { name: 'knex-roles / knex, peak RSS (median of pairs)', value: Number(memoryRatio.toFixed(3)), unit: '×', target: '≤ 1.1', ok: memoryRatio <= 1.1 },
  ];
}
