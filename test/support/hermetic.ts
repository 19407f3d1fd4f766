import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, isAbsolute } from 'node:path';

/** The repository root: its `.env` is the developer's, so no test may run where it would be read. */
export const ROOT = join(__dirname, '../..');

/**
 * Variables that steer the env contract (its families, ELOQUENT_DB_ROLE, KNEX_ROLES_*,
 * DATABASE_URL, NODE_ENV) or a driver (libpq's PG* defaults, which `pg` reads). A test
 * passes its environment explicitly; one inherited from the developer's shell would make
 * a result depend on where the suite ran.
 */
/** The repository's example migrations, named absolutely: knex's default `./migrations` would depend on the working directory. */
export const APP_MIGRATIONS = { directory: join(ROOT, 'migrations') } as const;

const STEERING = /^(?:(?:DB|SQLITE|ELOQUENT|KNEX_ROLES)_|PG[A-Z_]+$|(?:DATABASE_URL|NODE_ENV)$)/;

/** The test tooling's own switches (the PostgreSQL matrix's KNEX_ROLES_TEST_PG_MAJOR …): the library never reads them. */
const TOOLING = /^KNEX_ROLES_TEST_/;

export function steeringVariables(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.keys(env)
    .filter((name) => STEERING.test(name) && !TOOLING.test(name))
    .sort();
}

/** True when `dir` is the repository or inside it (where the walk for `.env` reaches the repo's). */
export function insideRoot(dir: string): boolean {
  const path = relative(ROOT, dir);
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

const made = new Set<string>();

/**
 * A fresh directory that is a project of its own: its `package.json` ends the walk for
 * `.env` (see lib/env/load-env.ts), so nothing above it, the repository's included, is
 * read. Removed when the run ends (removeTempProjects, called by the root hook).
 */
export function tempProject(prefix = 'knex-roles-project-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'package.json'), '{}\n');
  made.add(dir);
  return dir;
}

export function removeTempProjects(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.clear();
}
