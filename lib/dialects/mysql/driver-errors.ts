import { ProvisionError } from '../../errors';
import { scrub } from '../provision-plan';

/** What was being done when the server said no; names only, never secrets. */
export interface ErrorContext {
  /** e.g. `granting SELECT … ON \`app\`.* to 'app'@'%'` */
  action: string;
  adminUser: string;
  database: string;
  /** Strings to scrub from anything we repeat (passwords and their quoted literals). */
  secrets: readonly string[];
  /** The admin was logging in: an access-denied error means credentials, not privileges. */
  connecting?: boolean;
}

/**
 * Maps a `mysql2` error to E_PROVISION once, for every provisioning step. mysql2 errors
 * carry the full statement (`sql`), password included, so `cause` is a scrubbed copy with
 * only code, errno and message.
 */
export function provisionError(error: unknown, context: ErrorContext): ProvisionError {
  const errno = numberField(error, 'errno');
  const code = stringField(error, 'code');
  const serverMessage = scrub(stringField(error, 'sqlMessage') ?? stringField(error, 'message') ?? String(error), context.secrets);
  const where = `(database "${context.database}", admin "${context.adminUser}")`;
  const tag = errno !== undefined ? ` [${errno}${code ? ` ${code}` : ''}]` : code ? ` [${code}]` : '';
  const message = `Provisioning failed while ${context.action} ${where}: ${serverMessage}${tag}.`;
  const cause = Object.assign(new Error(serverMessage), { code, errno });
  return new ProvisionError('E_PROVISION', message, { remedy: remedyFor(errno, code, context), cause });
}

function privilegeRemedy(context: ErrorContext): string {
  return `Provision as an admin with the global CREATE USER privilege and ALL PRIVILEGES ON \`${context.database}\`.* WITH GRANT OPTION (managed services: the master user); revoking a global privilege or a role someone else granted needs that privilege (or the role's ADMIN OPTION) too: ask whoever granted it.`;
}

function remedyFor(errno: number | undefined, code: string | undefined, context: ErrorContext): string {
  switch (errno) {
    case 1044: // ER_DBACCESS_DENIED_ERROR
    case 1142: // ER_TABLEACCESS_DENIED_ERROR
    case 1227: // ER_SPECIFIC_ACCESS_DENIED_ERROR
    case 1410: // ER_CANT_CREATE_USER_WITH_GRANT
    case 1698: // ER_ACCESS_DENIED_NO_PASSWORD_ERROR: MariaDB's answer to revoking a role without ADMIN OPTION
      return privilegeRemedy(context);
    case 1045: // ER_ACCESS_DENIED_ERROR: bad credentials at login, a privilege the admin lacks afterwards
      return context.connecting
        ? `Check the admin user "${context.adminUser}" and its password (DB_ADMIN_USER / DB_ADMIN_PASSWORD) and the host it may connect from.`
        : privilegeRemedy(context);
    case 1396: // ER_CANNOT_USER
      return 'The account was created or dropped concurrently, or a different account form exists: check SELECT user, host FROM mysql.user and run provision again.';
    case 1470: // ER_WRONG_STRING_LENGTH
      return 'Shorten the user name (MySQL 8: 32 characters; MariaDB: 80).';
    default:
      break;
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    return 'Check the host and port, and that the server is running and reachable from here.';
  }
  return 'Fix the cause named above and run provision again; it is idempotent.';
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

function numberField(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'number' ? field : undefined;
}
