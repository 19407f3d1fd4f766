import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, runCommand } from '../support/run-command';

/**
 * What `require('knex-roles')` loads, counted in a fresh Node process after `require('knex')`
 * (issue 11: `npm run bench` holds the import at ≤ 1.1× knex's). The guard, the dialects'
 * lexers and rules, the drivers and node:crypto / node:tls load on first use; a top-level
 * import that pulls one of them in again fails here, by name, whatever the machine's speed.
 */
const SCRIPT = `
  require(${JSON.stringify(require.resolve('knex'))});
  const before = new Set(Object.keys(require.cache));
  const builtins = new Set(process.moduleLoadList);
  require(${JSON.stringify(join(ROOT, 'lib/index.ts'))});
  console.log(JSON.stringify({
    files: Object.keys(require.cache).filter((f) => !before.has(f)),
    builtins: process.moduleLoadList.filter((m) => !builtins.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)),
  }));`;

/** Module paths (relative to the repository) that `require('knex-roles')` must not load. */
const NOT_AT_IMPORT: ReadonlyArray<[what: string, pattern: RegExp]> = [
  ['the classifier', /^lib\/guard\/(classify|statement-reader|alternative-readings|families\/|content\/)/],
  ["a dialect's statement families", /^lib\/dialects\/\w+\/(statement-heads|guard-grammar|select-into|set-postgres|reset-postgres|set-config|copy|explain-postgres|prepare-postgres|set-mysql|system-variables|describe-mysql|delete-history|verb-families|pragma|explain-sqlite)\.ts$/],
  ['the guarded client', /^lib\/guard\/(client|raw-connection|session-settings|sql-values|redact-literals|bookkeeping-writes)\.ts$/],
  ['a lexer', /^lib\/(guard\/lexer|dialects\/\w+\/lexer)/],
  ["a dialect's guard rules or raw-connection methods", /^lib\/dialects\/\w+\/(guard-rules|guard-text|raw-connection-methods|replica-rules|lexing-settings)\.ts$/],
  ['provisioning or verification', /^lib\/(provision|checks\/verify-privileges|dialects\/\w+\/(provision|verify|privileges))/],
  ['the migrate engine', /^lib\/migrate\//],
  ['a database driver', /^node_modules\/(pg|pg-native|mysql|mysql2|better-sqlite3|sqlite3|tedious|oracledb)\//],
];

function libModules(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, entry) => n + (entry.isDirectory() ? libModules(join(dir, entry.name)) : entry.name.endsWith('.ts') ? 1 : 0), 0);
}

describe("require('knex-roles') loads only what it needs", () => {
  let loaded: { files: string[]; builtins: string[] };

  before(async function () {
    this.timeout(120_000);
    const result = await runCommand(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-e', SCRIPT], { TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') });
    expect(result.code, result.output).to.equal(0);
    const parsed = JSON.parse(result.stdout) as { files: string[]; builtins: string[] };
    loaded = { files: parsed.files.map((file) => relative(ROOT, file)), builtins: parsed.builtins };
  });

  it('loads its entry point (the count below is of real modules)', () => {
    expect(loaded.files).to.include('lib/index.ts');
    expect(loaded.files).to.include('lib/dialects/registry.ts');
  });

  for (const [what, pattern] of NOT_AT_IMPORT) {
    it(`loads no module of ${what}`, () => {
      const matching = loaded.files.filter((file) => pattern.test(file));
      expect(matching, matching.join(', ')).to.deep.equal([]);
    });
  }

  it('loads no Node built-in that knex does not already load (node:crypto, node:tls …)', () => {
    expect(loaded.builtins).to.deep.equal([]);
  });

  it("loads under a third of lib/'s modules", () => {
    const ours = loaded.files.filter((file) => file.startsWith('lib/'));
    expect(ours.length, ours.join('\n')).to.be.below(libModules(join(ROOT, 'lib')) / 3);
  });
});
