import knex, { type Knex } from 'knex';
import { classifySql } from '../../guard/classify';
import { passAsPlainClient } from '../../guard/client';
import { knexApplyServerVersion, knexDialectClass } from '../../knex-internals';
import { redact } from '../../redact';
import { dropEverything } from '../../migrate/drop-all-tables';
import type { PreviewOutcome } from '../../migrate/dry-run';
import { errorMessage } from '../../errors';
import { planFor, readState, stepFunction } from '../../migrate/migration-source';
import type { MigrateContext, PreviewStatement } from '../../migrate/types';

export const PREVIEW_LABEL =
  'PREVIEW, NOT EXECUTED: MySQL/MariaDB commit DDL implicitly, so no transaction can undo a trial run; ' +
  'this is the SQL the migration would send. Reads (SELECT, SHOW, DESCRIBE, information_schema …) ran on the server ' +
  'and see the database as it is now, without the changes of migrations previewed before them.';

interface QueryObject {
  sql?: string;
  bindings?: readonly unknown[];
  response?: unknown;
}
type Sender = {
  database(): string | undefined;
  _query(connection: unknown, obj: QueryObject): Promise<QueryObject>;
  _stream(connection: unknown, obj: QueryObject, stream: unknown, options: unknown): Promise<void>;
};

// Reads that change something all the same: sequences advance, named locks are held.
const CHANGING_READS = /\b(nextval|setval|lastval|get_lock|release_lock|release_all_locks)\s*\(|\bnext\s+value\s+for\b/i;

/** Whether the preview may send `sql` for real: one statement that only reads. */
export function isPassThroughRead(sql: string): boolean {
  const { statements } = classifySql(sql, 'mysql');
  const [only] = statements;
  return statements.length === 1 && only !== undefined && only.kind === 'read' && only.allowedOnRuntime && !CHANGING_READS.test(sql);
}

/**
 * A subclass of knex's mysql2 client that compiles every query as usual. Reads go to the
 * server over `reader` (one connection of the migration role), so knex's own catalog
 * lookups (renameColumn, setNullable, foreign keys, hasTable …) compile as for real;
 * everything else is recorded as `{ sql, bindings }` instead of sent and "returns" an
 * empty result. `version` keeps version-dependent compilation (MariaDB vs MySQL) the same.
 */
export function createPreviewKnex(version: string | undefined, reader?: { client: Sender; connection: unknown }): { knex: Knex; take(): PreviewStatement[] } {
  const Mysql2 = knexDialectClass<new (config: Knex.Config) => Sender>('mysql2');
  let recorded: PreviewStatement[] = [];
  const passes = (obj: QueryObject): boolean => reader !== undefined && obj.sql !== undefined && isPassThroughRead(obj.sql);

  class PreviewClient extends Mysql2 {
    constructor(config: Knex.Config) {
      super(config);
      passAsPlainClient(this as unknown as { config: Knex.Config; driverName?: string });
      // What knex's checkVersion does on connect, from the version read beforehand.
      if (version) knexApplyServerVersion(this, version);
    }

    // knex's foreign-key lookups name the connection's database; the preview has no connection settings.
    override database(): string | undefined {
      return reader?.client.database();
    }

    acquireConnection(): Promise<unknown> {
      return Promise.resolve({ __knexUid: 'knex-roles-preview' });
    }

    releaseConnection(): Promise<void> {
      return Promise.resolve();
    }

    override _query(_connection: unknown, obj: QueryObject): Promise<QueryObject> {
      if (reader && passes(obj)) return reader.client._query(reader.connection, obj);
      if (obj.sql) recorded.push({ sql: obj.sql, bindings: [...(obj.bindings ?? [])] });
      obj.response = [[], []]; // mysql2's [rows, fields]
      return Promise.resolve(obj);
    }

    override _stream(_connection: unknown, obj: QueryObject, stream: NodeJS.WritableStream, options: unknown): Promise<void> {
      if (reader && passes(obj)) return reader.client._stream(reader.connection, obj, stream, options);
      if (obj.sql) recorded.push({ sql: obj.sql, bindings: [...(obj.bindings ?? [])] });
      stream.end();
      return Promise.resolve();
    }
  }

  return {
    knex: knex({ client: PreviewClient as unknown as typeof Knex.Client, ...(version ? { version } : {}) }),
    take() {
      const out = recorded;
      recorded = [];
      return out;
    },
  };
}

/**
 * MySQL / MariaDB dry run: reads the state from the server (only reads: the migrations
 * table is not created when missing), then runs each planned migration against the
 * recording client and reports its SQL, labelled PREVIEW. Nothing is sent that could
 * change anything.
 */
export async function previewRun(ctx: MigrateContext): Promise<PreviewOutcome> {
  const state = await readState(ctx);
  const plan = planFor(ctx, state);
  const [rows] = (await ctx.knex.raw('select version() as version')) as [Array<{ version?: string }>];
  const client = ctx.knex.client as unknown as Sender & { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<void> };
  const connection = await client.acquireConnection();
  const preview = createPreviewKnex(rows[0]?.version, { client, connection });
  const outcome: PreviewOutcome = { applied: [], rolledBack: [], dropped: [], preview: [], label: PREVIEW_LABEL };
  try {
    if (plan.dropAll) {
      outcome.dropped = await dropEverything(ctx, ctx.knex, preview.knex);
      const sql = preview.take();
      if (sql.length > 0) {
        outcome.preview.push({ name: '(drop all tables)', direction: 'down', sql });
        ctx.emit({ type: 'preview', name: '(drop all tables)', direction: 'down', label: PREVIEW_LABEL, sql });
      }
    }
    for (const step of plan.steps) {
      const content = await ctx.source.getMigration(step.migration);
      ctx.emit({ type: 'migrating', name: step.name, direction: step.direction, dryRun: true });
      try {
        await stepFunction(ctx, step, content)(preview.knex);
      } catch (error) {
        const message = `${redact(errorMessage(error), ctx.secrets)} (in a PREVIEW: reads see the database as it is now, without the changes of migrations previewed before this one)`;
        outcome.failed = { name: step.name, message };
        ctx.emit({ type: 'error', name: step.name, message });
        break;
      }
      const sql = preview.take();
      outcome.preview.push({ name: step.name, direction: step.direction, sql });
      ctx.emit({ type: 'preview', name: step.name, direction: step.direction, label: PREVIEW_LABEL, sql });
      (step.direction === 'up' ? outcome.applied : outcome.rolledBack).push(step.name);
    }
  } finally {
    await preview.knex.destroy();
    await client.releaseConnection(connection);
  }
  return outcome;
}
