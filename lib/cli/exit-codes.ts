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

/**
 * The exit code of the innermost of this package's errors in the cause chain: a failed
 * migration whose cause is a refused statement exits 4 like the refusal, a driver error
 * wrapping a misconfiguration exits 3; the code follows the cause, not the wrapper nor
 * which check happened to run first.
 */
export function exitCodeFor(error: unknown): number {
  const ours = innermostOwn(error);
  return ours ? exitCodeOf(ours) : EXIT.FAILED;
}

function innermostOwn(error: unknown, depth = 0): ReturnType<typeof asOwn> {
  if (depth > 8 || error === undefined || error === null) return undefined;
  const inner = error instanceof AggregateError ? error.errors.map((e) => innermostOwn(e, depth + 1)).find(Boolean) : innermostOwn((error as { cause?: unknown }).cause, depth + 1);
  return inner ?? asOwn(error);
}

function asOwn(error: unknown) {
  return isKnexRolesError(error) ? error : undefined;
}

function exitCodeOf(error: NonNullable<ReturnType<typeof asOwn>>): number {
  // A library function called wrongly from a command (an unknown --name) is a usage error too.
  if (error.code === 'E_CLI_USAGE' || error.code === 'E_USAGE') return EXIT.USAGE;
  // A TLS variable asking for what the server cannot prove is a configuration error.
  if (error.code === 'E_TLS') return EXIT.CONFIG;
  // So is a migration URL that points at a transaction-mode pooler.
  if (error.code === 'E_POOLED_MIGRATION') return EXIT.CONFIG;
  if (error.code.startsWith('E_ENV_')) return EXIT.CONFIG;
  if (error.code === 'E_RUNTIME_MIGRATE' || error.code === 'E_RUNTIME_DDL' || error.code === 'E_MIGRATE_REFUSED') return EXIT.REFUSED;
  return EXIT.FAILED;
}
