import type { Knex } from 'knex';
import { quoteIdent } from './quote';

/** The base tables of `schema` (default current_schema()), knex's own included. */
export async function listPostgresTables(db: Knex | Knex.Transaction, schema?: string): Promise<string[]> {
  const { rows } = (await db.raw('select tablename as name from pg_catalog.pg_tables where schemaname = coalesce(?, current_schema()) order by 1', [schema ?? null])) as {
    rows: Array<{ name: string }>;
  };
  return rows.map((row) => row.name);
}

/** One DROP for all of them; CASCADE takes dependent views and owned sequences. */
export async function dropPostgresTables(trx: Knex.Transaction, tables: readonly string[], schema?: string): Promise<void> {
  const list = tables.map((table) => (schema ? `${quoteIdent(schema)}.${quoteIdent(table)}` : quoteIdent(table))).join(', ');
  await trx.raw(`drop table if exists ${list} cascade`);
}
