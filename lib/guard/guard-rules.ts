import type { StatementKind } from './classify';
import type { ContentRefusal } from './content/judge';
import type { StatementTokens } from './content/statement-tokens';
import type { LexerOptions } from './lexer';
import type { CurrentReading, KeepsReading } from './lexing-settings';
import type { StatementReader } from './statement-reader';

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
  /**
   * Connection options with which the driver runs SQL of its own on connect, before any
   * query the guard sees (the mariadb connector's `initSql`, `sessionVariables`): a runtime
   * connection configured with one is refused before it connects.
   */
  readonly connectionOptions: readonly string[];
  /** Settings a runtime statement may not assign, by SET or (PostgreSQL) set_config(). */
  readonly refusedSettings: ReadonlyMap<string, RefusedSetting>;
  /** Refused like `refusedSettings`, by name prefix (`log_`, MariaDB `binlog_`); an exact entry wins. */
  readonly refusedSettingPrefixes: ReadonlyArray<readonly [prefix: string, setting: RefusedSetting]>;
  /**
   * Settings that change how the server reads SQL text, with the values that keep it
   * (lib/dialects/<d>/lexing-settings.ts): SET may assign them only those values.
   */
  readonly lexingSettings: ReadonlyMap<string, KeepsReading>;
  /** The dialect's keywords, lower case (lib/dialects/<d>/keywords.ts): a bare name the fast path takes is none of them. */
  readonly keywords: readonly string[];
  /** Substrings (besides the names above) without which no content rule can match: the content prefilter (content/rules.ts). */
  readonly prefilterWords: readonly string[];
  /** The dialect's grammar, where the classifier's shared statement families differ. */
  readonly grammar: GuardGrammar;
}

/**
 * Where one dialect's SQL differs inside the statement families lib/guard/ shares. Each
 * member is the dialect's answer; the families never ask for its name.
 */
export interface GuardGrammar {
  /** Which session settings, known from the server, change how the text is read; undefined: none does (classify.ts). */
  readonly sessionReading?: { readonly ansiQuotes: boolean };
  /** Readings of text whose meaning depends on settings the guard cannot see (alternative-readings.ts). */
  readonly alternatives: AlternativeReadings;
  /** SELECT … INTO; undefined: the dialect has none, and the reader never watches for INTO. */
  readonly selectInto?: SelectIntoRule;
  /** Words between INSERT and INTO (MySQL LOW_PRIORITY, IGNORE …), upper case. */
  readonly insertModifiers: readonly string[];
  /** `INSERT OR REPLACE`, `UPDATE OR IGNORE t`: a conflict clause (two words) stands before the target (SQLite). */
  readonly conflictClause: boolean;
  /** CREATE / ALTER / DROP keywords (verb and object) that are allowed session statements: MySQL DROP PREPARE (= DEALLOCATE). */
  readonly sessionDdl: ReadonlySet<string>;
  /** `ANALYZE [FORMAT=…] stmt` runs stmt and is judged as stmt (MariaDB's EXPLAIN ANALYZE). */
  readonly analyzeRunsStatement: boolean;
  /** CREATE TEMPORARY TABLE options that reach files or other servers (MySQL ENGINE, DATA / INDEX DIRECTORY); undefined: none. */
  readonly tempTableOptions?: { readonly engines: ReadonlySet<string> };
  /** SET lists several comma-separated items, and SET NAMES x may add COLLATE y (MySQL). */
  readonly setItemLists: boolean;
  /** A schema-qualified name's table part may still be a catalog table (SQLite: the qualifier is an attached database). */
  readonly qualifiedCatalogTables: boolean;
  /** `'…'` strings read as names where only a name fits (SQLite `FROM 'sqlite_master'`). */
  readonly stringNames: boolean;
  /** Names longer than this many UTF-8 bytes are cut to it by the server (PostgreSQL: 63, NAMEDATALEN - 1); undefined: none are. */
  readonly identifierMaxBytes?: number;
  /**
   * The server may fold table names beyond ASCII (MySQL with lower_case_table_names 1 or 2
   * lower-cases them with its Unicode table: KELVIN SIGN is `k`): protected names are also
   * compared folded so (bookkeeping-writes.ts unicodeFold).
   */
  readonly unicodeTableNames?: boolean;
  /** `"…"` before `(` is a name (MySQL under ANSI_QUOTES; a syntax error otherwise, so counted as a name). */
  readonly doubleQuotedCallNames: boolean;
  /** Content rules that only this dialect's statements reach (content/judge.ts). */
  readonly content: ContentGrammar;
  /** What the fast path (fast-path.ts) reads as a name and a parameter in the text knex sends. */
  readonly plain: PlainStatementGrammar;
}

export interface PlainStatementGrammar {
  /** The identifier quote knex writes (`"` on PostgreSQL, `` ` `` on MySQL and SQLite). */
  readonly quote: string;
  /** `$n` is a bound parameter (PostgreSQL, after knex's `?` → `$n`); elsewhere `$` falls back to the full classifier. */
  readonly dollarParams: boolean;
}

