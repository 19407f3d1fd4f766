import type { AfterCreate } from '../dialect';

/** SQLite enforces foreign keys only when asked, per connection: a pool hook that asks, then runs `next`. */
export function enforceForeignKeys(next: AfterCreate | undefined): AfterCreate {
  return (conn, done) => {
    try {
      (conn as { pragma(source: string): unknown }).pragma('foreign_keys = ON');
    } catch (err) {
      done(err as Error, conn);
      return;
    }
    if (next) next(conn, done);
    else done(null, conn);
  };
}
