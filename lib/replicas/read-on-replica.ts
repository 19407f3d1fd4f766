import { classifySql } from '../guard/classify';
import { needsPrimary, prefilterOf } from './needs-primary';
import type { Dialect } from '../types';
import { replicaRulesOf } from './replica-rules';

/**
 * Statement keywords a replica may answer, among those the guard's classifier reads as
 * reads. The rest of the reads stay on the primary: cursors (FETCH, MOVE, DECLARE live in
 * the primary's session), SHOW (MySQL's SHOW MASTER STATUS and the like describe the server
 * asked), MySQL DO and GET DIAGNOSTICS, COPY, HELP, CHECKSUM TABLE.
 */
const REPLICA_KEYWORDS: ReadonlySet<string> = new Set(['SELECT', 'VALUES', 'TABLE', 'EXPLAIN', 'EXPLAIN ANALYZE', 'DESCRIBE']);

// Verdicts per SQL text, bounded like the guard's own cache.
const CACHE_LIMIT = 2000;
const CACHE_MAX_SQL = 4096;

/** Where a text goes: a replica, the primary as a read (no write to remember), or the primary as a write. */
export type ReadVerdict = typeof ON_REPLICA | typeof READ_ON_PRIMARY | typeof WRITE;
export const ON_REPLICA = 0;
export const READ_ON_PRIMARY = 1;
export const WRITE = 2;

/** Kinds that change nothing a later read could miss (SET, SHOW …): they do not make reads sticky. */
const NOT_WRITES: ReadonlySet<string> = new Set(['read', 'session']);

/**
 * The verdict for a text, from the guard's classifier: ON_REPLICA when every statement in
 * it is a read (`kind: 'read'`, allowed on runtime) with a keyword a replica may answer,
 * and none locks, moves a sequence, takes a lock or reads session state; READ_ON_PRIMARY
 * for the other reads and session statements; WRITE for everything else (writes,
 * transaction control, locking reads, refused text).
 */
export function readOnReplica(dialect: Dialect): (sql: string) => ReadVerdict {
  const rules = replicaRulesOf(dialect);
  const prefilter = prefilterOf(rules);
  const verdicts = new Map<string, ReadVerdict>();
  return (sql) => {
    const cacheable = sql.length <= CACHE_MAX_SQL;
    const known = cacheable ? verdicts.get(sql) : undefined;
    if (known !== undefined) return known;
    const { statements } = classifySql(sql, dialect);
    let verdict: ReadVerdict = statements.length > 0 ? ON_REPLICA : WRITE;
    for (const statement of statements) {
      if (!statement.allowedOnRuntime || !NOT_WRITES.has(statement.kind)) verdict = WRITE;
      else if (verdict === ON_REPLICA && !(statement.kind === 'read' && REPLICA_KEYWORDS.has(statement.keyword))) verdict = READ_ON_PRIMARY;
    }
    if (verdict !== WRITE && needsPrimary(sql, dialect, rules, prefilter)) verdict = WRITE;
    if (cacheable) {
      if (verdicts.size >= CACHE_LIMIT) verdicts.clear();
      verdicts.set(sql, verdict);
    }
    return verdict;
  };
}
