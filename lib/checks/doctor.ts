import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { migrationStatus } from '../migrate/pending-migrations';
import { AUTH_CODES, DATABASE_CODES, isTlsError, isTransient } from '../connection/driver-codes';
import { tlsError } from '../connection/wait-for-database';
import knex, { type Knex } from 'knex';
import { withConnectTimeout, withDeadline } from '../connection/connect-timeout';
import { EnvContractError, errorMessage, isKnexRolesError, type PrivilegeProblem } from '../errors';
import { loadEnv, type Env } from '../env/load-env';
import { resolveConnection, type ResolveOptions, type ResolvedConnection } from '../env/resolve-connection';
import { configFor } from '../knexfile';
import { passwordOf } from '../env/hide-password';
import { redact } from '../redact';
import { secretValues } from '../env/secret-values';
import { isStrict, secretsInEnv } from './secrets-in-env';
import { ROLES, type Dialect, type Role } from '../types';
import { verifyPrivileges } from './verify-privileges';
import { dialectModule } from '../dialects/registry';
import type { PoolerDetector, PoolerMode } from '../dialects/dialect';
import { pooledMigrationError } from '../migrate/refuse-pooled';
import type { ResolvedReplica } from '../env/resolve-read-replicas';
import type { ReplicaReport } from '../replicas/check-replica';
import { modeOf } from '../env/mode-of';

export type DoctorVerdict = 'ok' | 'problems' | 'unreachable' | 'misconfigured';

export interface DoctorOptions extends ResolveOptions {
  /** The roles to check. Default: runtime and migration (or only `role`, when given). */
  roles?: Role[];
  /** One connection attempt per role, bounded by this. Default 3000 ms. */
  timeoutMs?: number;
  /** Migration or admin secrets in the runtime environment make the runtime role `misconfigured` (also KNEX_ROLES_STRICT=1). */
  strict?: boolean;
  /** knex's migration settings (directory, tableName …), to report pending migrations. Default: ./migrations when it exists. */
  migrations?: NonNullable<Knex.Config['migrations']>;
}

export interface DoctorRoleReport {
  role: Role;
  verdict: DoctorVerdict;
  dialect?: Dialect;
  /** `host:port/database`, or the SQLite file. Never a password. */
  target?: string;
  user?: string;
  /** The server answered (even if only to refuse the login). */
  reachable: boolean;
  guardOnly: boolean;
  found: string[];
  problems: PrivilegeProblem[];
  remedy?: string;
  note?: string;
  /** Why the verdict is `misconfigured` / `unreachable` (or a check failed): a stable code and a message. */
  error?: { code: string; message: string; variables?: string[] };
  /** Runtime role: names of migration or admin secrets in the environment (never values). */
  secrets?: string[];
  /** Migration files not applied yet (reported when the migrations directory exists; read only). */
  pending?: string[];
  /** Which variable each value came from (names only). */
  sources?: Record<string, string>;
  /**
   * PostgreSQL: whether the connection goes through a pooler (`direct`, `session`,
   * `transaction`; see lib/dialects/postgres/pooler.ts), what showed it, and the variable
   * that declares a transaction-mode pooler (PG_POOLED, a URL's pgbouncer=true) if set.
   */
  pooler?: { mode: PoolerMode; evidence: string; declared?: string };
  /** Runtime role: each read replica (`PG_READ_URL` …): reachable, user, read-only verdict, problems. */
  replicas?: Array<Omit<ReplicaReport, 'cause'>>;
}

export interface DoctorReport {
  ok: boolean;
  test: boolean;
  roles: DoctorRoleReport[];
}

const DEFAULT_TIMEOUT_MS = 3000;


/**
 * Checks the resolved environment role by role: where it points, whether the server
 * answers (one bounded attempt), who logs in, what that user may do against what its
 * role needs, and (runtime) which other roles' secrets the environment holds.
 * JSON-serializable; no password or password-bearing text ever reaches it.
 */
export async function doctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const env = options.env ?? loadEnv(options.cwd);
  const roles = options.roles ?? (options.role ? [options.role] : [...ROLES]);
  const secrets = secretValues(env);
  const reports = await Promise.all(roles.map((role) => checkRole(role, env, options)));
  const scrubbed = reports.map((report) => scrubDeep(report, secrets));
  const test = options.test ?? modeOf(env) === 'test';
  return { ok: scrubbed.every((r) => r.verdict === 'ok'), test, roles: scrubbed };
}

