/**
 * Reads the rows of `SHOW GRANTS` (MySQL 8 and MariaDB print the same shape) so that
 * provisioning can revoke whatever is outside the plan. Quoted names and strings are
 * skipped as units, so a database called `on` or a user called `to` cannot confuse it.
 */
export interface ShownGrant {
  /** `privileges`: `GRANT <privs> ON <target> TO …`; `role`: `GRANT <role> TO …` (no ON). */
  kind: 'privileges' | 'role';
  /** Upper-cased, one per list item as printed: `SELECT`, `ALL PRIVILEGES`, `SELECT (\`a\`)`. */
  privileges: string[];
  /** The text between GRANT and ON (or TO), verbatim, for a REVOKE of the same. */
  privilegesText: string;
  /** The text between ON and TO, verbatim: `*.*`, `` `db`.* ``, `` `db`.`t` ``, `PROCEDURE …`. */
  target: string;
  /** `*.*`. */
  global: boolean;
  /** For `` `db`.* `` targets: the database pattern, unquoted (still with `\_` escapes). */
  databasePattern?: string;
  grantOption: boolean;
}

interface Token {
  text: string;
  start: number;
  end: number;
  quoted: boolean;
}

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const start = i;
    if (c === '`' || c === "'" || c === '"') {
      i += 1;
      while (i < line.length) {
        if (line[i] === '\\' && c !== '`') {
          i += 2;
          continue;
        }
        if (line[i] === c) {
          if (line[i + 1] === c) {
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        i += 1;
      }
      tokens.push({ text: line.slice(start, i), start, end: i, quoted: true });
      continue;
    }
    if (/[A-Za-z0-9_$]/.test(c)) {
      while (i < line.length && /[A-Za-z0-9_$]/.test(line[i] as string)) i += 1;
    } else {
      i += 1;
    }
    tokens.push({ text: line.slice(start, i), start, end: i, quoted: false });
  }
  return tokens;
}

const isWord = (token: Token | undefined, word: string): boolean => !!token && !token.quoted && token.text.toUpperCase() === word;

/** Parses one `SHOW GRANTS` row; rows that are not grants (`SET DEFAULT ROLE …`) give undefined. */
export function parseShowGrantsRow(line: string): ShownGrant | undefined {
  const tokens = tokenize(line);
  if (!isWord(tokens[0], 'GRANT')) return undefined;
  let depth = 0;
  let on = -1;
  let to = -1;
  for (let i = 1; i < tokens.length; i += 1) {
    const token = tokens[i] as Token;
    if (!token.quoted && token.text === '(') depth += 1;
    else if (!token.quoted && token.text === ')') depth -= 1;
    else if (depth === 0 && on < 0 && to < 0 && isWord(token, 'ON')) on = i;
    else if (depth === 0 && to < 0 && isWord(token, 'TO')) {
      to = i;
      break;
    }
  }
  if (to < 0) return undefined;
  const first = tokens[1] as Token;
  const listEnd = tokens[on >= 0 ? on : to] as Token;
  const privilegesText = line.slice(first.start, listEnd.start).trim();
  const target = on >= 0 ? line.slice((tokens[on + 1] as Token).start, (tokens[to] as Token).start).trim() : '';
  const tail = tokens.slice(to + 1);
  const grantOption = tail.some((token, i) => isWord(token, 'GRANT') && isWord(tail[i + 1], 'OPTION'));
  const grant: ShownGrant = {
    kind: on >= 0 ? 'privileges' : 'role',
    privileges: splitList(privilegesText).map((p) => p.replace(/\s+/g, ' ').toUpperCase()),
    privilegesText,
    target,
    global: target.replace(/\s+/g, '') === '*.*',
    grantOption,
  };
  const databaseLevel = /^`((?:[^`]|``)*)`\s*\.\s*\*$/.exec(target);
  if (databaseLevel?.[1] !== undefined) grant.databasePattern = databaseLevel[1].replace(/``/g, '`');
  return grant;
}

/** Splits `A, B (x, y), C` at top-level commas. */
function splitList(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '`' || c === "'" || c === '"') quote = c;
    else if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (c === ',' && depth === 0) {
      items.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim()) items.push(current.trim());
  return items;
}

/** `` `db`.`t` `` or `` PROCEDURE `db`.`p` `` → its parts; database-level and global targets give undefined. */
export function tableTarget(target: string): { database: string; name: string; routine: boolean } | undefined {
  const match = /^(?:(PROCEDURE|FUNCTION|PACKAGE\s+BODY|PACKAGE)\s+)?`((?:[^`]|``)*)`\s*\.\s*`((?:[^`]|``)*)`$/i.exec(target.trim());
  if (!match) return undefined;
  return { database: (match[2] ?? '').replace(/``/g, '`'), name: (match[3] ?? '').replace(/``/g, '`'), routine: match[1] !== undefined };
}
