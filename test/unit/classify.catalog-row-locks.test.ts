import { describeCaseGroups, type Case } from '../support/classify-cases';

/**
 * PostgreSQL row locks on system catalogs (red team 2, F4): a runtime transaction holding
 * FOR UPDATE / SHARE on pg_class or pg_authid rows blocks every migration's ALTER TABLE /
 * ALTER ROLE, like `LOCK pg_class` (LOCK CATALOG). Row locks on the app's own tables stay allowed.
 */
const CASES: Case[] = [
  ["select * from pg_class where relname = 'victim' for update", 'refused', 'LOCK CATALOG'],
  ['select 1 from pg_catalog.pg_class for no key update', 'refused', 'LOCK CATALOG'],
  ['select * from pg_authid for share', 'refused', 'LOCK CATALOG'],
  ['SELECT * FROM PG_AUTHID FOR KEY SHARE', 'refused', 'LOCK CATALOG'],
  ['select * from "pg_catalog"."pg_class" for update nowait', 'refused', 'LOCK CATALOG'],
  ['select * from pg_catalog /* c */ . /* c */ pg_class for /* c */ update', 'refused', 'LOCK CATALOG'],
  ['select * from U&"pg\\005fclass" for update', 'refused', 'LOCK CATALOG'],
  ['select * from pg_class c for update of c skip locked', 'refused', 'LOCK CATALOG'],
  ['select * from t join pg_class c on c.oid = t.o for update of t', 'refused', 'LOCK CATALOG'],
  ['select * from t, pg_catalog.pg_attribute a for share', 'refused', 'LOCK CATALOG'],
  ['select * from t cross join lateral (select * from pg_class) c for update', 'refused', 'LOCK CATALOG'],
  ['with c as (select * from pg_class for update) select * from c', 'refused', 'LOCK CATALOG'],
  ['select * from information_schema.tables for update', 'refused', 'LOCK CATALOG'],
  ['explain analyze select * from pg_class for update', 'refused', 'LOCK CATALOG'],
  ['begin; select * from pg_namespace for update; commit', 'refused', 'LOCK CATALOG'],
  // However the FROM item is written (red team 13): TABLE, ONLY, parentheses, a cursor, a set operation.
  ['TABLE pg_catalog.pg_authid FOR UPDATE', 'refused', 'LOCK CATALOG'],
  ['table pg_authid for share', 'refused', 'LOCK CATALOG'],
  ['with x as (table pg_authid for update) select * from x', 'refused', 'LOCK CATALOG'],
  ['select * from t, lateral (table pg_authid for update) a', 'refused', 'LOCK CATALOG'],
  ['declare c cursor for table pg_authid for update', 'refused', 'LOCK CATALOG'],
  ['select * from only pg_authid for update', 'refused', 'LOCK CATALOG'],
  ['SELECT * FROM ONLY (pg_catalog.pg_authid) FOR SHARE', 'refused', 'LOCK CATALOG'],
  ['select * from t join only pg_authid a on true for update', 'refused', 'LOCK CATALOG'],
  ['select * from ((pg_class)) for key share', 'refused', 'LOCK CATALOG'],
  ['select 1 union all table pg_authid for update', 'refused', 'LOCK CATALOG'],
  // Reads of the catalogs, and row locks on the app's own tables, stay allowed.
  ['select * from pg_class', 'read', 'SELECT'],
  ["select * from pg_class where relname = 'for update'", 'read', 'SELECT'],
  ['select * from users where id = 1 for update', 'read', 'SELECT'],
  ['select * from users u join orders o on o.user_id = u.id for update of o', 'read', 'SELECT'],
  ['select pg_typeof(id), pg_backend_pid() from users for update', 'read', 'SELECT'],
  ['select u.pg_flag from users u for share', 'read', 'SELECT'],
  ['select * from users for update; select * from pg_class', 'read', 'SELECT'],
  // A function (qualified or not) or a type named pg_… is no catalog FROM item: the job-queue pattern stays allowed.
  ['select * from jobs where pg_try_advisory_xact_lock(id) limit 1 for update skip locked', 'read', 'SELECT'],
  ['select * from jobs where pg_catalog.pg_try_advisory_xact_lock(id) for update skip locked', 'read', 'SELECT'],
  ["select * from wal where lsn > '0/0'::pg_lsn for update", 'read', 'SELECT'],
];

describe('classifySql: PostgreSQL row locks on system catalogs', () => {
  describeCaseGroups('postgres', [['FOR UPDATE / SHARE of a catalog', CASES]]);
});
