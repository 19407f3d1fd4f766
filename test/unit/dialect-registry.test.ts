import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DIALECT_MODULES, DIALECTS, dialectOfKnexName } from '../../lib/dialects/registry';
import { DIALECT_ALIASES, KNEX_CLIENT } from '../../lib/env/contract';
import { T_EOF } from '../../lib/guard/tokens';
import { ROOT, runCommand } from '../support/run-command';

// Every member of DialectModule (lib/dialects/dialect.ts); optional ones are listed with
// the dialects that must have them, so a new dialect cannot leave one out by accident.
const REQUIRED = ['name', 'label', 'env', 'knex', 'transactionalDdl', 'errorCodes', 'connectTimeout', 'tables', 'verify', 'lexer', 'guardRules', 'statementHeads', 'rawConnection', 'guardText'] as const;
const SERVER_ONLY = ['sessionLock', 'bookkeeping', 'provision', 'replicas', 'tls', 'passwordHolder'] as const;
// Only file databases name special paths (`:memory:`) and are created by opening them (a server's exists before anyone connects).
const FILE_ONLY = ['isSpecialPath', 'missingDatabase'] as const;

describe('dialect registry', () => {
  it('has one module per dialect, under its own name', () => {
    expect(Object.keys(DIALECT_MODULES).sort()).to.deep.equal([...DIALECTS].sort());
    for (const dialect of DIALECTS) expect(DIALECT_MODULES[dialect].name).to.equal(dialect);
  });

  for (const dialect of DIALECTS) {
    describe(dialect, () => {
      const module = DIALECT_MODULES[dialect];

      it('implements every member', () => {
        for (const member of REQUIRED) expect(module, member).to.have.property(member).that.is.not.undefined;
        for (const member of SERVER_ONLY) expect(module[member] !== undefined, member).to.equal(module.env.server);
        for (const member of FILE_ONLY) expect(module[member] !== undefined, member).to.equal(!module.env.server);
        for (const field of module.env.required) expect(module.env.fields, field).to.have.property(field);
        expect(module.transactionalDdl || module.ddlCommitNote !== undefined, 'ddlCommitNote when DDL is not transactional').to.equal(true);
        // A dry run either executes in a transaction that rolls back, or previews.
        expect(module.transactionalDdl || module.previewRun !== undefined, 'previewRun when DDL is not transactional').to.equal(true);
        // A migration run's wait for another run is bounded by the session lock or by the driver's own wait.
        expect((module.sessionLock === undefined) !== (module.lockWait === undefined), 'exactly one of sessionLock and lockWait').to.equal(true);
      });

      it('lexes with its own lexer', () => {
        const lexer = module.lexer('select 1');
        const types: number[] = [];
        for (let type = lexer.next(); type !== T_EOF; type = lexer.next()) types.push(type);
        expect(types).to.have.length(2);
      });

      it('returns its one statement-head table, which knows SELECT as a read', () => {
        const heads = module.statementHeads();
        expect(module.statementHeads()).to.equal(heads);
        expect(heads.find('select', 0, 6)?.kind).to.equal('read');
        expect(heads.find('selectx', 0, 7)).to.equal(undefined);
      });

      it('names a connect timeout exactly when it runs on a server', () => {
        expect(module.connectTimeout(1234) !== undefined).to.equal(module.env.server);
        if (module.env.server) expect(Object.values(module.connectTimeout(1234) ?? {})).to.deep.equal([1234]);
      });

      it('is found by every knex name it claims, and knex-roles configures one of them', () => {
        for (const name of module.knex.names) expect(dialectOfKnexName(name), name).to.equal(dialect);
        expect(module.knex.names).to.include(module.knex.client);
        expect(KNEX_CLIENT[dialect]).to.equal(module.knex.client);
      });
    });
  }

  it('knows every client name knex accepts for these databases, and what knex reports on their clients', () => {
    // knex's own tables (knex/lib/dialects, knex/lib/constants): what `client` may say.
    const { getDialectByNameOrAlias } = require('knex/lib/dialects') as { getDialectByNameOrAlias(name: string): { prototype: { driverName?: string; dialect?: string } } };
    const expected: Record<string, string> = {
      pg: 'postgres', postgres: 'postgres', postgresql: 'postgres', pgnative: 'postgres',
      mysql: 'mysql', mysql2: 'mysql', mariadb: 'mysql',
      sqlite: 'sqlite', sqlite3: 'sqlite', 'better-sqlite3': 'sqlite',
    };
    for (const [name, dialect] of Object.entries(expected)) {
      expect(dialectOfKnexName(name), name).to.equal(dialect);
      expect(DIALECT_ALIASES[name], `DB_CONNECTION=${name}`).to.equal(dialect);
      const Client = getDialectByNameOrAlias(name) as unknown as new (config: object) => { driverName?: string; dialect?: string };
      const reported = Object.create(Client.prototype) as { driverName?: string; dialect?: string };
      // pgnative sets driverName in its constructor; the prototype carries the others.
      const driver = name === 'pgnative' ? 'pgnative' : reported.driverName;
      for (const seen of [driver, reported.dialect]) if (seen !== undefined) expect(dialectOfKnexName(seen), `${name} reports ${seen}`).to.equal(dialect);
    }
  });
});

/**
 * No file outside lib/dialects/ compares against a dialect's name: it asks the module.
 * The files listed below still do; the list may only shrink (a file that stops branching
 * must leave it, so the test also fails when it holds a stale entry).
 */
const LIB = join(__dirname, '..', '..', 'lib');
const STILL_BRANCHING = new Set<string>([
  // To move into lib/dialects/<d>/ next (docs/architecture.md, "Not yet moved"): none left.
]);
const COMPARISON = /(===|!==)\s*'(postgres|mysql|sqlite)'|'(postgres|mysql|sqlite)'\s*(===|!==)|case '(postgres|mysql|sqlite)'/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('dialect branching outside lib/dialects/', () => {
  const branching = sourceFiles(LIB)
    .map((path) => relative(LIB, path).split('\\').join('/'))
    .filter((file) => !file.startsWith('dialects/'))
    .filter((file) => COMPARISON.test(readFileSync(join(LIB, file), 'utf8')));

  it('happens in no file but the listed ones', () => {
    expect(branching.filter((file) => !STILL_BRANCHING.has(file))).to.deep.equal([]);
  });

  it('lists no file that has stopped branching', () => {
    expect([...STILL_BRANCHING].filter((file) => !branching.includes(file))).to.deep.equal([]);
  });
});

describe('dialect modules load in any order', () => {
  // A dialect member that imports back into lib/ (the env, the registry) must not meet a
  // half-loaded registry: each dialect folder is required first, in a fresh process.
  for (const dialect of DIALECTS) {
    it(`works when lib/dialects/${dialect} is the first module loaded`, async () => {
      const script = [
        `require(${JSON.stringify(join(LIB, 'dialects', dialect))});`,
        `const { dialectModules } = require(${JSON.stringify(join(LIB, 'dialects', 'registry'))});`,
        `process.stdout.write(dialectModules().map((m) => m.name).join(','));`,
      ].join('\n');
      const result = await runCommand(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), NODE_PATH: join(ROOT, 'node_modules') });
      expect(result.stderr).to.equal('');
      expect(result.stdout.split(',').sort()).to.deep.equal([...DIALECTS].sort());
    });
  }
});
