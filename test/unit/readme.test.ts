import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvTable } from '../../scripts/env-table';
import { renderErrorCatalog } from '../../scripts/error-catalog';

const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');

function between(name: string): string {
  const match = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(README);
  if (!match?.[1]) throw new Error(`README.md has no <!-- ${name}:start/end --> block`);
  return match[1].trim();
}

describe('README stays true to the code', () => {
  it('the env table matches lib/env/contract.ts (regenerate: npx ts-node scripts/env-table.ts)', () => {
    expect(between('env-table')).to.equal(renderEnvTable());
  });

  it('the error-code catalog matches lib/errors.ts (regenerate: npx ts-node scripts/error-catalog.ts)', () => {
    expect(between('error-codes')).to.equal(renderErrorCatalog());
  });

  it('starts with the install-and-run command and the test command', () => {
    const blocks = [...README.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(blocks[0]).to.match(/^npm install && npm start\b/m);
    expect(blocks[0]).to.match(/^npm test\b/m);
  });

  it('.ci/run runs the README test command', () => {
    expect(readFileSync(join(__dirname, '../../.ci/run'), 'utf8')).to.match(/^npm test$/m);
  });
});
