import type { Role } from '../../types';
import { findingsCollector } from '../findings';
import type { CatalogQuery, DialectFindings } from '../../checks/verify-privileges';
import { bookkeepingTables } from '../provision-plan';
import { APP_TABLE_PRIVILEGES, APP_TABLE_PRIVILEGES_REVOKED } from './privileges';

/**
 * PostgreSQL privilege check, from the catalogs and the has_*_privilege functions (which
 * count inherited privileges, PUBLIC grants and ownership, exactly as the server will).
 * Plain SELECTs only, so it runs through the runtime guard.
 *
 * | Check                                         | runtime            | migration          |
 * |-----------------------------------------------|--------------------|--------------------|
 * | SUPERUSER, CREATEROLE, CREATEDB, REPLICATION, BYPASSRLS | excess   | excess             |
 * | member (recursively) of a role with those, or of a pg_* predefined role | excess | excess |
 * | member of a role that may create in / owns objects of the schema or database (the migrator) | excess | — |
 * | CONNECT on the database                       | missing if absent  | missing if absent  |
 * | owner of the database                         | excess             | excess             |
 * | CREATE on the database                        | excess             | listed             |
 * | TEMPORARY on the database                     | excess (missing with `appTemporaryTables`) | missing if absent |
 * | USAGE on the schema                           | missing if absent  | missing if absent  |
 * | CREATE on the schema (also through PUBLIC, the default on ≤ 14), owner of the schema | excess | CREATE missing if absent |
 * | owner of any table, view, sequence in the schema | excess          | listed             |
 * | SELECT, INSERT, UPDATE, DELETE on each table (not knex's own) | missing if absent | — |
 * | knex_migrations, knex_migrations_lock: SELECT / anything else, their sequences | missing if absent / excess | — |
 * | TRUNCATE, REFERENCES, TRIGGER (MAINTAIN ≥ 17) on any relation | excess | —         |
 * | USAGE on each sequence / UPDATE (setval)      | missing / excess   | —                  |
 *
 * This matches what `provision` sets up (lib/dialects/postgres/provision.ts).
 */
const ATTRIBUTES = [
  ['rolsuper', 'SUPERUSER'],
  ['rolcreaterole', 'CREATEROLE'],
  ['rolcreatedb', 'CREATEDB'],
  ['rolreplication', 'REPLICATION'],
  ['rolbypassrls', 'BYPASSRLS'],
] as const;


/** What the caller knows beyond the connection: see VerifyOptions. */
export interface PostgresVerifyOptions {
  schema?: string;
  appTemporaryTables?: boolean;
  migrationsTable?: string;
}

const RELKIND: Readonly<Record<string, string>> = {
  r: 'table',
  p: 'partitioned table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
  S: 'sequence',
};

const ACL_LETTERS: Readonly<Record<string, string>> = {
  r: 'SELECT',
  a: 'INSERT',
  w: 'UPDATE',
  d: 'DELETE',
  D: 'TRUNCATE',
  x: 'REFERENCES',
  t: 'TRIGGER',
  m: 'MAINTAIN',
  U: 'USAGE',
  X: 'EXECUTE',
};

