import type { Dialect } from '../../lib/types';

/**
 * Respellings of one SQL statement that the server reads as the same statement: letter
 * case, comments and odd whitespace between tokens, quoted identifiers, optional schema
 * qualification and (PostgreSQL) `U&"…"` escapes. Used by test/unit/classify.spellings.test.ts.
 *
 * A base statement is written as a template:
 * - a bare word is a keyword: only its letter case changes, it is never quoted;
 * - `{a.b}` is an identifier (each dotted part may be quoted, escaped, case-changed, and
 *   get whitespace or comments around the dot); `{?s.b}`: the qualifier `s.` is optional
 *   (the base has none); `{!a.b}`: case-sensitive (MySQL schema and table names on Linux),
 *   so its case never changes;
 * - `'…'` strings, numbers and punctuation stay as written;
 * - whitespace in the template is a place for a separator (never empty); tokens written
 *   together stay together, except next to `(`, `)`, `,`, `=` and `;`, where a separator
 *   may appear.
 *
 * Only spellings each server was checked to read the same way are produced (verified on
 * PostgreSQL 15, MariaDB 10.11 and SQLite 3 as the test tooling starts them):
 * - whitespace: PostgreSQL and SQLite ` \t\n\r\f`; MariaDB also `\v`; PostgreSQL 15 and
 *   SQLite reject `\v`, so it is not generated for them;
 * - comments: `/* … *\/` everywhere, nested only on PostgreSQL; `-- …\n` (MariaDB needs
 *   whitespace or a control character after `--`, SQLite and PostgreSQL need nothing);
 *   MariaDB `#…\n`; never `/*!` or `/*M!` (MariaDB runs those);
 * - identifier quotes: PostgreSQL `"x"` and `U&"…"` (exact lower case: quoting stops the
 *   folding); MariaDB `` `x` `` (its `"x"` is a string unless ANSI_QUOTES); SQLite `"x"`,
 *   `` `x` `` and `[x]`.
 */

export type Random = () => number;

/** mulberry32: small, seeded, and the same on every platform. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Piece =
  | { type: 'keyword'; text: string }
  | { type: 'ident'; parts: string[]; optionalQualifier: boolean; caseSensitive: boolean }
  | { type: 'fixed'; text: string };

/** A template read into pieces; `gaps[i]` says what may stand between piece i and i + 1. */
interface Template {
  pieces: Piece[];
  gaps: Array<'required' | 'optional' | 'none'>;
}

const LOOSE = new Set(['(', ')', ',', '=', ';']);

export function parseTemplate(template: string): Template {
  const pieces: Piece[] = [];
  const gaps: Template['gaps'] = [];
  let pendingSpace = false;
  let i = 0;
  const push = (piece: Piece): void => {
    if (pieces.length > 0) {
      const previous = pieces[pieces.length - 1] as Piece;
      const loose = (previous.type === 'fixed' && LOOSE.has(previous.text)) || (piece.type === 'fixed' && LOOSE.has(piece.text));
      gaps.push(pendingSpace ? 'required' : loose ? 'optional' : 'none');
    }
    pieces.push(piece);
    pendingSpace = false;
  };
  while (i < template.length) {
    const c = template[i] as string;
    if (/\s/.test(c)) {
      pendingSpace = true;
      i++;
    } else if (c === '{') {
      const end = template.indexOf('}', i);
      if (end < 0) throw new Error(`unclosed { in ${template}`);
      let body = template.slice(i + 1, end);
      let optionalQualifier = false;
      let caseSensitive = false;
      for (;;) {
        if (body.startsWith('?')) optionalQualifier = true;
        else if (body.startsWith('!')) caseSensitive = true;
        else break;
        body = body.slice(1);
      }
      push({ type: 'ident', parts: body.split('.'), optionalQualifier, caseSensitive });
      i = end + 1;
    } else if (c === "'") {
      let j = i + 1;
      for (;;) {
        const q = template.indexOf("'", j);
        if (q < 0) throw new Error(`unclosed ' in ${template}`);
        if (template[q + 1] === "'") j = q + 2;
        else {
          j = q + 1;
          break;
        }
      }
      push({ type: 'fixed', text: template.slice(i, j) });
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(template.slice(i)) as RegExpExecArray;
      push({ type: 'keyword', text: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9.]*/.exec(template.slice(i)) as RegExpExecArray;
      push({ type: 'fixed', text: m[0] });
      i += m[0].length;
    } else {
      push({ type: 'fixed', text: c });
      i++;
    }
  }
  return { pieces, gaps };
}

interface DialectSpelling {
  whitespace: readonly string[];
  comments: readonly string[];
  quote: ReadonlyArray<(name: string) => string>;
}

const SPELLINGS: Record<Dialect, DialectSpelling> = {
  postgres: {
    whitespace: [' ', '\t', '\n', '\r', '\f', '\r\n', '  \t '],
    comments: ['/* c */', '/**/', '-- c\n', '--\n', '/* a /* nested */ b */', '/*\n*/'],
    quote: [(name) => `"${name}"`],
  },
  mysql: {
    whitespace: [' ', '\t', '\n', '\r', '\f', '\v', '\r\n', ' \v\t '],
    comments: ['/* c */', '/**/', '-- c\n', '--\t\n', '#c\n', '#\n', '/*\n*/'],
    quote: [(name) => `\`${name}\``],
  },
  sqlite: {
    whitespace: [' ', '\t', '\n', '\r', '\f', '\r\n', ' \t\f '],
    comments: ['/* c */', '/**/', '-- c\n', '--c\n', '/*\n*/'],
    quote: [(name) => `"${name}"`, (name) => `\`${name}\``, (name) => `[${name}]`],
  },
};

/** The PostgreSQL `U&"…"` spelling of `name`, escaping the characters `random` picks (`\XXXX`, `\+XXXXXX`, or another escape character). */
function unicodeEscaped(name: string, random: Random): string {
  const escape = random() < 0.25 ? '!' : '\\';
  let body = '';
  let escapedAny = false;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] as string;
    const last = i === name.length - 1 && !escapedAny;
    if (last || random() < 0.4) {
      const code = ch.charCodeAt(0).toString(16);
      body += random() < 0.5 ? `${escape}${code.padStart(4, '0')}` : `${escape}+${code.padStart(6, '0')}`;
      escapedAny = true;
    } else {
      body += ch;
    }
  }
  const prefix = random() < 0.5 ? 'U&' : 'u&';
  return escape === '\\' ? `${prefix}"${body}"` : `${prefix}"${body}" UESCAPE '${escape}'`;
}

