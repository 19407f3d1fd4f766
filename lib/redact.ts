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

/**
 * Replaces each secret in `text`, also in the forms output usually carries it: JSON-escaped
 * (bindings printed with JSON.stringify) and SQL-quoted (`'` doubled, `\` doubled).
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), secret.replace(/'/g, "''"), secret.replace(/\\/g, '\\\\').replace(/'/g, "\\'")]);
    for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join('<redacted>');
  }
  return out;
}