export async function verifyPostgres(query: CatalogQuery, role: Role, options: PostgresVerifyOptions = {}): Promise<DialectFindings> {
  const schema = options.schema ?? 'public';
  // knex's own bookkeeping tables: the app may read them (migration status) and nothing more.
  const bookkeeping = new Set<string>(bookkeepingTables(options.migrationsTable));
  const { found, problems, excess, missing } = findingsCollector();
  let administrator = false;
  let schemaChanger = false;

  const [me] = await query(
    `SELECT current_user AS "user", current_database() AS "database",
       current_setting('server_version_num')::int AS version,
       r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
       has_database_privilege(d.oid, 'CONNECT') AS db_connect,
       has_database_privilege(d.oid, 'CREATE') AS db_create,
       has_database_privilege(d.oid, 'TEMPORARY') AS db_temp,
       pg_has_role(d.datdba, 'MEMBER') AS db_owner,
       n.oid IS NOT NULL AS schema_exists,
       has_schema_privilege(n.oid, 'USAGE') AS schema_usage,
       has_schema_privilege(n.oid, 'CREATE') AS schema_create,
       EXISTS (SELECT FROM pg_catalog.aclexplode(n.nspacl) a WHERE a.grantee = 0 AND a.privilege_type = 'CREATE') AS schema_create_public,
       pg_has_role(n.nspowner, 'MEMBER') AS schema_owner
     FROM pg_catalog.pg_roles r
     CROSS JOIN pg_catalog.pg_database d
     LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = ?
     WHERE r.rolname = current_user AND d.datname = current_database()`,
    [schema],
  );
  if (!me) throw new Error('PostgreSQL returned no row for the current user and database.');
  const user = String(me['user']);
  const database = String(me['database']);
  const version = Number(me['version']);
  const db = `database ${quoted(database)}`;
  const sch = `schema ${quoted(schema)}`;

  for (const [column, attribute] of ATTRIBUTES) {
    if (me[column] === true) {
      found.push(attribute);
      excess(attribute);
      administrator = true;
    }
  }
  if (me['rolsuper'] === true) {
    // A superuser passes every privilege check; listing each one would only bury the cause.
    return { user, database, schema, found, problems, administrator, schemaChanger };
  }

  // pg_has_role(…, 'MEMBER') is recursive and includes memberships without INHERIT (they
  // still allow SET ROLE). Each role is judged by what it could do, not by its name.
  const memberships = await query(
    `SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
       has_database_privilege(r.oid, current_database(), 'CREATE') AS db_create,
       has_schema_privilege(r.oid, n.oid, 'CREATE') AS schema_create,
       EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid AND c.relowner = r.oid) AS owns_objects
     FROM pg_catalog.pg_roles r
     LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = ?
     WHERE r.rolname <> current_user AND pg_has_role(r.oid, 'MEMBER')
     ORDER BY r.rolname`,
    [schema],
  );
  for (const m of memberships) {
    const name = String(m['rolname']);
    const reasons: string[] = ATTRIBUTES.filter(([column]) => m[column] === true).map(([, attribute]) => attribute);
    // Predefined roles read or write files, all data, other sessions: nothing an app or a migrator needs.
    if (name.startsWith('pg_')) reasons.push('predefined role');
    const adminLike = reasons.length > 0;
    // An administrator role implies the rest; naming it alone keeps the line readable.
    if (role === 'runtime' && !adminLike) {
      if (m['db_create'] === true) reasons.push(`CREATE on ${db}`);
      if (m['schema_create'] === true) reasons.push(`CREATE on ${sch}`);
      if (m['owns_objects'] === true) reasons.push(`owns objects in ${sch}`);
    }
    const label = `member of role ${quoted(name)}`;
    if (reasons.length === 0) {
      found.push(label);
      continue;
    }
    found.push(`${label} (${reasons.join(', ')})`);
    excess(`${label} (${reasons.join(', ')})`);
    if (adminLike) administrator = true;
    else schemaChanger = true;
  }

  if (me['db_connect'] === true) found.push(`CONNECT on ${db}`);
  else missing(`CONNECT on ${db}`);
  if (me['db_owner'] === true) {
    found.push(`owner of ${db}`);
    excess(`owner of ${db}`);
    if (role === 'runtime') schemaChanger = true;
  }
  if (me['db_create'] === true) {
    found.push(`CREATE on ${db}`);
    // CREATE makes schemas.
    if (role === 'runtime') {
      excess(`CREATE on ${db}`);
      schemaChanger = true;
    }
  }
  // TEMPORARY makes session-local tables: the migrator's by default, the app's only by opt-in.
  const tempExpected = role === 'migration' || options.appTemporaryTables === true;
  if (me['db_temp'] === true) {
    found.push(`TEMPORARY on ${db}`);
    if (!tempExpected) excess(`TEMPORARY on ${db} (temporary tables; allow them with appTemporaryTables / KNEX_ROLES_APP_TEMPORARY_TABLES=1)`);
  } else if (tempExpected) {
    missing(`TEMPORARY on ${db}${role === 'runtime' ? ' (appTemporaryTables is on)' : ' (temporary tables in migrations)'}`);
  }

  if (me['schema_exists'] !== true) {
    missing(`USAGE on ${sch} (the schema does not exist)`);
    if (role === 'migration') missing(`CREATE on ${sch}`);
    return { user, database, schema, found, problems, administrator, schemaChanger };
  }
  if (me['schema_usage'] === true) found.push(`USAGE on ${sch}`);
  else missing(`USAGE on ${sch}`);
  if (me['schema_create'] === true) {
    found.push(`CREATE on ${sch}`);
    if (role === 'runtime') {
      // PostgreSQL 14 and older grant it on public to PUBLIC by default.
      excess(`CREATE on ${sch}${me['schema_create_public'] === true ? ' (granted to PUBLIC)' : ''}`);
      schemaChanger = true;
    }
  } else if (role === 'migration') {
    missing(`CREATE on ${sch}`);
  }
  if (me['schema_owner'] === true) {
    found.push(`owner of ${sch}`);
    if (role === 'runtime') {
      excess(`owner of ${sch}`);
      schemaChanger = true;
    }
  }

  const relations = await query(
    `SELECT c.relname AS name, c.relkind AS kind, pg_has_role(c.relowner, 'MEMBER') AS owned,
       ${[...APP_TABLE_PRIVILEGES, ...APP_TABLE_PRIVILEGES_REVOKED, ...(version >= 170000 ? ['MAINTAIN'] : [])]
         .map((p) => `CASE WHEN c.relkind <> 'S' THEN has_table_privilege(c.oid, '${p}') END AS "${p}"`)
         .join(',\n       ')},
       CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(c.oid, 'USAGE') END AS seq_usage,
       CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(c.oid, 'UPDATE') END AS seq_update,
       (SELECT t.relname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
         WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass
           AND d.deptype IN ('a', 'i') LIMIT 1) AS owned_by,
       EXISTS (SELECT FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'is_locked' AND NOT a.attisdropped) AS has_is_locked
     FROM pg_catalog.pg_class c
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
     ORDER BY c.relname`,
    [schema],
  );

  // knex's tables under a custom tableName the caller did not pass: `<name>` beside a `<name>_lock` with knex's is_locked column.
  const relationNames = new Set(relations.map((r) => String(r['name'])));
  for (const r of relations) {
    const name = String(r['name']);
    const base = name.slice(0, -'_lock'.length);
    if (name.endsWith('_lock') && r['has_is_locked'] === true && relationNames.has(base)) bookkeepingTables(base).forEach((t) => bookkeeping.add(t));
  }

  const owned = relations.filter((r) => r['owned'] === true).map((r) => `${RELKIND[String(r['kind'])] ?? 'relation'} ${quoted(String(r['name']))}`);
  if (owned.length > 0) {
    found.push(`owner of ${count(owned.length, 'relation')} in ${sch}`);
    if (role === 'runtime') {
      // The owner of a table may ALTER or DROP it and GRANT on it, whatever its table privileges say.
      excess(`owner of ${listNames(owned)} in ${sch}`);
      schemaChanger = true;
    }
  }

  if (role === 'runtime') {
    const isBookkeeping = (r: (typeof relations)[number]): boolean => bookkeeping.has(String(r['name'])) || (r['kind'] === 'S' && bookkeeping.has(String(r['owned_by'] ?? '')));
    const app = relations.filter((r) => !isBookkeeping(r));
    checkBookkeeping(relations.filter(isBookkeeping), sch, version, { found, excess, missing });
    const tables = app.filter((r) => ['r', 'p', 'f'].includes(String(r['kind'])));
    const sequences = app.filter((r) => r['kind'] === 'S');
    const names = (rows: typeof relations): string[] => rows.map((r) => quoted(String(r['name'])));

    const held = APP_TABLE_PRIVILEGES.filter((p) => tables.length > 0 && tables.every((t) => t[p] === true));
    if (held.length > 0) found.push(`${held.join(', ')} on ${count(tables.length, 'table')} in ${sch}`);
    for (const privilege of APP_TABLE_PRIVILEGES) {
      const lacking = tables.filter((t) => t[privilege] !== true);
      if (lacking.length > 0) missing(`${privilege} on ${lacking.length === 1 ? 'table' : 'tables'} ${listNames(names(lacking))} in ${sch}`);
    }
    for (const privilege of [...APP_TABLE_PRIVILEGES_REVOKED, 'MAINTAIN']) {
      const holding = app.filter((r) => r[privilege] === true);
      if (holding.length === 0) continue;
      found.push(`${privilege} on ${count(holding.length, 'relation')} in ${sch}`);
      excess(`${privilege} on ${listNames(names(holding))} in ${sch}`);
    }

    if (sequences.length > 0 && sequences.every((s) => s['seq_usage'] === true)) found.push(`USAGE on ${count(sequences.length, 'sequence')} in ${sch}`);
    const noUsage = sequences.filter((s) => s['seq_usage'] !== true);
    if (noUsage.length > 0) missing(`USAGE on ${noUsage.length === 1 ? 'sequence' : 'sequences'} ${listNames(names(noUsage))} in ${sch}`);
    const setval = sequences.filter((s) => s['seq_update'] === true);
    if (setval.length > 0) {
      found.push(`UPDATE on ${count(setval.length, 'sequence')} in ${sch}`);
      excess(`UPDATE (setval) on ${setval.length === 1 ? 'sequence' : 'sequences'} ${listNames(names(setval))} in ${sch}`);
    }
  } else {
    // What the app will be granted on the tables this migrator creates later: without
    // default privileges, every new table needs a GRANT (provisioning sets them up).
    const defaults = await query(
      `SELECT d.defaclobjtype AS type, d.defaclacl::text AS acl
       FROM pg_catalog.pg_default_acl d
       JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
       WHERE n.nspname = ? AND d.defaclrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
       ORDER BY 1`,
      [schema],
    );
    for (const row of defaults) {
      const objects = row['type'] === 'r' ? 'tables' : row['type'] === 'S' ? 'sequences' : row['type'] === 'f' ? 'functions' : 'objects';
      for (const grant of parseAcl(String(row['acl'] ?? ''))) {
        if (grant.grantee === user) continue;
        found.push(`new ${objects} in ${sch} are granted to ${grant.grantee || 'PUBLIC'}: ${grant.privileges.join(', ') || 'nothing'}`);
      }
    }
  }

  return { user, database, schema, found, problems, administrator, schemaChanger };
}

