/**
 * MySQL / MariaDB quoting for statements that cannot take placeholders (CREATE USER,
 * GRANT …). Callers reject NUL beforehand.
 */

/** Backtick identifier, backticks doubled. */
export function quoteIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

export interface StringQuoteOptions {
  /**
   * Whether the session treats backslash as an escape character, i.e. `sql_mode` lacks
   * NO_BACKSLASH_ESCAPES (the default). The same text cannot be right in both modes when
   * the value holds a backslash, so `provision` reads the session's mode first.
   */
  backslashEscapes?: boolean;
}

/** A string literal; quotes are doubled (valid in both modes), backslashes escaped only when they are escapes. */
export function quoteString(value: string, options: StringQuoteOptions = {}): string {
  const body = options.backslashEscapes === false ? value : value.replace(/\\/g, '\\\\');
  return `'${body.replace(/'/g, "''")}'`;
}

/** `'user'@'host'`. */
export function quoteAccount(user: string, host: string, options: StringQuoteOptions = {}): string {
  return `${quoteString(user, options)}@${quoteString(host, options)}`;
}

/**
 * The database part of `GRANT … ON <db>.*`. There the name is a pattern: `_` and `%` are
 * wildcards (a grant on `my_app` also covers `myXapp`) and `\` escapes, so all three are
 * escaped before backtick quoting.
 */
export function quoteGrantDatabase(database: string): string {
  return quoteIdent(grantDatabasePattern(database));
}

export function grantDatabasePattern(database: string): string {
  return database.replace(/[\\_%]/g, '\\$&');
}

/** Does the grant-table pattern `pattern` (`_`, `%` wildcards, `\` escapes) cover `database`? */
export function grantPatternMatches(pattern: string, database: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      i += 1;
      regex += escapeRegex(pattern[i] as string);
    } else if (c === '_') regex += '.';
    else if (c === '%') regex += '.*';
    else regex += escapeRegex(c);
  }
  // Database names compare case-sensitively on Linux (lower_case_table_names=0); be conservative.
  return new RegExp(`^${regex}$`, 'isu').test(database);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
