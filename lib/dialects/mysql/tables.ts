import type { Knex } from 'knex';
import { quoteIdent } from './quote';

/** The base tables of `schema` (default the connection's database), knex's own included. */
export async function listMysqlTables(db: Knex | Knex.Transaction, schema?: string): Promise<string[]> {
  const [rows] = (await db.raw(
    `select table_name as name from information_schema.tables where table_schema = coalesce(?, database()) and table_type = 'BASE TABLE' order by 1`,
    [schema ?? null],
  )) as [Array<{ name: string }>];
  return rows.map((row) => row.name);
}

/**
 * One DROP for all of them with the foreign-key checks off; each DROP commits implicitly,
 * the caller's transaction only pins the connection the setting is made on.
 */
export async function dropMysqlTables(trx: Knex.Transaction, tables: readonly string[], schema?: string): Promise<void> {
  const list = tables.map((table) => (schema ? `${quoteIdent(schema)}.${quoteIdent(table)}` : quoteIdent(table))).join(', ');
  await trx.raw('set foreign_key_checks = 0');
  try {
    await trx.raw(`drop table if exists ${list}`);
  } finally {
    await trx.raw('set foreign_key_checks = 1');
  }
}
