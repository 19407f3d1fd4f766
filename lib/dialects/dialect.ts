import type { Knex } from 'knex';
import type { Field } from '../env/contract';
import type { ResolvedConnection } from '../env/resolve-connection';
import type { SslMode, SslOption } from '../env/tls';
import type { GuardRules } from '../guard/guard-rules';
import type { GuardText } from '../guard/guard-text';
import type { StatementHeads } from '../guard/head-rule';
import type { PreviewOutcome } from '../migrate/dry-run';
import type { MigrateContext, SchemaObjectKind } from '../migrate/types';
import type { Lexer, LexerOptions } from '../guard/lexer';
import type { RawConnectionMethods } from '../guard/raw-connection';
import type { ReplicaRules } from '../replicas/replica-rules';
import type { Dialect, Role } from '../types';
import type { CatalogQuery, DialectFindings } from '../checks/verify-privileges';
import type { AdminConnection, ProvisionOptions, ProvisionPlan, ProvisionReport, ProvisionStep } from './provision-plan';

/**
 * Everything one database decides, as one object (lib/dialects/<d>/index.ts), in the way
 * kysely's `Dialect` gathers a database's adapter, driver and compiler. The rest of lib/
 * asks this object and never compares a dialect's name; adding a database is a folder of
 * its own, one line in registry.ts and its tests (docs/architecture.md).
 */
export interface DialectModule {
  readonly name: Dialect;
  /** How the docs and messages name it: `PostgreSQL`. */
  readonly label: string;
  /** Its part of the env contract (lib/env/contract.ts builds every variable name from it). */
  readonly env: EnvFamily;
  readonly knex: KnexNames;
  /** DDL runs inside a transaction and rolls back with it: a dry run then executes for real (migrate/dry-run.ts). */
  readonly transactionalDdl: boolean;
  /** Why a failed migration's DDL stayed, when `transactionalDdl` is false. */
  readonly ddlCommitNote?: string;
  /**
   * The dry run where DDL cannot roll back (`transactionalDdl` false): the SQL each migration
   * would send, recorded and labelled, not executed (lib/dialects/mysql/preview-client.ts).
   */
  previewRun?(ctx: MigrateContext): Promise<PreviewOutcome>;
  /**
   * Where another run's lock shows up as the driver waiting for the database (a SQLite
   * write lock and its busy timeout): the pool of a migration run, with that wait capped at
   * `lockTimeoutMs`, and whether an error is that wait running out. Undefined: the run's
   * session lock (`sessionLock`) says it at once.
   */
  readonly lockWait?: LockWait;
  /** Driver and server error codes, by what they mean (lib/connection/driver-codes.ts unites them). */
  readonly errorCodes: DriverErrorCodes;
  /** The driver's connect-timeout setting for `ms`; undefined: connections are files. */
  connectTimeout(ms: number): Readonly<Record<string, number>> | undefined;
  /** The session lock a migration run holds (migrate/wait-for-lock.ts); undefined: none (knex's lock row only). */
  readonly sessionLock?: SessionLockSql;
  /** Protects knex's bookkeeping tables from the app, once they exist (migrate/run-migrations.ts). */
  readonly bookkeeping?: BookkeepingGuard;
  /**
   * The database named by knex's connection settings when opening it would create it (a
   * SQLite file that does not exist yet); undefined: it exists, or the server decides.
   * A runtime connection refuses to create its database (guard/client.ts).
   */
  missingDatabase?(settings: unknown): string | undefined;
  /** The base tables `migrate fresh` drops, and how it drops them regardless of foreign keys. */
  readonly tables: TableDropper;
  /** Users and grants; undefined: the database has no users (the guard is the only boundary). */
  readonly provision?: ProvisionModule;
  /** Reads what the connected user may do from the server's catalogs (lib/checks/verify-privileges.ts). */
  verify(query: CatalogQuery, role: Role, options: DialectVerifyOptions): Promise<DialectFindings>;
  /** A lexer over `sql` (the guard's classifier pulls tokens from it). */
  lexer(sql: string, options?: LexerOptions): Lexer;
  /** What the runtime guard refuses beyond schema changes: settings, functions, pragmas; and where its grammar differs. */
  readonly guardRules: GuardRules;
  /** The guard's verdict per leading keyword (statement-heads.ts; loaded with the classifier, on the first check). */
  statementHeads(): StatementHeads;
  /** The raw driver connection's methods that send SQL (guard/raw-connection.ts). */
  readonly rawConnection: RawConnectionMethods;
  /** How the guard reads sessions and text outside the classifier: session settings, bound values, literals (guard/guard-text.ts). */
  readonly guardText: GuardText;
  /** Read replicas: what must stay on the primary; undefined: the database has none. */
  readonly replicas?: ReplicaRules;
  /** How the driver takes TLS settings (env/tls.ts); undefined: connections are files. */
  readonly tls?: TlsRules;
  /**
   * A new, empty knex connection object whose password is read from env/held-passwords.ts,
   * never held as a string property; undefined: connections carry no password.
   */
  passwordHolder?(): object;
  /** A filename that names no file to resolve, create or look for (`:memory:`); only for file databases. */
  isSpecialPath?(filename: string): boolean;
  /** The pool hook each new driver connection needs before use (a check or a setting), ending in `next`; undefined: none. */
  poolHook?(connection: ResolvedConnection['connection'], next: AfterCreate | undefined): AfterCreate | undefined;
  /** Whether the connection goes through a transaction-mode pooler (doctor, migrate refuses it); undefined: no poolers. */
  readonly pooler?: PoolerDetector;
}

