import { bookkeepingTables } from '../provision-plan';
import { dollarQuote, quoteLiteral as literal } from './quote';

/**
 * A DO block, run by the migrator after knex creates its tables, that takes back every
 * privilege but SELECT on them (and everything on their sequences) from other roles. The
 * default privileges that give the app DML on new tables cannot name exceptions, so a
 * knex_migrations that knex re-creates (after `migrate fresh`, say) would otherwise be
 * writable by the app. Only the owner's grants are revoked; it needs no app name.
 */
export function restrictBookkeepingSql(tableName: string, schemaName: string | undefined): string {
  const [table, lock] = bookkeepingTables(tableName);
  const schema = schemaName === undefined ? 'pg_catalog.current_schema()' : literal(schemaName);
  return `DO ${dollarQuote(`
DECLARE g record;
BEGIN
  FOR g IN
    SELECT c.oid::regclass AS rel, c.relkind, a.grantee, a.privilege_type
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
    WHERE n.nspname = ${schema} AND a.grantee <> c.relowner AND pg_catalog.pg_has_role(c.relowner, 'USAGE')
      AND ((c.relname IN (${literal(table)}, ${literal(lock)}) AND a.privilege_type <> 'SELECT')
        OR (c.relkind = 'S' AND EXISTS (
          SELECT FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class o ON o.oid = d.refobjid
          WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
            AND o.relnamespace = n.oid AND o.relname IN (${literal(table)}, ${literal(lock)}))))
  LOOP
    EXECUTE pg_catalog.format('REVOKE %s ON %s %s FROM %s', g.privilege_type,
      CASE WHEN g.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, g.rel,
      CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) END);
  END LOOP;
END
`)}`;
}
