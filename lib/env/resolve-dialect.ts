import { EnvContractError } from '../errors';
import type { Dialect, Role } from '../types';
import { DIALECT_ALIASES, FIELDS, SELECTOR, levelsFor, type Field, type Mode } from './contract';
import { readVariable, type Env } from './load-env';

export interface ResolvedDialect {
  dialect: Dialect;
  /** The selector variable, `inferred from <VAR>`, or `default` (embedded SQLite). */
  source: string;
}

/**
 * The dialect: the selector (`DB_CONNECTION`, or in tests `DB_TEST_CONNECTION` then
 * `DB_CONNECTION`), else the one family whose variables are set for this role and mode,
 * else the embedded SQLite default.
 */
export function resolveDialect(env: Env, role: Role, mode: Mode): ResolvedDialect {
  for (const variable of SELECTOR[mode]) {
    const value = readVariable(env, variable);
    if (value === undefined) continue;
    const dialect = DIALECT_ALIASES[value.toLowerCase().replace(/_test$/, '')];
    if (dialect) return { dialect, source: variable };
    throw new EnvContractError(
      'E_ENV_DIALECT',
      // The value is not echoed: a connection URL put here by mistake carries a password.
      `${variable} names no supported dialect.`,
      [variable],
      `Set ${variable} to one of ${Object.keys(DIALECT_ALIASES).join(', ')} (a _test suffix is accepted).`,
    );
  }

  const present = (Object.keys(FIELDS) as Dialect[])
    .map((dialect) => ({ dialect, variable: firstSet(env, dialect, role, mode) }))
    .filter((found): found is { dialect: Dialect; variable: string } => found.variable !== undefined);
  const [only, second] = present;
  if (!only) return { dialect: 'sqlite', source: 'default' };
  if (!second) return { dialect: only.dialect, source: `inferred from ${only.variable}` };
  const selector = SELECTOR[mode][0] ?? 'DB_CONNECTION';
  throw new EnvContractError(
    'E_ENV_AMBIGUOUS',
    `Variables of more than one dialect are set for the ${role} role: ${present.map((p) => `${p.variable} (${p.dialect})`).join(', ')}.`,
    present.map((p) => p.variable),
    `Set ${selector} to mysql, postgres or sqlite to pick one.`,
  );
}

function firstSet(env: Env, dialect: Dialect, role: Role, mode: Mode): string | undefined {
  for (const field of Object.keys(FIELDS[dialect]) as Field[]) {
    for (const level of levelsFor(dialect, role, mode, field)) {
      for (const variable of level) {
        if (readVariable(env, variable, field === 'password') !== undefined) return variable;
      }
    }
  }
  return undefined;
}