export interface ContentGrammar {
  /** `x.f` is attribute notation for f(x), a call (PostgreSQL). */
  readonly attributeCalls: boolean;
  /** `U&"…" UESCAPE 'c'` names, which the guard does not decode (PostgreSQL). */
  readonly uescapeNames: boolean;
  /** `SET search_path` / `SET SCHEMA` and set_config() (PostgreSQL: lib/dialects/postgres/set-config.ts); undefined: neither. */
  readonly setConfig?: SetConfigRule;
  /**
   * The statements, named by their first word, whose target is judged: `COPY t FROM …` writes
   * t (PostgreSQL; COPY … TO only reads), `LOCK [TABLE] t` locks t (PostgreSQL), `USE db`
   * makes db the default schema (MySQL).
   */
  readonly targetStatements: ReadonlySet<'copy' | 'lock' | 'use'>;
  /** System variables assigned inside a statement (`@@x := …`, MySQL: lib/dialects/mysql/system-variables.ts); undefined: none. */
  readonly systemVariables?: ContentRule;
  /**
   * Row-locking clauses (FOR UPDATE / SHARE …); `lockInShareMode`: MySQL's LOCK IN SHARE MODE
   * too. `subqueries`: where a statement not headed by one of `consistentHeads` reads its
   * subqueries' tables with shared row locks (InnoDB: SET, DO, CALL, SHOW …; locking-subqueries.ts),
   * such a statement locks what it names as FOR SHARE would, except tables of `lockFreeSchemas`
   * (no row locks: information_schema, performance_schema). Undefined: none (SQLite).
   */
  readonly rowLocks?: {
    readonly lockInShareMode: boolean;
    readonly subqueries?: { readonly consistentHeads: ReadonlySet<string>; readonly lockFreeSchemas: ReadonlySet<string> };
  };
}

/** A content rule of one dialect, judged on the whole statement's tokens: the refusal, or undefined. */
export type ContentRule = (tk: StatementTokens, rules: GuardRules, current: CurrentReading) => ContentRefusal | undefined;

/** Settings assigned outside the SET families' sight: a function call. */
export interface SetConfigRule {
  /** The function that assigns a setting, lower case (set_config). */
  readonly functionName: string;
  /** Its call, with the argument list starting at token `args`. */
  call(tk: StatementTokens, rules: GuardRules, args: number, current: CurrentReading): { kind: StatementKind; keyword: string; reason: string } | undefined;
}

/** A session mode to re-read a text under, and how a refusal under it is annotated. */
export interface ReadingMode {
  readonly altBackslash: boolean;
  readonly ansiQuotes: boolean;
  readonly note: string;
}

export interface AlternativeReadings {
  /**
   * When a string holds a backslash and the session's settings are unknown: the modes to
   * read the text in besides the default (PostgreSQL standard_conforming_strings = off;
   * MySQL NO_BACKSLASH_ESCAPES, ANSI_QUOTES).
   */
  readonly backslashModes: readonly ReadingMode[];
  /** Versioned executable comments (MySQL `/*!NNNNN`, MariaDB `/*M!`); undefined: the dialect has none. */
  readonly versionedComments?: {
    /** The server kinds that read them differently, the default first, with their labels. */
    readonly servers: ReadonlyArray<{ readonly server: NonNullable<LexerOptions['server']>; readonly label: string }>;
    /** More distinct versions than this refuse the text outright. */
    readonly maxVersions: number;
  };
}

/** The dialect's SELECT … INTO (a clause of the SELECT, not an alias `AS into` or a column `t.into`). */
export interface SelectIntoRule {
  /** Only read statements can carry one (PostgreSQL: elsewhere it is a syntax error), so others are not watched. */
  readonly onlyInReads: boolean;
  /** At the INTO word: refuses, or sets `r.pendingInto` so that `afterInto` judges the next token. */
  atInto(r: StatementReader): void;
  /** The token after a pending INTO (MySQL `INTO @var` is fine). */
  afterInto?(r: StatementReader, t: number): void;
  /** `AS INTO` is still an INTO clause: INTO is reserved and cannot be a label (MySQL); PostgreSQL takes it as a column label. */
  readonly intoAfterAs?: boolean;
}

/** Rows of `refusedSettings`: each setting named refused by the one rule. */
export function refusing(rule: RefusedSetting, ...names: readonly string[]): [string, RefusedSetting][] {
  return names.map((name) => [name, rule]);
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
  const escaped = prefilterWordsFor(rules, extra).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(escaped.join('|'), 'i');
}

/** The words prefilterFor's alternation is made of (lower case). */
export function prefilterWordsFor(rules: GuardRules, extra: readonly string[]): string[] {
  const all = [...rules.functions.keys(), ...rules.functionPrefixes.map(([p]) => p), ...rules.catalogSchemas, ...extra].map((w) => w.toLowerCase());
  // A word that contains another listed word adds nothing (`pg_` covers every `pg_…` name): a short alternation is a fast one.
  return [...new Set(all)].filter((w, _, list) => !list.some((other) => other !== w && w.includes(other)));
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
