import type { Mode } from './contract';
import { readVariable, type Env } from './load-env';

/** NODE_ENV, trimmed (as every non-secret variable is); unset or empty is `development`. */
export function environmentOf(env: Env): string {
  return readVariable(env, 'NODE_ENV') ?? 'development';
}

/** The contract's mode from NODE_ENV: `test` reads only the test scopes, anything else is `live`. */
export function modeOf(env: Env): Mode {
  return environmentOf(env) === 'test' ? 'test' : 'live';
}

/** NODE_ENV=production: no embedded SQLite fallback, destructive migrate commands need --force --yes. */
export function isProduction(env: Env): boolean {
  return environmentOf(env) === 'production';
}
