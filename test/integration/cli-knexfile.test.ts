import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-command';

// The built CLI reads every knexfile flavour the knex CLI reads, taking the migrations
// directory from it. [file name, package type, source]
const KNEXFILES: Array<[string, 'commonjs' | 'module', string]> = [
  ['knexfile.js', 'commonjs', `module.exports = { test: { migrations: { directory: './db/flavour' } } };`],
  ['knexfile.js', 'module', `export default { test: { migrations: { directory: './db/flavour' } } };`],
  ['knexfile.cjs', 'commonjs', `module.exports = { test: { migrations: { directory: './db/flavour' } } };`],
  ['knexfile.mjs', 'commonjs', `export default { test: { migrations: { directory: './db/flavour' } } };`],
  ['knexfile.ts', 'commonjs', `const config: Record<string, object> = { test: { migrations: { directory: './db/flavour' } } };\nexport default config;`],
  ['knexfile.cts', 'commonjs', `const config: Record<string, object> = { test: { migrations: { directory: './db/flavour' } } };\nexport = config;`],
  ['knexfile.mts', 'module', `const config: Record<string, object> = { test: { migrations: { directory: './db/flavour' } } };\nexport default config;`],
];

describe('knex-roles CLI: knexfile flavours', () => {
  for (const [name, type, source] of KNEXFILES) {
    it(`reads ${name} (package type ${type})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'knex-roles-knexfile-'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', type }));
      writeFileSync(join(dir, name), source);
      const migrations = join(dir, 'db', 'flavour');
      mkdirSync(migrations, { recursive: true });
      const migration = type === 'module' ? '20260101000001_from_flavour.cjs' : '20260101000001_from_flavour.js';
      writeFileSync(join(migrations, migration), `exports.up = async () => {}; exports.down = async () => {};`);
      const result = await runCli(['migrate', 'list', '--test', '--cwd', dir], { ELOQUENT_DB_ROLE: 'migration', SQLITE_TEST_PATH: join(dir, 'test.sqlite3') }, dir);
      expect(result.code, result.output).to.equal(0);
      expect(result.stdout).to.match(new RegExp(`pending +${migration.replace('.', '\\.')}`));
    });
  }
});

describe('knex-roles CLI: run from a folder inside the project', () => {
  it("finds the project's .env, knexfile and SQLite file from src/: the same database, migrated once", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knex-roles-subdir-'));
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, '.env'), 'DB_CONNECTION=sqlite\nSQLITE_PATH=data/app.sqlite3\n');
    writeFileSync(join(dir, 'knexfile.js'), `module.exports = { development: { migrations: { directory: './db/migrations' } } };`);
    mkdirSync(join(dir, 'db', 'migrations'), { recursive: true });
    writeFileSync(join(dir, 'db', 'migrations', '20260101000001_posts.js'), `exports.up = (k) => k.schema.createTable('posts', (t) => t.increments()); exports.down = (k) => k.schema.dropTable('posts');`);
    const src = join(dir, 'src');
    mkdirSync(src);
    const latest = await runCli(['migrate', 'latest'], { ELOQUENT_DB_ROLE: 'migration' }, dir);
    expect(latest.code, latest.output).to.equal(0);
    const fromSrc = await runCli(['migrate', 'list'], { ELOQUENT_DB_ROLE: 'migration' }, src);
    expect(fromSrc.code, fromSrc.output).to.equal(0);
    expect(fromSrc.stdout).to.match(/1 completed, 0 pending/);
    expect(existsSync(join(src, 'data')), 'a second database under src/').to.equal(false);
  });
});

describe('knex-roles CLI: --version, causes, exit codes', () => {
  it('--version and -v print the package version', async () => {
    const { version } = require('../../package.json') as { version: string };
    for (const flag of ['--version', '-v']) {
      const result = await runCli([flag], {});
      expect(result.code).to.equal(0);
      expect(result.stdout.trim()).to.equal(`knex-roles ${version}`);
    }
  });

  it('a failing migration shows its multi-line cause in full', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knex-roles-cause-'));
    writeFileSync(join(dir, 'package.json'), '{}');
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(join(dir, 'migrations', '20260101000001_breaks.js'), `exports.up = async () => { throw new Error('first line\\nsecond line: the detail\\nthird line: the hint'); }; exports.down = async () => {};`);
    const result = await runCli(['migrate', 'latest', '--test', '--cwd', dir], { ELOQUENT_DB_ROLE: 'migration', SQLITE_TEST_PATH: join(dir, 't.sqlite3') }, dir);
    expect(result.code, result.output).to.equal(1);
    // The error line, then the cause with every one of its lines, indented under it.
    expect(result.stderr).to.include('knex-roles: E_MIGRATION_FAILED: ');
    expect(result.stderr).to.include('  cause: first line\n    second line: the detail\n    third line: the hint');
  });

  // The same misconfiguration exits 3 whatever else is wrong, whichever check runs first.
  for (const [title, env, code] of [
    ['a bad port, runtime role', { DB_CONNECTION: 'pg', PG_USER: 'u', PG_NAME: 'd', PG_PORT: 'x' }, 3],
    ['a bad port, migration role', { ELOQUENT_DB_ROLE: 'migration', DB_CONNECTION: 'pg', PG_USER: 'u', PG_NAME: 'd', PG_PORT: 'x' }, 3],
    ['a bad role value', { ELOQUENT_DB_ROLE: 'bogus', PG_USER: 'u', PG_NAME: 'd' }, 3],
    ['only another role\'s variables', { PG_MIGRATION_USER: 'm' }, 3],
    ['runtime role, configured', { SQLITE_TEST_PATH: '/tmp/knex-roles-exit.sqlite3' }, 4],
  ] as Array<[string, Record<string, string>, number]>) {
    it(`migrate latest with ${title} exits ${code}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'knex-roles-exit-'));
      writeFileSync(join(dir, 'package.json'), '{}');
      const result = await runCli(['migrate', 'latest', '--test', '--cwd', dir], env, dir);
      expect(result.code, result.output).to.equal(code);
      expect(result.stderr).to.match(/^knex-roles: E_[A-Z_]+: /);
      expect(result.stderr).to.include('  fix: ');
    });
  }
});
