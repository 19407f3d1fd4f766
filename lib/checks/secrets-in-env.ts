import { EnvContractError, UsageError } from '../errors';
import { checkedOptions } from '../checked-options';
import { contractRows } from '../env/contract';
import { readVariable, type Env } from '../env/load-env';
import type { Role } from '../types';

/** Setting this to `1` (or `true`) in the environment turns the secrets warning into an error. */
const STRICT_VARIABLE = 'KNEX_ROLES_STRICT';

/** The `code` of the warning `checkSecrets` emits (filter it with `process.on('warning')`). */
const SECRETS_WARNING_CODE = 'KNEX_ROLES_SECRETS';

/**
 * The variables that hold a secret a process of `role` must not carry, from the env
 * contract's own table so new dialects or scopes are covered without a second list.
 *
 * Passwords are the secrets: a migrator or admin *user name* in the environment grants
 * nothing on its own, so it is not reported. The runtime role must hold neither migration
 * nor admin passwords (live and test variants alike). The migration role is not checked:
 * the migration job is also where provisioning runs with the admin credentials.
 */
function forbiddenFor(role: Role): string[] {
  if (role !== 'runtime') return [];
  return contractRows()
    .filter((row) => row.field === 'password' && (row.role === 'migration' || row.role === 'admin'))
    .map((row) => row.variable);
}

/** Names (never values) of the migration or admin secrets set, non-empty, in `env`. */
export function secretsInEnv(env: Env, role: Role): string[] {
  return forbiddenFor(role).filter((variable) => readVariable(env, variable, true) !== undefined);
}

export interface CheckSecretsOptions {
  /** Throw instead of warning. Also on when `KNEX_ROLES_STRICT=1`; the option can only add strictness. */
  strict?: boolean;
  /** Only list the variables: no warning, no error (strict mode and KNEX_ROLES_STRICT do not apply). Default false. */
  quiet?: boolean;
}

/** Whether strict mode is on, from the option or `KNEX_ROLES_STRICT`. */
export function isStrict(env: Env, options: CheckSecretsOptions = {}): boolean {
  if (options.strict === true) return true;
  // The variable can only switch strict mode on, so an operator can enforce it in
  // production without code changes, and code cannot silently opt out.
  const value = readVariable(env, STRICT_VARIABLE)?.toLowerCase();
  return value === '1' || value === 'true';
}

/**
 * Warns (`process.emitWarning`, code `KNEX_ROLES_SECRETS`) when a process of `role` holds
 * migration or admin secrets; in strict mode throws `EnvContractError` `E_ENV_SECRETS`
 * instead; with `quiet` does neither. Returns the variable names found (empty when clean).
 */
export function checkSecrets(env: Env, role: Role, options: CheckSecretsOptions = {}): string[] {
  if (typeof env !== 'object' || env === null) throw new UsageError('E_USAGE', 'checkSecrets() takes the environment to check as its first argument.', { remedy: "Pass it, e.g. checkSecrets(process.env, 'runtime')." });
  if (role !== 'runtime' && role !== 'migration') throw new UsageError('E_USAGE', 'checkSecrets() takes the role of this process as its second argument: runtime or migration.', { remedy: "Pass the role, e.g. checkSecrets(process.env, 'runtime')." });
  checkedOptions('checkSecrets()', options, { strict: 'boolean', quiet: 'boolean' });
  const found = secretsInEnv(env, role);
  if (found.length === 0 || options.quiet === true) return found;
  const message = `This ${role} process holds migration or admin secrets: ${found.join(', ')}.`;
  const remedy = `Remove ${found.length === 1 ? 'it' : 'them'} from the ${role} environment: only the migration job needs migration credentials, and only provisioning needs admin credentials.`;
  if (isStrict(env, options)) {
    throw new EnvContractError('E_ENV_SECRETS', message, { variables: found, remedy: remedy });
  }
  process.emitWarning(`knex-roles: ${message} ${remedy} Set ${STRICT_VARIABLE}=1 to make this an error.`, { code: SECRETS_WARNING_CODE });
  return found;
}
