import type { Dialect } from '../../lib/types';

interface Credentials {
  user: string;
  password: string;
}

/**
 * The env-contract test-mode variables (`DB_TEST_*` / `PG_TEST_*`) that point both roles
 * at a provisioned plan on one server; `admin` adds the `*_TEST_ADMIN_*` identity.
 */
export function planEnv(
  dialect: Exclude<Dialect, 'sqlite'>,
  server: { host: string; port: number },
  plan: { database: string; migrator: Credentials; app: Credentials },
  admin?: Credentials,
): Record<string, string> {
  const F = dialect === 'postgres' ? 'PG' : 'DB';
  return {
    [`${F}_TEST_HOST`]: server.host,
    [`${F}_TEST_PORT`]: String(server.port),
    [`${F}_TEST_NAME`]: plan.database,
    [`${F}_TEST_MIGRATION_USER`]: plan.migrator.user,
    [`${F}_TEST_MIGRATION_PASSWORD`]: plan.migrator.password,
    [`${F}_TEST_RUNTIME_USER`]: plan.app.user,
    [`${F}_TEST_RUNTIME_PASSWORD`]: plan.app.password,
    ...(admin ? { [`${F}_TEST_ADMIN_USER`]: admin.user, [`${F}_TEST_ADMIN_PASSWORD`]: admin.password } : {}),
  };
}
