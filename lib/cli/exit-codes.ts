import { isKnexRolesError } from '../errors';


export { isKnexRolesError };

/** Documented in the README (CLI › Exit codes). */
export const EXIT = {
  OK: 0,
  /** The command ran and failed: doctor found problems, a migration or provisioning failed. */
  FAILED: 1,
  /** Unknown command or option. */
  USAGE: 2,
  /** The env contract is misconfigured (EnvContractError). */
  CONFIG: 3,
  /** Refused on purpose: wrong role, production safety, runtime DDL. */
  REFUSED: 4,
} as const;

export function exitCodeFor(error: unknown): number {
  if (!isKnexRolesError(error)) return EXIT.FAILED;
  if (error.code === 'E_CLI_USAGE') return EXIT.USAGE;
  if (error.code.startsWith('E_ENV_')) return EXIT.CONFIG;
  if (error.code === 'E_RUNTIME_MIGRATE' || error.code === 'E_RUNTIME_DDL' || error.code === 'E_CLI_REFUSED') return EXIT.REFUSED;
  return EXIT.FAILED;
}
