// The SQLite database the guard benches query, and the query loop itself: shared by
// bench/guard.ts and bench/compare-probe.ts. Loads no module of lib/ (the probe measures
// another tree's build).
import knex, { type Knex } from 'knex';
import { performance } from 'node:perf_hooks';

/** An in-memory SQLite database with 1000 rows in `items`, one pooled connection. */
export async function itemsDatabase(): Promise<Knex> {
  const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
  await db.schema.createTable('items', (t) => {
    t.increments('id');
    t.string('name');
  });
  await db.batchInsert('items', Array.from({ length: 1000 }, (_, i) => ({ name: `item ${i}` })), 200);
  return db;
}

let distinct = 0;

/**
 * Milliseconds for `count` primary-key selects. `fresh`: every SQL text is new (a literal in
 * the text), so the guard's verdict cache always misses.
 */
export async function itemQueries(db: Knex, count: number, fresh = false): Promise<number> {
  const start = performance.now();
  if (fresh) {
    for (let i = 0; i < count; i++) await db('items').whereRaw(`id = ${(i % 1000) + 1} and ${distinct++} >= 0`).first('id', 'name');
  } else {
    for (let i = 0; i < count; i++) await db('items').where({ id: (i % 1000) + 1 }).first('id', 'name');
  }
  return performance.now() - start;
}
