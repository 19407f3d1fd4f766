import type { ReplicaRules } from '../../replicas/replica-rules';

/** PostgreSQL streaming replicas (hot standby): what must stay on the primary, and how a standby refuses. */
export const POSTGRES_REPLICA_RULES: ReplicaRules = {
  // SELECT … FOR UPDATE | FOR NO KEY UPDATE | FOR SHARE | FOR KEY SHARE (any depth: subqueries lock too).
  primaryPairs: new Map([['for', new Set(['update', 'share', 'no', 'key'])]]),
  primaryWords: new Set(),
  primaryFunctions: new Set([
    // sequences (currval / lastval read this session's own state)
    'nextval', 'setval', 'currval', 'lastval',
    // transaction ids, notifications, session settings
    'txid_current', 'pg_current_xact_id', 'pg_notify', 'set_config',
  ]),
  // Advisory locks work on a standby too, which is why they must not go there: the lock would be the standby's.
  primaryFunctionPrefixes: ['pg_advisory_', 'pg_try_advisory_', 'pg_current_wal_'],
  retryOnPrimary: new Set([
    '25006', // read_only_sql_transaction: e.g. a function that writes, nextval() in a view
    '40001', // on a standby: statement cancelled by a conflict with recovery
  ]),
  // A hot standby refuses every write; default_transaction_read_only alone a session can switch off.
  readOnlyQuery: 'select pg_is_in_recovery() as read_only',
  writableProblem: 'writes: the server is not a standby (pg_is_in_recovery() is false)',
};
