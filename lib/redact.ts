// No imports: errors.ts uses redact(), and everything imports errors.ts.
/**
 * Every form output usually carries a secret in: raw, JSON-escaped (bindings printed
 * with JSON.stringify), SQL-quoted (`'` doubled, `\` doubled), percent-encoded (URLs,
 * both encodeURIComponent and the looser encodeURI) and base64 (basic-auth headers, dumps).
 */
function secretForms(secret: string): string[] {
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
