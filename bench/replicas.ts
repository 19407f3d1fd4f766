// Read routing's cost on a query that goes to the primary: two guarded runtime instances on
// one real PostgreSQL server (the test tooling's, started here on 127.0.0.1), identical but
// for a read URL (PG_READ_URL) on one of them, run the same primary-key UPDATE in
// interleaved batches. An UPDATE always goes to the primary, so the difference is what
// routing adds there: the per-statement runner, the cached read verdict, the write mark.
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { createKnex } from '../lib';
import { readOnReplica } from '../lib/replicas/read-on-replica';
import { startPostgres } from '../test/support/postgres-server';
import type { BenchRow } from './guard';

const ADMIN = { user: 'bench_admin', password: 'bench-only' };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function updates(db: Knex, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await db('bench_items').where({ id: (i % 100) + 1 }).increment('n', 1);
  return performance.now() - start;
}

export async function benchReplicas(rounds = 25, perRound = 960): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'knex-roles-bench-pg-'));
  // PostgreSQL runs as the `postgres` OS account when we are root; it must traverse the directory.
  chmodSync(dir, 0o755);
  const server = await startPostgres(dir, ADMIN);
  const env = { PG_HOST: server.host, PG_PORT: String(server.port), PG_USER: ADMIN.user, PG_PASSWORD: ADMIN.password, PG_NAME: 'postgres' };
  const migrator = createKnex({ env, role: 'migration' });
  const without = createKnex({ env, knex: { pool: { min: 1, max: 1 } } });
  // A second instance without replicas: the same comparison between two equal instances is the noise floor.
  const twin = createKnex({ env, knex: { pool: { min: 1, max: 1 } } });
  // The replica URL names the same server: no read is measured, so where it points does not matter.
  const withReplicas = createKnex({ env: { ...env, PG_READ_URL: `postgres://${server.host}:${server.port}` }, knex: { pool: { min: 1, max: 1 } } });
  try {
    await migrator.schema.createTable('bench_items', (t) => {
      t.increments('id');
      t.integer('n').notNullable().defaultTo(0);
    });
    await migrator('bench_items').insert(Array.from({ length: 100 }, () => ({ n: 0 })));
    await updates(without, perRound);
    await updates(withReplicas, perRound);
    await updates(twin, perRound);
    // Each round alternates the instances batch by batch, so load that comes and goes on a
    // shared machine falls on all alike; the result is the median round's ratio.
    const ratios: number[] = [];
    const floor: number[] = [];
    const plainTimes: number[] = [];
    const instances = [without, withReplicas, twin];
    for (let round = 0; round < rounds; round++) {
      const times = new Map<Knex, number>(instances.map((db) => [db, 0]));
      for (let batch = 0; batch < 12; batch++) {
        // Every order of the three in turn, so none is always first or last.
        const shift = (batch + round) % 3;
        const order = batch % 2 === 0 ? [...instances.slice(shift), ...instances.slice(0, shift)] : [...instances.slice(shift), ...instances.slice(0, shift)].reverse();
        for (const db of order) times.set(db, (times.get(db) as number) + (await updates(db, perRound / 12)));
      }
      const plain = times.get(without) as number;
      plainTimes.push(plain);
      ratios.push((times.get(withReplicas) as number) / plain);
      floor.push((times.get(twin) as number) / plain);
    }
    const ratio = median(ratios);
    // The routing decision alone, as the routed runner asks it per statement (cached verdict).
    const verdictOf = readOnReplica('postgres');
    const sql = 'update "bench_items" set "n" = "n" + ? where "id" = ?';
    verdictOf(sql);
    const decisions = 200_000;
    let start = performance.now();
    for (let i = 0; i < decisions; i++) verdictOf(sql);
    const decisionNs = ((performance.now() - start) * 1e6) / decisions;
    return [
      { name: 'guarded, no replicas: primary-key UPDATE on PostgreSQL (loopback)', value: Math.round(perRound / (median(plainTimes) / 1000)), unit: 'queries/s' },
      { name: 'guarded with PG_READ_URL ÷ guarded without, the same UPDATE (on the primary)', value: Number(ratio.toFixed(3)), unit: '×', target: '≤ 1.02', ok: ratio <= 1.02 },
      { name: 'noise floor: a second guarded instance without replicas ÷ the first', value: Number(median(floor).toFixed(3)), unit: '×' },
      { name: 'routing verdict per statement (cached)', value: Math.round(decisionNs), unit: 'ns/statement' },
    ];
  } finally {
    await Promise.all([migrator.destroy(), without.destroy(), twin.destroy(), withReplicas.destroy()]);
    await server.process.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  }
}
