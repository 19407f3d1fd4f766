import type { Dialect } from '../types';
import { migrateRefused } from './refusing-migrations';
import type { RuntimeDdlError } from '../errors';

/**
 * knex's own bookkeeping tables (`knex_migrations` and `knex_migrations_lock`, or the
 * knexfile's `tableName`) are read by a runtime connection (migrate:status, list,
 * currentVersion) and never written: every changing command (latest, up, down, rollback,
 * unlock) starts by creating or writing them, so refusing those statements refuses the
 * command before any migration runs, also when a plain knex (the knex CLI) was built from
 * a runtime config. The statements are the ones knex itself compiles; the database's
 * privileges (SELECT only on these tables) stay the boundary for hand-written SQL.
 */
export function bookkeepingWriteCheck(dialect: Dialect, tableName: string | undefined): (sql: string) => RuntimeDdlError | undefined {
  const table = escape(tableName ?? 'knex_migrations');
  const quote = '[`"\\[]?';
  const unquote = '[`"\\]]?';
  // `create table [if not exists] "s"."knex_migrations_lock"`, `insert into …`, `update …`, `delete from …`
  const write = new RegExp(
    `^\\s*(?:create\\s+table(?:\\s+if\\s+not\\s+exists)?|insert\\s+(?:ignore\\s+)?into|update|delete\\s+from)\\s+(?:${quote}[^\\s.]+${unquote}\\.)?${quote}${table}(?:_lock)?${unquote}(?:\\s|\\(|$)`,
    'i',
  );
  return (sql) => (WRITE_HEAD.test(sql) && write.test(sql) ? migrateRefused(dialect) : undefined);
}

// Cheap first test on the hot path (every runtime query): most statements start with neither.
const WRITE_HEAD = /^\s*[ciud]/i;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
