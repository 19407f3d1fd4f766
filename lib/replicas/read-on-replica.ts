import { classifySql } from '../guard/classify';
import { needsPrimary, prefilterOf } from './needs-primary';
import { REPLICA_RULES } from './replica-rules';

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

/**
 * `(sql) => true` when the text may run on a read replica: every statement in it is a read
 * by the guard's classifier (`kind: 'read'`, allowed on runtime), with a keyword a replica
 * may answer, and none locks, moves a sequence, takes a lock or reads session state.
 */
export function readOnReplica(dialect: 'postgres' | 'mysql'): (sql: string) => boolean {
  const rules = REPLICA_RULES[dialect];
  const prefilter = prefilterOf(rules);
  const verdicts = new Map<string, boolean>();
  return (sql) => {
    const cacheable = sql.length <= CACHE_MAX_SQL;
    const known = cacheable ? verdicts.get(sql) : undefined;
    if (known !== undefined) return known;
    const { statements } = classifySql(sql, dialect);
    const verdict =
      statements.length > 0 &&
      statements.every((statement) => statement.kind === 'read' && statement.allowedOnRuntime && REPLICA_KEYWORDS.has(statement.keyword)) &&
      !needsPrimary(sql, dialect, rules, prefilter);
    if (cacheable) {
      if (verdicts.size >= CACHE_LIMIT) verdicts.clear();
      verdicts.set(sql, verdict);
    }
    return verdict;
  };
}