/** The role's primary connection, then (runtime) each read replica; a replica that is not ok makes the role `problems`. */
async function checkRole(role: Role, env: Env, options: DoctorOptions): Promise<DoctorRoleReport> {
  const report = await checkPrimary(role, env, options);
  if (role !== 'runtime' || report.verdict === 'misconfigured') return report;
  const resolved = resolveConnection({ ...options, env, role });
  if (!resolved.replicas || !dialectModule(resolved.dialect).replicas) return report;
  const replicas = await Promise.all(resolved.replicas.map((replica) => checkReplicaOf(resolved, replica, options)));
  report.replicas = replicas;
  if (report.verdict === 'ok' && replicas.some((replica) => replica.verdict !== 'ok')) {
    report.verdict = 'problems';
    report.remedy = 'A read replica is not ok: see its entry.';
  }
  return scrubDeep(report, resolved.replicas.map(({ connection }) => passwordOf(connection)).filter((p): p is string => p !== undefined));
}

async function checkReplicaOf(resolved: ResolvedConnection, replica: ResolvedReplica, options: DoctorOptions): Promise<Omit<ReplicaReport, 'cause'>> {
  const { checkReplica, withoutCause } = require('../replicas/check-replica') as typeof import('../replicas/check-replica');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { host, port, database } = replica.connection;
  const target = { target: `${host}:${port}/${database}`, variable: replica.variable, entry: replica.entry };
  const instance = knex(configFor(withConnectTimeout({ ...resolved, connection: replica.connection }, timeoutMs), { knex: oneAttempt(timeoutMs) }));
  try {
    const verify = { role: 'runtime' as const, dialect: resolved.dialect, schema: resolved.schema, appTemporaryTables: resolved.appTemporaryTables, timeoutMs };
    return withoutCause(await withDeadline(checkReplica({ knex: instance, ...target }, verify), timeoutMs * 4));
  } catch (error) {
    return { ...target, verdict: 'problems', reachable: true, problems: [], error: describeError(error), remedy: 'The check of this replica failed: see the error above.' };
  } finally {
    await withDeadline(instance.destroy(), 2000).catch(() => undefined);
  }
}

/** knex settings for the doctor's instances: one connection, one bounded attempt, no console output. */
function oneAttempt(timeoutMs: number): NonNullable<Parameters<typeof configFor>[1]>['knex'] {
  return {
    acquireConnectionTimeout: timeoutMs,
    pool: { min: 0, max: 1, createTimeoutMillis: timeoutMs },
    // The report carries the error; knex's own console warning would repeat it unscrubbed.
    log: { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined },
  };
}

async function checkPrimary(role: Role, env: Env, options: DoctorOptions): Promise<DoctorRoleReport> {
  const report: DoctorRoleReport = { role, verdict: 'ok', reachable: false, guardOnly: false, found: [], problems: [] };
  if (role === 'runtime') report.secrets = secretsInEnv(env, role);

  let resolved: ResolvedConnection;
  try {
    resolved = resolveConnection({ ...options, env, role });
  } catch (error) {
    report.verdict = 'misconfigured';
    report.error = describeError(error);
    if (error instanceof EnvContractError) report.remedy = error.remedy;
    return report;
  }
  const { connection, dialect } = resolved;
  report.dialect = dialect;
  const sources = { ...resolved.sources };
  report.sources = sources;
  const password = 'user' in connection ? passwordOf(connection) : undefined;
  const own = password ? [password] : [];

  if ('filename' in connection) {
    report.target = connection.filename;
    report.guardOnly = true;
    if (!dialectModule(dialect).isSpecialPath?.(connection.filename) && !existsSync(connection.filename)) {
      // Opening would create it: the doctor changes nothing.
      report.reachable = true;
      report.note = 'The SQLite file does not exist yet; it is created on first use (e.g. by the first migration).';
      return finish(report, env, options, own);
    }
  } else {
    report.target = `${connection.host}:${connection.port}/${connection.database}`;
    report.user = connection.user;
  }

  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const instance = knex(configFor(withConnectTimeout(resolved, timeoutMs), { knex: oneAttempt(timeoutMs) }));
  try {
    try {
      await withDeadline(instance.raw('select 1'), timeoutMs + 1000);
    } catch (error) {
      const described = describeError(error);
      if (isTlsError(error)) {
        const tls = tlsError(resolved, error);
        report.reachable = true;
        report.verdict = 'misconfigured';
        report.error = { code: tls.code, message: `${tls.message} ${described.message}`, variables: [...tls.variables] };
        report.remedy = tls.remedy;
      } else if (isTransient(error)) {
        report.verdict = 'unreachable';
        // knex's own timeout text blames a full pool; here it only means nobody answered.
        report.error = isTimeout(error) ? { code: 'ETIMEDOUT', message: `No answer from ${report.target} within ${timeoutMs} ms.` } : described;
        report.remedy = `Check that a server is running at ${report.target} and reachable from here, and that the host and port variables point at it (host from ${sources['host'] ?? 'default'}, port from ${sources['port'] ?? 'default'}).`;
      } else {
        report.reachable = !('filename' in connection);
        report.verdict = 'misconfigured';
        report.error = { ...described, message: `${loginFailureLabel(described.code)}${described.message}` };
        report.remedy = loginRemedy(described.code, sources, role);
      }
      return finish(report, env, options, own);
    }
    report.reachable = true;
    try {
      const verifyOptions = { role, dialect, schema: resolved.schema, appTemporaryTables: resolved.appTemporaryTables };
      const privileges = await withDeadline(verifyPrivileges(instance, verifyOptions), timeoutMs * 3);
      if (privileges.user) report.user = privileges.user;
      report.guardOnly = privileges.guardOnly;
      report.found = privileges.found;
      report.problems = privileges.problems;
      if (privileges.note) report.note = privileges.note;
      if (!privileges.ok) {
        report.verdict = 'problems';
        if (privileges.remedy) report.remedy = privileges.remedy;
      }
    } catch (error) {
      report.verdict = 'problems';
      report.error = describeError(error);
      report.remedy = 'The privilege check itself failed: see the error above.';
    }
    const { pooler } = dialectModule(dialect);
    if (pooler) await reportPooler(report, pooler, instance, resolved, timeoutMs);
    await reportPending(report, instance, options, timeoutMs);
    return finish(report, env, options, own);
  } finally {
    // A destroy that hangs (half-open socket) must not hang the doctor.
    await withDeadline(instance.destroy(), 2000).catch(() => undefined);
  }
}

