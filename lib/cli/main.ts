#!/usr/bin/env node
// The `knex-roles` command: a thin layer over testable functions. Errors print as one
// line with their code plus the remedy; passwords never reach the output.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage, UsageError } from '../errors';
import type { Role } from '../types';
import { loadEnv } from '../env/load-env';
import { redact, secretValues } from '../redact';
import { EXIT, exitCodeFor, isKnexRolesError } from './exit-codes';
import { USAGE } from './usage';
import { provisionCommand } from './provision-command';
import { doctorCommand } from './doctor-command';
import { migrateCommand } from './migrate-command';

const OPTIONS = {
  test: { type: 'boolean' },
  cwd: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  print: { type: 'boolean' },
  schema: { type: 'string' },
  'user-host': { type: 'string' },
  'app-temporary-tables': { type: 'boolean' },
  json: { type: 'boolean' },
  strict: { type: 'boolean' },
  role: { type: 'string' },
  'dry-run': { type: 'boolean' },
  all: { type: 'boolean' },
  name: { type: 'string' },
  knexfile: { type: 'string' },
  force: { type: 'boolean' },
  yes: { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
} as const;

export type CliValues = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError('E_CLI_USAGE', (err as Error).message.split('\n')[0] ?? 'Bad arguments.', { remedy: 'Run `knex-roles --help`.' });
  }
}

export async function run(argv: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    const [command, ...rest] = positionals;
    if (values.version || command === 'version') {
      out(version());
      return EXIT.OK;
    }
    if (command === undefined || command === 'help') {
      out(USAGE[rest[0] ?? 'main'] ?? USAGE['main'] ?? '');
      return command === undefined && !values.help ? EXIT.USAGE : EXIT.OK;
    }
    if (values.help) {
      out(USAGE[command] ?? USAGE['main'] ?? '');
      return EXIT.OK;
    }
    const base = { cwd: values.cwd ?? process.cwd(), ...(values.test ? { test: true } : {}) };
    switch (command) {
      case 'provision':
        expectNoMore(command, rest);
        await provisionCommand({ ...base, print: values.print ?? false, ...(values.schema ? { schema: values.schema } : {}), ...(values['user-host'] ? { userHost: values['user-host'] } : {}), ...(values['app-temporary-tables'] ? { appTemporaryTables: true } : {}) }, out);
        return EXIT.OK;
      case 'doctor':
        expectNoMore(command, rest);
        return await doctorCommand({ ...base, json: values.json ?? false, strict: values.strict ?? false, ...(values.role ? { roles: [parseRole(values.role)] } : {}) }, out);
      case 'migrate':
        return await migrateCommand(rest, { ...base, values }, out);
      default:
        throw new UsageError('E_CLI_USAGE', `Unknown command "${command}".`, { remedy: 'Run `knex-roles --help` for the commands.' });
    }
  } catch (error) {
    err(describe(error));
    return exitCodeFor(error);
  }
}

function parseRole(value: string): Role {
  if (value === 'runtime' || value === 'migration') return value;
  throw new UsageError('E_CLI_USAGE', `--role ${JSON.stringify(value)} is not a role.`, { remedy: 'Use --role runtime or --role migration.' });
}

function cwdOf(argv: string[]): string {
  const at = argv.indexOf('--cwd');
  return (at >= 0 ? argv[at + 1] : argv.find((arg) => arg.startsWith('--cwd='))?.slice(6)) ?? process.cwd();
}

function expectNoMore(command: string, rest: string[]): void {
  if (rest.length > 0) throw new UsageError('E_CLI_USAGE', `Unexpected argument "${rest[0]}" for ${command}.`, { remedy: `Run \`knex-roles ${command} --help\`.` });
}

/**
 * The code and message, then the remedy; then each cause, every line of it (a driver's
 * multi-line message, e.g. a migration's SQL error with its position, is kept whole).
 * No stack: the causes carry what the stack would not.
 */
function describe(error: unknown): string {
  const lines: string[] = [];
  if (isKnexRolesError(error)) {
    lines.push(`knex-roles: ${error.code}: ${indent(error.message)}`, `  fix: ${indent(error.remedy)}`);
  } else {
    lines.push(`knex-roles: ${headline(error)}`);
  }
  const seen = new Set<unknown>([error]);
  for (let cause = causeOf(error); cause !== undefined && !seen.has(cause) && seen.size < 6; cause = causeOf(cause)) {
    seen.add(cause);
    lines.push(`  cause: ${indent(headline(cause))}`);
  }
  return lines.join('\n');
}

function headline(error: unknown): string {
  // A cause of ours keeps its remedy (errorMessage), as the wrapped driver text keeps its hint.
  const message = errorMessage(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  return `${typeof code === 'string' && !message.startsWith(code) ? `${code}: ` : ''}${message}`;
}

function causeOf(error: unknown): unknown {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors[0];
  return (error as { cause?: unknown } | undefined)?.cause;
}

/** Continuation lines of a multi-line text, indented under the first. */
function indent(text: string): string {
  return text.replace(/\n/g, '\n    ');
}

/** This package's version, from its package.json (found upward from this file: lib/ or dist/cjs/). */
function version(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'knex-roles') return `knex-roles ${pkg.version ?? 'unknown'}`;
  }
  return 'knex-roles (version unknown)';
}

if (require.main === module) {
  // A safety net under every line printed: no password of the environment gets out.
  const secrets = secretValues(loadEnv(cwdOf(process.argv)));
  const print = (stream: NodeJS.WriteStream) => (line: string) => stream.write(`${redact(line, secrets)}\n`);
  run(process.argv.slice(2), print(process.stdout), print(process.stderr)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`knex-roles: ${redact(String(error), secrets)}\n`);
      process.exitCode = EXIT.FAILED;
    },
  );
}
