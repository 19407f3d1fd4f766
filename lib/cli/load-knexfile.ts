import type { Knex } from 'knex';
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors';
import { firstInProject } from '../env/project-root';

type MigratorConfig = NonNullable<Knex.Config['migrations']>;

/** The knexfile names looked for (the extensions the knex CLI reads), TypeScript first as before. */
const CANDIDATES = ['knexfile.ts', 'knexfile.js', 'knexfile.cjs', 'knexfile.mjs', 'knexfile.cts', 'knexfile.mts'];

/**
 * The migration settings (directory, tableName …) of the project's knexfile, for the
 * selected environment; the connection always comes from the env contract. Relative
 * directories are taken from the knexfile's folder, as the knex CLI does. Reads
 * knexfile.{js,ts,cjs,mjs,cts,mts}: `.mjs` (and a `.js` of an ESM package) by import(),
 * TypeScript through ts-node (`.mts` transpiled to CommonJS with typescript).
 */
export async function knexfileMigrations(cwd: string, explicit: string | undefined, environment: string): Promise<MigratorConfig | undefined> {
  const file = explicit ? resolve(cwd, explicit) : foundKnexfile(cwd);
  if (!file) return undefined;
  if (!existsSync(file)) {
    throw new UsageError('E_CLI_USAGE', `No knexfile at ${file}.`, { remedy: 'Pass --knexfile with the path of your knexfile, or leave it out.' });
  }
  const loaded = (await loadModule(file, cwd)) as { default?: unknown };
  const all = (loaded.default ?? loaded) as Record<string, Knex.Config | undefined> & Knex.Config;
  const config = (all[environment] ?? all) as Knex.Config;
  const migrations = config.migrations;
  if (!migrations) return undefined;
  const directories = ([] as string[]).concat(migrations.directory ?? []);
  if (directories.length === 0) return migrations;
  const base = dirname(file);
  const absolute = directories.map((directory) => (isAbsolute(directory) ? directory : resolve(base, directory)));
  return { ...migrations, directory: absolute.length === 1 ? absolute[0] : absolute };
}

/** The first knexfile in `cwd` or a folder above it, within the project (firstInProject), as the knex CLI looks for it. */
function foundKnexfile(cwd: string): string | undefined {
  return firstInProject(cwd, (dir) => CANDIDATES.map((name) => resolve(dir, name)).find((path) => existsSync(path)));
}

// A real dynamic import: TypeScript compiles `import()` to `require()` for CommonJS output.
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

async function loadModule(file: string, cwd: string): Promise<unknown> {
  const ext = extname(file);
  if (ext === '.mjs') return importModule(pathToFileURL(file).href);
  if (ext === '.mts') return requireTranspiled(file, cwd);
  if (ext === '.ts' || ext === '.cts') {
    registerTypeScript(cwd);
    if (!require.extensions[ext]) return requireTranspiled(file, cwd);
  }
  try {
    return require(file) as unknown;
  } catch (error) {
    // A `.js` knexfile of a package with "type": "module".
    if ((error as { code?: unknown }).code === 'ERR_REQUIRE_ESM') return importModule(pathToFileURL(file).href);
    throw error;
  }
}

function resolveFrom(cwd: string, name: string, remedy: string): string {
  try {
    return require.resolve(name, { paths: [cwd, __dirname] });
  } catch {
    throw new UsageError('E_CLI_USAGE', `The knexfile is TypeScript and ${name} is not installed.`, { remedy });
  }
}

/** An ES-module TypeScript knexfile, transpiled to CommonJS and compiled in place. */
function requireTranspiled(file: string, cwd: string): unknown {
  const ts = require(resolveFrom(cwd, 'typescript', 'npm install --save-dev typescript, or use a JavaScript knexfile.')) as typeof import('typescript');
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const loaded = new Module(file, module) as Module & { _compile(code: string, filename: string): void; paths: string[] };
  loaded.filename = file;
  loaded.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  loaded._compile(outputText, file);
  return loaded.exports;
}

function registerTypeScript(cwd: string): void {
  if (require.extensions['.ts']) return;
  const tsNode = resolveFrom(cwd, 'ts-node', 'npm install --save-dev ts-node typescript, or pass --knexfile with a JavaScript knexfile.');
  (require(tsNode) as { register(options: object): void }).register({ transpileOnly: true, compilerOptions: { module: 'commonjs', moduleResolution: 'node' } });
}
