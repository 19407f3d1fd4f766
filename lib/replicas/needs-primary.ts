import { createLexer } from '../guard/lexer';
import { nameOf } from '../guard/sql-values';
import { CH_LPAREN } from '../guard/chars';
import { T_EOF, T_ERROR, T_OP, T_QUOTED_IDENT, T_WORD } from '../guard/tokens';
import type { Dialect } from '../types';
import type { ReplicaRules } from './replica-rules';

/** Text that names none of the rules' words skips the token walk (substrings: a cheap, loose test). */
export function prefilterOf(rules: ReplicaRules): RegExp {
  const words = [...rules.primaryPairs.keys(), ...rules.primaryWords, ...rules.primaryFunctions, ...rules.primaryFunctionPrefixes];
  return new RegExp(words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
}

/**
 * Whether a read (as the guard's classifier judged it) must still run on the primary:
 * a locking clause, a sequence or lock function, session state (rules per dialect). Lexed
 * with the guard's own lexer, so words in strings and comments do not count and MySQL's
 * executed comments do; a text it cannot lex stays on the primary.
 */
export function needsPrimary(sql: string, dialect: Dialect, rules: ReplicaRules, prefilter: RegExp): boolean {
  if (!prefilter.test(sql)) return false;
  const lx = createLexer(sql, dialect);
  // The word before (for pairs: keywords are never quoted) and the name before (for calls: "nextval"(…) is one).
  let word: string | undefined;
  let name: string | undefined;
  for (;;) {
    const t = lx.next();
    if (t === T_EOF) return false;
    if (t === T_ERROR) return true;
    if (t === T_WORD || t === T_QUOTED_IDENT) {
      const current = nameOf(sql, t, lx.start, lx.end);
      if (current === undefined) return true;
      if (t === T_WORD && ((word !== undefined && rules.primaryPairs.get(word)?.has(current)) || rules.primaryWords.has(current))) return true;
      word = t === T_WORD ? current : undefined;
      name = current;
      continue;
    }
    if (t === T_OP && sql.charCodeAt(lx.start) === CH_LPAREN && name !== undefined && isPrimaryFunction(rules, name)) return true;
    word = name = undefined;
  }
}

function isPrimaryFunction(rules: ReplicaRules, name: string): boolean {
  return rules.primaryFunctions.has(name) || rules.primaryFunctionPrefixes.some((prefix) => name.startsWith(prefix));
}
