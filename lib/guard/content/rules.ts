import { prefilterFor, type GuardRules } from '../guard-rules';

const PREFILTERS = new WeakMap<GuardRules, RegExp>();

/**
 * Text in which none of these occurs (any case, strings and comments included) cannot match
 * any content rule, so the content watch stays off for it and the reader may skim: the
 * dialect's names and its `prefilterWords`. Built once per dialect.
 */
export function contentPrefilter(rules: GuardRules): RegExp {
  let prefilter = PREFILTERS.get(rules);
  if (prefilter === undefined) PREFILTERS.set(rules, (prefilter = prefilterFor(rules, rules.prefilterWords)));
  return prefilter;
}
