// Proves the suite runs in any order: every test file in a mocha process of its own and,
// with --each, every test of the named files alone (`--grep '^<full title>$'`). One
// process at a time, on purpose: the integration files start their own database servers.
//
//   npx ts-node scripts/test-isolation.ts                      every test file alone
//   npx ts-node scripts/test-isolation.ts test/integration/cli.test.ts …   these files alone
//   npx ts-node scripts/test-isolation.ts --each test/integration/cli.test.ts …
//
// Exits 1 when any run failed, selected nothing, or left a test pending.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..');
const MOCHA = join(ROOT, 'node_modules/mocha/bin/mocha.js');

interface Counts {
  passes: number;
  failures: number;
  pending: number;
  failed: string[];
}

function testFiles(dir = join(ROOT, 'test')): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? testFiles(join(dir, entry.name)) : entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : []))
    .sort();
}

/** One mocha process; its JSON report goes to a file so the tests' own output cannot garble it. */
function mocha(file: string, extra: string[]): Counts & { seconds: number; code: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'knex-roles-isolation-'));
  const report = join(dir, 'report.json');
  const began = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [MOCHA, file, ...extra, '--reporter', 'json', '--reporter-option', `output=${report}`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  try {
    const json = JSON.parse(readFileSync(report, 'utf8')) as { stats: { passes: number; failures: number; pending: number }; failures: Array<{ fullTitle: string }> };
    return { ...json.stats, failed: json.failures.map((f) => f.fullTitle), seconds, code: run.status };
  } catch {
    // No report: mocha died before writing one (a syntax error, a crash in a root hook).
    return { passes: 0, failures: 1, pending: 0, failed: [`(no report) ${(run.stderr || run.stdout).trim().split('\n').slice(-5).join(' | ')}`], seconds, code: run.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function titles(file: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'knex-roles-isolation-'));
  const report = join(dir, 'report.json');
  try {
    spawnSync(process.execPath, [MOCHA, file, '--dry-run', '--reporter', 'json', '--reporter-option', `output=${report}`], { cwd: ROOT, encoding: 'utf8' });
    return (JSON.parse(readFileSync(report, 'utf8')) as { tests: Array<{ fullTitle: string }> }).tests.map((t) => t.fullTitle);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function main(argv: string[]): number {
  const each = argv.includes('--each');
  const named = argv.filter((arg) => arg !== '--each').map((file) => join(ROOT, file));
  const files = named.length > 0 ? named : testFiles();
  let bad = 0;
  let total = { runs: 0, passes: 0 };
  const line = (label: string, c: ReturnType<typeof mocha>, expected?: number): void => {
    const wrong = c.failures > 0 || c.pending > 0 || c.code !== 0 || (expected !== undefined ? c.passes !== expected : c.passes === 0);
    if (wrong) bad++;
    total = { runs: total.runs + 1, passes: total.passes + c.passes };
    console.log(`${wrong ? 'FAIL' : 'ok  '} ${String(c.passes).padStart(4)} passing ${String(c.failures).padStart(3)} failing ${String(c.pending).padStart(2)} pending ${c.seconds.toFixed(1).padStart(6)}s  ${label}`);
    for (const title of c.failed) console.log(`       failed: ${title}`);
  };
  for (const file of files) {
    const name = relative(ROOT, file);
    if (!each) {
      line(name, mocha(file, []));
      continue;
    }
    const all = titles(file);
    for (const title of new Set(all)) {
      // Titles repeated in one file run together; the count proves the grep chose exactly them.
      line(`${name} :: ${title}`, mocha(file, ['--grep', `^${escapeRegExp(title)}$`]), all.filter((t) => t === title).length);
    }
  }
  console.log(`\n${total.runs} runs, ${total.passes} tests passed, ${bad} runs failed`);
  return bad === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
