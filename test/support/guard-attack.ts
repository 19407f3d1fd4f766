import { RuntimeDdlError } from '../../lib';
import type { TestServers } from './servers';

/** Runs `run` and returns the guard's refusal; any other outcome fails the test. */
export async function refused(run: () => Promise<unknown>): Promise<RuntimeDdlError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof RuntimeDdlError) return err;
    throw err;
  }
  throw new Error('expected the guard to refuse');
}

/** The throwaway PostgreSQL server's superuser on its `postgres` database: only the guard stands in the way. */
export function pgSuperuser(servers: TestServers): { host: string; port: number; user: string; password: string; database: string } {
  const { postgres } = servers;
  return { host: postgres.host, port: postgres.port, user: postgres.admin.user, password: postgres.admin.password, database: 'postgres' };
}
