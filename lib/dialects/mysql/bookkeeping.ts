import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { bookkeepingTables } from '../provision-plan';
import { quoteIdent, quoteString } from './quote';

/** What the guard triggers SIGNAL (SQLSTATE 42000) when anyone but their definer writes. */
export const BOOKKEEPING_GUARD_MESSAGE = 'knex-roles: only the migration user writes knex bookkeeping tables';

const OPERATIONS = ['INSERT', 'UPDATE', 'DELETE'] as const;

/** MySQL identifiers stop at 64 characters; a long name keeps its start and gains a hash. */
function triggerName(table: string, op: string): string {
  const name = `knex_roles_guard_${table}_${op.toLowerCase()}`;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${name.slice(0, 64 - 13)}_${hash}`;
}

/**
 * The user part of `user@host`: cut at the LAST `@` (a user name may hold `@`, a host
 * cannot), so an account named `migrator@x` is not taken for `migrator`.
 */
function userPart(expr: string): string {
  return `SUBSTRING(${expr}, 1, CHAR_LENGTH(${expr}) - CHAR_LENGTH(SUBSTRING_INDEX(${expr}, '@', -1)) - 1)`;
}

/** The guard triggers for a `migrations.tableName`: one per table and write operation. */
function bookkeepingTriggers(tableName: string): { name: string; table: string; op: (typeof OPERATIONS)[number] }[] {
  return bookkeepingTables(tableName).flatMap((table) => OPERATIONS.map((op) => ({ name: triggerName(table, op), table, op })));
}

/**
 * MySQL has no per-table exception to the app's database-level INSERT/UPDATE/DELETE, so
 * knex's tables get BEFORE triggers that refuse any write whose login (USER()) is not the
 * trigger's DEFINER (CURRENT_USER() inside a trigger), i.e. the migrator that ran this.
 * Compared as BINARY: user names are case-sensitive, USER()'s collation is not.
 * SELECT is untouched; no app name is needed. Run outside a transaction: CREATE TRIGGER
 * commits implicitly.
 */
export async function guardBookkeeping(knex: Knex | Knex.Transaction, tableName: string): Promise<void> {
  const version = String(((await knex.raw('SELECT VERSION() AS v')) as [{ v: string }[]])[0][0]?.v ?? '');
  const mariadb = /mariadb/i.test(version);
  const existing = new Set(
    ((await knex.raw('SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()')) as [{ n: string }[]])[0].map((r) => r.n),
  );
  for (const t of bookkeepingTriggers(tableName)) {
    if (existing.has(t.name)) continue;
    const sql =
      `CREATE TRIGGER ${mariadb ? 'IF NOT EXISTS ' : ''}${quoteIdent(t.name)} BEFORE ${t.op} ON ${quoteIdent(t.table)} FOR EACH ROW ` +
      `BEGIN IF BINARY ${userPart('USER()')} <> BINARY ${userPart('CURRENT_USER()')} THEN ` +
      `SIGNAL SQLSTATE '42000' SET MESSAGE_TEXT = ${quoteString(BOOKKEEPING_GUARD_MESSAGE)}; END IF; END`;
    try {
      await knex.raw(sql);
    } catch (error) {
      // MySQL 8 has no IF NOT EXISTS: a concurrent run may have created it meanwhile.
      if ((error as { code?: string }).code !== 'ER_TRG_ALREADY_EXISTS') throw error;
    }
  }
}
