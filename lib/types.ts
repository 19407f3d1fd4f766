/** The two execution roles of the env contract (`ELOQUENT_DB_ROLE`). */
export type Role = 'runtime' | 'migration';

/** The dialect families of the env contract: the names in lib/dialects/registry.ts. */
export type Dialect = keyof typeof import('./dialects/registry').DIALECT_MODULES;

export const ROLES: readonly Role[] = ['runtime', 'migration'];
