import { EnvContractError } from '../errors';
import type { Dialect, Role } from '../types';
import { DATABASE_URL, DIALECT_ALIASES, FIELDS, SELECTOR, levelsFor, urlLevelsFor, type Field, type Mode } from './contract';
import { readVariable, type Env } from './load-env';
import { parseUrl } from './parse-url';
import { nearest } from './nearest';
import { carriesCredentials, urlInField } from './url-in-field';

export interface ResolvedDialect {
  dialect: Dialect;
  /** The selector variable, `inferred from <VAR>`, or `default` (embedded SQLite). */
  source: string;
}

/**
 * The dialect: the selector (`DB_CONNECTION`, or in tests `DB_TEST_CONNECTION` then
 * `DB_CONNECTION`), else the one family whose variables are set for this role and mode,
 * else (outside test mode) the scheme of DATABASE_URL, else the embedded SQLite default.
 */
export function resolveDialect(env: Env, role: Role, mode: Mode): ResolvedDialect {
  for (const variable of SELECTOR[mode]) {
    const value = readVariable(env, variable);
    if (value === undefined) continue;
    if (carriesCredentials(value)) throw urlInField(variable, DATABASE_URL);
    const word = value.toLowerCase().replace(/_test$/, '');
    const dialect = DIALECT_ALIASES[word];
    if (dialect) return { dialect, source: variable };
    // A near miss (`postgress`, `mysq`) is echoed with its correction; anything else is
    // not echoed, in case a secret was put here by mistake.
    const guess = /^[a-z0-9_-]{1,24}$/.test(word) ? nearest(word, Object.keys(DIALECT_ALIASES)) : undefined;
    throw new EnvContractError(
      'E_ENV_DIALECT',
      `${variable} names no supported dialect${guess ? ` ("${word}": did you mean ${guess}?)` : ''}.`,
      { variables: [variable], remedy: `Set ${variable} to ${guess ? `${guess}, or another of ` : 'one of '}${Object.keys(DIALECT_ALIASES).join(', ')} (a _test suffix is accepted).` },
    );
  }

  const present = (Object.keys(FIELDS) as Dialect[])
    .map((dialect) => ({ dialect, variable: firstSet(env, dialect, role, mode) }))
    .filter((found): found is { dialect: Dialect; variable: string } => found.variable !== undefined);
  const url = mode === 'live' ? readVariable(env, DATABASE_URL) : undefined;
  if (url !== undefined) {
    const named = parseUrl(url, DATABASE_URL).dialect;
    if (!present.some((p) => p.dialect === named)) present.push({ dialect: named, variable: DATABASE_URL });
  }
  const [only, second] = present;
  if (!only) return { dialect: 'sqlite', source: 'default' };
  if (!second) return { dialect: only.dialect, source: `inferred from ${only.variable}` };
  const selector = SELECTOR[mode][0] ?? 'DB_CONNECTION';
  throw new EnvContractError(
    'E_ENV_AMBIGUOUS',
    `Variables of more than one dialect are set for the ${role} role: ${present.map((p) => `${p.variable} (${p.dialect})`).join(', ')}.`,
    { variables: present.map((p) => p.variable), remedy: `Set ${selector} to mysql, postgres or sqlite to pick one.` },
  );
}

function firstSet(env: Env, dialect: Dialect, role: Role, mode: Mode): string | undefined {
  for (const variable of urlLevelsFor(dialect, role, mode)) {
    if (variable !== DATABASE_URL && readVariable(env, variable) !== undefined) return variable;
  }
  for (const field of Object.keys(FIELDS[dialect]) as Field[]) {
    for (const level of levelsFor(dialect, role, mode, field)) {
      for (const variable of level) {
        if (readVariable(env, variable, field === 'password') !== undefined) return variable;
      }
    }
  }
  return undefined;
}
