import { expect } from 'chai';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectWithMigrations, runCli, type CommandResult } from '../support/run-command';
import { serverDialects } from '../support/dialects';
import { testEnv } from '../support/servers';

// The built `knex-roles` command run as a subprocess, as a user runs it.

function passwordsIn(env: Record<string, string>): string[] {
  return Object.entries(env).filter(([name]) => name.endsWith('_PASSWORD')).map(([, value]) => value);
}

function expectNoSecrets(result: CommandResult, env: Record<string, string>): void {
  for (const password of passwordsIn(env)) expect(result.output).not.to.include(password);
}

describe('knex-roles CLI', () => {
  describe('usage', () => {
    it('--help prints the commands and exits 0', async () => {
      const result = await runCli(['--help'], {});
      expect(result.code).to.equal(0);
      expect(result.stdout).to.include('Usage: knex-roles <command>').and.include('provision').and.include('doctor').and.include('migrate');
    });

    for (const command of ['provision', 'doctor', 'migrate']) {
      it(`${command} --help exits 0`, async () => {
        const result = await runCli([command, '--help'], {});
        expect(result.code).to.equal(0);
        expect(result.stdout).to.include(`Usage: knex-roles ${command}`);
      });
    }

    for (const [args, text] of [
      [[], 'Usage: knex-roles'],
      [['frobnicate'], 'E_CLI_USAGE: Unknown command "frobnicate".'],
      [['doctor', '--bogus'], 'E_CLI_USAGE'],
      [['migrate'], 'E_CLI_USAGE: migrate needs a command.'],
      [['migrate', 'sideways'], 'E_CLI_USAGE: Unknown migrate command "sideways".'],
    ] as Array<[string[], string]>) {
      it(`knex-roles ${args.join(' ') || '(nothing)'} exits 2`, async () => {
        const result = await runCli(args, {});
        expect(result.code).to.equal(2);
        expect(result.output).to.include(text);
      });
    }

    it('a misconfigured environment: doctor reports it (exit 1), migrate exits 3 with the variable and the fix; no password', async () => {
      const env = { DB_CONNECTION: 'pg', PG_USER: 'u', PG_NAME: 'd', PG_PORT: 'nope', PG_PASSWORD: 'do-not-print-me' };
      const result = await runCli(['doctor'], env);
      expect(result.code).to.equal(1);
      expect(result.output).to.include('PG_PORT');
      const migrate = await runCli(['migrate', 'status'], { ...env, ELOQUENT_DB_ROLE: 'migration' });
      expect(migrate.code).to.equal(3);
      expect(migrate.stderr).to.match(/^knex-roles: E_ENV_PORT: PG_PORT \(shared level\) is not an integer from 1 to 65535\.\n {2}fix: /);
      expectNoSecrets(result, env);
      expectNoSecrets(migrate, env);
    });
  });

  describe('migrate on SQLite', () => {
    // A throwaway project per test (the repository's migrations, a SQLite file of its own).
    let dir: string;
    let env: { SQLITE_TEST_PATH: string; ELOQUENT_DB_ROLE: string };
    const cli = (args: string[], extra: Record<string, string> = {}): Promise<CommandResult> => runCli(args, { ...env, ...extra }, dir);
    const latest = async (): Promise<void> => {
      const result = await cli(['migrate', 'latest', '--test']);
      expect(result.code, result.output).to.equal(0);
    };
    const tables = (): string[] => {
      if (!existsSync(env.SQLITE_TEST_PATH)) return [];
      const db = new Database(env.SQLITE_TEST_PATH, { readonly: true });
      try {
        return (db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).all() as Array<{ name: string }>).map((r) => r.name);
      } finally {
        db.close();
      }
    };

    beforeEach(() => {
      dir = projectWithMigrations('knex-roles-cli-');
      env = { SQLITE_TEST_PATH: join(dir, 'cli.sqlite3'), ELOQUENT_DB_ROLE: 'migration' };
    });

    it('refuses without ELOQUENT_DB_ROLE=migration (exit 4)', async () => {
      const result = await runCli(['migrate', 'latest', '--test'], { SQLITE_TEST_PATH: env.SQLITE_TEST_PATH }, dir);
      expect(result.code).to.equal(4);
      expect(result.stderr).to.include('E_RUNTIME_MIGRATE').and.include('fix: ').and.include('ELOQUENT_DB_ROLE=migration');
      expect(tables()).to.deep.equal([]);
    });

    it('--dry-run reports each migration and leaves nothing behind', async () => {
      const result = await cli(['migrate', 'latest', '--dry-run', '--test']);
      expect(result.code, result.output).to.equal(0);
      expect(result.stdout).to.include('20261122000001_create_authors.ts').and.include('20261122000002_create_posts.ts');
      expect(result.stdout).to.include('dry run (rolled back, nothing changed)');
      expect(tables()).to.deep.equal([]); // not even knex_migrations
    });

    it('latest prints progress migration by migration', async () => {
      const result = await cli(['migrate', 'latest', '--test']);
      expect(result.code, result.output).to.equal(0);
      expect(result.stdout).to.match(/migrated +20261122000001_create_authors\.ts/);
      expect(result.stdout).to.match(/migrated +20261122000002_create_posts\.ts/);
      expect(result.stdout).to.include('applied 2 (batch 1)');
      expect(tables()).to.include.members(['authors', 'posts']);
    });

    it('status and list', async () => {
      expect((await cli(['migrate', 'status', '--test'])).stdout).to.include('0 completed, 2 pending');
      await latest();
      expect((await cli(['migrate', 'status', '--test'])).stdout).to.include('2 completed, 0 pending');
      expect((await cli(['migrate', 'list', '--test'])).stdout).to.match(/done +20261122000002_create_posts\.ts \(batch 1\)/);
    });

    it('fresh and reset are refused in production without --force --yes (exit 4)', async () => {
      await latest();
      for (const command of ['fresh', 'reset']) {
        const result = await cli(['migrate', command], { NODE_ENV: 'production', SQLITE_PATH: env.SQLITE_TEST_PATH });
        expect(result.code, result.output).to.equal(4);
        expect(result.stderr).to.include(`E_MIGRATE_REFUSED: Refused migrate ${command}`).and.include('pass --force --yes');
      }
      expect(tables()).to.include.members(['authors', 'posts']);
    });

    it('rollback --all undoes everything', async () => {
      await latest();
      const result = await cli(['migrate', 'rollback', '--all', '--test']);
      expect(result.code, result.output).to.equal(0);
      expect(result.stdout).to.include('rolled back 2');
      expect(tables().filter((t) => !t.startsWith('knex_'))).to.deep.equal([]);
    });
  });

  for (const dialect of serverDialects()) {
    describe(`provision and doctor on ${dialect}`, () => {
      let env: Record<string, string>;
      before(async () => {
        env = { ...(await testEnv()), DB_TEST_CONNECTION: dialect };
      });

      it('provision --print shows the SQL with passwords redacted', async () => {
        const result = await runCli(['provision', '--print', '--test'], env);
        expect(result.code, result.output).to.equal(0);
        expect(result.stdout).to.include(dialect === 'postgres' ? 'CREATE ROLE' : 'CREATE USER');
        expect(result.stdout).to.include('<redacted>');
        expectNoSecrets(result, env);
      });

      it('provision is idempotent: the second run changes nothing', async () => {
        const first = await runCli(['provision', '--test'], env);
        expect(first.code, first.output).to.equal(0);
        const second = await runCli(['provision', '--test'], env);
        expect(second.code, second.output).to.equal(0);
        expect(second.stdout).to.include('nothing to change');
        expectNoSecrets(first, env);
        expectNoSecrets(second, env);
      });

      it('doctor --json reports both roles ok, without passwords', async () => {
        const result = await runCli(['doctor', '--json', '--test'], env);
        expect(result.code, result.output).to.equal(0);
        const report = JSON.parse(result.stdout) as { ok: boolean; roles: Array<{ role: string; verdict: string; user: string }> };
        expect(report.ok).to.equal(true);
        expect(report.roles.map((r) => [r.role, r.verdict])).to.deep.equal([['runtime', 'ok'], ['migration', 'ok']]);
        expectNoSecrets(result, env);
      });

      it('doctor with a wrong password exits 1, without printing it', async () => {
        const family = dialect === 'postgres' ? 'PG' : 'DB';
        const bad = { ...env, [`${family}_TEST_RUNTIME_PASSWORD`]: 'definitely-wrong-password' };
        const result = await runCli(['doctor', '--test'], bad);
        expect(result.code).to.equal(1);
        expect(result.stdout).to.include('runtime');
        expectNoSecrets(result, bad);
      });
    });
  }
});
