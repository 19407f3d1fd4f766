/**
 * Whether a SQLite filename names no file to resolve, create or look for: `:memory:`, a
 * `file:` URI (the driver reads it), or empty (a temporary database the driver deletes).
 */
export function isSpecialSqlitePath(filename: string): boolean {
  return filename === '' || filename === ':memory:' || filename.startsWith('file:');
}
