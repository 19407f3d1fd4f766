import { EnvContractError } from '../errors';
import type { Role } from '../types';
import { ROLE_VARIABLE } from './contract';
import { loadEnv, readVariable, type Env } from './load-env';
import { nearest } from './nearest';

/**
 * `ELOQUENT_DB_ROLE`, trimmed and case-insensitive; unset or empty is `runtime`. By
 * default read like resolveConnection reads it: the real environment over the project's `.env`.
 */
export function resolveRole(env: Env = loadEnv()): Role {
  const value = readVariable(env, ROLE_VARIABLE)?.toLowerCase();
  if (value === undefined || value === 'runtime') return 'runtime';
  if (value === 'migration') return 'migration';
  // The value is not echoed (a misplaced secret must not end up in an error); a near miss is named by what it is near.
  const guess = nearest(value, ['runtime', 'migration']);
  throw new EnvContractError(
    'E_ENV_ROLE',
    `${ROLE_VARIABLE} is set to something other than runtime or migration${guess ? ` (did you mean ${guess}?)` : ''}.`,
    { variables: [ROLE_VARIABLE], remedy: `Set ${ROLE_VARIABLE} to runtime (the default, for the app) or migration (for schema changes), or unset it.` },
  );
}
