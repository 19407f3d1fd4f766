import { allReadUrlVariables, allUrlVariables, contractRows } from './contract';
import type { Env } from './load-env';

/**
 * The password values present in `env` (every *_PASSWORD variable of the contract and
 * the password part of every URL variable, read-replica lists included), for scrubbing output that could echo one
 * back (driver errors, CLI lines).
 */
export function secretValues(env: Env): string[] {
  const values = new Set<string>();
  for (const row of contractRows()) {
    const value = row.field === 'password' ? env[row.variable] : undefined;
    if (value) values.add(value);
  }
  for (const variable of allUrlVariables()) {
    const password = urlPassword(env[variable]);
    if (password) values.add(password);
  }
  for (const variable of allReadUrlVariables()) {
    for (const entry of env[variable]?.split(',') ?? []) {
      const password = urlPassword(entry);
      if (password) values.add(password);
    }
  }
  // Longest first, so a password containing another is removed whole.
  return [...values].sort((a, b) => b.length - a.length);
}

/** The decoded password of a URL, or undefined (malformed URLs are the resolver's to report). */
function urlPassword(value: string | undefined): string | undefined {
  const match = value === undefined ? null : /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:([^@/]*)@/i.exec(value.trim());
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}
