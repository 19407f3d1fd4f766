/**
 * PostgreSQL quoting for statements that cannot take bind parameters (CREATE ROLE,
 * GRANT, ALTER DEFAULT PRIVILEGES …). Same rules as the server's own quote_ident /
 * quote_literal; callers reject NUL beforehand (PostgreSQL text cannot hold it).
 */

/** Always quotes, so the name reaches the server exactly as given (no case folding). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A string literal that means the same whatever `standard_conforming_strings` is:
 * strings with a backslash use the E'' form, where backslashes are always escapes.
 */
export function quoteLiteral(value: string): string {
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** Wraps a DO-block body in a dollar quote whose tag does not occur in the body. */
export function dollarQuote(body: string): string {
  let tag = '$kr$';
  for (let i = 0; body.includes(tag); i += 1) tag = `$kr${i}$`;
  return `${tag}${body}${tag}`;
}
