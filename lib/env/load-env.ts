import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstInProject } from './project-root';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The `.env` the contract reads for `cwd`: the first one found walking up from `cwd` to
 * the nearest directory holding a `package.json` (the project root), both included. An
 * app started from `src/` thus finds the project's `.env`; the walk never leaves the
 * project, so a `.env` of an enclosing checkout or of the home directory is never read.
 * Without any `package.json` above `cwd`, only `cwd/.env` is considered.
 */
export function findEnvFile(cwd: string = process.cwd()): string | undefined {
  return firstInProject(cwd, (dir) => {
    const file = join(dir, '.env');
    return existsSync(file) ? file : undefined;
  });
}

/**
 * The environment the contract reads: the project's `.env` (see findEnvFile) under the
 * real environment, which wins. Nothing is written to `process.env`, so loading is free
 * of side effects and a library import never changes the host process.
 */
export function loadEnv(cwd: string = process.cwd()): Env {
  const file = findEnvFile(cwd);
  if (!file) return process.env;
  // dotenv (and the node:crypto it loads) only when there is a .env to read (lib/lazy.ts).
  const { parse } = require('dotenv') as typeof import('dotenv');
  return { ...parse(readFileSync(file)), ...process.env };
}

/**
 * A variable's value, or undefined when unset or empty. Non-secrets are trimmed;
 * secrets are taken verbatim because spaces can be part of a password.
 */
export function readVariable(env: Env, name: string, secret = false): string | undefined {
  const raw = env[name];
  const value = raw === undefined || secret ? raw : raw.trim();
  return value === '' ? undefined : value;
}
