// Read routing's cost on a query that goes to the primary, on a real PostgreSQL server (the
// test tooling's, started here on 127.0.0.1): one guarded runtime instance with one pooled
// connection runs the same primary-key UPDATE in batches, with the routing of an instance
// that has a read URL (PG_READ_URL) switched on for some batches and off for others. An
// UPDATE always goes to the primary, so the difference is what routing adds there: the
// per-statement runner, the cached read verdict, the write mark. One instance and one
// server connection for both sides: two instances differ by a few % on their own (each
// has its own server process), which would swamp a 2 % target; the off ÷ off ratio of
// two interleaved sets of plain batches is printed as the noise floor.
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { createKnex } from '../lib';
import { readOnReplica } from '../lib/replicas/read-on-replica';
import { clearReadRouting, readRoutingOf, setReadRouting } from '../lib/replicas/routing-hook';
import { startPostgres } from '../test/support/postgres-server';
import type { BenchRow } from './guard';
import { median } from './median';

const ADMIN = { user: 'bench_admin', password: 'bench-only' };

async function updates(db: Knex, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await db('bench_items').where({ id: (i % 100) + 1 }).increment('n', 1);
  return performance.now() - start;
}

export async function benchReplicas(rounds = 41, perRound = 960): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'knex-roles-bench-pg-'));
  // PostgreSQL runs as the `postgres` OS account when we are root; it must traverse the directory.
  chmodSync(dir, 0o755);
  const server = await startPostgres(dir, ADMIN);
  const env = { PG_HOST: server.host, PG_PORT: String(server.port), PG_USER: ADMIN.user, PG_PASSWORD: ADMIN.password, PG_NAME: 'postgres' };
  const migrator = createKnex({ env, role: 'migration' });
  const db = createKnex({ env, knex: { pool: { min: 1, max: 1 } } });
  // The replica URL names the same server: no read is measured, so where it points does not matter.
  const withReplicas = createKnex({ env: { ...env, PG_READ_URL: `postgres://${server.host}:${server.port}` }, knex: { pool: { min: 1, max: 1 } } });
  const routing = readRoutingOf(withReplicas.client as { pool?: unknown });
  if (!routing) throw new Error('PG_READ_URL gave the instance no read routing');
  const client = db.client as { pool?: unknown };
  try {
    await migrator.schema.createTable('bench_items', (t) => {
      t.increments('id');
      t.integer('n').notNullable().defaultTo(0);
    });
    await migrator('bench_items').insert(Array.from({ length: 100 }, () => ({ n: 0 })));
    const sides = ['off', 'on', 'twin'] as const;
    const batch = async (side: (typeof sides)[number], count: number): Promise<number> => {
      if (side === 'on') setReadRouting(client, routing);
      else clearReadRouting(client);
      return updates(db, count);
    };
    for (const side of sides) await batch(side, perRound);
    // Each round alternates the sides batch by batch, in every order, so load that comes and
    // goes on a shared machine falls on all alike; the result is the median round's ratio.
    const ratios: number[] = [];
    const floor: number[] = [];
    const plainTimes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const times = { off: 0, on: 0, twin: 0 };
      for (let step = 0; step < 12; step++) {
        const shift = (step + round) % 3;
        const rotated = [...sides.slice(shift), ...sides.slice(0, shift)];
        for (const side of step % 2 === 0 ? rotated : rotated.reverse()) times[side] += await batch(side, perRound / 12);
      }
      plainTimes.push(times.off);
      ratios.push(times.on / times.off);
      floor.push(times.twin / times.off);
    }
    const ratio = median(ratios);
    // The routing decision alone, as the routed runner asks it per statement (cached verdict).
    const verdictOf = readOnReplica('postgres');
    const sql = 'update "bench_items" set "n" = "n" + ? where "id" = ?';
    verdictOf(sql);
    const decisions = 200_000;
    const start = performance.now();
    for (let i = 0; i < decisions; i++) verdictOf(sql);
    const decisionNs = ((performance.now() - start) * 1e6) / decisions;
    return [
      { name: 'guarded, no routing: primary-key UPDATE on PostgreSQL (loopback)', value: Math.round(perRound / (median(plainTimes) / 1000)), unit: 'queries/s' },
      { name: 'guarded with PG_READ_URL routing ÷ without, the same UPDATE (on the primary)', value: Number(ratio.toFixed(3)), unit: '×', target: '≤ 1.02', ok: ratio <= 1.02 },
      { name: 'noise floor: without ÷ without, two interleaved sets of batches', value: Number(median(floor).toFixed(3)), unit: '×' },
      { name: 'routing verdict per statement (cached)', value: Math.round(decisionNs), unit: 'ns/statement' },
    ];
  } finally {
    clearReadRouting(client);
    await Promise.all([migrator.destroy(), db.destroy(), withReplicas.destroy()]);
    await server.process.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  }
}
