import type { Knex } from 'knex';
import { quoteIdent } from '../postgres/quote';

/** The tables of the main database but SQLite's own, knex's included. */
export async function listSqliteTables(db: Knex | Knex.Transaction): Promise<string[]> {
  const rows = (await db.raw(`select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by 1`)) as Array<{ name: string }>;
  return rows.map((row) => row.name);
}

/**
 * foreign_keys cannot be switched off inside a transaction; deferring the checks to
 * commit lets parents go before children, and at commit no table is left.
 */
export async function dropSqliteTables(trx: Knex.Transaction, tables: readonly string[]): Promise<void> {
  await trx.raw('pragma defer_foreign_keys = on');
  // SQLite quotes identifiers as PostgreSQL does ("x", "" doubled).
  for (const table of tables) await trx.raw(`drop table if exists ${quoteIdent(table)}`);
}
