import { grantPatternMatches } from './quote';

/**
 * The server's own databases: a grant there reaches accounts, password hashes or other
 * sessions, so it is judged as server-wide, never as "another database of the user pair".
 */
const SYSTEM_DATABASES: ReadonlySet<string> = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);

export function isSystemDatabase(name: string): boolean {
  return SYSTEM_DATABASES.has(name.toLowerCase());
}

/** Whether a database-level grant pattern (wildcards included) reaches a system database. */
export function coversSystemDatabase(pattern: string): boolean {
  return [...SYSTEM_DATABASES].some((name) => grantPatternMatches(pattern, name));
}
