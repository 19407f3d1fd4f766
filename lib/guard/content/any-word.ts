/**
 * "Does any of these words occur in the text, in any ASCII case?", answering exactly what
 * `new RegExp(words.join('|'), 'i').test(text)` answers. On long text that alternation
 * costs about as much as lexing the text (common first letters make it try at almost every
 * character), so long text is searched by anchors instead: a word is looked for only where
 * one of its rarer characters occurs, which one native indexOf pass per character (and case)
 * finds. An anchor that occurs too often is given up for the word's next one; a word whose
 * anchors all occur too often goes into an alternation over the whole text, as before. The
 * cost is bounded by that alternation plus a few indexOf passes.
 */

/** Rarest first (English letter frequency); punctuation is rarer, digits are commoner. */
const LETTER_RARITY = 'zqxjkvbpygfwmucldrhsnioate';

/** Text shorter than this gets the alternation: for the short statements knex builds it is fastest. */
const LONG_TEXT = 16_384;

/**
 * Long text is searched in pieces of this many characters, every anchor and fallback of one
 * piece before the next: a piece stays in the core's cache, so the text comes from memory
 * once, not once per anchor (on a 16 MB text that was most of what the prefilter cost).
 */
export const SEARCH_PIECE = 1 << 18;

/** Alternations over subsets of the words kept for reuse. */
const MAX_FALLBACKS = 32;

/** Anchors tried per word, rarest first, before the word goes into the alternation. */
const ANCHORS_PER_WORD = 3;

interface Anchor {
  /** What indexOf looks for: a run of punctuation or a digit (case does not apply), or one letter in either case. */
  readonly texts: readonly string[];
  /** Where the anchor begins within the word. */
  readonly offset: number;
}

interface Word {
  /** Lower case. */
  readonly text: string;
  readonly anchors: readonly Anchor[];
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isLetter(code: number): boolean {
  return code >= 97 && code <= 122;
}

/** Of a letter or digit: lower is rarer. */
function rarity(code: number): number {
  return isLetter(code) ? LETTER_RARITY.indexOf(String.fromCharCode(code)) : LETTER_RARITY.length;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * A word's anchors, rarest first: each run of punctuation (`_`, `@@`, `&`) once, each
 * distinct letter or digit once (at its first place). Digits are no part of a run: a run
 * starting with a common character makes indexOf stop at each of them.
 */
function anchorsOf(word: string): Anchor[] {
  const found: Array<Anchor & { rank: number }> = [];
  const seen = new Set<string>();
  for (let i = 0; i < word.length; ) {
    const code = word.charCodeAt(i);
    if (isLetter(code) || isDigit(code)) {
      const c = word[i] as string;
      if (!seen.has(c)) found.push({ texts: isLetter(code) ? [c, c.toUpperCase()] : [c], offset: i, rank: rarity(code) });
      seen.add(c);
      i++;
      continue;
    }
    let j = i;
    while (j < word.length && !isLetter(word.charCodeAt(j)) && !isDigit(word.charCodeAt(j))) j++;
    found.push({ texts: [word.slice(i, j)], offset: i, rank: -1 });
    i = j;
  }
  return found.sort((a, b) => a.rank - b.rank).slice(0, ANCHORS_PER_WORD).map(({ texts, offset }) => ({ texts, offset }));
}

/** `text` has `word` (lower case, ASCII) at `at`, in any ASCII case. */
function matchesAt(text: string, at: number, word: string): boolean {
  if (at < 0 || at + word.length > text.length) return false;
  for (let k = 0; k < word.length; k++) {
    const w = word.charCodeAt(k);
    const c = text.charCodeAt(at + k);
    // `| 0x20` maps exactly the ASCII upper-case letters onto lower case among the codes a letter can equal.
    if (c !== w && !(isLetter(w) && (c | 0x20) === w)) return false;
  }
  return true;
}

export class AnyWord {
  private readonly whole: RegExp;
  private readonly words: Word[];
  /** No anchor search: no words, an empty one or a non-ASCII one (whose /i matches go beyond ASCII case). */
  private readonly plain: boolean;
  /** Alternations over the words no anchor decided, by their joined source. */
  private readonly fallbacks = new Map<string, RegExp>();
  /** The longest word's length. */
  private readonly longest: number;

  constructor(words: readonly string[]) {
    this.whole = new RegExp(words.map(escape).join('|'), 'i');
    this.plain = words.length === 0 || words.some((w) => w === '' || w !== w.toLowerCase() || [...w].some((c) => c.charCodeAt(0) >= 128));
    this.words = this.plain ? [] : words.map((text) => ({ text, anchors: anchorsOf(text) }));
    this.longest = words.reduce((most, word) => Math.max(most, word.length), 0);
  }

  test(text: string): boolean {
    if (this.plain || text.length < LONG_TEXT) return this.whole.test(text);
    if (text.length <= SEARCH_PIECE) return this.testPiece(text);
    // Piece by piece (see SEARCH_PIECE). A piece runs on past its end by the longest word's
    // length less one, so every occurrence starting in it lies in it whole: pieces together
    // answer for the text. A slice of a flat string is a view, not a copy.
    for (let from = 0; from < text.length; from += SEARCH_PIECE) {
      if (this.testPiece(text.slice(from, from + SEARCH_PIECE + this.longest - 1))) return true;
    }
    return false;
  }

  /** The anchor search over one piece of text. */
  private testPiece(text: string): boolean {
    if (text.length < LONG_TEXT) return this.whole.test(text);
    // Anchor occurrences per anchor text, found once per call; null: too many to check one by one.
    const occurrences = new Map<string, number[] | null>();
    const limit = 256 + (text.length >> 10);
    const undecided: string[] = [];
    for (const word of this.words) {
      let decided = false;
      for (const anchor of word.anchors) {
        let tooMany = false;
        for (const anchorText of anchor.texts) {
          let at = occurrences.get(anchorText);
          if (at === undefined) occurrences.set(anchorText, (at = find(text, anchorText, limit)));
          if (at === null) {
            tooMany = true;
            break;
          }
          for (const p of at) if (matchesAt(text, p - anchor.offset, word.text)) return true;
        }
        if (!tooMany) {
          decided = true;
          break;
        }
      }
      if (!decided) undecided.push(word.text);
    }
    if (undecided.length === 0) return false;
    const source = undecided.map(escape).join('|');
    let regex = this.fallbacks.get(source);
    if (regex === undefined) {
      // Texts choose the subset: keep the cache small whatever they choose.
      if (this.fallbacks.size >= MAX_FALLBACKS) this.fallbacks.clear();
      this.fallbacks.set(source, (regex = new RegExp(source, 'i')));
    }
    return regex.test(text);
  }
}

/** Every index of `needle` in `text` (overlapping ones too), or null when there are more than `limit`. */
function find(text: string, needle: string, limit: number): number[] | null {
  const at: number[] = [];
  for (let p = text.indexOf(needle); p >= 0; p = text.indexOf(needle, p + 1)) {
    if (at.length === limit) return null;
    at.push(p);
  }
  return at;
}
