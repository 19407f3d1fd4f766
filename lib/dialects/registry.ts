import type { Dialect } from '../types';
import type { DialectModule } from './dialect';
import { mysql } from './mysql';
import { postgres } from './postgres';
import { sqlite } from './sqlite';

/** Every dialect, by name: the one line a new database adds (lib/types.ts takes `Dialect` from its keys). */
export const DIALECT_MODULES = { mysql, postgres, sqlite } as const satisfies Readonly<Record<string, DialectModule>>;

/** Every dialect's name, in registry order. */
export const DIALECTS = Object.keys(DIALECT_MODULES) as readonly Dialect[];

/** The module of `dialect`. */
export function dialectModule(dialect: Dialect): DialectModule {
  return DIALECT_MODULES[dialect];
}

/** Every dialect module, in registry order. */
export function dialectModules(): DialectModule[] {
  return Object.values(DIALECT_MODULES) as DialectModule[];
}

const BY_KNEX_NAME: ReadonlyMap<string, Dialect> = new Map(dialectModules().flatMap((module) => module.knex.names.map((name) => [name, module.name] as const)));

/**
 * The dialect of a knex client name (`pg`, `postgresql`, `pgnative`, `mysql2`, `mariadb`,
 * `sqlite3` …), as knex accepts it in `client` or reports it on a client; undefined for
 * databases knex-roles does not cover.
 */
export function dialectOfKnexName(name: string): Dialect | undefined {
  return BY_KNEX_NAME.get(name);
}

/** The knex names dialectOfKnexName knows, for remedies. */
export function knexNames(): string[] {
  return [...BY_KNEX_NAME.keys()];
}
