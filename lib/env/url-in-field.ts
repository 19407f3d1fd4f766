import { EnvContractError } from '../errors';
import { at } from './level-of';

/**
 * Whether `value` looks like a connection URL or carries `user:password@`: the usual way a
 * password ends up in a host, user or database variable. Such a value is never echoed.
 */
export function carriesCredentials(value: string): boolean {
  return value.includes('://') || /^[^@\s/]*:[^@\s]*@/.test(value);
}

/** E_ENV_URL_IN_FIELD for `variable`, pointing at the URL variable of the same level. */
export function urlInField(variable: string, urlVariable: string | undefined): EnvContractError {
  const remedy = urlVariable
    ? `Put the URL in ${urlVariable} (same level of the ladder) and unset ${variable}, or set ${variable} to the bare value.`
    : `Set ${variable} to the bare value; a connection URL goes in DATABASE_URL.`;
  // The value is not echoed: it carries a password.
  return new EnvContractError('E_ENV_URL_IN_FIELD', `${at(variable)} holds a connection URL or user:password@ credentials, not a bare value.`, { variables: [variable], remedy: remedy });
}