/**
 * What the connection goes through (PostgreSQL: PgBouncer and the like). For the migration role a transaction-mode
 * pooler, detected or declared, is a problem: `knex-roles migrate` would refuse it.
 */
async function reportPooler(report: DoctorRoleReport, pooler: PoolerDetector, instance: Knex, resolved: ResolvedConnection, timeoutMs: number): Promise<void> {
  const declared = resolved.pooled === true ? { declared: resolved.sources['pooled'] ?? 'PG_POOLED' } : {};
  try {
    report.pooler = { ...(await withDeadline(pooler.detect(instance), timeoutMs * 2)), ...declared };
  } catch (error) {
    // The detection failed (not the login: that succeeded); a declaration still stands.
    if (declared.declared) report.pooler = { mode: 'transaction', evidence: `the detection failed (${describeError(error).message})`, ...declared };
  }
  const refused = report.role === 'migration' ? pooledMigrationError(resolved, report.pooler) : undefined;
  if (!refused) return;
  report.verdict = 'problems';
  report.error = { code: refused.code, message: refused.message, variables: [...refused.variables] };
  report.remedy ??= refused.remedy;
}

/** Pending migrations, as far as the files and knex's table tell (never creating it). */
async function reportPending(report: DoctorRoleReport, instance: Knex, options: DoctorOptions, timeoutMs: number): Promise<void> {
  // The instance's own settings (e.g. the schema PG_SCHEMA puts knex's tables in), then the caller's.
  const own = (instance.client.config as Knex.Config).migrations ?? {};
  const migrations = { ...own, ...(options.migrations ?? { directory: resolve(options.cwd ?? process.cwd(), 'migrations') }) };
  const directories = ([] as string[]).concat(migrations.directory ?? []);
  if (migrations.migrationSource === undefined && !directories.some((directory) => existsSync(resolve(options.cwd ?? process.cwd(), directory)))) return;
  try {
    report.pending = (await withDeadline(migrationStatus(instance, migrations), timeoutMs * 2)).pending;
  } catch (error) {
    // E_NOT_MIGRATED: no migrations table yet, so every file is pending. Anything else: not reported.
    const { code, pending } = error as { code?: string; pending?: string[] };
    if (code === 'E_NOT_MIGRATED' && pending) report.pending = pending;
  }
}

/** Strict mode turns secrets in a runtime environment into a misconfiguration, as `startKnex` would. */
function finish(report: DoctorRoleReport, env: Env, options: DoctorOptions, own: string[]): DoctorRoleReport {
  const secrets = report.secrets ?? [];
  if (secrets.length > 0 && isStrict(env, options) && report.verdict === 'ok') {
    report.verdict = 'misconfigured';
    report.error = { code: 'E_ENV_SECRETS', message: `This runtime environment holds migration or admin secrets: ${secrets.join(', ')}.`, variables: [...secrets] };
    report.remedy = 'Remove them from the runtime environment: only the migration job needs migration credentials, only provisioning needs admin credentials.';
  }
  return scrubDeep(report, own);
}

function isTimeout(error: unknown): boolean {
  const { code, name, message } = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  return code === 'ETIMEDOUT' || name === 'KnexTimeoutError' || (typeof message === 'string' && /timeout/i.test(message));
}

