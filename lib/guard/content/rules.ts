import { MYSQL_GUARD_RULES } from '../../dialects/mysql/guard-rules';
import { POSTGRES_GUARD_RULES } from '../../dialects/postgres/guard-rules';
import { SQLITE_GUARD_RULES } from '../../dialects/sqlite/guard-rules';
import type { Dialect } from '../../types';
import { prefilterFor, type GuardRules } from '../guard-rules';

export const GUARD_RULES: Readonly<Record<Dialect, GuardRules>> = { postgres: POSTGRES_GUARD_RULES, mysql: MYSQL_GUARD_RULES, sqlite: SQLITE_GUARD_RULES };

/**
 * Text in which none of these occurs (any case, strings and comments included) cannot match
 * any content rule, so the content watch stays off for it and the reader may skim. (U&:
 * PostgreSQL escaped names.)
 */
export const CONTENT_PREFILTER: Readonly<Record<Dialect, RegExp>> = {
  postgres: prefilterFor(POSTGRES_GUARD_RULES, ['pg_', 'set_config', 'u&']),
  // @@: system variables assigned inside a statement (system-variables.ts).
  mysql: prefilterFor(MYSQL_GUARD_RULES, ['@@']),
  sqlite: prefilterFor(SQLITE_GUARD_RULES, ['sqlite_']),
};
