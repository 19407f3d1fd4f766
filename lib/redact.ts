import { allReadUrlVariables, allUrlVariables, contractRows } from './env/contract';
import type { Env } from './env/load-env';

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

/**
 * Every form output usually carries a secret in: raw, JSON-escaped (bindings printed
 * with JSON.stringify), SQL-quoted (`'` doubled, `\` doubled), percent-encoded (URLs,
 * both encodeURIComponent and the looser encodeURI) and base64 (basic-auth headers, dumps).
 */
export function secretForms(secret: string): string[] {
  const forms = new Set([
    secret,
    JSON.stringify(secret).slice(1, -1),
    secret.replace(/'/g, "''"),
    secret.replace(/\\/g, '\\\\').replace(/'/g, "\\'"),
    encodeURIComponent(secret),
    encodeURI(secret),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64').replace(/=+$/, ''),
  ]);
  return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * Replaces each secret in `text`, in every form secretForms lists, with `<redacted>`;
 * longest first, so a secret containing another is removed whole. The one redaction of
 * secrets for every output (errors, logs, CLI lines, provisioning messages).
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    for (const form of secretForms(secret)) out = out.split(form).join('<redacted>');
  }
  return out;
}
