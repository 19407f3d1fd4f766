import { EnvContractError } from '../errors';
import type { Role } from '../types';
import { ROLE_VARIABLE } from './contract';
import { readVariable, type Env } from './load-env';

/** `ELOQUENT_DB_ROLE`, trimmed and case-insensitive; unset or empty is `runtime`. */
export function resolveRole(env: Env = process.env): Role {
  const value = readVariable(env, ROLE_VARIABLE)?.toLowerCase();
  if (value === undefined || value === 'runtime') return 'runtime';
  if (value === 'migration') return 'migration';
  throw new EnvContractError(
    'E_ENV_ROLE',
    `${ROLE_VARIABLE}=${JSON.stringify(shorten(env[ROLE_VARIABLE] ?? ''))} is not a role.`,
    [ROLE_VARIABLE],
    `Set ${ROLE_VARIABLE} to runtime (the default, for the app) or migration (for schema changes), or unset it.`,
  );
}

function shorten(value: string): string {
  return value.length > 40 ? `${value.slice(0, 39)}…` : value;
}
