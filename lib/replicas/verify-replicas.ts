import type { Knex } from 'knex';
import { LoginRefusedError, PrivilegeError, TlsError } from '../errors';
import { isTlsError } from '../connection/driver-codes';
import type { Dialect } from '../types';
import type { VerifyOptions } from '../checks/verify-privileges';
import { checkReplica, withoutCause, type ReplicaReport } from './check-replica';
import { replicaSetOf } from './read-routing';

/**
 * startKnex's check of an instance's read replicas, after the primary's: each is checked
 * once (checkReplica). One that does not answer is marked down (a KNEX_ROLES_REPLICA_DOWN
 * warning; reads go elsewhere until it answers): a replica being down must not stop the app.
 * One that refuses the login or the TLS handshake fails the start-up (LoginRefusedError /
 * TlsError naming its read-URL variable), and so does one whose user holds the wrong
 * privileges or that accepts writes (PrivilegeError), as for the primary.
 */
export async function verifyReplicas(instance: Knex, options: VerifyOptions & { dialect: Dialect; timeoutMs: number }): Promise<Array<Omit<ReplicaReport, 'cause'>>> {
  const set = replicaSetOf(instance);
  if (!set) return [];
  const reports: Array<Omit<ReplicaReport, 'cause'>> = [];
  for (const replica of set.replicas) {
    const report = await checkReplica(replica, options);
    reports.push(withoutCause(report));
    const remedy = report.remedy ?? '';
    if (report.verdict === 'unreachable') set.down(replica, report.cause);
    else if (report.verdict === 'misconfigured') {
      const { host = '', port = 0, user = '', database = '' } = (replica.knex.client as { connectionSettings?: { host?: string; port?: number; user?: string; database?: string } }).connectionSettings ?? {};
      if (isTlsError(report.cause)) throw TlsError.of({ host, port, variables: [replica.variable], cause: report.cause, remedy });
      throw LoginRefusedError.of({ host, port, user, database, cause: report.cause, remedy, variables: [replica.variable] });
    } else if (report.verdict === 'problems') {
      if (report.user === undefined) throw report.cause;
      throw PrivilegeError.of({ user: report.user, role: 'runtime', dialect: options.dialect, problems: report.problems, remedy });
    }
  }
  return reports;
}
