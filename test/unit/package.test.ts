import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCommand } from '../support/run-command';

// The built package as a user gets it (npm test builds dist/ first): `require` and
// `import` of the same name resolve to one implementation, with type declarations.
describe('built package', () => {
  const names = ['createKnex', 'createKnexfile', 'knexConfig', 'resolveConnection', 'resolveRole', 'classifySql', 'guard', 'RuntimeDdlError', 'EnvContractError', 'KnexRolesError'];

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
    `], {}, ROOT);
    expect(result.stderr).to.equal('');
    expect(JSON.parse(result.stdout)).to.deep.equal(names.map(() => true));
  });

  it('ships type declarations and the testing entry point', () => {
    expect(existsSync(join(ROOT, 'dist/cjs/index.d.ts'))).to.equal(true);
    expect(existsSync(join(ROOT, 'dist/cjs/testing.d.ts'))).to.equal(true);
    expect((require('knex-roles/testing') as Record<string, unknown>)['createTestDatabase']).to.be.a('function');
  });
});
