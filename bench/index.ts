// `npm run bench`: the classifier and the guard, each measured side by side with its
// reference in one run, printed with the targets they are held to.
import { benchClassifier } from './classifier';
import { benchCheck, benchGuard, type BenchRow } from './guard';
import { benchImport } from './import';
import { benchReplicas } from './replicas';

function print(title: string, rows: BenchRow[]): void {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) {
    const verdict = row.target === undefined ? '' : `  target ${row.target}${row.ok === undefined ? '' : row.ok ? '  ok' : '  MISSED'}`;
    console.log(`  ${row.name.padEnd(width)}  ${String(row.value).padStart(12)} ${row.unit}${verdict}`);
  }
}

async function main(): Promise<void> {
  console.log(`knex-roles bench — node ${process.version}, ${process.platform}/${process.arch}`);
  print('classifier (classifySql) vs a Rails-style leading-keyword regex', await benchClassifier());
  print('the guard per query (cached verdict) vs the Rails-style regex', benchCheck());
  print('guarded vs plain knex, SQLite :memory:, interleaved rounds', benchGuard());
  print('read routing: guarded with vs without a read replica configured, a query on the primary, real PostgreSQL', await benchReplicas());
  print('import: require(knex-roles) vs require(knex), whole processes side by side (needs npm run build)', benchImport());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
