import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment the contract reads: `.env` in `cwd` (when present) under the real
 * environment, which wins. Nothing is written to `process.env`, so loading is free of
 * side effects and a library import never changes the host process.
 */
export function loadEnv(cwd: string = process.cwd()): Env {
  const file = join(cwd, '.env');
  if (!existsSync(file)) return process.env;
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
