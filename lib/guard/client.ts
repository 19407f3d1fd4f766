import type { Knex } from 'knex';
import { RuntimeDdlError } from '../errors';
import { KNEX_CLIENT } from '../env/contract';
import type { Dialect, Role } from '../types';
import { classifySql, type ClassifiedStatement } from './classify';
import { redactLiterals } from './redact-literals';

export interface GuardOptions {
  role: Role;
  /** Keywords (as `classifySql` reports them, e.g. `TRUNCATE`) let through anyway. */
  dangerouslyAllow: readonly string[];
  /** The `appTemporaryTables` opt-in: `CREATE TEMPORARY TABLE` (that keyword only) passes, without a warning. */
  appTemporaryTables?: boolean;
}

/** The keyword `classifySql` reports for temporary-table creation, on every dialect. */
export const TEMPORARY_TABLE_KEYWORD = 'CREATE TEMPORARY TABLE';

export type ClientClass = typeof Knex.Client;
type QueryParam = string | { sql?: string };

// Verdicts per SQL text: knex sends the same few statement shapes over and over, so a
// small cache makes the guard cost a map lookup. Bounded in entries (cleared when full)
// and in text size (long one-off statements, e.g. bulk inserts, are classified uncached).
const CACHE_LIMIT = 2000;
const CACHE_MAX_SQL = 4096;

/** Marks guarded classes so `guard()` never wraps twice. */
export const GUARDED = Symbol.for('knex-roles.guarded');

/**
 * The check a guarded client runs on every SQL string: the first statement the runtime
 * role may not run (and `dangerouslyAllow` does not name), as the error to throw.
 */
export function createStatementCheck(dialect: Dialect, options: GuardOptions): (sql: string) => RuntimeDdlError | undefined {
  // Empty entries are dropped: '' is the keyword of unlexable input, which must stay refused.
  const allowed = new Set(options.dangerouslyAllow.map((keyword) => keyword.trim().replace(/\s+/g, ' ').toUpperCase()).filter((keyword) => keyword !== ''));
  if (allowed.size > 0) {
    process.emitWarning(`knex-roles: dangerouslyAllow lets ${[...allowed].join(', ')} through the runtime guard.`, { code: 'KNEX_ROLES_DANGEROUSLY_ALLOW' });
  }
  // A documented opt-in, matched by the database's own grant (provision), so no warning.
  if (options.appTemporaryTables) allowed.add(TEMPORARY_TABLE_KEYWORD);
  const verdicts = new Map<string, ClassifiedStatement | null>();

  return (sql) => {
    let refused = verdicts.get(sql);
    if (refused === undefined) {
      refused = null;
      for (const statement of classifySql(sql, dialect).statements) {
        if (!statement.allowedOnRuntime && !allowed.has(statement.keyword)) {
          refused = statement;
          break;
        }
      }
      if (sql.length <= CACHE_MAX_SQL) {
        if (verdicts.size >= CACHE_LIMIT) verdicts.clear();
        verdicts.set(sql, refused);
      }
    }
    if (refused === null) return undefined;
    // The statement goes into the error's message, JSON and stack, and from there into logs:
    // its literals (passwords, keys, file paths) are replaced by '?' first.
    const statement = redactLiterals(sql, dialect, refused.start, refused.end);
    return new RuntimeDdlError({ kind: refused.kind, keyword: refused.keyword, role: options.role, dialect, statement });
  };
}

/**
 * A subclass of the dialect's knex Client whose `query` and `stream` refuse, before
 * anything is sent, every statement a runtime connection must not run. Knex builds
 * transaction clients from `client.constructor.prototype`, so transactions, nested
 * transactions, the schema builder and `raw` all inherit the check.
 */
export function guardClientClass(Base: ClientClass, dialect: Dialect, options: GuardOptions): ClientClass {
  const refusal = createStatementCheck(dialect, options);
  const sqlOf = (param: QueryParam): string => (typeof param === 'string' ? param : param.sql ?? '');

  // knex's typings do not declare query/stream on Client; the runtime class has them.
  const Loose = Base as unknown as new (config: Knex.Config) => { query(...args: unknown[]): Promise<unknown>; stream(...args: unknown[]): Promise<unknown> };
  const Guarded = class extends Loose {
    override query(connection: unknown, param: QueryParam): Promise<unknown> {
      const error = refusal(sqlOf(param));
      if (error) return Promise.reject(error);
      return super.query(connection, param);
    }

    override stream(connection: unknown, param: QueryParam, stream: unknown, streamOptions: unknown): Promise<unknown> {
      const error = refusal(sqlOf(param));
      if (error) {
        // knex assumes errors after the connection is acquired were emitted on the stream
        // by the driver; destroying it emits ours and closes it, which releases the connection.
        (stream as { destroy(error: Error): void }).destroy(error);
        return Promise.resolve();
      }
      return super.stream(connection, param, stream, streamOptions);
    }
  };
  Object.defineProperty(Guarded, GUARDED, { value: true });
  Object.defineProperty(Guarded, 'name', { value: `Guarded${Base.name}` });
  return Guarded as unknown as ClientClass;
}

/** The guarded client class for a dialect's default knex driver. */
export function guardedClient(dialect: Dialect, options: GuardOptions): ClientClass {
  // knex has no public export of its dialect classes; this is its own name → class lookup.
  const { getDialectByNameOrAlias } = require('knex/lib/dialects') as { getDialectByNameOrAlias(name: string): ClientClass };
  return guardClientClass(getDialectByNameOrAlias(KNEX_CLIENT[dialect]), dialect, options);
}
