import type { SelectIntoRule } from '../../guard/guard-rules';

const SELECT_INTO_REASON = 'SELECT … INTO creates a table';

/** PostgreSQL `SELECT … INTO t` creates a table: a DDL in a read's clothes. */
export const POSTGRES_SELECT_INTO: SelectIntoRule = {
  // PostgreSQL accepts an INTO clause only in a top-level SELECT; elsewhere it is a syntax
  // error, so only read-kind statements (and the wrappers, which re-judge) need the watch.
  onlyInReads: true,
  atInto: (r) => r.refuse('ddl', 'SELECT INTO', SELECT_INTO_REASON),
};
