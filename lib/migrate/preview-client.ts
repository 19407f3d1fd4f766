import knex, { type Knex } from 'knex';
import { redact } from '../redact';
import { dropTables, listTables } from './drop-all-tables';
import type { Outcome } from './dry-run';
import { errorMessage } from './errors';
import { planFor, readState } from './migration-source';
import type { MigrateContext, PreviewStatement } from './types';

export const PREVIEW_LABEL =
  'PREVIEW, NOT EXECUTED: MySQL/MariaDB commit DDL implicitly, so no transaction can undo a trial run; ' +
  'this is the SQL the migration would send. Reads inside migrations (hasTable, hasColumn, select …) ' +
  'returned empty results here, so code that branches on them may send different SQL for real.';

type Recorder = { _query(connection: unknown, obj: QueryObject): Promise<QueryObject> };
interface QueryObject {
  sql?: string;
  bindings?: readonly unknown[];
  response?: unknown;
}

/**
 * A subclass of knex's mysql2 client that compiles every query as usual and records
 * `{ sql, bindings }` instead of sending it: no connection is ever opened, and every
 * query "returns" an empty result. `version` (the server's `select version()`) keeps
 * version-dependent compilation (MariaDB vs MySQL) the same as for real.
 */
export function createPreviewKnex(version: string | undefined): { knex: Knex; take(): PreviewStatement[] } {
  const { getDialectByNameOrAlias } = require('knex/lib/dialects') as { getDialectByNameOrAlias(name: string): new (config: Knex.Config) => Recorder };
  const Mysql2 = getDialectByNameOrAlias('mysql2');
  let recorded: PreviewStatement[] = [];

  class PreviewClient extends Mysql2 {
    constructor(config: Knex.Config) {
      super(config);
      // What knex's checkVersion does on connect, from the version read beforehand.
      if (version) (this as unknown as { _applyParsedVersion(v: string, o: { source: string }): void })._applyParsedVersion(version, { source: 'server' });
    }

    acquireConnection(): Promise<unknown> {
      return Promise.resolve({ __knexUid: 'knex-roles-preview' });
    }

    releaseConnection(): Promise<void> {
      return Promise.resolve();
    }

    override _query(_connection: unknown, obj: QueryObject): Promise<QueryObject> {
      if (obj.sql) recorded.push({ sql: obj.sql, bindings: [...(obj.bindings ?? [])] });
      obj.response = [[], []]; // mysql2's [rows, fields]
      return Promise.resolve(obj);
    }

    _stream(_connection: unknown, obj: QueryObject, stream: NodeJS.WritableStream): Promise<void> {
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
export async function previewRun(ctx: MigrateContext): Promise<Outcome> {
  const state = await readState(ctx);
  const plan = planFor(ctx, state);
  const [rows] = (await ctx.knex.raw('select version() as version')) as [Array<{ version?: string }>];
  const preview = createPreviewKnex(rows[0]?.version);
  const outcome: Outcome = { applied: [], rolledBack: [], dropped: [], preview: [], label: PREVIEW_LABEL };
  try {
    if (plan.dropAll) {
      outcome.dropped = await listTables(ctx.knex, ctx.dialect, ctx.schemaName);
      await dropTables(preview.knex, ctx.dialect, outcome.dropped, ctx.schemaName);
      for (const table of outcome.dropped) ctx.emit({ type: 'dropped', name: table });
      const sql = preview.take();
      if (sql.length > 0) {
        outcome.preview?.push({ name: '(drop all tables)', direction: 'down', sql });
        ctx.emit({ type: 'preview', name: '(drop all tables)', direction: 'down', label: PREVIEW_LABEL, sql });
      }
    }
    for (const step of plan.steps) {
      const content = await ctx.source.getMigration(step.migration);
      ctx.emit({ type: 'migrating', name: step.name, direction: step.direction, dryRun: true });
      try {
        const run = content[step.direction];
        if (typeof run !== 'function') throw new Error(`Invalid migration: ${step.name} must have both an up and down function`);
        await run.call(content, preview.knex);
      } catch (error) {
        const message = `${redact(errorMessage(error), ctx.secrets)} (in a PREVIEW, where reads return no rows)`;
        outcome.failed = { name: step.name, message };
        ctx.emit({ type: 'error', name: step.name, message });
        break;
      }
      const sql = preview.take();
      outcome.preview?.push({ name: step.name, direction: step.direction, sql });
      ctx.emit({ type: 'preview', name: step.name, direction: step.direction, label: PREVIEW_LABEL, sql });
      (step.direction === 'up' ? outcome.applied : outcome.rolledBack).push(step.name);
    }
  } finally {
    await preview.knex.destroy();
  }
  return outcome;
}
