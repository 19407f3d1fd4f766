import { ProvisionError } from '../../errors';
import { scrub } from '../provision-plan';

/** What was being done when the server said no; names only, never secrets. */
export interface ErrorContext {
  /** e.g. `granting USAGE ON SCHEMA "public" to "app"` */
  action: string;
  adminUser: string;
  database: string;
  /** Strings to scrub from anything we repeat (passwords and their verifiers). */
  secrets: readonly string[];
}

/**
 * Maps a `pg` error to E_PROVISION once, for every provisioning step. The message quotes
 * the server's own text (scrubbed of secrets); `cause` is a scrubbed copy, never the
 * driver error itself, which can carry the statement.
 */
export function provisionError(error: unknown, context: ErrorContext): ProvisionError {
  const code = stringField(error, 'code');
  const serverMessage = scrub(stringField(error, 'message') ?? String(error), context.secrets);
  const where = `(database "${context.database}", admin "${context.adminUser}")`;
  const message = `Provisioning failed while ${context.action} ${where}: ${serverMessage}${code ? ` [${code}]` : ''}.`;
  const cause = Object.assign(new Error(serverMessage), { code });
  // Our own DO blocks raise with a HINT that says exactly what to run.
  const hint = stringField(error, 'hint');
  return new ProvisionError('E_PROVISION', message, { remedy: hint ? scrub(hint, context.secrets) : remedyFor(code, context), cause });
}

function remedyFor(code: string | undefined, context: ErrorContext): string {
  switch (code) {
    case '42501': // insufficient_privilege
      return `Run provision as a superuser, or (managed services) as a role with CREATEROLE that owns database "${context.database}"; a non-superuser cannot remove SUPERUSER, REPLICATION or BYPASSRLS from an existing role.`;
    case '42710': // duplicate_object
    case '42P04': // duplicate_database
      return 'Another process created the same object at the same time: run provision again.';
    case '28P01': // invalid_password
    case '28000': // invalid_authorization_specification (pg_hba)
      return `Check the admin user "${context.adminUser}" and its password (PG_ADMIN_USER / PG_ADMIN_PASSWORD), and that pg_hba.conf lets it connect from this host.`;
    case '3D000': // invalid_catalog_name
      return `Create database "${context.database}" first (CREATE DATABASE needs CREATEDB), or point provision at the right database name.`;
    case '0LP01': // invalid_grant_operation
      return 'A role membership loop exists (e.g. the migrator is a member of the admin): revoke it as a superuser and run provision again.';
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
      return 'Check the host and port, and that the server is running and reachable from here.';
    default:
      return 'Fix the cause named above and run provision again; it is idempotent.';
  }
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}
