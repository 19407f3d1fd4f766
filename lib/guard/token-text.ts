import { T_OP, T_WORD } from './tokens';

/** A token inside a statement (not `;`, the end or an error). */
export function isContent(t: number): boolean {
  return t >= T_WORD && t <= T_OP;
}

/** ASCII-only upper-casing: the servers fold keywords byte-wise, so `ſelect` is not SELECT. */
export function asciiUpper(word: string): string {
  for (let i = 0; i < word.length; i++) {
    if (word.charCodeAt(i) >= 128) return word.replace(/[a-z]+/g, (m) => m.toUpperCase());
  }
  return word.toUpperCase();
}

/** ASCII-only lower-casing, for names. */
export function asciiLower(word: string): string {
  for (let i = 0; i < word.length; i++) {
    if (word.charCodeAt(i) >= 128) return word.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return word.toLowerCase();
}
