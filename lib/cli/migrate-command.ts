import { UsageError } from '../errors';
import { loadEnv } from '../env/load-env';
import { resolveRole } from '../env/resolve-role';
import { resolveConnection } from '../env/resolve-connection';
import type { ResolveOptions } from '../env/resolve-connection';
import { runMigrations } from '../migrate/run-migrations';
import { MIGRATE_COMMANDS, type MigrateCommand, type MigrateEvent, type MigrateResult } from '../migrate/types';
import { EXIT } from './exit-codes';
import { knexfileMigrations } from './load-knexfile';
import { environmentOf, modeOf } from '../env/mode-of';

export interface MigrateCommandOptions extends ResolveOptions {
  values: { 'dry-run'?: boolean; all?: boolean; name?: string; knexfile?: string; force?: boolean; yes?: boolean };
}

/** `knex-roles migrate <command>`: progress migration by migration; exit 1 when a dry run finds a failure. */
export async function migrateCommand(args: string[], options: MigrateCommandOptions, out: (line: string) => void): Promise<number> {
  const [command, extra] = args;
  if (!command || !(MIGRATE_COMMANDS as readonly string[]).includes(command) || extra !== undefined) {
    throw new UsageError('E_CLI_USAGE', command ? `Unknown migrate command "${args.join(' ')}".` : 'migrate needs a command.', {
      remedy: `Use one of: ${MIGRATE_COMMANDS.join(', ')} (knex-roles migrate --help).`,
    });
  }
  const { values, ...resolve } = options;
  const cwd = resolve.cwd ?? process.cwd();
  const env = resolve.env ?? loadEnv(cwd);
  const test = resolve.test ?? modeOf(env) === 'test';
  const environment = test ? 'test' : environmentOf(env);
  // The environment is resolved first, so a misconfiguration exits 3 whatever the role:
  // the exit code follows the cause, not the order of the checks.
  resolveConnection({ ...resolve, env, cwd, test });
  // A runtime process is refused (by runMigrations) before the knexfile is even loaded.
  const migrations = (resolve.role ?? resolveRole(env)) === 'migration' ? await knexfileMigrations(cwd, values.knexfile, environment) : undefined;

  const result = await runMigrations(command as MigrateCommand, {
    ...resolve,
    env,
    cwd,
    test,
    ...(migrations ? { knex: { migrations } } : {}),
    dryRun: values['dry-run'] ?? false,
    all: values.all ?? false,
    ...(values.name ? { name: values.name } : {}),
    force: values.force ?? false,
    yes: values.yes ?? false,
    onProgress: (event) => out(describeEvent(event)),
  });
  for (const line of summary(result)) out(line);
  return result.ok ? EXIT.OK : EXIT.FAILED;
}

function describeEvent(event: MigrateEvent): string {
  switch (event.type) {
    case 'migrating':
      return `${event.dryRun ? '[dry run] ' : ''}${event.direction === 'up' ? 'migrating' : 'rolling back'} ${event.name}`;
    case 'migrated':
      return `  migrated    ${event.name} (${event.ms} ms)`;
    case 'rolled-back':
      return `  rolled back ${event.name} (${event.ms} ms)`;
    case 'dry-run':
      return `  [dry run] ok ${event.name} (${event.ms} ms, will be rolled back)`;
    case 'preview':
      return [`-- ${event.label}`, `-- ${event.direction} ${event.name}`, ...event.sql.map((s) => `${s.sql};${s.bindings.length ? ` -- bindings: ${JSON.stringify(s.bindings)}` : ''}`)].join('\n');
    case 'dropped':
      return `  dropped     ${event.kind === 'table' ? '' : `${event.kind} `}${event.name}`;
    case 'waiting':
      return `waiting for the migration lock: ${event.reason}`;
    case 'error':
      return `  FAILED      ${event.name}: ${event.message}`;
    case 'warning':
      return `  warning     ${event.name}: ${event.message}`;
  }
}

function summary(result: MigrateResult): string[] {
  const lines: string[] = [];
  if (result.command === 'status' || result.command === 'list') {
    lines.push(`${result.completed.length} completed, ${result.pending.length} pending${result.missing.length ? `, ${result.missing.length} missing from the source` : ''}`);
    if (result.command === 'list') {
      for (const done of result.completed) lines.push(`  done     ${done.name} (batch ${done.batch})`);
      for (const name of result.pending) lines.push(`  pending  ${name}`);
      for (const name of result.missing) lines.push(`  missing  ${name}`);
    }
    return lines;
  }
  const what = result.mode === 'dry-run' ? 'dry run (rolled back, nothing changed): ' : result.mode === 'preview' ? 'preview (nothing executed): ' : '';
  const failed = result.mode === 'dry-run' || result.mode === 'preview' ? result.failed : undefined;
  const notTransactional = result.mode === 'dry-run' ? result.notTransactional : undefined;
  const batch = result.mode === 'run' ? result.batch : undefined;
  if (failed) lines.push(`${what}failed at ${failed.name}: ${failed.message}`);
  else if (notTransactional) lines.push(`${what}stopped at ${notTransactional}: it disables transactions, so it cannot be dry-run`);
  else if (result.applied.length + result.rolledBack.length + result.dropped.length === 0) lines.push(`${what}nothing to do`);
  else {
    const parts = [];
    if (result.dropped.length) parts.push(`dropped ${result.dropped.length} object(s)`);
    if (result.rolledBack.length) parts.push(`rolled back ${result.rolledBack.length}`);
    if (result.applied.length) parts.push(`applied ${result.applied.length}${batch !== undefined ? ` (batch ${batch})` : ''}`);
    lines.push(`${what}${parts.join(', ')}`);
  }
  return lines;
}
