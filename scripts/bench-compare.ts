// `npm run bench:compare [-- <rev>]`: is this tree slower than <rev> (default: the last
// commit before the dialect refactor of issue 11)? Builds <rev> in a temporary worktree
// beside this tree's build, then runs bench/compare-probe.ts on each tree in separate
// processes, in ABBA order (this, base, base, this, …), and prints each measure's median
// per tree and their ratio. Both trees use this tree's node_modules (the same knex and
// drivers) and judge the same input strings.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigInsert, typicalStatements } from '../bench/classifier';
import { median } from '../bench/median';

const ROOT = join(__dirname, '..');
/** The last commit before issue 11's refactor began moving code into lib/dialects/<d>/. */
const DEFAULT_BASE = '80d2c04';
const PAIRS = 3;
/** A ratio within this of 1 is read as "no slower": what two runs of one tree differ by here. */
const NOISE = 0.05;

function probe(root: string, inputsFile: string): Record<string, number> {
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench/compare-probe.ts'), root, inputsFile], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop() as string) as Record<string, number>;
}

function main(): void {
  const base = process.argv[2] ?? DEFAULT_BASE;
  const tmp = mkdtempSync(join(tmpdir(), 'knex-roles-bench-compare-'));
  const baseTree = join(tmp, 'base');
  execFileSync('git', ['worktree', 'add', '--detach', '--quiet', baseTree, base], { cwd: ROOT, stdio: 'inherit' });
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(baseTree, 'node_modules'));
    for (const tree of [ROOT, baseTree]) execFileSync(process.execPath, [join(tree, 'scripts/build.js')], { cwd: tree, stdio: 'ignore' });
    const dialects = ['postgres', 'mysql', 'sqlite'] as const;
    const inputsFile = join(tmp, 'inputs.json');
    writeFileSync(inputsFile, JSON.stringify({
      typical: Object.fromEntries(dialects.map((d) => [d, typicalStatements(d)])),
      bigInsert: Object.fromEntries(dialects.map((d) => [d, bigInsert(d, 1_000_000)])),
    }));
    const runs: Record<'head' | 'base', Array<Record<string, number>>> = { head: [], base: [] };
    for (let pair = 0; pair < PAIRS; pair++) {
      for (const which of pair % 2 === 0 ? (['head', 'base', 'base', 'head'] as const) : (['base', 'head', 'head', 'base'] as const)) {
        runs[which].push(probe(which === 'head' ? ROOT : baseTree, inputsFile));
      }
    }
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    console.log(`knex-roles bench:compare — this tree (${head}, with its changes) ÷ ${base}, ${2 * PAIRS} processes each, ABBA order`);
    const names = Object.keys(runs.head[0] ?? {});
    const width = Math.max(...names.map((n) => n.length));
    let slower = 0;
    for (const name of names) {
      const h = median(runs.head.map((r) => r[name] as number));
      const b = median(runs.base.map((r) => r[name] as number));
      const ratio = h / b;
      const verdict = ratio <= 1 + NOISE ? 'ok' : 'SLOWER';
      if (verdict !== 'ok') slower++;
      console.log(`  ${name.padEnd(width)}  this ${h.toPrecision(4).padStart(9)}  base ${b.toPrecision(4).padStart(9)}  this ÷ base ${ratio.toFixed(3)}  ${verdict}`);
    }
    console.log(slower === 0 ? `no measure slower than ${base} by more than ${NOISE * 100} %` : `${slower} measure(s) slower than ${base}`);
    if (slower > 0) process.exitCode = 1;
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', baseTree], { cwd: ROOT, stdio: 'inherit' });
    rmSync(tmp, { recursive: true, force: true });
  }
}

main();
