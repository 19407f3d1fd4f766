import { ADMIN_FIELDS, DATABASE_URL, FAMILY, FIELDS, READ_URL_SUFFIX, URL_SUFFIX } from './contract';

const SCOPES: ReadonlyArray<[string, string]> = [
  ['TEST_RUNTIME_', 'test runtime level'],
  ['TEST_MIGRATION_', 'test migration level'],
  ['TEST_ADMIN_', 'test admin, provision only'],
  ['TEST_', 'test shared level'],
  ['RUNTIME_', 'runtime level'],
  ['MIGRATION_', 'migration level'],
  ['ADMIN_', 'admin, provision only'],
  ['', 'shared level'],
];

const SUFFIXES: ReadonlySet<string> = new Set([URL_SUFFIX, READ_URL_SUFFIX, ...[...Object.values(FIELDS), ADMIN_FIELDS].flatMap((fields) => Object.values(fields).flat())]);

/** Which level of the ladder a contract variable belongs to, for error messages. */
export function levelOf(variable: string): string | undefined {
  if (variable === DATABASE_URL) return 'lowest level, never in test mode';
  for (const family of Object.values(FAMILY)) {
    if (!variable.startsWith(`${family}_`)) continue;
    const rest = variable.slice(family.length + 1);
    for (const [scope, label] of SCOPES) {
      const suffix = rest.slice(scope.length);
      if (rest.startsWith(scope) && SUFFIXES.has(suffix)) return suffix === URL_SUFFIX ? `URL, ${label}` : suffix === READ_URL_SUFFIX ? `read replicas, ${label}` : label;
    }
  }
  return undefined;
}

/** `PG_RUNTIME_PORT (runtime level)`: a variable named with its level. */
export function at(variable: string): string {
  const level = levelOf(variable);
  return level ? `${variable} (${level})` : variable;
}
