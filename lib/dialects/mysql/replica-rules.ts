import type { ReplicaRules } from '../../replicas/replica-rules';

/** MySQL / MariaDB binlog replicas (read_only=ON): what must stay on the primary, and how a replica refuses. */
export const MYSQL_REPLICA_RULES: ReplicaRules = {
  primaryPairs: new Map([
    // FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE; MariaDB NEXT VALUE FOR / PREVIOUS VALUE FOR a sequence.
    ['for', new Set(['update', 'share'])],
    ['lock', new Set(['in'])],
    ['value', new Set(['for'])],
  ]),
  // In an allowed read, INTO can only be INTO @var: a session variable of the connection that ran it.
  primaryWords: new Set(['into']),
  primaryFunctions: new Set([
    'get_lock', 'release_lock', 'release_all_locks', 'is_free_lock', 'is_used_lock',
    'nextval', 'setval', 'lastval',
    'last_insert_id', 'found_rows', 'row_count',
    'master_pos_wait', 'source_pos_wait', 'master_gtid_wait',
  ]),
  primaryFunctionPrefixes: [],
  retryOnPrimary: new Set([
    'ER_OPTION_PREVENTS_STATEMENT', // 1290: running with --read-only
    'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION', // 1792
  ]),
  // Global, and only SUPER / READ_ONLY ADMIN (which the app never holds) may write past it.
  readOnlyQuery: 'select @@global.read_only as read_only',
  writableProblem: 'writes: the server runs with read_only = OFF',
};
