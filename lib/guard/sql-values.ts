import { dialectModule } from '../dialects/registry';
import type { Dialect } from '../types';
import { asciiLower } from './token-text';
import { T_NUMBER, T_QUOTED_IDENT, T_STRING, T_WORD } from './tokens';

/** PostgreSQL U&"…" / U&'…' body: `\XXXX`, `\+XXXXXX`, `\\`; undefined when malformed. */
function unicodeEscapes(body: string): string | undefined {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    if (body[i + 1] === '\\') {
      out += '\\';
      i++;
      continue;
    }
    const plus = body[i + 1] === '+';
    const digits = body.slice(i + (plus ? 2 : 1), i + (plus ? 8 : 5));
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== (plus ? 6 : 4)) return undefined;
    const code = parseInt(digits, 16);
    if (code > 0x10ffff) return undefined;
    out += String.fromCodePoint(code);
    i += digits.length + (plus ? 1 : 0);
  }
  return out;
}

/**
 * The name a word or quoted identifier token stands for, lower case (quoted names are
 * lower-cased too: the guard errs toward matching), or undefined for other tokens and for
 * names it cannot decode.
 */
export function nameOf(sql: string, type: number, start: number, end: number): string | undefined {
  const text = sql.slice(start, end);
  if (type === T_WORD) return asciiLower(text);
  if (type !== T_QUOTED_IDENT) return undefined;
  const first = text.charCodeAt(0);
  if (first === 0x75 || first === 0x55) {
    // U&"…"
    const body = text.slice(3, -1).replace(/""/g, '"');
    const decoded = unicodeEscapes(body);
    return decoded === undefined ? undefined : asciiLower(decoded);
  }
  const quote = text[0] as string;
  const close = quote === '[' ? ']' : quote;
  const body = text.slice(1, -1);
  return asciiLower(body.includes(close) ? body.split(close + close).join(close) : body);
}

/**
 * The value of a setting written as one token: a word, a number, or a string literal the
 * guard reads with certainty (plain '…' or "…" without backslashes, PostgreSQL $tag$…$tag$).
 * Undefined for everything else (escapes, hex, introducers, expressions): callers refuse.
 * Which quotes a dialect reads that way is its guardText.values.
 */
export function literalValue(sql: string, type: number, start: number, end: number, dialect: Dialect): string | undefined {
  const text = sql.slice(start, end);
  if (type === T_WORD || type === T_NUMBER) return text;
  const values = dialectModule(dialect).guardText.values;
  if (type === T_QUOTED_IDENT && values.doubleQuotedIdentifier && text.startsWith('"')) return text.slice(1, -1).replace(/""/g, '"');
  if (type !== T_STRING) return undefined;
  if (text.includes('\\')) return undefined;
  const quote = text[0];
  if (quote === "'" || (quote === '"' && values.doubleQuotedString)) return text.slice(1, -1).split(quote + quote).join(quote);
  if (quote === '$' && values.dollarQuoted) {
    const tag = text.indexOf('$', 1);
    return text.slice(tag + 1, text.length - (tag + 1));
  }
  return undefined;
}
