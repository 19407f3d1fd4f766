import type { StatementKind } from './classify';
import type { StatementReader } from './statement-reader';

/**
 * A statement family's decision code: reads on from the statement's leading word (current
 * in `r`) to the statement's end and settles the verdict (the rule's verdict is already set).
 */
export type Family = (r: StatementReader, rule: HeadRule, depth: number) => void;

/**
 * What a statement is, from its leading word. A rule without a family is final: the rest
 * of the statement is only skimmed (and watched for INTO and content). The per-dialect
 * tables live in lib/dialects/<d>/statement-heads.ts; a word missing from a dialect's
 * table is refused as kind 'other'.
 */
export interface HeadRule {
  /** The leading word, upper case. */
  readonly word: string;
  /** The normalized keyword (for a final rule the statement's; otherwise the verb). */
  readonly keyword: string;
  readonly kind: StatementKind;
  readonly allowed: boolean;
  readonly reason?: string;
  readonly family?: Family;
}

/** How deeply wrappers (EXPLAIN, PREPARE … AS, SET STATEMENT … FOR, `(`) may nest. */
export const MAX_DEPTH = 8;

export const REASON_DDL = 'changes the schema';
export const REASON_PRIVILEGE = 'changes privileges or identity';
export const REASON_MAINTENANCE = 'maintenance command';
export const REASON_SERVER = 'changes server state';
export const REASON_UNKNOWN = 'unrecognized statement';
export const REASON_TWO_PHASE = 'two-phase commit: a prepared transaction outlives its session and any session may finish it, so the guard cannot tell whose it is';

export function allow(word: string, kind: StatementKind, family?: Family, keyword?: string): HeadRule {
  return family === undefined ? { word, keyword: keyword ?? word, kind, allowed: true } : { word, keyword: keyword ?? word, kind, allowed: true, family };
}

export function refuse(word: string, kind: StatementKind, reason: string, family?: Family, keyword?: string): HeadRule {
  return family === undefined ? { word, keyword: keyword ?? word, kind, allowed: false, reason } : { word, keyword: keyword ?? word, kind, allowed: false, reason, family };
}

/** Final rules (no family, keyword = word) for each of the space-separated `words`: one line per kind of statement. */
export function allowWords(kind: StatementKind, words: string): HeadRule[] {
  return words.split(' ').map((word) => allow(word, kind));
}

/** Final refusals for each of the space-separated `words`, all for one reason. */
export function refuseWords(kind: StatementKind, reason: string, words: string): HeadRule[] {
  return words.split(' ').map((word) => refuse(word, kind, reason));
}

/**
 * A dialect's head table: upper-case leading word → rule. `find` looks a word of the text
 * up without allocating: rules are bucketed by length and first letter, then compared
 * character by character (most texts are classified from their first word alone).
 */
export class StatementHeads {
  private readonly buckets = new Map<number, HeadRule[]>();

  constructor(rules: readonly HeadRule[]) {
    const words = new Set<string>();
    for (const rule of rules) {
      if (words.has(rule.word)) throw new Error(`duplicate statement head: ${rule.word}`);
      words.add(rule.word);
      const key = bucketKey(rule.word.length, rule.word.charCodeAt(0));
      const bucket = this.buckets.get(key);
      if (bucket === undefined) this.buckets.set(key, [rule]);
      else bucket.push(rule);
    }
  }

  /** The rule for the word `sql[start, end)` in any ASCII letter case. */
  find(sql: string, start: number, end: number): HeadRule | undefined {
    let c = sql.charCodeAt(start);
    if (c >= 97 && c <= 122) c -= 32;
    // Keywords are ASCII: the servers fold case byte-wise, so `ſelect` is no SELECT.
    if (c >= 128) return undefined;
    const bucket = this.buckets.get(bucketKey(end - start, c));
    if (bucket === undefined) return undefined;
    for (let b = 0; b < bucket.length; b++) {
      const rule = bucket[b] as HeadRule;
      if (sameWord(sql, start, rule.word)) return rule;
    }
    return undefined;
  }
}

function bucketKey(length: number, upperFirst: number): number {
  return length * 128 + upperFirst;
}

/** `sql` at `start` spells the upper-case `word` (ASCII case-insensitively; the length is known to match). */
function sameWord(sql: string, start: number, word: string): boolean {
  for (let k = 1; k < word.length; k++) {
    let c = sql.charCodeAt(start + k);
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== word.charCodeAt(k)) return false;
  }
  return true;
}

export function headTable(rules: readonly HeadRule[]): StatementHeads {
  return new StatementHeads(rules);
}
