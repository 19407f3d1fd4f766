import type { Knex } from 'knex';
import { FAMILY } from '../env/contract';
import { GuardError, PrivilegeError, UsageError, type PrivilegeProblem } from '../errors';
import { checkedOptions, type OptionSpec } from '../checked-options';
import type { Dialect, Role } from '../types';
import { dialectModule, dialectOfKnexName, knexNames } from '../dialects/registry';
import { RESOLVE_OPTIONS } from '../env/resolve-connection';

// role, dialect, schema and appTemporaryTables mean what they mean to resolveConnection.
const { role, dialect, schema, appTemporaryTables } = RESOLVE_OPTIONS;
const VERIFY_OPTIONS: OptionSpec = { role, dialect, schema, appTemporaryTables, migrationsTable: 'string', assert: 'boolean' };

export interface VerifyOptions {
  role: Role;
  /** Default: from the knex client (`pg`, `mysql2`, `better-sqlite3` …). */
  dialect?: Dialect;
  /** PostgreSQL: the schema the app's tables live in (default `public`, as provisioning). MySQL: the database (default: the connection's). */
  schema?: string;
  /** The app may create temporary tables (the `appTemporaryTables` opt-in): expect the grant instead of reporting it as excess. */
  appTemporaryTables?: boolean;
  /** PostgreSQL: knex's `migrations.tableName` (default `knex_migrations`); the app may only read it and its lock table. */
  migrationsTable?: string;
  /** Throw `PrivilegeError` (E_PRIVILEGES) when the report is not ok, instead of returning it. Default false. */
  assert?: boolean;
}

export interface PrivilegeReport {
  dialect: Dialect;
  role: Role;
  /** The connected user as the server names it (`app`, `app@%`); empty on SQLite. */
  user: string;
  /** PostgreSQL / MySQL: the database checked. */
  database?: string;
  /** PostgreSQL: the schema checked. */
  schema?: string;
  ok: boolean;
  /** SQLite: no users, so only the runtime guard separates the roles. */
  guardOnly: boolean;
  /** Privileges the user holds, one human-readable line each. */
  found: string[];
  problems: PrivilegeProblem[];
  /** What to do, when not ok. */
  remedy?: string;
  note?: string;
}

/**
 * What a dialect module found; the dispatcher turns it into a report and a remedy.
 * `administrator`: the user holds server-wide rights (superuser, global privileges).
 * `schemaChanger`: a runtime user that could change the schema (owns objects, may create
 * them, or is a member of a role that can) — most likely the migrator's credentials.
 */
export interface DialectFindings {
  user: string;
  database?: string;
  schema?: string;
  found: string[];
  problems: PrivilegeProblem[];
  administrator: boolean;
  schemaChanger: boolean;
  guardOnly?: boolean;
  note?: string;
}

/** Runs one read-only catalog statement (`?` placeholders) and returns its rows. */
export type CatalogQuery = (sql: string, bindings?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>;

/** A `CatalogQuery` over a knex instance: every driver's raw result shape, read the same way. */
export function catalogQuery(knex: Knex): CatalogQuery {
  return async (sql, bindings = []) => {
    const result: unknown = await knex.raw(sql, bindings as Knex.RawBinding[]);
    // pg: { rows }; mysql2: [rows, fields]; better-sqlite3: rows.
    if (Array.isArray(result)) return (Array.isArray(result[0]) ? result[0] : result) as Array<Record<string, unknown>>;
    const rows = (result as { rows?: unknown } | null)?.rows;
    return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
  };
}

/** The dialect of a knex instance, from its driver name (guarded clients keep it). */
function dialectOfKnex(knex: Knex): Dialect {
  const client = knex.client as { driverName?: string; dialect?: string };
  const dialect = dialectOfKnexName(client.driverName ?? '') ?? dialectOfKnexName(client.dialect ?? '');
  if (dialect) return dialect;
  throw new GuardError('E_GUARD_DIALECT', `verifyPrivileges() does not know the knex client "${client.driverName ?? client.dialect ?? '?'}".`, {
    remedy: `Use one of the ${knexNames().join(', ')} clients, or pass { dialect }.`,
  });
}

/**
 * Checks what the connected user can really do, from the server's own catalogs, against
 * what its role should do. Read-only: plain SELECT / SHOW statements, so it runs on a
 * guarded runtime instance too. With `assert: true` a report that is not ok throws
 * `PrivilegeError` instead.
 */
export async function verifyPrivileges(knex: Knex, options: VerifyOptions): Promise<PrivilegeReport> {
  // The role is required: which privileges are right depends on it.
  checkedOptions('verifyPrivileges()', options as VerifyOptions | undefined, VERIFY_OPTIONS);
  if (options?.role === undefined) throw new UsageError('E_USAGE', 'verifyPrivileges() needs the role to check the privileges against.', { remedy: "Pass { role: 'runtime' } or { role: 'migration' }: verifyPrivileges(db, { role: 'runtime' })." });
  const dialect = options.dialect ?? dialectOfKnex(knex);
  const query = catalogQuery(knex);
  const dialectOptions = { schema: options.schema, appTemporaryTables: options.appTemporaryTables, migrationsTable: options.migrationsTable };
  const findings = await dialectModule(dialect).verify(query, options.role, dialectOptions);
  const ok = findings.problems.length === 0;
  const report: PrivilegeReport = {
    dialect,
    role: options.role,
    user: findings.user,
    ok,
    guardOnly: findings.guardOnly ?? false,
    found: findings.found,
    problems: findings.problems,
  };
  if (findings.database !== undefined) report.database = findings.database;
  if (findings.schema !== undefined) report.schema = findings.schema;
  if (findings.note !== undefined) report.note = findings.note;
  if (!ok) report.remedy = remedyFor(dialect, options.role, findings);
  if (options.assert === true && !report.ok) {
    throw PrivilegeError.of({
      user: report.user,
      role: report.role,
      dialect: report.dialect,
      problems: report.problems,
      remedy: report.remedy ?? provisionSentence(report.dialect),
    });
  }
  return report;
}

function provisionSentence(dialect: Dialect): string {
  return `Re-run provisioning as the admin: ELOQUENT_DB_ROLE=migration npx knex-roles provision (see README › ${dialectModule(dialect).label}).`;
}

/** One remedy sentence per cause, most likely cause first. */
export function remedyFor(dialect: Dialect, role: Role, findings: Pick<DialectFindings, 'administrator' | 'schemaChanger' | 'problems'>): string {
  const family = FAMILY[dialect];
  const sentences: string[] = [];
  if (role === 'runtime' && (findings.administrator || findings.schemaChanger)) {
    const whom = findings.administrator ? 'an administrator' : 'the migrator';
    sentences.push(`Connect the app with the runtime user (${family}_RUNTIME_USER / ${family}_RUNTIME_PASSWORD), not ${whom}.`);
  } else if (role === 'migration' && findings.administrator) {
    sentences.push(`Run migrations with the migration user (${family}_MIGRATION_USER / ${family}_MIGRATION_PASSWORD), not an administrator.`);
  }
  // Wrong grants on the right user are what provisioning repairs; after a wrong user it is
  // still the way to a clean state, so it is always the last sentence.
  sentences.push(sentences.length > 0 ? `If it is already that user, ${lowerFirst(provisionSentence(dialect))}` : provisionSentence(dialect));
  return sentences.join(' ');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
