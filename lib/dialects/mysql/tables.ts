import type { Knex } from 'knex';
import type { SchemaObject } from '../dialect';
import { quoteIdent } from './quote';

// MariaDB lists system-versioned tables as 'SYSTEM VERSIONED' and has sequences of its own.
const KINDS: Readonly<Record<string, SchemaObject['kind']>> = { 'BASE TABLE': 'table', 'SYSTEM VERSIONED': 'table', VIEW: 'view', SEQUENCE: 'sequence' };

/** See TableDropper (lib/dialects/dialect.ts). */
export async function listMysqlTables(db: Knex | Knex.Transaction, schema?: string): Promise<SchemaObject[]> {
  const [rows] = (await db.raw(
    `select table_name as name, table_type as type from information_schema.tables
      where table_schema = coalesce(?, database()) and table_type in (${Object.keys(KINDS).map(() => '?').join(', ')})
      order by table_type not in ('BASE TABLE', 'SYSTEM VERSIONED'), table_type, 1`,
    [schema ?? null, ...Object.keys(KINDS)],
  )) as [Array<{ name: string; type: string }>];
  return rows.map((row) => ({ name: row.name, kind: KINDS[row.type] ?? 'table' }));
}

/**
 * One DROP per kind with the foreign-key checks off (tables, then the views on them,
 * then sequences); each DROP commits implicitly, the caller's transaction only pins the
 * connection the setting is made on.
 */
export async function dropMysqlTables(trx: Knex.Transaction, objects: readonly SchemaObject[], schema?: string): Promise<void> {
  const listOf = (kind: SchemaObject['kind']): string =>
    objects
      .filter((object) => object.kind === kind)
      .map((object) => (schema ? `${quoteIdent(schema)}.${quoteIdent(object.name)}` : quoteIdent(object.name)))
      .join(', ');
  await trx.raw('set foreign_key_checks = 0');
  try {
    for (const kind of ['table', 'view', 'sequence'] as const) {
      const list = listOf(kind);
      if (list !== '') await trx.raw(`drop ${kind} if exists ${list}`);
    }
  } finally {
    await trx.raw('set foreign_key_checks = 1');
  }
}
