import type { Knex } from 'knex';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { KnexRolesError } from '../errors';

type MigratorConfig = NonNullable<Knex.Config['migrations']>;

const CANDIDATES = ['knexfile.ts', 'knexfile.js', 'knexfile.cjs'];

/**
 * The migration settings (directory, tableName …) of the project's knexfile, for the
 * selected environment; the connection always comes from the env contract. Relative
 * directories are taken from the knexfile's folder, as the knex CLI does.
 */
export function knexfileMigrations(cwd: string, explicit: string | undefined, environment: string): MigratorConfig | undefined {
  const file = explicit ? resolve(cwd, explicit) : CANDIDATES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
  if (!file) return undefined;
  if (!existsSync(file)) {
    throw new KnexRolesError('E_CLI_USAGE', `No knexfile at ${file}.`, { remedy: 'Pass --knexfile with the path of your knexfile, or leave it out.' });
  }
  if (file.endsWith('.ts')) registerTypeScript(cwd);
  const loaded = require(file) as { default?: unknown };
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

function registerTypeScript(cwd: string): void {
  if (require.extensions['.ts']) return;
  let tsNode: string;
  try {
    tsNode = require.resolve('ts-node', { paths: [cwd, __dirname] });
  } catch {
    throw new KnexRolesError('E_CLI_USAGE', 'The knexfile is TypeScript and ts-node is not installed.', {
      remedy: 'npm install --save-dev ts-node typescript, or pass --knexfile with a JavaScript knexfile.',
    });
  }
  (require(tsNode) as { register(options: object): void }).register({ transpileOnly: true });
}
