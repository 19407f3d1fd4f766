import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempProject } from '../support/hermetic';
import { ROOT, runCommand } from '../support/run-command';

/** An app directory outside the repository with the package linked in as node_modules/knex-roles. */
function outsider(): string {
  const app = tempProject('knex-roles-outsider-');
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(ROOT, join(app, 'node_modules', 'knex-roles'), 'dir');
  return app;
}

// The built package as a user gets it (npm test builds dist/ first): `require` and
// `import` of the same name resolve to one implementation, with type declarations.
describe('built package', () => {
  const names = ['createKnex', 'createKnexfile', 'knexConfig', 'resolveConnection', 'startKnex', 'provision', 'guard', 'isKnexRolesError'];

  it('require("knex-roles") exposes the public API', () => {
    const api = require('knex-roles') as Record<string, unknown>;
    for (const name of names) expect(api[name], name).to.be.a('function');
    expect(require.resolve('knex-roles')).to.equal(join(ROOT, 'dist/cjs/index.js'));
  });

  it('import("knex-roles") exposes the same objects', async () => {
    const result = await runCommand(process.execPath, ['--input-type=module', '-e', `
      import * as esm from 'knex-roles';
      import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)('knex-roles');
      const names = ${JSON.stringify(names)};
      console.log(JSON.stringify(names.map((n) => typeof esm[n] === 'function' && esm[n] === cjs[n])));
    `], {}, outsider());
    expect(result.stderr).to.equal('');
    expect(JSON.parse(result.stdout)).to.deep.equal(names.map(() => true));
  });

  it('ships type declarations and the testing and errors entry points', () => {
    for (const file of ['index', 'testing', 'error-classes']) expect(existsSync(join(ROOT, `dist/cjs/${file}.d.ts`)), file).to.equal(true);
    expect((require('knex-roles/testing') as Record<string, unknown>)['createTestDatabase']).to.be.a('function');
    expect((require('knex-roles/errors') as Record<string, unknown>)['RuntimeDdlError']).to.be.a('function');
    expect((require('knex-roles') as Record<string, unknown>)['RuntimeDdlError'], 'the classes live in knex-roles/errors only').to.equal(undefined);
  });

  it('the lockfile agrees with package.json, so npm install on a clean clone leaves it as committed', () => {
    const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Record<string, unknown>;
    const manifest = read('package.json');
    const root = (read('package-lock.json')['packages'] as Record<string, Record<string, unknown>>)[''] ?? {};
    // The fields npm copies from package.json into the lockfile's root entry.
    for (const field of ['name', 'version', 'license', 'dependencies', 'devDependencies', 'peerDependencies', 'peerDependenciesMeta', 'engines', 'bin']) {
      const expected = field === 'bin' ? Object.fromEntries(Object.entries(manifest['bin'] as Record<string, string>).map(([k, v]) => [k, v.replace(/^\.\//, '')])) : manifest[field];
      expect(root[field], field).to.deep.equal(expected);
    }
  });

  it('ships a LICENSE and names its repository', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[]; repository?: { url?: string } };
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).to.match(/^MIT License/);
    expect(manifest.files).to.include('LICENSE');
    expect(manifest.repository?.url).to.match(/^git\+https:\/\//);
  });
});
