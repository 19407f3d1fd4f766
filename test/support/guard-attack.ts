import knex, { type Knex } from 'knex';
import { RuntimeDdlError } from '../../lib';
import { testServers, type TestServers } from './servers';

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

/** What pgSuperuserDatabase() holds for its suite; set by its `before` hook. */
export interface SuperuserDatabase {
  /** The superuser's connection settings on the suite's own database. */
  connection: ReturnType<typeof pgSuperuser>;
  /** An unguarded superuser instance on it, for setting up and checking. */
  admin: Knex;
}

/**
 * Registers, in the caller's describe, a throwaway database `name` on the test PostgreSQL
 * server for the superuser (made before the suite, dropped after it, sessions and all).
 */
export function pgSuperuserDatabase(name: string, poolMax = 2): SuperuserDatabase {
  const suite = {} as SuperuserDatabase;
  before(async () => {
    const server = pgSuperuser(await testServers());
    const root = knex({ client: 'pg', connection: server });
    await root.raw(`drop database if exists ${name}`);
    await root.raw(`create database ${name}`);
    await root.destroy();
    suite.connection = { ...server, database: name };
    suite.admin = knex({ client: 'pg', connection: suite.connection, pool: { min: 0, max: poolMax } });
  });
  after(async () => {
    await suite.admin?.destroy();
    const root = knex({ client: 'pg', connection: pgSuperuser(await testServers()) });
    await root.raw(`drop database if exists ${name} with (force)`);
    await root.destroy();
  });
  return suite;
}
