import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCommand, type CommandResult } from '../support/run-command';

const version = (name: string): string => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * A new app with the `npm pack` output installed as a user installs it, offline from the
 * npm cache `npm ci` filled: the repository's lockfile pins the versions, so npm needs no
 * registry. No pg or mysql2: the app is SQLite-only. better-sqlite3 (a native build) is
 * linked from this checkout instead of compiled again.
 */
function createApp(): string {
  const app = mkdtempSync(join(tmpdir(), 'knex-roles-app-'));
  if (!existsSync(join(ROOT, 'dist/cjs/index.js'))) execFileSync(process.execPath, [join(ROOT, 'scripts/build.js')], { stdio: 'ignore' });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', app], { cwd: ROOT, encoding: 'utf8' })) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = packed[0]?.filename ?? '';
  const dependencies = { 'knex-roles': `file:./${tarball}`, knex: version('knex') };
  const devDependencies = { typescript: version('typescript'), 'ts-node': version('ts-node'), '@types/node': version('@types/node') };
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies, devDependencies }, null, 2));
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { name: string; packages: Record<string, unknown> };
  lock.name = 'app';
  lock.packages[''] = { name: 'app', version: '1.0.0', dependencies, devDependencies };
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(lock, null, 2));
  execFileSync('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, stdio: 'ignore' });
  symlinkSync(join(ROOT, 'node_modules/better-sqlite3'), join(app, 'node_modules/better-sqlite3'));
  return app;
}