function describeError(error: unknown): { code: string; message: string; variables?: string[] } {
  if (error instanceof EnvContractError) return { code: error.code, message: error.message, variables: [...error.variables] };
  const inner = error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
  const { code, name, message } = (inner ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  return {
    code: typeof code === 'string' ? code : typeof name === 'string' ? name : 'ERROR',
    // One of ours (E_DRIVER_MISSING …) keeps its remedy in the report's text.
    message: isKnexRolesError(inner) ? errorMessage(inner) : typeof message === 'string' && message ? message : String(inner),
  };
}

function loginFailureLabel(code: string): string {
  if (AUTH_CODES.has(code)) return 'Authentication failed: ';
  if (DATABASE_CODES.has(code)) return 'Database refused: ';
  return 'Connection refused by the server: ';
}

function loginRemedy(code: string, sources: Record<string, string>, role: Role): string {
  const user = sources['user'] ?? 'the user variable';
  const password = sources['password'] ?? 'the password variable';
  if (AUTH_CODES.has(code)) {
    return `Check ${user} and ${password} for the ${role} role; if the user does not exist yet, provision it as the admin: ELOQUENT_DB_ROLE=migration npx knex-roles provision.`;
  }
  if (DATABASE_CODES.has(code)) {
    return `Check ${sources['database'] ?? 'the database name variable'}, and that the ${role} user may connect to it (provisioning grants that).`;
  }
  return 'Check the connection variables and the server log.';
}

/** Every string in a JSON-like value, with each secret replaced by `<redacted>`. */
function scrubDeep<T>(value: T, secrets: readonly string[]): T {
  const list = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  if (list.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v, list);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    return v;
  };
  return walk(value) as T;
}

const POOLER_LABEL: Readonly<Record<PoolerMode, string>> = {
  direct: 'none',
  session: 'session-mode pooler',
  transaction: 'transaction-mode pooler',
};

const VERDICT_LABEL: Readonly<Record<DoctorVerdict, string>> = {
  ok: 'OK',
  problems: 'PROBLEMS',
  unreachable: 'UNREACHABLE',
  misconfigured: 'MISCONFIGURED',
};

/** The report as plain text: a header, then one two-column table per role. */
export function formatDoctor(report: DoctorReport): string {
  const lines = [`knex-roles doctor${report.test ? ' (test mode)' : ''}: ${report.ok ? 'OK' : 'NOT OK'}`];
  for (const role of report.roles) {
    const rows: Array<[string, string[]]> = [];
    const add = (key: string, values: string | string[] | undefined): void => {
      const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
      if (list.length > 0) rows.push([key, list]);
    };
    add('verdict', VERDICT_LABEL[role.verdict]);
    add('target', role.target ? `${role.dialect ?? ''} ${role.target}`.trim() : undefined);
    add('user', role.user);
    add('reachable', role.target ? (role.reachable ? 'yes' : 'no') : undefined);
    if (role.error) add('error', `${role.error.code}: ${role.error.message}`);
    if (role.verdict !== 'misconfigured' && role.verdict !== 'unreachable') add('found', role.found.length > 0 ? role.found : ['(nothing)']);
    if (role.verdict === 'ok' || role.verdict === 'problems') {
      add('problems', role.problems.length > 0 ? role.problems.map((p) => `${p.problem}: ${p.privilege}`) : ['none']);
    }
    if (role.pooler) add('pooler', `${POOLER_LABEL[role.pooler.mode]}: ${role.pooler.evidence}${role.pooler.declared ? ` (declared by ${role.pooler.declared})` : ''}`);
    if (role.secrets && role.secrets.length > 0) add('secrets', `${role.secrets.join(', ')} (migration/admin secrets in the runtime environment)`);
    if (role.pending && role.pending.length > 0) add('pending', role.pending.map((name) => `${name} (not migrated)`));
    role.replicas?.forEach((replica, i) => {
      const what = [VERDICT_LABEL[replica.verdict], replica.user ? `user ${replica.user}` : undefined, replica.readOnly === undefined ? undefined : replica.readOnly ? 'read-only' : 'WRITABLE'].filter(Boolean).join(', ');
      add(`replica ${i + 1}`, [
        `${replica.target} (${replica.variable}${replica.entry > 1 ? `, entry ${replica.entry}` : ''}): ${what}`,
        ...(replica.error ? [`error ${replica.error.code}: ${replica.error.message}`] : []),
        ...replica.problems.map((p) => `${p.problem}: ${p.privilege}`),
        ...(replica.verdict !== 'ok' && replica.remedy ? [`remedy: ${replica.remedy}`] : []),
      ]);
    });
    add('note', role.note);
    add('remedy', role.remedy);
    const width = Math.max(...rows.map(([key]) => key.length));
    lines.push('', role.role);
    for (const [key, values] of rows) {
      values.forEach((value, i) => lines.push(`  ${(i === 0 ? key : '').padEnd(width)}  ${value}`));
    }
  }
  return `${lines.join('\n')}\n`;
}
