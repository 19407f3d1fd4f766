import { EnvContractError } from '../errors';
import { readVariable, type Env } from './load-env';

/** The opt-in that lets the app create temporary tables (provision, guard, verify, doctor). */
export const APP_TEMPORARY_TABLES_VARIABLE = 'KNEX_ROLES_APP_TEMPORARY_TABLES';

const VALUES: Readonly<Record<string, boolean>> = { '1': true, true: true, '0': false, false: false };

/**
 * A yes/no setting: the option when given, else the variable (`1`/`true`, `0`/`false`,
 * unset = false). Any other value is an error rather than a guess.
 */
export function resolveFlag(env: Env, variable: string, option: boolean | undefined): { value: boolean; source: string } {
  if (option !== undefined) return { value: option, source: 'option' };
  const raw = readVariable(env, variable);
  if (raw === undefined) return { value: false, source: 'default' };
  const value = VALUES[raw.toLowerCase()];
  if (value === undefined) {
    throw new EnvContractError('E_ENV_FLAG', `${variable} is ${JSON.stringify(raw)}, not a yes/no value.`, { variables: [variable], remedy: `Set ${variable} to 1 (on) or 0 (off), or unset it.` });
  }
  return { value, source: variable };
}