/**
 * The runtime user on knex's tables: SELECT (migration status), and no DML, TRUNCATE …
 * there or on their sequences (the history and the lock are the migrator's to write).
 */
function checkBookkeeping(
  relations: ReadonlyArray<Record<string, unknown>>,
  sch: string,
  version: number,
  out: { found: string[]; excess: (p: string) => void; missing: (p: string) => void },
): void {
  const forbidden = ['INSERT', 'UPDATE', 'DELETE', ...APP_TABLE_PRIVILEGES_REVOKED, ...(version >= 170000 ? ['MAINTAIN'] : [])];
  for (const r of relations) {
    const name = quoted(String(r['name']));
    if (r['kind'] === 'S') {
      const held = [['seq_usage', 'USAGE'], ['seq_update', 'UPDATE']].filter(([column]) => r[column as string] === true).map(([, p]) => p);
      if (held.length > 0) out.excess(`${held.join(', ')} on knex's sequence ${name} in ${sch}`);
      continue;
    }
    if (r['SELECT'] === true) out.found.push(`SELECT on knex's table ${name} in ${sch}`);
    else out.missing(`SELECT on knex's table ${name} in ${sch} (migration status)`);
    const held = forbidden.filter((p) => r[p] === true);
    if (held.length > 0) out.excess(`${held.join(', ')} on knex's table ${name} in ${sch} (only the migrator writes the migration history)`);
  }
}

/** `{app=arwd/migrator,"we ird"=r/migrator}` → grantee and privilege names. */
function parseAcl(text: string): Array<{ grantee: string; privileges: string[] }> {
  const items: string[] = [];
  let current = '';
  let inQuotes = false;
  for (const c of text.replace(/^\{|\}$/g, '')) {
    if (c === '"') inQuotes = !inQuotes;
    if (c === ',' && !inQuotes) {
      items.push(current);
      current = '';
    } else current += c;
  }
  if (current) items.push(current);
  return items.map((item) => {
    const equals = item.lastIndexOf('=', item.lastIndexOf('/') >= 0 ? item.lastIndexOf('/') : item.length);
    const rawGrantee = item.slice(0, equals);
    const grantee = rawGrantee.startsWith('"') ? rawGrantee.slice(1, -1).replace(/""/g, '"') : rawGrantee;
    const letters = item.slice(equals + 1).split('/')[0] ?? '';
    const privileges = [...letters].filter((l) => l !== '*').map((l) => ACL_LETTERS[l] ?? l);
    return { grantee, privileges };
  });
}

function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Object names for one problem line: a few by name, the rest counted. */
function listNames(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
