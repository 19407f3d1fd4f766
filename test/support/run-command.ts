import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../..');

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

/**
 * Runs a command with exactly `env` (plus PATH/HOME), never the test process's own
 * environment, so a subprocess sees only the variables a test chose.
 */
export function runCommand(command: string, args: string[], env: Record<string, string>, cwd = ROOT, timeoutMs = 120_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
export function runCli(args: string[], env: Record<string, string>, cwd = ROOT): Promise<CommandResult> {
  return runCommand(process.execPath, [join(ROOT, 'dist/cjs/cli/main.js'), ...args], env, cwd);
}

/** knex's own CLI on the project's knexfile.ts. */
export function runKnexCli(args: string[], env: Record<string, string>, cwd = ROOT): Promise<CommandResult> {
  return runCommand(process.execPath, [join(ROOT, 'node_modules/knex/bin/cli.js'), '--knexfile', join(ROOT, 'knexfile.ts'), ...args], env, cwd);
}
