import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project `cwd` is in: the nearest directory at or above it holding a `package.json`,
 * or `cwd` itself when there is none. Relative SQLite paths and CA files are taken
 * from there, so an app started from `src/` opens the same database file as one started from
 * the project's folder (the `.env` and the CLI's knexfile are looked for within it: firstInProject).
 */
export function projectRoot(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}

/**
 * The first answer `pick` gives walking up from `cwd` to its projectRoot, both included:
 * the walk never leaves the project (without a `package.json` above, only `cwd` is asked).
 */
export function firstInProject<T>(cwd: string, pick: (dir: string) => T | undefined): T | undefined {
  const root = projectRoot(cwd);
  for (let dir = cwd; ; dir = dirname(dir)) {
    const found = pick(dir);
    if (found !== undefined || dir === root) return found;
  }
}
