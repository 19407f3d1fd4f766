/**
 * The shape of a dialect's content rules: what the runtime guard refuses wherever it
 * appears in a statement (not only at its head). Each dialect's table lives in
 * lib/dialects/<d>/guard-rules.ts; lib/guard/content/judge.ts applies them.
 */
export interface GuardRules {
  /** Server functions a runtime connection may not call, lower case, with the reason. */
  readonly functions: ReadonlyMap<string, string>;
  /** Name prefixes refused like `functions` (`pg_ls_` covers pg_ls_dir, pg_ls_waldir…). */
  readonly functionPrefixes: ReadonlyArray<readonly [prefix: string, reason: string]>;
  /** Schemas whose tables are system catalogs: DML on them is refused. */
  readonly catalogSchemas: ReadonlySet<string>;
  /** An unqualified (or, for SQLite, any) table name that is a system catalog. */
  isCatalogTable(name: string): boolean;
  /**
   * MySQL: a write statement that names a catalog schema anywhere is refused (multi-table
   * UPDATE / DELETE write any table they join). Elsewhere only the statement's target counts.
   */
  readonly catalogAnywhereInWrites: boolean;
  /** Catalog tables a DELETE may target (SQLite's sqlite_sequence: knex's truncate() clears its row). */
  readonly deletableCatalogTables?: ReadonlySet<string>;
  /** Names refused as bare names too, by prefix (SQLite table-valued functions need no parentheses; PostgreSQL views over config files). */
  readonly bareNamePrefixes: readonly string[];
  /** Exceptions to `functionPrefixes` (SQLite's read-only `pragma_table_info` and kin). */
  allowsFunction?(name: string): boolean;
  /** Exceptions to `functionPrefixes` when called with no argument: SQLite `pragma_user_version` reads, as `PRAGMA user_version` does. */
  readsWithoutArgument?(name: string): boolean;
  /**
   * Keys of knex's `.options({…})` that the dialect's knex client merges over the SQL and
   * bindings it hands the driver (pg `{ text, values }`, mysql2 `{ sql, values }`): they
   * would replace what the guard judged, so a query carrying one is refused.
   */
  readonly textOptions: readonly string[];
  /** Settings a runtime statement may not assign, by SET or (PostgreSQL) set_config(). */
  readonly refusedSettings: ReadonlyMap<string, RefusedSetting>;
  /** Refused like `refusedSettings`, by name prefix (`log_`, MariaDB `binlog_`); an exact entry wins. */
  readonly refusedSettingPrefixes: ReadonlyArray<readonly [prefix: string, setting: RefusedSetting]>;
}

/** The rule that refuses assigning `name`, or undefined. */
export function refusedSettingOf(rules: GuardRules, name: string): RefusedSetting | undefined {
  const exact = rules.refusedSettings.get(name);
  if (exact !== undefined) return exact;
  for (const [prefix, setting] of rules.refusedSettingPrefixes) if (name.startsWith(prefix)) return setting;
  return undefined;
}

/** Why `name(…)` is refused, or undefined when it may be called. */
export function refusedFunction(rules: GuardRules, name: string): string | undefined {
  if (rules.allowsFunction?.(name) === true) return undefined;
  const direct = rules.functions.get(name);
  if (direct !== undefined) return direct;
  for (const [prefix, reason] of rules.functionPrefixes) if (name.startsWith(prefix)) return reason;
  return undefined;
}

/**
 * A conservative text prefilter: when none of these substrings occurs (any case), no rule
 * can match, so the token walk is skipped. Strings and comments may match; that only costs
 * the walk.
 */
export function prefilterFor(rules: GuardRules, extra: readonly string[]): RegExp {
  const all = [...rules.functions.keys(), ...rules.functionPrefixes.map(([p]) => p), ...rules.catalogSchemas, ...extra].map((w) => w.toLowerCase());
  // A word that contains another listed word adds nothing (`pg_` covers every `pg_…` name): a short alternation is a fast one.
  const words = [...new Set(all)].filter((w, _, list) => !list.some((other) => other !== w && w.includes(other)));
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(escaped.join('|'), 'i');
}

/**
 * A session setting a runtime statement may not assign (by SET or set_config): identity,
 * or superuser-only settings that switch off integrity checks, logging or replication.
 * `keyword` defaults to `SET <NAME>`.
 */
export interface RefusedSetting {
  kind: 'privilege' | 'other';
  keyword?: string;
  reason: string;
}

export function refusedSettingKeyword(name: string, setting: RefusedSetting): string {
  return setting.keyword ?? `SET ${name.toUpperCase()}`;
}