/** knex's `pool.afterCreate`. */
export type AfterCreate = (conn: unknown, done: (err: Error | null, conn: unknown) => void) => void;

export interface TlsRules {
  /** The TLS-mode words the driver can honour, as remedies list them; undefined: every SSL_MODES word. */
  readonly modes?: readonly string[];
  /** Why a libpq mode outside `modes` is refused. */
  readonly refusal?: string;
  /** The driver's host-name check for a verifying mode, added to rejectUnauthorized and the CA. */
  identity(mode: Extract<SslMode, 'verify-ca' | 'verify-full'>): Pick<Exclude<SslOption, false>, 'verifyIdentity' | 'checkServerIdentity'>;
}

/** What a connection goes through: `direct`, a `session` pooler, or a `transaction` pooler (lib/dialects/postgres/pooler.ts). */
export type PoolerMode = 'direct' | 'session' | 'transaction';

export interface PoolerDetection {
  mode: PoolerMode;
  /** One sentence: what was seen. */
  evidence: string;
}

export interface PoolerDetector {
  detect(knex: Knex): Promise<PoolerDetection>;
}

export interface EnvFamily {
  /** Variable prefix: `PG` gives PG_RUNTIME_USER, PG_TEST_URL … */
  readonly family: string;
  /** Field suffixes; several on one field are synonyms at the same precedence level. */
  readonly fields: Readonly<Partial<Record<Field, readonly string[]>>>;
  /** Defaults for fields that may be left unset. */
  readonly defaults: Readonly<Partial<Record<Field, string | number>>>;
  /** Fields that must resolve to a value. */
  readonly required: readonly Field[];
  /** URL schemes naming this dialect (`postgres://`). */
  readonly urlSchemes: readonly string[];
  /**
   * Whether the family has its own URL, read-replica and admin variables (a server; SQLite
   * has none). A family that is not a server names a file: its URLs are `scheme:path`.
   */
  readonly server: boolean;
  /** Query parameters its URLs may carry, and the field each sets (anything else is E_ENV_URL_PARAM). */
  readonly urlParams: Readonly<Record<string, Field>>;
  /** DB_CONNECTION values naming it besides its knex names (eloquent-orm.js names). */
  readonly selectorNames: readonly string[];
}

export interface KnexNames {
  /** The knex client knex-roles configures. */
  readonly client: string;
  /**
   * Every name knex accepts as `client` for this database or reports on a client as
   * `driverName` / `dialect` (knex/lib/dialects, knex/lib/constants CLIENT_ALIASES).
   */
  readonly names: readonly string[];
}

export interface DriverErrorCodes {
  /** Nobody answered (yet): retry, or report unreachable. */
  readonly network: readonly string[];
  /** The server refused the login. */
  readonly auth: readonly string[];
  /** The server refused the database: missing, or no right to connect to it. */
  readonly database: readonly string[];
  /** The TLS handshake failed in the driver (Node's own certificate codes are common to all). */
  readonly tls: readonly string[];
}

