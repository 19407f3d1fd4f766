import { existsSync } from 'node:fs';
import { isSpecialSqlitePath } from './special-path';

/** The file knex's SQLite clients would create on open because it does not exist yet; undefined when it exists or names no file. */
export function missingSqliteFile(settings: unknown): string | undefined {
  const filename = (settings as { filename?: unknown } | undefined)?.filename;
  if (typeof filename !== 'string' || isSpecialSqlitePath(filename)) return undefined;
  return existsSync(filename) ? undefined : filename;
}
