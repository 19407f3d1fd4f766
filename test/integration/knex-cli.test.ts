import { expect } from 'chai';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKnexCli } from '../support/run-command';

// `npx knex …` loading the project's knexfile.ts (through knex's TypeScript loader),
// on a SQLite file of its own so the developer database is never touched.
describe('knex CLI with knexfile.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'knex-roles-cli-'));
  const env = { SQLITE_PATH: join(dir, 'app.sqlite3') };
  const tables = (): string[] => {
    const db = new Database(env.SQLITE_PATH, { readonly: true });
    try {
      return (db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).all() as Array<{ name: string }>).map((r) => r.name);
    } finally {
      db.close();
    }
  };

  it('migrate:latest without the migration role is refused, and nothing is created', async () => {
    const result = await runKnexCli(['migrate:latest'], env);
    expect(result.code).to.not.equal(0);
    expect(result.output).to.include('[E_RUNTIME_MIGRATE]: Refused to run migrations on a runtime connection.').and.include('ELOQUENT_DB_ROLE=migration');
    // Refused at knex's first write (creating its migrations table): nothing is created.
    expect(existsSync(env.SQLITE_PATH) ? tables() : []).to.deep.equal([]);
  });

  it('ELOQUENT_DB_ROLE=migration migrate:latest applies the example migrations', async () => {
    const result = await runKnexCli(['migrate:latest'], { ...env, ELOQUENT_DB_ROLE: 'migration' });
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.include('Batch 1 run: 2 migrations');
    expect(tables()).to.deep.equal(['authors', 'knex_migrations', 'knex_migrations_lock', 'posts']);
  });

  it('migrate:rollback --all undoes them', async () => {
    const result = await runKnexCli(['migrate:rollback', '--all'], { ...env, ELOQUENT_DB_ROLE: 'migration' });
    expect(result.code, result.output).to.equal(0);
    expect(tables()).to.deep.equal(['knex_migrations', 'knex_migrations_lock']);
  });

  it('a misconfigured environment fails with the variable named and no password', async () => {
    const result = await runKnexCli(['migrate:latest'], { ELOQUENT_DB_ROLE: 'migration', DB_CONNECTION: 'pg', PG_USER: 'u', PG_NAME: 'd', PG_PORT: 'nope', PG_PASSWORD: 'sekret-pw' });
    expect(result.code).to.not.equal(0);
    // The knex CLI prints only the stack: it starts with the code and the fix.
    expect(result.output).to.include('EnvContractError [E_ENV_PORT]: PG_PORT (shared level) is not an integer from 1 to 65535.\n  fix: Set PG_PORT to a port number such as 5432');
    expect(result.output).to.not.include('sekret-pw');
  });
});
