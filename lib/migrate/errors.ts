import { KnexRolesError, type ErrorCode } from '../errors';
import { redact } from '../redact';
import type { Dialect } from '../types';
import type { Env } from '../env/load-env';
import type { Direction, MigrateCommand, MigrateContext, MigrateOptions } from './types';
import { isProduction } from '../env/mode-of';

export const E_MIGRATION_FAILED: ErrorCode = 'E_MIGRATION_FAILED';

/** A migration (or knex's migrator around it) failed; says what of the run was kept. */
export class MigrationFailedError extends KnexRolesError {
  override name = 'MigrationFailedError';
  /** The migration that failed, when the failure happened inside one. */
  readonly migration: string | undefined;
  readonly direction: Direction | undefined;
  readonly dialect: Dialect;
  /** Migrations of this run that are recorded as run (up) or are no longer recorded (down) after the failure. */
  readonly kept: readonly string[];

  constructor(fields: { message: string; remedy: string; migration?: string; direction?: Direction; dialect: Dialect; kept?: readonly string[]; cause?: unknown }) {
    super(E_MIGRATION_FAILED, fields.message, { remedy: fields.remedy, cause: fields.cause });
    this.migration = fields.migration;
    this.direction = fields.direction;
    this.dialect = fields.dialect;
    this.kept = fields.kept ?? [];
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), migration: this.migration, direction: this.direction, dialect: this.dialect, kept: this.kept };
  }
}

export interface FailureDetail {
  remedy?: string;
  migration?: string;
  direction?: Direction;
  kept?: readonly string[];
}

/**
 * Wraps `error` without repeating a secret: the message is scrubbed of every password of
 * the env contract, and `cause` is a scrubbed copy (driver errors can carry the statement
 * with its values, e.g. mysql2's `sql`).
 */
export function migrationFailed(ctx: Pick<MigrateContext, 'command' | 'dialect' | 'secrets'>, step: string | undefined, error: unknown, detail: FailureDetail = {}): MigrationFailedError {
  const text = redact(errorMessage(error), ctx.secrets);
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  const cause = Object.assign(new Error(text), { code, errno });
  const where = step ? `Migration ${step} failed` : `migrate ${ctx.command} failed`;
  return new MigrationFailedError({
    message: `${where}: ${text}.`,
    remedy: detail.remedy ?? 'Fix the cause named above and run the command again.',
    dialect: ctx.dialect,
    cause,
    ...(detail.migration !== undefined ? { migration: detail.migration } : {}),
    ...(detail.direction !== undefined ? { direction: detail.direction } : {}),
    ...(detail.kept !== undefined ? { kept: detail.kept } : {}),
  });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const DESTRUCTIVE: Readonly<Partial<Record<MigrateCommand, string>>> = {
  fresh: 'drops every table',
  reset: 'rolls back every migration',
};

/** fresh / reset in production need both --force and --yes (as eloquent-orm.js asks). */
export function refuseInProduction(command: MigrateCommand, options: MigrateOptions, env: Env): void {
  const what = DESTRUCTIVE[command];
  if (!what) return;
  const production = options.production ?? isProduction(env);
  if (!production || (options.force === true && options.yes === true)) return;
  const missing = [options.force === true ? undefined : '--force', options.yes === true ? undefined : '--yes'].filter(Boolean).join(' and ');
  throw new KnexRolesError('E_CLI_REFUSED', `Refused migrate ${command} (it ${what}) with NODE_ENV=production: ${missing} not given.`, {
    remedy: `If you really mean to do this to the production database, take a backup and pass --force --yes (both; options force: true, yes: true).`,
  });
}
