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

export function allow(word: string, kind: StatementKind, family?: Family, keyword?: string): HeadRule {
  return family === undefined ? { word, keyword: keyword ?? word, kind, allowed: true } : { word, keyword: keyword ?? word, kind, allowed: true, family };
}

export function refuse(word: string, kind: StatementKind, reason: string, family?: Family, keyword?: string): HeadRule {
  return family === undefined ? { word, keyword: keyword ?? word, kind, allowed: false, reason } : { word, keyword: keyword ?? word, kind, allowed: false, reason, family };
}

/** A dialect's head table: upper-case leading word → rule. */
export type StatementHeads = ReadonlyMap<string, HeadRule>;

export function headTable(rules: readonly HeadRule[]): StatementHeads {
  const map = new Map<string, HeadRule>();
  for (const rule of rules) {
    if (map.has(rule.word)) throw new Error(`duplicate statement head: ${rule.word}`);
    map.set(rule.word, rule);
  }
  return map;
}
