import type { Knex } from 'knex';
import { withDeadline } from '../connection/connect-timeout';
import { isLoginRefused, isTlsError, isTransient } from '../connection/driver-codes';
import type { PrivilegeProblem } from '../errors';
import { catalogQuery, verifyPrivileges, type VerifyOptions } from '../checks/verify-privileges';
import type { Dialect } from '../types';
import { replicaRulesOf } from './replica-rules';

export type ReplicaVerdict = 'ok' | 'problems' | 'unreachable' | 'misconfigured';

/** What verify (startKnex) and doctor found on one read replica. JSON-serializable, no password. */
export interface ReplicaReport {
  /** `host:port/database`. */
  target: string;
  /** The read-URL variable and the entry of its list (from 1). */
  variable: string;
  entry: number;
  verdict: ReplicaVerdict;
  /** The server answered (even if only to refuse the login). */
  reachable: boolean;
  /** The user as the replica names it. */
  user?: string;
  /** The replica refuses the app's writes (PostgreSQL: in recovery; MySQL: read_only). */
  readOnly?: boolean;
  problems: PrivilegeProblem[];
  error?: { code: string; message: string };
  remedy?: string;
  /** The driver error behind `error` (not serialized). */
  cause?: unknown;
}

export interface ReplicaTarget {
  knex: Knex;
  target: string;
  variable: string;
  entry: number;
}

/**
 * Checks one replica as the runtime role: one bounded connection attempt, who logs in, its
 * privileges against the runtime role (verifyPrivileges, from the replica's own catalogs),
 * and whether it refuses writes. A replica that is writable is most likely the primary or
 * a promoted standby: reads there are fine, but it is not what the read URL promises.
 */
export async function checkReplica(replica: ReplicaTarget, options: VerifyOptions & { dialect: Dialect; timeoutMs: number }): Promise<ReplicaReport> {
  const { dialect, timeoutMs } = options;
  const report: ReplicaReport = { target: replica.target, variable: replica.variable, entry: replica.entry, verdict: 'ok', reachable: false, problems: [] };
  const where = `the read replica ${replica.target} (${replica.variable}${replica.entry > 1 ? `, entry ${replica.entry}` : ''})`;
  try {
    await withDeadline(replica.knex.raw('select 1'), timeoutMs);
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    report.error = { code: typeof code === 'string' ? code : 'ERROR', message: typeof message === 'string' ? message : String(error) };
    report.cause = error;
    if (isLoginRefused(error) || isTlsError(error)) {
      report.reachable = true;
      report.verdict = 'misconfigured';
      report.remedy = `Check ${replica.variable}: ${where} refused the login or the TLS handshake. A read URL without a user uses the runtime user and password; the replica must have the same users (a streaming or binlog replica of the primary does).`;
    } else {
      report.verdict = isTransient(error) ? 'unreachable' : 'problems';
      report.remedy = `Check that ${where} is running and reachable from here; until then reads go to the other replicas or the primary.`;
    }
    return report;
  }
  report.reachable = true;
  // Only what verifyPrivileges takes: it refuses options it does not know.
  const { timeoutMs: _timeoutMs, ...verify } = options;
  const privileges = await verifyPrivileges(replica.knex, { ...verify, role: 'runtime' });
  report.user = privileges.user;
  report.problems = [...privileges.problems];
  const rules = replicaRulesOf(dialect);
  const [row] = await catalogQuery(replica.knex)(rules.readOnlyQuery);
  const value = row?.['read_only'];
  report.readOnly = value === true || Number(value) === 1;
  if (!report.readOnly) report.problems.push({ problem: 'excess', privilege: rules.writableProblem });
  if (report.problems.length > 0) {
    report.verdict = 'problems';
    const fixes = [
      ...(report.readOnly ? [] : [`Point ${replica.variable} at a read-only replica of the primary (a hot standby, or a MySQL replica with read_only = ON), not at a writable server.`]),
      ...(privileges.remedy ? [`On ${where}: ${privileges.remedy}`] : []),
    ];
    report.remedy = fixes.join(' ');
  }
  return report;
}

/** The report without its `cause`, for JSON. */
export function withoutCause(report: ReplicaReport): Omit<ReplicaReport, 'cause'> {
  const { cause: _cause, ...rest } = report;
  return rest;
}
