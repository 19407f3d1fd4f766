import type { Knex } from 'knex';
import type { SchemaObject } from '../dialects/dialect';
import { dialectModule } from '../dialects/registry';
import type { Dialect } from '../types';
import type { MigrateContext } from './types';

/**
 * What `fresh` drops in the target schema (PostgreSQL: `schema` or current_schema();
 * MySQL: `schema` or the connection's database; SQLite: the main database): the base
 * tables, knex's included, then the views, sequences and types that migrations make, so
 * that migrating again can make them again (TableDropper in lib/dialects/dialect.ts).
 */
export async function listTables(db: Knex | Knex.Transaction, dialect: Dialect, schema?: string): Promise<SchemaObject[]> {
  return dialectModule(dialect).tables.list(db, schema);
}

/**
 * Drops `objects` regardless of the foreign keys between them, in one transaction where
 * the dialect has transactional DDL (inside a dry run's transaction it becomes a
 * savepoint). MySQL commits each DROP implicitly; the transaction there only pins the
 * connection that FOREIGN_KEY_CHECKS = 0 is set on.
 */
export async function dropTables(db: Knex | Knex.Transaction, dialect: Dialect, objects: readonly SchemaObject[], schema?: string): Promise<void> {
  if (objects.length === 0) return;
  await db.transaction((trx) => dialectModule(dialect).tables.drop(trx, objects, schema));
}

/**
 * `fresh`'s first step: lists what to drop on `listOn`, drops it on `dropOn` (the same
 * connection, or a dry run's transaction, or a preview that only records), reports each
 * one and returns their names.
 */
export async function dropEverything(ctx: Pick<MigrateContext, 'dialect' | 'schemaName' | 'emit'>, listOn: Knex | Knex.Transaction, dropOn: Knex | Knex.Transaction = listOn): Promise<string[]> {
  const objects = await listTables(listOn, ctx.dialect, ctx.schemaName);
  await dropTables(dropOn, ctx.dialect, objects, ctx.schemaName);
  for (const object of objects) ctx.emit({ type: 'dropped', name: object.name, kind: object.kind });
  return objects.map((object) => object.name);
}
