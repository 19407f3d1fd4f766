/**
 * The MySQL/MariaDB privilege lists, written once: provision grants them and verify
 * checks them (the reasons for each are in provision.ts's table).
 */

/** What the app (runtime role) holds on its database. */
export const APP_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;

/** The schema changes a migrator must be able to make; verify requires each of them. */
export const SCHEMA_CHANGE_PRIVILEGES = ['CREATE', 'ALTER', 'DROP', 'INDEX', 'REFERENCES'] as const;

/** What the migrator holds on its database: the app's data access, schema changes, views, triggers, temporary tables. */
export const MIGRATOR_PRIVILEGES = [...APP_PRIVILEGES, ...SCHEMA_CHANGE_PRIVILEGES, 'CREATE VIEW', 'SHOW VIEW', 'TRIGGER', 'CREATE TEMPORARY TABLES'] as const;

/** The `appTemporaryTables` opt-in's privilege. */
export const TEMPORARY_TABLES = 'CREATE TEMPORARY TABLES';