describe('the packed package in a new app (SQLite only, no pg, no mysql2)', function () {
  this.timeout(180_000);
  let app: string;
  let env: Record<string, string>;
  const node = (args: string[], extra: Record<string, string> = {}): Promise<CommandResult> => runCommand(process.execPath, args, { ...env, ...extra }, app);
  const tsc = (args: string[]): Promise<CommandResult> => node([join(app, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--types', 'node', ...args]);

  before(() => {
    app = createApp();
    env = { SQLITE_PATH: join(app, 'data/app.sqlite3') };
    writeFileSync(
      join(app, 'check.ts'),
      `import type { Knex } from 'knex';
import { createKnex, isKnexRolesError, provision, resolveConnection, runMigrations, startKnex, verifyPrivileges, type KnexRolesError } from 'knex-roles';
import { RuntimeDdlError, KnexRolesError as Base, type ErrorCode } from 'knex-roles/errors';
import type { KnexRolesOptions, MigrateResult, PrivilegeReport, ProvisionReport, ProvisionStep, Started } from 'knex-roles';
import { createTestDatabase, type TestDatabase } from 'knex-roles/testing';
const options: KnexRolesOptions = { role: 'runtime' };
export const db = createKnex(options);
export const again: Knex = createKnex({ resolved: resolveConnection(options) });
export const failure: RuntimeDdlError | undefined = undefined;
export const code = (e: unknown): ErrorCode | undefined => (isKnexRolesError(e) ? e.code : undefined);
export const base: KnexRolesError | undefined = failure ?? (undefined as Base | undefined);
export const make: () => TestDatabase = () => createTestDatabase();
// The merged functions' types are exact: the option picks the result type.
export const plain: () => Promise<Knex> = () => startKnex();
export const reported: () => Promise<Started> = () => startKnex({ report: true });
export const checked: (k: Knex) => Promise<PrivilegeReport> = (k) => verifyPrivileges(k, { role: 'runtime', assert: true });
const plan = { database: 'shop', migrator: { user: 'm', password: 'p1' }, app: { user: 'a', password: 'p2' } };
export const steps: () => Promise<ProvisionStep[]> = () => provision({ dialect: 'postgres', plan, dryRun: true });
export const applied: () => Promise<ProvisionReport> = () => provision({ dialect: 'mysql', plan, admin: { host: 'h', port: 3306, user: 'root', password: 'x' } });
export const label = async (): Promise<string | undefined> => {
  const result: MigrateResult = await runMigrations('latest', { dryRun: true });
  return result.mode === 'preview' ? result.label : result.mode === 'run' ? String(result.batch) : undefined;
};
`,
    );
    writeFileSync(join(app, 'check.mts'), readFileSync(join(app, 'check.ts'), 'utf8'));
    writeFileSync(join(app, 'default-import.mts'), `import knexRoles from 'knex-roles';\nexport const api = knexRoles;\n`);
  });

  it('installs without the optional drivers', async () => {
    for (const driver of ['pg', 'mysql2']) {
      const result = await node(['-e', `require.resolve(${JSON.stringify(driver)})`]);
      expect(result.code, driver).to.not.equal(0);
      expect(result.stderr).to.include('Cannot find module');
    }
    expect(existsSync(join(app, 'node_modules/knex-roles/LICENSE'))).to.equal(true);
    // The README links it (what moved where): shipped, so the link works from node_modules and npm.
    expect(existsSync(join(app, 'node_modules/knex-roles/CHANGELOG.md'))).to.equal(true);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/knex-roles/package.json'), 'utf8')) as { license?: string; repository?: { url?: string } };
    expect(manifest.license).to.equal('MIT');
    expect(manifest.repository?.url).to.be.a('string').and.match(/^git\+https:/);
  });

  it('require: a migration and a guarded runtime instance on SQLite', async () => {
    const script = `
      const { createKnex } = require('knex-roles');
      const { RuntimeDdlError } = require('knex-roles/errors');
      (async () => {
        const migrator = createKnex({ role: 'migration' });
        await migrator.schema.createTable('notes', (t) => { t.increments('id'); t.string('body'); });
        await migrator.destroy();
        const db = createKnex();
        await db('notes').insert({ body: 'hi' });
        let refused = '';
        try { await db.schema.dropTable('notes'); } catch (e) { refused = e instanceof RuntimeDdlError ? e.code : String(e); }
        console.log(JSON.stringify({ rows: await db('notes').pluck('body'), refused, client: db.client.config.client,
          drivers: Object.keys(require.cache).filter((f) => /node_modules\\/(pg|mysql2)\\//.test(f)).length }));
        await db.destroy();
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const result = await node(['-e', script]);
    expect(result.code, result.output).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({ rows: ['hi'], refused: 'E_RUNTIME_DDL', client: 'better-sqlite3', drivers: 0 });
  });

  it('exports exactly the values README › API lists, from require and import alike', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const documented = (block: string): string[] => {
      const table = new RegExp(`<!-- ${block}:start -->\\n([\\s\\S]*?)<!-- ${block}:end -->`).exec(readme)?.[1] ?? '';
      return [...table.matchAll(/^\| `(\w+)/gm)].map((m) => m[1] ?? '').sort();
    };
    const api = documented('api');
    const testing = documented('api-testing');
    const errors = documented('api-errors');
    expect(api.length, 'README API table').to.be.within(10, 14);
    expect(testing).to.deep.equal(['createTestDatabase']);
    expect(errors, 'README errors table').to.include.members(['KnexRolesError', 'RuntimeDdlError', 'isKnexRolesError']);
    const result = await node(['--input-type=module', '-e', `
      import * as esm from 'knex-roles';
      import * as esmTesting from 'knex-roles/testing';
      import * as esmErrors from 'knex-roles/errors';
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const names = (m) => Object.keys(m).filter((n) => n !== '__esModule' && n !== 'default').sort();
      console.log(JSON.stringify({ cjs: names(require('knex-roles')), esm: names(esm), cjsTesting: names(require('knex-roles/testing')), esmTesting: names(esmTesting),
        cjsErrors: names(require('knex-roles/errors')), esmErrors: names(esmErrors), sameCheck: esm.isKnexRolesError === esmErrors.isKnexRolesError }));`]);
    expect(result.code, result.output).to.equal(0);
    const exported = JSON.parse(result.stdout) as Record<string, string[] | boolean>;
    expect(exported['cjs'], 'require("knex-roles")').to.deep.equal(api);
    expect(exported['esm'], 'import("knex-roles")').to.deep.equal(api);
    expect(exported['cjsTesting'], 'require("knex-roles/testing")').to.deep.equal(testing);
    expect(exported['esmTesting'], 'import("knex-roles/testing")').to.deep.equal(testing);
    expect(exported['cjsErrors'], 'require("knex-roles/errors")').to.deep.equal(errors);
    expect(exported['esmErrors'], 'import("knex-roles/errors")').to.deep.equal(errors);
    expect(exported['sameCheck'], 'one isKnexRolesError').to.equal(true);
  });

  it('import: the ESM entry and the testing and errors subpaths, one class for import and require', async () => {
    const result = await node(['--input-type=module', '-e', `
      import * as esm from 'knex-roles';
      import { createTestDatabase } from 'knex-roles/testing';
      import { RuntimeDdlError, GuardError } from 'knex-roles/errors';
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const cjs = require('knex-roles');
      const db = esm.createKnex();
      const refused = await db.raw('drop table t').then(() => 'ran', (e) => [e instanceof RuntimeDdlError, e instanceof GuardError, e instanceof require('knex-roles/errors').RuntimeDdlError, esm.isKnexRolesError(e)]);
      await db.destroy();
      console.log(JSON.stringify([typeof esm.createKnex, esm.createKnex === cjs.createKnex, typeof createTestDatabase, 'default' in esm, refused]));`]);
    expect(result.code, result.output).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal(['function', true, 'function', false, [true, true, true, true]]);
  });

  for (const [resolution, module] of [['node10', 'commonjs'], ['node16', 'node16'], ['nodenext', 'nodenext'], ['bundler', 'esnext']] as const) {
    it(`tsc --strict, moduleResolution ${resolution}: the package and knex-roles/testing type-check`, async () => {
      const result = await tsc(['--moduleResolution', resolution, '--module', module, 'check.ts']);
      expect(result.code, result.output).to.equal(0);
    });
  }

  for (const module of ['node16', 'nodenext'] as const) {
    it(`tsc --module ${module}: an ES module sees ESM types (named exports, no default export)`, async () => {
      expect((await tsc(['--module', module, 'check.mts'])).code).to.equal(0);
      const wrong = await tsc(['--module', module, 'default-import.mts']);
      expect(wrong.code).to.not.equal(0);
      expect(wrong.stdout).to.include('has no default export');
    });
  }

  it('the knex CLI loads a knexfile.ts through ts-node; runtime is refused, migration migrates', async () => {
    writeFileSync(join(app, 'knexfile.ts'), `import { createKnexfile } from 'knex-roles';\nexport default createKnexfile({ knex: { migrations: { directory: './db/migrations' } } });\n`);
    const knexCli = join(app, 'node_modules/knex/bin/cli.js');
    const made = await node([knexCli, 'migrate:make', 'create_notes']);
    expect(made.code, made.output).to.equal(0);
    expect(made.output).to.match(/db\/migrations\/\d+_create_notes\.ts/);
    expect(existsSync(join(app, 'migrations'))).to.equal(false);
    const refused = await node([knexCli, 'migrate:latest']);
    expect(refused.code).to.not.equal(0);
    expect(refused.output).to.include('Refused to run migrations on a runtime connection');
    const latest = await node([knexCli, 'migrate:latest'], { ELOQUENT_DB_ROLE: 'migration' });
    expect(latest.code, latest.output).to.equal(0);
    expect(latest.output).to.include('Batch 1 run: 1 migrations');
    const status = await node([knexCli, 'migrate:status']);
    expect(status.code, status.output).to.equal(0);
    expect(status.output).to.include('Found 1 Completed Migration file/files.').and.include('No Pending Migration files Found.');
  });

  it('the knex CLI: an extra environment works, an unknown --env names the known ones', async () => {
    // Migrations and a SQLite file of its own, so it needs nothing another test made.
    writeFileSync(
      join(app, 'knexfile.ts'),
      `import { createKnexfile } from 'knex-roles';\nexport default createKnexfile({ knex: { migrations: { directory: './db/staging' } }, environments: { staging: {} } });\n`,
    );
    mkdirSync(join(app, 'db/staging'), { recursive: true });
    writeFileSync(join(app, 'db/staging/20260101000001_staging.js'), 'exports.up = async () => {};\nexports.down = async () => {};\n');
    const stagingEnv = { SQLITE_PATH: join(app, 'data/staging.sqlite3') };
    const knexCli = join(app, 'node_modules/knex/bin/cli.js');
    const latest = await node([knexCli, 'migrate:latest', '--env', 'staging'], { ...stagingEnv, ELOQUENT_DB_ROLE: 'migration' });
    expect(latest.code, latest.output).to.equal(0);
    const staging = await node([knexCli, 'migrate:list', '--env', 'staging'], stagingEnv);
    expect(staging.code, staging.output).to.equal(0);
    expect(staging.output).to.include('Using environment: staging').and.include('Found 1 Completed Migration file/files.');
    const unknown = await node([knexCli, 'migrate:list', '--env', 'stage'], stagingEnv);
    expect(unknown.code).to.not.equal(0);
    expect(unknown.output).to.include('The knexfile has no environment "stage"').and.include('development, test, production, staging');
  });
});
