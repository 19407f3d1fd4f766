import type { Knex } from 'knex';
import type { SchemaObject } from '../dialect';
import { quoteIdent } from './quote';

// Tables (partitioned ones too), views, materialized views and sequences of their own (a
// serial's or identity column's sequence goes with its table: pg_depend 'a' / 'i'), then
// enum and domain types. An extension's members (pg_depend 'e') belong to the extension.
const LIST_SQL = `
with ns as (select oid from pg_catalog.pg_namespace where nspname = coalesce(?, current_schema()))
select name, kind from (
  select c.relname as name,
         case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence' else 'table' end as kind
    from pg_catalog.pg_class c
   where c.relnamespace = (select oid from ns) and c.relkind in ('r', 'p', 'v', 'm', 'S')
     and not exists (select from pg_catalog.pg_depend d
                      where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid
                        and (d.deptype = 'e' or (c.relkind = 'S' and d.deptype in ('a', 'i'))))
  union all
  select t.typname, case t.typtype when 'd' then 'domain' else 'type' end
    from pg_catalog.pg_type t
   where t.typnamespace = (select oid from ns) and t.typtype in ('e', 'd')
     and not exists (select from pg_catalog.pg_depend d
                      where d.classid = 'pg_catalog.pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
) listed
order by kind <> 'table', kind, name`;

/** See TableDropper (lib/dialects/dialect.ts). */
export async function listPostgresTables(db: Knex | Knex.Transaction, schema?: string): Promise<SchemaObject[]> {
  const { rows } = (await db.raw(LIST_SQL, [schema ?? null])) as { rows: SchemaObject[] };
  return rows;
}

// Tables first: CASCADE takes the views on them and the columns' own sequences; what is
// left (views on nothing, sequences, types) goes after, IF EXISTS for what CASCADE took.
const DROP_ORDER: ReadonlyArray<readonly [SchemaObject['kind'], string]> = [
  ['table', 'table'],
  ['view', 'view'],
  ['materialized view', 'materialized view'],
  ['sequence', 'sequence'],
  ['domain', 'domain'],
  ['type', 'type'],
];

/** One DROP … CASCADE per kind, in DROP_ORDER. */
export async function dropPostgresTables(trx: Knex.Transaction, objects: readonly SchemaObject[], schema?: string): Promise<void> {
  for (const [kind, keyword] of DROP_ORDER) {
    const names = objects.filter((object) => object.kind === kind).map((object) => (schema ? `${quoteIdent(schema)}.${quoteIdent(object.name)}` : quoteIdent(object.name)));
    if (names.length > 0) await trx.raw(`drop ${keyword} if exists ${names.join(', ')} cascade`);
  }
}
