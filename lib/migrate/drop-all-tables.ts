import type { Knex } from 'knex';
import { dialectModule } from '../dialects/registry';
import type { Dialect } from '../types';

/**
 * The base tables of the target schema (PostgreSQL: `schema` or current_schema(); MySQL:
 * `schema` or the connection's database; SQLite: the main database), knex's migration
 * tables included. Views, sequences of their own, types and routines are not listed:
 * `fresh` drops tables only (PostgreSQL's CASCADE takes dependent views and owned sequences).
 */
export async function listTables(db: Knex | Knex.Transaction, dialect: Dialect, schema?: string): Promise<string[]> {
  return dialectModule(dialect).tables.list(db, schema);
}

/**
 * Drops `tables` regardless of the foreign keys between them, in one transaction where
 * the dialect has transactional DDL (inside a dry run's transaction it becomes a
 * savepoint). MySQL commits each DROP implicitly; the transaction there only pins the
 * connection that FOREIGN_KEY_CHECKS = 0 is set on.
 */
export async function dropTables(db: Knex | Knex.Transaction, dialect: Dialect, tables: readonly string[], schema?: string): Promise<void> {
  if (tables.length === 0) return;
  await db.transaction((trx) => dialectModule(dialect).tables.drop(trx, tables, schema));
}