export interface LockWait {
  pool(pool: Knex.PoolConfig | undefined, lockTimeoutMs: number): Knex.PoolConfig;
  /** The driver's error for a lock another connection holds (SQLITE_BUSY). */
  isBusy(error: unknown): boolean;
}

/** A session-level advisory lock, taken without waiting and released on the same connection. */
export interface SessionLockSql {
  /** The bindings naming one lock per migrations table (`table` is `schema.table`; `database` the connection's). */
  key(table: string, database: string): readonly Knex.RawBinding[];
  /** Takes the lock if free, at once. */
  readonly trySql: string;
  /** Whether `trySql`'s raw result says the lock was taken. */
  taken(result: unknown): boolean;
  readonly releaseSql: string;
}

export interface BookkeepingGuard {
  /** Runs in the transaction that creates knex's tables. */
  inCreation?(trx: Knex.Transaction, tableName: string, schemaName: string | undefined): Promise<void>;
  /** Runs after that transaction committed (for statements that commit implicitly). */
  afterCreation?(knex: Knex, tableName: string): Promise<void>;
}

/**
 * What `migrate fresh` drops in `schema` (or the connection's default): the base tables,
 * knex's own included, and whatever else migrations make there that would stop them from
 * making it again (views; where the database has them, materialized views, sequences of
 * their own, enum and domain types). Never an extension's objects.
 */
export interface TableDropper {
  list(db: Knex | Knex.Transaction, schema?: string): Promise<SchemaObject[]>;
  /** Drops `objects` (not empty, as `list` gave them) inside `trx`, regardless of the foreign keys between them. */
  drop(trx: Knex.Transaction, objects: readonly SchemaObject[], schema?: string): Promise<void>;
}

export interface SchemaObject {
  readonly name: string;
  readonly kind: SchemaObjectKind;
}

export interface DialectVerifyOptions {
  /** PostgreSQL: the schema; MySQL: the database (default: the connection's). */
  schema?: string | undefined;
  appTemporaryTables?: boolean | undefined;
  migrationsTable?: string | undefined;
}

export interface ProvisionModule {
  provision(plan: ProvisionPlan, admin: AdminConnection, options?: ProvisionOptions): Promise<ProvisionReport>;
  provisionSteps(plan: ProvisionPlan): ProvisionStep[];
}

/** `load()`'s value, loaded on the first call and kept (require() is not free on a hot path: the guard asks per reading). */
export function loadOnce<T>(load: () => T): () => T {
  let value: T | undefined;
  let loaded = false;
  return () => {
    if (!loaded) {
      value = load();
      loaded = true;
    }
    return value as T;
  };
}

/** A ProvisionModule that loads its module on first call (`require('knex-roles')` stays light, lib/lazy.ts). */
export function lazyProvision(load: () => ProvisionModule): ProvisionModule {
  return { provision: (...args) => load().provision(...args), provisionSteps: (plan) => load().provisionSteps(plan) };
}

/** The members only the guard and read routing read: each loads on its first read. */
type LoadedMembers = Pick<DialectModule, 'guardRules' | 'rawConnection' | 'guardText' | 'replicas'>;

/**
 * A dialect module: `members`, plus a getter for each loader of `loaded` that loads the value
 * on first read and keeps it (loadOnce), so the guard's data loads with the guard, not with
 * `require('knex-roles')`. The getters are defined, never spread in: a spread reads them all.
 */
export function dialectModule(members: Omit<DialectModule, keyof LoadedMembers>, loaded: { [K in keyof LoadedMembers]: () => LoadedMembers[K] }): DialectModule {
  for (const key of Object.keys(loaded) as Array<keyof LoadedMembers>) {
    Object.defineProperty(members, key, { get: loadOnce(loaded[key] as () => unknown), enumerable: true, configurable: true });
  }
  return members as DialectModule;
}

/** `lexer` for the class `load()` gives, loaded on the first statement and kept (the guard lexes every one). */
export function lazyLexer(load: () => new (sql: string, options?: LexerOptions) => Lexer): DialectModule['lexer'] {
  const LexerClass = loadOnce(load);
  return (sql, options) => new (LexerClass())(sql, options);
}

/** A SHA-256 hash for session-lock keys; node:crypto loads on first use (lib/lazy.ts: the import loads no built-in knex does not). */
export function sha256(): import('node:crypto').Hash {
  return (require('node:crypto') as typeof import('node:crypto')).createHash('sha256');
}
