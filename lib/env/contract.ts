import type { DialectModule } from '../dialects/dialect';
import { DIALECTS, dialectModule, dialectModules } from '../dialects/registry';
import type { Dialect, Role } from '../types';

/** One value per dialect, read off its module. */
function byDialect<T>(read: (module: DialectModule) => T): Readonly<Record<Dialect, T>> {
  return Object.fromEntries(DIALECTS.map((dialect) => [dialect, read(dialectModule(dialect))])) as Record<Dialect, T>;
}

/**
 * The env contract as data (seed 000): every variable name is built from this table,
 * so the resolver has no dialect-specific branches and the README table is checked
 * against it (test/unit/readme-env-table.test.ts).
 *
 *   <FAMILY>_<SCOPE><FIELD>      e.g. DB_RUNTIME_HOST, PG_TEST_MIGRATION_DB_NAME, SQLITE_PATH
 */
export type Field = 'host' | 'port' | 'user' | 'password' | 'database' | 'filename' | 'schema' | 'sslmode' | 'sslca' | 'pooled';

/** `live` is development and production; `test` is NODE_ENV=test or the knexfile's test entry. */
export type Mode = 'live' | 'test';

/** Variable family prefix per dialect (each dialect module's `env.family`). */
export const FAMILY: Readonly<Record<Dialect, string>> = byDialect((module) => module.env.family);

/**
 * Scopes per role and mode, most specific first. The runtime role never reads a
 * MIGRATION scope, the migration role never reads a RUNTIME scope, and test mode
 * never reads a non-test scope: a test suite can never reach a live database.
 */
export const SCOPES: Readonly<Record<Role, Readonly<Record<Mode, readonly string[]>>>> = {
  runtime: { live: ['RUNTIME_', ''], test: ['TEST_RUNTIME_', 'TEST_'] },
  migration: { live: ['MIGRATION_', ''], test: ['TEST_MIGRATION_', 'TEST_'] },
};

/** The admin identity used only to provision (host, port and database come from the migration scope). */
export const ADMIN_SCOPE: Readonly<Record<Mode, string>> = { live: 'ADMIN_', test: 'TEST_ADMIN_' };

/**
 * Field suffixes per dialect. Several suffixes on one field are synonyms at the same
 * precedence level (PostgreSQL `*_NAME` or `*_DB_NAME`); setting both differently is an error.
 */
export const FIELDS: Readonly<Record<Dialect, Readonly<Partial<Record<Field, readonly string[]>>>>> = byDialect((module) => module.env.fields);

export const ADMIN_FIELDS: Readonly<Partial<Record<Field, readonly string[]>>> = { user: ['USER'], password: ['PASSWORD'] };

/** Defaults for fields that may be left unset. There is deliberately no default user. */
export const DEFAULTS: Readonly<Record<Dialect, Readonly<Partial<Record<Field, string | number>>>>> = byDialect((module) => module.env.defaults);

/** Fields that must resolve to a value (SQLite's path falls back to the embedded default instead). */
export const REQUIRED: Readonly<Record<Dialect, readonly Field[]>> = byDialect((module) => module.env.required);

/** Embedded SQLite files, relative to the project directory, used when nothing is configured. */
export const EMBEDDED_SQLITE: Readonly<Record<Mode, string>> = {
  live: 'data/development.sqlite3',
  test: 'data/test.sqlite3',
};

/** Dialect selector variables, most specific first (test mode falls back to DB_CONNECTION). */
export const SELECTOR: Readonly<Record<Mode, readonly string[]>> = {
  live: ['DB_CONNECTION'],
  test: ['DB_TEST_CONNECTION', 'DB_CONNECTION'],
};

/** Accepted selector values (knex client names and eloquent-orm.js names); each also with a `_test` suffix. */
export const DIALECT_ALIASES: Readonly<Record<string, Dialect>> = Object.fromEntries(
  dialectModules().flatMap((module) => [...module.knex.names, ...module.env.selectorNames].map((name) => [name, module.name])),
);

/** The knex client each dialect runs on. */
export const KNEX_CLIENT: Readonly<Record<Dialect, string>> = byDialect((module) => module.knex.client);

export const ROLE_VARIABLE = 'ELOQUENT_DB_ROLE';

/**
 * Connection URLs: one per scope of the server families (`PG_RUNTIME_URL`, `DB_TEST_URL` …),
 * on the same ladder as the fields. At each level a field variable wins over the URL of
 * that level; the walk goes on to the next level only for fields neither supplies.
 */
export const URL_SUFFIX = 'URL';

/** The lowest level of every ladder, outside test mode only (a test suite never reads it). */
export const DATABASE_URL = 'DATABASE_URL';

