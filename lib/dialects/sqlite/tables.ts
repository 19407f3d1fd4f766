import type { Knex } from 'knex';
import type { SchemaObject } from '../dialect';
import { quoteIdent } from '../postgres/quote';

/** The tables and views of the main database but SQLite's own, knex's included (TableDropper, lib/dialects/dialect.ts). */
export async function listSqliteTables(db: Knex | Knex.Transaction): Promise<SchemaObject[]> {
  const rows = (await db.raw(
    `select name, type as kind from sqlite_master where type in ('table', 'view') and name not like 'sqlite\\_%' escape '\\' order by type <> 'table', name`,
  )) as SchemaObject[];
  return rows.map((row) => ({ name: row.name, kind: row.kind }));
}

/**
 * foreign_keys cannot be switched off inside a transaction; deferring the checks to
 * commit lets parents go before children, and at commit no table is left. Views go after
 * the tables they read (SQLite keeps a view whose table is gone).
 */
export async function dropSqliteTables(trx: Knex.Transaction, objects: readonly SchemaObject[]): Promise<void> {
  await trx.raw('pragma defer_foreign_keys = on');
  // SQLite quotes identifiers as PostgreSQL does ("x", "" doubled).
  for (const { name, kind } of objects) await trx.raw(`drop ${kind === 'view' ? 'view' : 'table'} if exists ${quoteIdent(name)}`);
}
