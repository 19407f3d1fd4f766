/**
 * The PostgreSQL privilege lists, written once: provision grants (and revokes) them and
 * verify checks them (the reasons for each are in provision.ts's table).
 */

export const MIGRATOR_DATABASE_PRIVILEGES = ['CONNECT', 'TEMPORARY'] as const;
export const MIGRATOR_SCHEMA_PRIVILEGES = ['USAGE', 'CREATE'] as const;

/** The app's database privileges; TEMPORARY is added by the `appTemporaryTables` opt-in. */
export function appDatabasePrivileges(appTemporaryTables = false): string[] {
  return appTemporaryTables ? ['CONNECT', 'TEMPORARY'] : ['CONNECT'];
}

export const APP_SCHEMA_PRIVILEGES = ['USAGE'] as const;
export const APP_TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
export const APP_SEQUENCE_PRIVILEGES = ['USAGE', 'SELECT'] as const;

/**
 * Table privileges every supported major has that the app must not hold (and MAINTAIN on
 * 17+): TRUNCATE skips DELETE triggers, TRIGGER attaches code, REFERENCES can block the
 * owner's changes.
 */
export const APP_TABLE_PRIVILEGES_REVOKED = ['TRUNCATE', 'REFERENCES', 'TRIGGER'] as const;
