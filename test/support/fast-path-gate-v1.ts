import { dialectModule } from '../../lib/dialects/registry';
import { bannedNamePrefixes, INERT_WORDS } from '../../lib/guard/fast-path';
import type { Dialect } from '../../lib/types';

/**
 * The fast path's gate written the obvious way (as at 836c433, plus the bare names that came
 * after): each word list one flat alternation. Kept as the reference the gate in
 * lib/guard/fast-path.ts, whose lists are tries, must accept exactly the same texts as
 * (test/unit/classify.fast-path.test.ts): a rewrite for speed may change how the gate
 * matches, never what. Built from the same word lists, so it follows them.
 */
const WORD_CHAR = '[A-Za-z0-9_$]';
const WS = '[ \\t\\r\\n]';
const SEP = '[ \\t\\r\\n.,()=<>*+?]*';

export function firstGate(dialect: Dialect): RegExp {
  const rules = dialectModule(dialect).guardRules;
  const { quote: q, dollarParams } = rules.grammar.plain;
  const prefixes = bannedNamePrefixes(dialect);
  const banned = prefixes.map(anyCase).join('|');
  const name = `${q}(?!(?:${banned}))[A-Za-z0-9_]+${q}(?!${q})`;
  const lower = prefixes.filter((p) => /^[a-z0-9_]+$/.test(p)).join('|');
  const bare = `(?!(?:${lower}))(?!(?:${rules.keywords.join('|')})(?!${WORD_CHAR}))[a-z_][a-z0-9_]*(?!${WORD_CHAR})`;
  const word = `(?:${INERT_WORDS.join('|')})(?!${WORD_CHAR})`;
  const number = `[0-9]+(?:\\.[0-9]+)?(?![A-Za-z0-9_$.])`;
  const param = dollarParams ? `|\\$[0-9]+(?!${WORD_CHAR})` : '';
  const head = `(?:select|update|delete)(?!${WORD_CHAR})|insert${WS}+into${WS}+${name}`;
  const afterName = `${WS}*(?:[.,)=<>*+?]${SEP})?`;
  return new RegExp(`^${WS}*(?:${head})${SEP}(?:${name}${afterName}|(?:${word}|${number}${param})${SEP}|${bare}${afterName})*$`);
}

function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
}
