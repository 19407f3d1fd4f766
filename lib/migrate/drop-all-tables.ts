import type { Knex } from 'knex';
import { quoteIdent as mysqlIdent } from '../dialects/mysql/quote';
import { quoteIdent as pgIdent } from '../dialects/postgres/quote';
import type { Dialect } from '../types';

/**
 * The base tables of the target schema (PostgreSQL: `schema` or current_schema(); MySQL:
 * `schema` or the connection's database; SQLite: the main database), knex's migration
 * tables included. Views, sequences of their own, types and routines are not listed:
 * `fresh` drops tables only (PostgreSQL's CASCADE takes dependent views and owned sequences).
 */
export async function listTables(db: Knex | Knex.Transaction, dialect: Dialect, schema?: string): Promise<string[]> {
  switch (dialect) {
    case 'postgres': {
      const { rows } = (await db.raw('select tablename as name from pg_catalog.pg_tables where schemaname = coalesce(?, current_schema()) order by 1', [schema ?? null])) as {
        rows: Array<{ name: string }>;
      };
      return rows.map((row) => row.name);
    }
    case 'mysql': {
      const [rows] = (await db.raw(
        `select table_name as name from information_schema.tables where table_schema = coalesce(?, database()) and table_type = 'BASE TABLE' order by 1`,
        [schema ?? null],
      )) as [Array<{ name: string }>];
      return rows.map((row) => row.name);
    }
    case 'sqlite': {
      const rows = (await db.raw(`select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by 1`)) as Array<{ name: string }>;
      return rows.map((row) => row.name);
    }
  }
}

/**
 * Drops `tables` regardless of the foreign keys between them, in one transaction where
 * the dialect has transactional DDL (inside a dry run's transaction it becomes a
 * savepoint). MySQL commits each DROP implicitly; the transaction there only pins the
 * connection that FOREIGN_KEY_CHECKS = 0 is set on.
 */
export async function dropTables(db: Knex | Knex.Transaction, dialect: Dialect, tables: readonly string[], schema?: string): Promise<void> {
  if (tables.length === 0) return;
  await db.transaction(async (trx) => {
    switch (dialect) {
      case 'postgres': {
        const list = tables.map((table) => (schema ? `${pgIdent(schema)}.${pgIdent(table)}` : pgIdent(table))).join(', ');
        await trx.raw(`drop table if exists ${list} cascade`);
        return;
      }
      case 'mysql': {
        const list = tables.map((table) => (schema ? `${mysqlIdent(schema)}.${mysqlIdent(table)}` : mysqlIdent(table))).join(', ');
        await trx.raw('set foreign_key_checks = 0');
        try {
          await trx.raw(`drop table if exists ${list}`);
        } finally {
          await trx.raw('set foreign_key_checks = 1');
        }
        return;
      }
      case 'sqlite':
        // foreign_keys cannot be switched off inside a transaction; deferring the checks
        // to commit lets parents go before children, and at commit no table is left.
        await trx.raw('pragma defer_foreign_keys = on');
        for (const table of tables) await trx.raw(`drop table if exists ${pgIdent(table)}`);
        return;
    }
  });
}
