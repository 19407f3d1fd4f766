import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempProject } from '../support/hermetic';
import { ROOT, runCommand } from '../support/run-command';

// The first README command's job (`npm start`), run as a newcomer would: nothing
// configured, so the embedded SQLite default (created under the working directory, a
// throwaway project per test).
describe('main job (npm start)', () => {
  let cwd: string;
  const start = () => runCommand(process.execPath, ['-r', require.resolve('ts-node/register'), join(ROOT, 'examples/main.ts')], { TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') }, cwd);

  beforeEach(() => {
    cwd = tempProject('knex-roles-main-');
  });

  it('migrates, does CRUD as runtime and shows DDL refused', async () => {
    const result = await start();
    expect(result.code, result.output).to.equal(0);
    expect(existsSync(join(cwd, 'data/development.sqlite3'))).to.equal(true);
    expect(result.stdout).to.include('runtime role → sqlite').and.include('(dialect from default)');
    expect(result.stdout).to.include('applied 20261122000001_create_authors.ts, 20261122000002_create_posts.ts');
    expect(result.stdout).to.match(/inserted author \d+ and 2 posts, published 1/);
    expect(result.stdout).to.include('deleted 1 author; 0 posts left');
    expect(result.stdout).to.include('refused DROP TABLE (E_RUNTIME_DDL)');
    expect(result.stdout).to.include('refused DROP TABLE (E_RUNTIME_DDL): drop table authors');
    expect(result.stdout).to.include('refused MIGRATE (E_RUNTIME_MIGRATE)');
    expect(result.stdout).to.include('posts table still there');
    expect(result.stderr).to.equal('');
  });

  it('runs again on the same database', async () => {
    const first = await start();
    expect(first.code, first.output).to.equal(0);
    const result = await start();
    expect(result.code, result.output).to.equal(0);
    expect(result.stdout).to.include('schema already up to date');
  });
});