/** URL schemes and the dialect each names (`sqlite:` and `file:` only in DATABASE_URL). */
export const URL_SCHEMES: Readonly<Record<string, Dialect>> = Object.fromEntries(dialectModules().flatMap((module) => module.env.urlSchemes.map((scheme) => [scheme, module.name])));

/** The URL variable of one scope, for the families that have URLs. */
export function urlVariable(dialect: Dialect, scope: string): string | undefined {
  return dialectModule(dialect).env.server ? `${FAMILY[dialect]}_${scope}${URL_SUFFIX}` : undefined;
}

/** The URL variables for `role` in `mode`, most specific first, DATABASE_URL last (live mode). */
export function urlLevelsFor(dialect: Dialect, role: Role, mode: Mode): string[] {
  const own = SCOPES[role][mode].map((scope) => urlVariable(dialect, scope)).filter((name): name is string => name !== undefined);
  return mode === 'live' ? [...own, DATABASE_URL] : own;
}

/**
 * Read replicas, runtime role only: one URL or a comma-separated list per runtime level
 * (`PG_RUNTIME_READ_URL`, then `PG_READ_URL`; in test mode `PG_TEST_RUNTIME_READ_URL`,
 * then `PG_TEST_READ_URL`). The most specific one set is the whole list; the migration
 * role never reads any of them. SQLite has none.
 */
export const READ_URL_SUFFIX = 'READ_URL';

/** The read-replica variables for `mode`, most specific first (none for SQLite). */
export function readUrlLevelsFor(dialect: Dialect, mode: Mode): string[] {
  return !dialectModule(dialect).env.server ? [] : SCOPES.runtime[mode].map((scope) => `${FAMILY[dialect]}_${scope}${READ_URL_SUFFIX}`);
}

/** Every read-replica variable of the contract, both modes. */
export function allReadUrlVariables(): string[] {
  return (Object.keys(FIELDS) as Dialect[]).flatMap((dialect) => (['live', 'test'] as Mode[]).flatMap((mode) => readUrlLevelsFor(dialect, mode)));
}

/** Every URL variable of the contract (for scrubbing and for the stray-variable check). */
export function allUrlVariables(): string[] {
  const names = new Set<string>();
  for (const dialect of Object.keys(FIELDS) as Dialect[]) {
    for (const role of ['runtime', 'migration'] as Role[]) {
      for (const mode of ['live', 'test'] as Mode[]) for (const name of urlLevelsFor(dialect, role, mode)) names.add(name);
    }
  }
  return [...names];
}

/** One precedence level: synonymous variable names for one field. */
export type Level = readonly string[];

/** The variable names that can supply `field`, as precedence levels, most specific first. */
export function levelsFor(dialect: Dialect, role: Role, mode: Mode, field: Field): Level[] {
  const suffixes = FIELDS[dialect][field];
  if (!suffixes) return [];
  return SCOPES[role][mode].map((scope) => suffixes.map((suffix) => `${FAMILY[dialect]}_${scope}${suffix}`));
}

/** The admin variable names for `field` (user, password) in `mode`. */
export function adminVariable(dialect: Dialect, mode: Mode, field: 'user' | 'password'): string | undefined {
  const suffix = ADMIN_FIELDS[field]?.[0];
  return !dialectModule(dialect).env.server || !suffix ? undefined : `${FAMILY[dialect]}_${ADMIN_SCOPE[mode]}${suffix}`;
}

export interface ContractRow {
  variable: string;
  dialect: Dialect;
  /** 'runtime' | 'migration' | 'both' (shared fallback) | 'admin' */
  role: Role | 'both' | 'admin';
  mode: Mode;
  field: Field;
  /** The variable this one falls back to, if any. */
  fallback?: string;
}

/**
 * Every credential variable of the contract, one row each, in a stable order. The
 * README's env table is generated from and tested against this list.
 */
export function contractRows(): ContractRow[] {
  const rows = new Map<string, ContractRow>();
  for (const dialect of Object.keys(FIELDS) as Dialect[]) {
    for (const mode of ['live', 'test'] as Mode[]) {
      for (const role of ['runtime', 'migration'] as Role[]) {
        for (const field of Object.keys(FIELDS[dialect]) as Field[]) {
          const levels = levelsFor(dialect, role, mode, field);
          levels.forEach((level, depth) => {
            const next = levels[depth + 1];
            for (const variable of level) {
              const shared = depth > 0;
              const row: ContractRow = { variable, dialect, role: shared ? 'both' : role, mode, field };
              if (next?.[0]) row.fallback = next.join(' / ');
              rows.set(variable, row);
            }
          });
        }
      }
      for (const field of ['user', 'password'] as const) {
        const variable = adminVariable(dialect, mode, field);
        if (variable) rows.set(variable, { variable, dialect, role: 'admin', mode, field });
      }
    }
  }
  return [...rows.values()];
}
