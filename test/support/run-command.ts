import { spawn } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, insideRoot, tempProject } from './hermetic';

export { ROOT };

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

/**
 * The whole environment of a subprocess: `env` plus PATH and HOME, never the test process's
 * own variables, so a subprocess sees only what a test chose.
 */
export function commandEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', ...env };
}

/** Refuses a working directory from which the repository's own `.env` would be read. */
export function outsideRoot(cwd: string): string {
  if (insideRoot(cwd)) throw new Error(`A subprocess would run in ${cwd}, inside the repository, and could read its .env: give it a tempProject() instead.`);
  return cwd;
}

/**
 * A throwaway project whose knexfile.ts, migrations/ and node_modules/ are the repository's
 * (symlinks), for commands that find them the way an app does, in the working directory.
 */
export function projectWithMigrations(prefix = 'knex-roles-app-'): string {
  const dir = tempProject(prefix);
  for (const name of ['knexfile.ts', 'migrations', 'node_modules']) symlinkSync(join(ROOT, name), join(dir, name));
  return dir;
}

/** Runs a command with exactly commandEnv(env), in `cwd` (default: a fresh tempProject()). */
export function runCommand(command: string, args: string[], env: Record<string, string>, cwd: string = tempProject(), timeoutMs = 120_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: outsideRoot(cwd), env: commandEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output: stdout + stderr });
    });
  });
}

/** The built `knex-roles` CLI (npm test builds dist/ first). */
export function runCli(args: string[], env: Record<string, string>, cwd?: string): Promise<CommandResult> {
  return runCommand(process.execPath, [join(ROOT, 'dist/cjs/cli/main.js'), ...args], env, cwd);
}

/**
 * knex's own CLI on the project's knexfile.ts, in `cwd` (default: a projectWithMigrations()).
 * knex moves to the folder of the knexfile it is given, so it is given the project's link
 * to it: knex stays in `cwd` (and would otherwise read the repository's `.env`).
 */
export async function runKnexCli(args: string[], env: Record<string, string>, cwd: string = projectWithMigrations()): Promise<CommandResult> {
  const cli = [join(ROOT, 'node_modules/knex/bin/cli.js'), '--knexfile', join(cwd, 'knexfile.ts'), ...args];
  const result = await runCommand(process.execPath, cli, { TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env }, cwd);
  const moved = /Working directory changed to (\S+)/.exec(result.output)?.[1];
  if (moved !== undefined && insideRoot(moved.replace(/^~/, process.env['HOME'] ?? '~'))) throw new Error(`The knex CLI moved into the repository (${moved}), where it reads its .env.`);
  return result;
}