function recase(word: string, random: Random, style: number): string {
  if (style === 0) return word.toLowerCase();
  if (style === 1) return word.toUpperCase();
  if (style === 2) return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
  let out = '';
  for (const ch of word) out += random() < 0.5 ? ch.toUpperCase() : ch.toLowerCase();
  return out;
}

/** How one variant is spelled; each knob is one of the kinds of respelling. */
export interface Style {
  /** 0 lower, 1 upper, 2 capitalized, 3 random per letter, 4 random per word. */
  caseStyle: number;
  /** Chance that a separator is a comment rather than whitespace, and that an optional gap gets one. */
  comments: number;
  fillOptional: number;
  /** Chance that an identifier part is quoted, U&-escaped (PostgreSQL), or an optional qualifier added. */
  quote: number;
  escape: number;
  qualify: number;
}

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)] as T;
}

function separator(dialect: Dialect, style: Style, random: Random): string {
  const { whitespace, comments } = SPELLINGS[dialect];
  if (random() >= style.comments) return pick(whitespace, random);
  // A comment between two spaces half the time; alone (glued) otherwise.
  const comment = pick(comments, random);
  return random() < 0.5 ? comment : `${pick(whitespace, random)}${comment}${pick(whitespace, random)}`;
}

function spellIdentPart(dialect: Dialect, part: string, caseSensitive: boolean, style: Style, random: Random): string {
  if (dialect === 'postgres' && random() < style.escape) return unicodeEscaped(part, random);
  if (random() < style.quote) return pick(SPELLINGS[dialect].quote, random)(part);
  if (caseSensitive) return part;
  return recase(part, random, style.caseStyle === 4 ? Math.floor(random() * 4) : style.caseStyle);
}

/** One respelling of `template` on `dialect`. */
export function spell(dialect: Dialect, template: Template, style: Style, random: Random): string {
  let out = '';
  template.pieces.forEach((piece, index) => {
    if (index > 0) {
      const gap = template.gaps[index - 1];
      if (gap === 'required' || (gap === 'optional' && random() < style.fillOptional)) out += separator(dialect, style, random);
    }
    if (piece.type === 'fixed') out += piece.text;
    else if (piece.type === 'keyword') out += recase(piece.text, random, style.caseStyle === 4 ? Math.floor(random() * 4) : style.caseStyle);
    else {
      const parts = piece.optionalQualifier && random() >= style.qualify ? piece.parts.slice(1) : piece.parts;
      out += parts
        .map((part) => spellIdentPart(dialect, part, piece.caseSensitive, style, random))
        .join(random() < style.comments ? `${separator(dialect, style, random)}.${separator(dialect, style, random)}` : '.');
    }
  });
  return out;
}

/** The template as written, without its markers: the base statement (an optional qualifier left out). */
export function baseSpelling(template: string): string {
  return template.replace(/\{([?!]*)([^}]*)\}/g, (_, marks: string, body: string) => (marks.includes('?') ? body.slice(body.indexOf('.') + 1) : body));
}

/**
 * `count` respellings of `template` (deterministic for one `seed`): first the systematic
 * ones (each case style; each kind of separator everywhere; every identifier quoted,
 * escaped or qualified), then random mixes of all of them.
 */
export function spellingVariants(dialect: Dialect, template: string, seed: number, count: number): string[] {
  const parsed = parseTemplate(template);
  const random = seededRandom(seed);
  const none: Style = { caseStyle: 0, comments: 0, fillOptional: 0, quote: 0, escape: 0, qualify: 0 };
  const systematic: Style[] = [
    { ...none, caseStyle: 1 },
    { ...none, caseStyle: 2 },
    { ...none, caseStyle: 3 },
    { ...none, comments: 1, fillOptional: 1 },
    { ...none, caseStyle: 3, fillOptional: 1 },
    { ...none, quote: 1 },
    { ...none, quote: 1, qualify: 1, comments: 0.5 },
    { ...none, qualify: 1, caseStyle: 1 },
    ...(dialect === 'postgres' ? [{ ...none, escape: 1 }, { ...none, escape: 1, qualify: 1, caseStyle: 1 }] : []),
  ];
  const out = new Set<string>();
  for (const style of systematic) out.add(spell(dialect, parsed, style, random));
  while (out.size < count) {
    const style: Style = {
      caseStyle: Math.floor(random() * 5),
      comments: random() * 0.8,
      fillOptional: random(),
      quote: random() * 0.8,
      escape: dialect === 'postgres' ? random() * 0.5 : 0,
      qualify: random(),
    };
    const before = out.size;
    out.add(spell(dialect, parsed, style, random));
    // Templates with few degrees of freedom run out of distinct spellings.
    if (out.size === before && random() < 0.02) break;
  }
  return [...out];
}
