/**
 * The server's own databases: a grant there reaches accounts, password hashes or other
 * sessions, so it is judged as server-wide, never as "another database of the user pair".
 */
export const SYSTEM_DATABASES: ReadonlySet<string> = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);

export function isSystemDatabase(name: string): boolean {
  return SYSTEM_DATABASES.has(name.toLowerCase());
}
