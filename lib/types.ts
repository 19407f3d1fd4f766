/** The two execution roles of the env contract (`ELOQUENT_DB_ROLE`). */
export type Role = 'runtime' | 'migration';

/** The three dialect families of the env contract. */
export type Dialect = 'mysql' | 'postgres' | 'sqlite';

export const ROLES: readonly Role[] = ['runtime', 'migration'];
export const DIALECTS: readonly Dialect[] = ['mysql', 'postgres', 'sqlite'];
