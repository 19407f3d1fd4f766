import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project `cwd` is in: the nearest directory at or above it holding a `package.json`,
 * or `cwd` itself when there is none. Relative SQLite paths and the CLI's knexfile are taken
 * from there, so an app started from `src/` opens the same database file as one started from
 * the project's folder (the `.env` is found the same way: load-env.ts).
 */
export function projectRoot(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}
