import type { Role } from '../../types';
import { findingsCollector } from '../findings';
import type { CatalogQuery, DialectFindings } from '../../checks/verify-privileges';
import { grantPatternMatches, quoteGrantDatabase } from './quote';
import { parseShowGrantsRow, tableTarget, type ShownGrant } from './show-grants';
import { APP_PRIVILEGES, SCHEMA_CHANGE_PRIVILEGES, TEMPORARY_TABLES } from './privileges';
import { coversSystemDatabase, isSystemDatabase } from './system-databases';

/**
 * MySQL 8 / MariaDB privilege check, from `SHOW GRANTS FOR CURRENT_USER()` (the account
 * the server actually matched, which may differ from the name logged in with), the
 * grants of every role granted to it, and MariaDB's PUBLIC. Only the privilege list and
 * the ON target of each row are kept: the rows can carry a password hash after TO.
 *
 * | Grant                                              | runtime               | migration |
 * |----------------------------------------------------|-----------------------|-----------|
 * | anything beyond USAGE on *.*, GRANT OPTION anywhere, PROXY | excess        | excess    |
 * | a role whose grants this user cannot read (MariaDB without SELECT on `mysql`) | excess | excess |
 * | anything on a system database (`mysql`, `sys`, `performance_schema` …) | excess | excess |
 * | on other databases (one user pair, several databases): what the role may hold on ours | listed | listed |
 * | on other databases: anything beyond that           | excess                | —         |
 * | SELECT, INSERT, UPDATE, DELETE on the database (or on every app table) | missing if absent | missing if absent (knex writes knex_migrations) |
 * | CREATE, ALTER, DROP, INDEX, REFERENCES on the database | excess            | missing if absent |
 * | CREATE TEMPORARY TABLES on the database            | excess (missing with `appTemporaryTables`) | missing if absent |
 * | any other privilege on the database (CREATE VIEW, TRIGGER, LOCK TABLES …) | excess (EXECUTE tolerated) | listed |
 *
 * This matches what `provision` sets up (lib/dialects/mysql/provision.ts). MariaDB's
 * default grants on `test` / `test\_%` belong to the anonymous account and to other
 * databases, so they show up only if the login was matched to the anonymous account.
 */
/** Not needed by the app, but no schema change either: stored routines run as their DEFINER. */
const RUNTIME_TOLERATED = ['USAGE', 'EXECUTE'];
/** Privileges that change the schema: a runtime user holding one is likely the migrator. */
const SCHEMA_CHANGING = new Set(['ALL PRIVILEGES', 'CREATE', 'ALTER', 'DROP', 'INDEX', 'REFERENCES', 'CREATE VIEW', 'TRIGGER', 'CREATE ROUTINE', 'ALTER ROUTINE', 'EVENT']);
const KNEX_TABLES = ['knex_migrations', 'knex_migrations_lock'];

interface HeldGrant extends ShownGrant {
  /** '' for the account's own grants, else ` (via role \`r\`)` / ` (via PUBLIC)`. */
  via: string;
}

/** What the caller knows beyond the connection: see VerifyOptions. */
export interface MysqlVerifyOptions {
  /** Default: the connection's database. */
  database?: string;
  appTemporaryTables?: boolean;
}

