import { dialectModule } from '../../lib/dialects/registry';
import { bannedNamePrefixes, INERT_WORDS } from '../../lib/guard/fast-path';
import type { Dialect } from '../../lib/types';

/**
 * The fast path's gate as first written (lib/guard/fast-path.ts at 836c433): each word list
 * one flat alternation. Kept as the reference the rewritten gate must accept exactly the
 * same texts as (test/unit/classify.fast-path.test.ts): a rewrite for speed may change how
 * the gate matches, never what. Built from the same word lists, so it follows them.
 */
const WORD_CHAR = '[A-Za-z0-9_$]';
const WS = '[ \\t\\r\\n]';
const SEP = '[ \\t\\r\\n.,()=<>*+?]*';

export function firstGate(dialect: Dialect): RegExp {
  const { quote: q, dollarParams } = dialectModule(dialect).guardRules.grammar.plain;
  const banned = bannedNamePrefixes(dialect).map(anyCase).join('|');
  const name = `${q}(?!(?:${banned}))[A-Za-z0-9_]+${q}(?!${q})`;
  const word = `(?:${INERT_WORDS.join('|')})(?!${WORD_CHAR})`;
  const number = `[0-9]+(?:\\.[0-9]+)?(?![A-Za-z0-9_$.])`;
  const param = dollarParams ? `|\\$[0-9]+(?!${WORD_CHAR})` : '';
  const head = `(?:select|update|delete)(?!${WORD_CHAR})|insert${WS}+into${WS}+${name}`;
  const afterName = `${WS}*(?:[.,)=<>*+?]${SEP})?`;
  return new RegExp(`^${WS}*(?:${head})${SEP}(?:${name}${afterName}|(?:${word}|${number}${param})${SEP})*$`);
}

function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
}
