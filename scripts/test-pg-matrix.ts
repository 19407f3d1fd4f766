// The PostgreSQL matrix: the suites of MATRIX_SPECS once per npm-built major (13, 14, 16,
// 17, 18; Debian's 15 runs every suite in the main mocha run), one mocha process per major
// with DIALECTS=postgres and KNEX_ROLES_TEST_PG_MAJOR set. KNEX_ROLES_TEST_PG_MAJORS=13,17
// narrows it; KNEX_ROLES_TEST_PG_JOBS (default 2) is how many majors run at once, each on
// its own server, ports and temp directories. Output is printed per major, in order.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { MATRIX_SPECS, PG_MAJOR_VARIABLE, matrixMajors } from '../test/support/pg-build';

const ROOT = join(__dirname, '..');
const MOCHA = require.resolve('mocha/bin/mocha.js');

interface Outcome {
  major: number;
  code: number | null;
  output: string;
  seconds: number;
}

function chosenMajors(): number[] {
  const all = matrixMajors();
  const raw = process.env['KNEX_ROLES_TEST_PG_MAJORS'];
  if (raw === undefined || raw.trim() === '') return all;
  const wanted = raw.split(',').map((m) => Number(m.trim()));
  const unknown = wanted.filter((m) => !all.includes(m));
  if (unknown.length > 0) throw new Error(`KNEX_ROLES_TEST_PG_MAJORS names ${unknown.join(', ')}, not in the matrix (${all.join(', ')})`);
  return wanted;
}

function runMajor(major: number): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MOCHA, ...MATRIX_SPECS], {
      cwd: ROOT,
      env: { ...process.env, DIALECTS: 'postgres', [PG_MAJOR_VARIABLE]: String(major) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ major, code, output, seconds: (Date.now() - started) / 1000 }));
  });
}

async function main(): Promise<void> {
  // DIALECTS narrows local runs (CI never sets it), the matrix included.
  const dialects = process.env['DIALECTS']?.split(',').map((d) => d.trim()).filter(Boolean) ?? [];
  if (dialects.length > 0 && !dialects.includes('postgres')) {
    process.stdout.write(`PostgreSQL matrix: not run, DIALECTS=${dialects.join(',')} leaves out postgres\n`);
    return;
  }
  const majors = chosenMajors();
  const jobs = Math.max(1, Number(process.env['KNEX_ROLES_TEST_PG_JOBS'] ?? 2) || 1);
  const results = new Map<number, Promise<Outcome>>();
  const queue = [...majors];
  const slots = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let major = queue.shift(); major !== undefined; major = queue.shift()) {
      const run = runMajor(major);
      results.set(major, run);
      await run;
    }
  });
  await Promise.all(slots);
  let failed = false;
  const summary: string[] = [];
  for (const major of majors) {
    const outcome = await results.get(major);
    if (!outcome) continue;
    process.stdout.write(`\n=== PostgreSQL ${major} (node_modules/pg${major}): ${MATRIX_SPECS.length} suites ===\n${outcome.output}`);
    const counts = outcome.output.match(/^\s+\d+ (passing|failing|pending)/gm)?.map((line) => line.trim()).join(', ') ?? 'no result';
    summary.push(`PostgreSQL ${major}: ${counts} (${outcome.seconds.toFixed(1)} s)${outcome.code === 0 ? '' : `, exit ${String(outcome.code)}`}`);
    if (outcome.code !== 0) failed = true;
  }
  process.stdout.write(`\nPostgreSQL matrix (${jobs} at a time):\n${summary.map((line) => `  ${line}`).join('\n')}\n`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`PostgreSQL matrix: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
