import { dialectModule } from '../dialects/registry';
import { UsageError } from '../errors';
import type { Dialect } from '../types';

/**
 * What one database decides about reads on its replicas (lib/dialects/<d>/replica-rules.ts).
 * A read the guard's classifier allows may still need the primary: it locks rows, moves a
 * sequence, takes a named lock or reads session state that only the primary connection has.
 */
export interface ReplicaRules {
  /** A word followed by one of these words (e.g. FOR UPDATE, LOCK IN): the read needs the primary. */
  primaryPairs: ReadonlyMap<string, ReadonlySet<string>>;
  /** A word that alone makes it need the primary (MySQL INTO @var sets a session variable). */
  primaryWords: ReadonlySet<string>;
  /** Functions whose call makes it need the primary: sequences, advisory / named locks, session state. */
  primaryFunctions: ReadonlySet<string>;
  primaryFunctionPrefixes: readonly string[];
  /**
   * Driver error codes (pg SQLSTATE, mysql2 `code`) with which a replica refuses a statement
   * it cannot run there; the read is then run once more, on the primary.
   */
  retryOnPrimary: ReadonlySet<string>;
  /** One read-only statement answering `read_only`: 1 / true when the server refuses the app's writes. */
  readOnlyQuery: string;
  /** The problem a writable replica is reported with (what `readOnlyQuery` found). */
  writableProblem: string;
}

/** The replica rules of `dialect` (its module's `replicas`); E_USAGE for a database without replicas. */
export function replicaRulesOf(dialect: Dialect): ReplicaRules {
  const { replicas, label } = dialectModule(dialect);
  if (replicas) return replicas;
  throw new UsageError('E_USAGE', `${label} has no read replicas.`, { remedy: 'Configure read replicas only for a server database (PostgreSQL, MySQL).' });
}
