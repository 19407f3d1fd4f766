// Renders the README's env-variable table from the contract data in lib/env/contract.ts.
// `npx ts-node scripts/env-table.ts` prints it; test/unit/readme.test.ts fails when the
// README's copy drifts from this rendering.
import { dialectModule } from '../lib/dialects/registry';
import { ADMIN_FIELDS, ADMIN_SCOPE, DATABASE_URL, DEFAULTS, EMBEDDED_SQLITE, FAMILY, FIELDS, REQUIRED, SCOPES, URL_SCHEMES, readUrlLevelsFor, urlVariable, type Field, type Mode } from '../lib/env/contract';
import type { Dialect, Role } from '../lib/types';

/** How the table names a dialect: its label, and MySQL's server family in full. */
const dialectName = (dialect: Dialect): string => (dialect === 'mysql' ? 'MySQL / MariaDB' : dialectModule(dialect).label);

function names(dialect: Dialect, scope: string, fields: Partial<Record<Field, readonly string[]>>, withUrl = true): string {
  const url = withUrl ? urlVariable(dialect, scope) : undefined;
  return [
    ...Object.values(fields).map((suffixes) => suffixes.map((suffix) => `\`${FAMILY[dialect]}_${scope}${suffix}\``).join(' or ')),
    ...(url ? [`\`${url}\``] : []),
  ].join(', ');
}

export function renderEnvTable(): string {
  const rows = ['| Variables | Dialect | Read by | Falls back to |', '| --- | --- | --- | --- |'];
  for (const dialect of Object.keys(FIELDS) as Dialect[]) {
    for (const mode of ['live', 'test'] as Mode[]) {
      const shared = new Set<string>();
      for (const role of ['runtime', 'migration'] as Role[]) {
        const [own, fallback] = SCOPES[role][mode];
        const who = `${role}${mode === 'test' ? ' (test mode)' : ''}`;
        rows.push(`| ${names(dialect, own ?? '', FIELDS[dialect])} | ${dialectName(dialect)} | ${who} | \`${FAMILY[dialect]}_${fallback ?? ''}<FIELD>\` |`);
        if (fallback !== undefined) shared.add(fallback);
      }
      for (const scope of shared) {
        rows.push(`| ${names(dialect, scope, FIELDS[dialect])} | ${dialectName(dialect)} | both roles${mode === 'test' ? ' (test mode)' : ''} | ${defaults(dialect, mode)} |`);
      }
      const replicas = readUrlLevelsFor(dialect, mode);
      if (replicas.length > 0) {
        rows.push(`| ${replicas.map((name) => `\`${name}\``).join(', ')} | ${dialectName(dialect)} | runtime${mode === 'test' ? ' (test mode)' : ''}: read replicas, one URL or a comma-separated list (the first set) | user, password, database and TLS of the runtime connection |`);
      }
      if (dialectModule(dialect).provision !== undefined) {
        rows.push(`| ${names(dialect, ADMIN_SCOPE[mode], ADMIN_FIELDS, false)} | ${dialectName(dialect)} | \`knex-roles provision\`${mode === 'test' ? ' (test mode)' : ''} | host, port, database of the migration role |`);
      }
    }
  }
  const schemes = Object.keys(URL_SCHEMES).map((scheme) => `\`${scheme}:\``).join(', ');
  rows.push(`| \`${DATABASE_URL}\` | by scheme: ${schemes} | both roles (never in test mode) | the lowest level of every ladder |`);
  return rows.join('\n');
}

function defaults(dialect: Dialect, mode: Mode): string {
  const entries = Object.entries(DEFAULTS[dialect]);
  const url = mode === 'live' ? `\`${DATABASE_URL}\`, then ` : '';
  if (entries.length === 0) return `${url}the embedded file \`${EMBEDDED_SQLITE[mode]}\` (only when no database variable is set at all${mode === 'live' ? '; not in production' : ''})`;
  return `${url}${entries.map(([field, value]) => `${field} ${value}`).join(', ')}; ${REQUIRED[dialect].map((field) => (field === 'database' ? 'name' : field)).join(' and ')} required`;
}

if (require.main === module) console.log(renderEnvTable());