export async function verifyMysql(query: CatalogQuery, role: Role, options: MysqlVerifyOptions = {}): Promise<DialectFindings> {
  const databaseOption = options.database;
  // Temporary tables are session-local and change no schema: the migrator's by default, the app's by opt-in.
  const tempExpected = role === 'migration' || options.appTemporaryTables === true;
  const runtimeAllowed = (privilege: string): boolean =>
    (APP_PRIVILEGES as readonly string[]).includes(privilege) || RUNTIME_TOLERATED.includes(privilege) || (tempExpected && privilege === TEMPORARY_TABLES);
  const { found, problems, excess, missing } = findingsCollector();
  let administrator = false;
  let schemaChanger = false;

  const [me] = await query('SELECT USER() AS login, CURRENT_USER() AS account, DATABASE() AS db');
  const account = String(me?.['account'] ?? '');
  const login = String(me?.['login'] ?? '');
  const database = databaseOption ?? (me?.['db'] == null ? undefined : String(me['db']));
  if (account.startsWith('@')) {
    // The server matched the login to the anonymous account (e.g. ''@'localhost' shadows 'app'@'%').
    excess(`anonymous account ${account} (the login ${login.split('@')[0] ?? ''} was matched to it)`);
  }
  if (database === undefined) {
    missing('a database: the connection names none');
    return { user: account, found, problems, administrator, schemaChanger };
  }
  // As SHOW GRANTS prints it (and a GRANT needs it): `_` and `%` escaped.
  const on = `${quoteGrantDatabase(database)}.*`;

  const { grants, unreadableRoles } = await heldGrants(query, found);
  for (const name of unreadableRoles) {
    // Provisioning grants no roles; one whose privileges this user cannot even read could hold anything.
    excess(`role ${name} (its privileges are not readable by this user)`);
  }
  const dbLevel = new Set<string>();
  const globalLevel = new Set<string>();
  const tableLevel = new Map<string, Set<string>>();

  for (const grant of grants) {
    const privileges = grant.privileges.map(privilegeName);
    const listed = `${privileges.join(', ')} on ${grant.target}${grant.via}`;
    found.push(grant.grantOption ? `${listed} WITH GRANT OPTION` : listed);
    if (grant.grantOption) {
      excess(`GRANT OPTION on ${grant.target}${grant.via}`);
      administrator = true;
    }
    if (grant.global) {
      for (const privilege of privileges) {
        globalLevel.add(privilege);
        if (privilege === 'USAGE') continue;
        // FILE, SUPER, PROCESS, RELOAD, CREATE USER … or any privilege on every database.
        excess(`${privilege} on *.*${grant.via}`);
        administrator = true;
      }
      continue;
    }
    if (privileges.length === 1 && privileges[0] === 'PROXY') {
      excess(`PROXY on ${grant.target}${grant.via}`);
      administrator = true;
      continue;
    }
    const table = tableTarget(grant.target);
    const ours = grant.databasePattern !== undefined ? grantPatternMatches(grant.databasePattern, database) : table?.database === database;
    const system = grant.databasePattern !== undefined ? coversSystemDatabase(grant.databasePattern) : isSystemDatabase(table?.database ?? '');
    if (!ours && system) {
      // The server's own databases hold accounts and password hashes: nobody's business but the admin's.
      const beyondUsage = privileges.filter((p) => p !== 'USAGE');
      if (beyondUsage.length > 0) {
        excess(`${beyondUsage.join(', ')} on ${grant.target}${grant.via} (a system database)`);
        administrator = true;
      }
      continue;
    }
    if (!ours) {
      // One user pair may serve several databases: there it is judged as it would be here.
      if (role === 'runtime') {
        const beyond = privileges.filter((p) => !runtimeAllowed(p));
        if (beyond.length > 0) excess(`${beyond.join(', ')} on ${grant.target}${grant.via} (another database)`);
      }
      continue;
    }
    if (grant.databasePattern !== undefined) privileges.forEach((p) => dbLevel.add(p));
    else if (table && !table.routine) {
      const set = tableLevel.get(table.name) ?? new Set<string>();
      privileges.forEach((p) => set.add(p));
      tableLevel.set(table.name, set);
    }
    if (role === 'runtime') {
      for (const privilege of privileges) {
        if (runtimeAllowed(privilege)) continue;
        excess(`${privilege} on ${grant.target}${grant.via}`);
        if (SCHEMA_CHANGING.has(privilege)) schemaChanger = true;
      }
    }
  }

  const has = (set: ReadonlySet<string> | undefined, privilege: string): boolean => !!set && (set.has(privilege) || set.has('ALL PRIVILEGES'));
  const onDatabase = (privilege: string): boolean => has(globalLevel, privilege) || has(dbLevel, privilege);
  const onTable = (privilege: string, table: string): boolean => onDatabase(privilege) || has(tableLevel.get(table), privilege);

  if (tempExpected && !onDatabase(TEMPORARY_TABLES)) {
    missing(`${TEMPORARY_TABLES} on ${on}${role === 'runtime' ? ' (appTemporaryTables is on)' : ' (temporary tables in migrations)'}`);
  }
  if (role === 'runtime') {
    // Table-level grants on every app table serve as well as a database-level grant.
    let tables: string[] | undefined;
    for (const privilege of APP_PRIVILEGES) {
      if (onDatabase(privilege)) continue;
      tables ??= (
        await query(
          `SELECT TABLE_NAME AS name FROM information_schema.TABLES
           WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
          [database],
        )
      )
        .map((row) => String(row['name'] ?? row['NAME']))
        .filter((name) => !name.startsWith('knex_migrations'));
      const appTables = tables;
      if (appTables.length === 0 || !appTables.every((t) => onTable(privilege, t))) missing(`${privilege} on ${on}`);
    }
  } else {
    for (const privilege of SCHEMA_CHANGE_PRIVILEGES) {
      if (!onDatabase(privilege)) missing(`${privilege} on ${on}`);
    }
    for (const privilege of APP_PRIVILEGES) {
      if (!KNEX_TABLES.every((t) => onTable(privilege, t))) missing(`${privilege} on ${on} (knex reads and writes knex_migrations)`);
    }
  }

  return { user: account, database, found, problems, administrator, schemaChanger };
}

/**
 * The account's grants, the grants of the roles granted to it (recursively: a role may be
 * granted roles) and PUBLIC's (MariaDB ≥ 10.11 applies them to every account).
 */
async function heldGrants(query: CatalogQuery, found: string[]): Promise<{ grants: HeldGrant[]; unreadableRoles: string[] }> {
  const held: HeldGrant[] = [];
  const unreadableRoles: string[] = [];
  const seen = new Set<string>();
  const visit = async (forWhom: string, via: string): Promise<void> => {
    const rows = await query(`SHOW GRANTS FOR ${forWhom}`);
    for (const row of rows) {
      const grant = parseShowGrantsRow(String(Object.values(row)[0] ?? ''));
      if (!grant) continue;
      if (grant.kind === 'privileges') {
        held.push({ ...grant, via });
        continue;
      }
      for (const name of splitTopLevel(grant.privilegesText)) {
        if (seen.has(name)) continue;
        seen.add(name);
        found.push(`role ${name}${via}`);
        try {
          // MariaDB lets an account read the grants of its roles only with SELECT on `mysql`.
          await visit(name, ` (via role ${name})`);
        } catch {
          unreadableRoles.push(name);
        }
      }
    }
  };
  await visit('CURRENT_USER()', '');
  try {
    await visit('PUBLIC', ' (via PUBLIC)');
  } catch {
    // MySQL and MariaDB before 10.11 have no PUBLIC account.
  }
  return { grants: held, unreadableRoles };
}

/** `SELECT (\`a\`, \`b\`)` → `SELECT`; `ALL` → `ALL PRIVILEGES`. */
function privilegeName(item: string): string {
  const name = item.replace(/\s*\(.*$/s, '').trim();
  return name === 'ALL' ? 'ALL PRIVILEGES' : name;
}


/** `` `r1`, `r2`@`%` `` → the items, as printed (quoted, so they can be sent back to SHOW GRANTS FOR). */
function splitTopLevel(text: string): string[] {
  const items: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '`' || c === "'" || c === '"') quote = c;
    else if (c === ',') {
      if (current.trim()) items.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim()) items.push(current.trim());
  return items;
}
