import { prefilterWordsFor, type GuardRules } from '../guard-rules';
import { AnyWord } from './any-word';

const PREFILTERS = new WeakMap<GuardRules, AnyWord>();

/**
 * Text in which none of these occurs (any case, strings and comments included) cannot match
 * any content rule, so the content watch stays off for it and the reader may skim: the
 * dialect's names and its `prefilterWords`. Built once per dialect. It answers what the
 * alternation prefilterFor builds answers (any-word.ts), faster on long text.
 */
export function contentPrefilter(rules: GuardRules): AnyWord {
  let prefilter = PREFILTERS.get(rules);
  if (prefilter === undefined) PREFILTERS.set(rules, (prefilter = new AnyWord(prefilterWordsFor(rules, rules.prefilterWords))));
  return prefilter;
}
