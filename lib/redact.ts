import { contractRows } from './env/contract';
import type { Env } from './env/load-env';

/**
 * The password values present in `env` (every *_PASSWORD variable of the contract),
 * for scrubbing output that could echo one back (driver errors, CLI lines).
 */
export function secretValues(env: Env): string[] {
  const values = new Set<string>();
  for (const row of contractRows()) {
    const value = row.field === 'password' ? env[row.variable] : undefined;
    if (value) values.add(value);
  }
  // Longest first, so a password containing another is removed whole.
  return [...values].sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('<redacted>');
  return out;
}
