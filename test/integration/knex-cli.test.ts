import { expect } from 'chai';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectWithMigrations, runKnexCli } from '../support/run-command';

// `npx knex …` loading the project's knexfile.ts (through knex's TypeScript loader), in a
// throwaway project of its own per test, on a SQLite file of its own.
describe('knex CLI with knexfile.ts', () => {
  let cwd: string;
  let env: { SQLITE_PATH: string };
  const migration = (): Record<string, string> => ({ ...env, ELOQUENT_DB_ROLE: 'migration' });
  const tables = (): string[] => {
    if (!existsSync(env.SQLITE_PATH)) return [];
    const db = new Database(env.SQLITE_PATH, { readonly: true });
    try {
      return (db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).all() as Array<{ name: string }>).map((r) => r.name);
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    cwd = projectWithMigrations('knex-roles-knex-cli-');
    env = { SQLITE_PATH: join(cwd, 'app.sqlite3') };
  });

  it('migrate:latest without the migration role is refused, and nothing is created', async () => {
    new Database(env.SQLITE_PATH).close(); // the file exists, empty
    const result = await runKnexCli(['migrate:latest'], env, cwd);
    expect(result.code).to.not.equal(0);
    expect(result.output).to.include('[E_RUNTIME_MIGRATE]: Refused to run migrations on a runtime connection.').and.include('ELOQUENT_DB_ROLE=migration');
    // Refused at knex's first write (creating its migrations table): nothing is created.
    expect(tables()).to.deep.equal([]);
  });

  it("migrate:latest without the migration role, once knex's tables exist, shows the fix inside knex's own lock error", async () => {
    expect((await runKnexCli(['migrate:latest'], migration(), cwd)).code).to.equal(0);
    expect((await runKnexCli(['migrate:rollback', '--all'], migration(), cwd)).code).to.equal(0);
    // knex wraps a failure to take its lock as "Can't take lock to run migrations: <message>", without code or remedy.
    const result = await runKnexCli(['migrate:latest'], env, cwd);
    expect(result.code).to.not.equal(0);
    expect(result.output).to.include('Refused to run migrations on a runtime connection. Run them with ELOQUENT_DB_ROLE=migration');
    expect(tables()).to.deep.equal(['knex_migrations', 'knex_migrations_lock']);
  });

  it('migrate:latest without the migration role does not create a missing database file', async () => {
    const result = await runKnexCli(['migrate:latest'], env, cwd);
    expect(result.code).to.not.equal(0);
    expect(result.output).to.include('[E_NOT_MIGRATED]: The database').and.include('does not exist, and a runtime connection does not create it').and.include('ELOQUENT_DB_ROLE=migration');
    expect(existsSync(env.SQLITE_PATH)).to.equal(false);
  });

  it('ELOQUENT_DB_ROLE=migration migrate:latest applies the example migrations', async () => {
    const result = await runKnexCli(['migrate:latest'], migration(), cwd);
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.include('Batch 1 run: 2 migrations');
    expect(tables()).to.deep.equal(['authors', 'knex_migrations', 'knex_migrations_lock', 'posts']);
  });

  it('migrate:rollback --all undoes them', async () => {
    const latest = await runKnexCli(['migrate:latest'], migration(), cwd);
    expect(latest.code, latest.output).to.equal(0);
    const result = await runKnexCli(['migrate:rollback', '--all'], migration(), cwd);
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.include('Batch 1 rolled back: 2 migrations');
    expect(tables()).to.deep.equal(['knex_migrations', 'knex_migrations_lock']);
  });

  it('a misconfigured environment fails with the variable named and no password', async () => {
    const result = await runKnexCli(['migrate:latest'], { ELOQUENT_DB_ROLE: 'migration', DB_CONNECTION: 'pg', PG_USER: 'u', PG_NAME: 'd', PG_PORT: 'nope', PG_PASSWORD: 'sekret-pw' }, cwd);
    expect(result.code).to.not.equal(0);
    // The knex CLI prints only the stack: it starts with the code and the fix.
    expect(result.output).to.include('EnvContractError [E_ENV_PORT]: PG_PORT (shared level) is not an integer from 1 to 65535.\n  fix: Set PG_PORT to a port number such as 5432');
    expect(result.output).to.not.include('sekret-pw');
  });
});
