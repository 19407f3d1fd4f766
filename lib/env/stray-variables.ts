import { EnvContractError } from '../errors';
import type { Dialect, Role } from '../types';
import { DATABASE_URL, FAMILY, FIELDS, SCOPES, SELECTOR, URL_SUFFIX, contractRows, readUrlLevelsFor, urlVariable, type Mode } from './contract';
import { readVariable, type Env } from './load-env';

interface Owner {
  variable: string;
  dialect: Dialect;
  role: Role | 'both' | 'admin';
  mode: Mode;
  /** A read-replica variable: read by the runtime role, alongside a primary. */
  replicas?: true;
}

/** Every database variable of the contract with the role and mode that read it. */
function owners(): Owner[] {
  const list: Owner[] = contractRows().map(({ variable, dialect, role, mode }) => ({ variable, dialect, role, mode }));
  for (const dialect of Object.keys(FIELDS) as Dialect[]) {
    for (const mode of ['live', 'test'] as Mode[]) {
      const seen = new Set<string>();
      for (const role of ['runtime', 'migration'] as Role[]) {
        SCOPES[role][mode].forEach((scope, depth) => {
          const variable = urlVariable(dialect, scope);
          if (variable && !seen.has(variable)) list.push({ variable, dialect, role: depth > 0 ? 'both' : role, mode });
          if (variable) seen.add(variable);
        });
      }
    }
  }
  for (const dialect of Object.keys(FIELDS) as Dialect[]) {
    for (const mode of ['live', 'test'] as Mode[]) for (const variable of readUrlLevelsFor(dialect, mode)) list.push({ variable, dialect, role: 'runtime', mode, replicas: true });
  }
  // DATABASE_URL names its dialect by scheme; SQLite stands for "any" here.
  list.push({ variable: DATABASE_URL, dialect: 'sqlite', role: 'both', mode: 'live' });
  for (const variable of SELECTOR.test) if (!SELECTOR.live.includes(variable)) list.push({ variable, dialect: 'sqlite', role: 'both', mode: 'test' });
  return list;
}

function scopeHint(dialect: Dialect, role: Role, mode: Mode): string {
  const family = FAMILY[dialect];
  return SCOPES[role][mode].map((scope) => `${family}_${scope}*`).join(' or ');
}

/**
 * When nothing is configured for `role` in `mode` but database variables are set for
 * another role or mode, the error that says which and what to do; undefined when no
 * database variable is set at all (the embedded SQLite default then applies).
 */
export function strayVariables(env: Env, role: Role, mode: Mode): EnvContractError | undefined {
  const set = owners().filter((owner) => readVariable(env, owner.variable, true) !== undefined);
  if (set.length === 0) return undefined;
  // One sentence per kind of mistake, naming every variable it applies to.
  const grouped = new Map<string, string[]>();
  for (const owner of set) {
    const reason = reasonFor(owner, role, mode).slice(owner.variable.length);
    grouped.set(reason, [...(grouped.get(reason) ?? []), owner.variable]);
  }
  const reasons = [...grouped].map(([reason, variables]) => `${variables.join(', ')}${variables.length > 1 ? reason.replace(/^ is set but /, ' are set but ').replace(/^ is read only/, ' are read only').replace(/^ names read/, ' name read') : reason}`);
  const names = set.map((owner) => owner.variable);
  const shown = names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', ');
  return new EnvContractError(
    'E_ENV_NOT_READ',
    `${shown} ${names.length === 1 ? 'is' : 'are'} set, but no database variable is read for the ${role} role${mode === 'test' ? ' in test mode' : ''}, so knex-roles will not fall back to the embedded SQLite file.`,
    { variables: names, remedy: reasons.join(' ') },
  );
}

function reasonFor(owner: Owner, role: Role, mode: Mode): string {
  const { variable, dialect } = owner;
  const want = dialect;
  if (SELECTOR.test.includes(variable)) return `${variable} is set but only test mode (NODE_ENV=test, --test) reads it: set DB_CONNECTION and your database's variables, or run in test mode.`;
  if (variable === DATABASE_URL) return `${DATABASE_URL} is set but test mode never reads it: set the *_TEST_* variables (e.g. PG_TEST_${URL_SUFFIX} or DB_TEST_${URL_SUFFIX}) for the test database.`;
  if (owner.mode !== mode) {
    return mode === 'test'
      ? `${variable} is set but test mode reads only ${FAMILY[want]}_TEST_*: set ${scopeHint(want, role, 'test')} for the test database.`
      : `${variable} is set but only test mode (NODE_ENV=test, --test) reads it: set ${scopeHint(want, role, 'live')}, or run in test mode.`;
  }
  if (owner.replicas && role === 'runtime') return `${variable} names read replicas, but no primary is configured: set ${scopeHint(want, role, mode)} (or ${urlVariable(want, SCOPES[role][mode][1] ?? '')}) for the server they follow.`;
  if (owner.role === 'admin') return `${variable} is read only by knex-roles provision: set ${scopeHint(want, role, mode)} for the ${role} role.`;
  const other: Role = role === 'runtime' ? 'migration' : 'runtime';
  return `${variable} is set but the role is ${role}: set ${scopeHint(want, role, mode)}, or run with ELOQUENT_DB_ROLE=${other}.`;
}
