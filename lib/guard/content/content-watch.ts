import type { Dialect } from '../../types';
import type { LexerOptions } from '../lexer';
import type { GuardRules } from '../guard-rules';
import type { AnyWord } from './any-word';
import { judgeContent, type ContentRefusal } from './judge';
import { contentPrefilter } from './rules';
import { StatementTokens } from './statement-tokens';

/**
 * The content watch of one reading: while `on`, the reader hands it every token it pulls
 * (StatementReader.pull); at each statement's end (`flush`) the statement's tokens are
 * judged by the content rules (judge.ts). It is switched on per text, when the text could
 * match a rule at all (contentPrefilter, rules.ts); otherwise nothing is recorded and the
 * reader may skim.
 */
export class ContentWatch {
  on = false;
  readonly refusals: ContentRefusal[] = [];
  private readonly tokens: StatementTokens;
  private readonly prefilter: AnyWord;

  constructor(
    dialect: Dialect,
    private readonly rules: GuardRules,
    private readonly options: LexerOptions | undefined,
  ) {
    this.tokens = new StatementTokens(dialect, rules.grammar);
    this.prefilter = contentPrefilter(rules);
  }

  reset(sql: string): void {
    this.tokens.sql = sql;
    this.tokens.clear();
    if (this.refusals.length > 0) this.refusals.length = 0;
    this.on = this.prefilter.test(sql);
  }

  push(type: number, start: number, end: number): void {
    this.tokens.push(type, start, end);
  }

  /** The statement whose tokens were pushed has ended: judge it. */
  flush(): void {
    if (this.tokens.n === 0) return;
    const refusal = judgeContent(this.tokens, this.rules, this.options ?? {});
    if (refusal !== undefined) this.refusals.push(refusal);
    this.tokens.clear();
  }
}
