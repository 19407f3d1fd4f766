/**
 * A bounded map from SQL text to a value that never hashes the text. knex builds a new
 * string for every query, so a `Map<string, …>` lookup hashes the whole text each time
 * (V8 keeps a string's hash, but every query's string is new), which on a cached verdict
 * was most of what the guard cost per query. Here the slot is chosen by the length and
 * four characters of the text, and the entry by `===` (the engine compares the characters
 * in bulk, and stops at the first difference): exact, like the Map, only cheaper to ask.
 * More characters cost more than they save: each read of a text knex built goes through
 * V8's tree of its pieces (measured: 32 reads doubled the lookup).
 *
 * The table is one flat array of [text, value] pairs probed linearly (PROBES slots from
 * the home slot): a hit reads one array element and one string, where buckets of entry
 * objects behind a Map cost four objects, each one more cache miss between two queries
 * that touch most of knex. It grows up to twice `limit` slots, and is emptied when it
 * holds `limit` entries.
 */
export class TextCache<V> {
  /** text, value, text, value, …; `undefined` text: an empty slot. */
  private slots: Array<string | V | undefined> = new Array(2 * FIRST_SLOTS).fill(undefined);
  private shift = 32 - Math.log2(FIRST_SLOTS);
  private entries = 0;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.entries;
  }

  get(text: string): V | undefined {
    const slots = this.slots;
    const wrap = slots.length - 1;
    let i = home(text, this.shift);
    for (let probe = 0; probe < PROBES; probe++) {
      const stored = slots[i];
      if (stored === text) return slots[i + 1] as V;
      if (stored === undefined) return undefined;
      i = (i + 2) & wrap;
    }
    return undefined;
  }

  /** Stores `value` for a text not in the cache (get() returned undefined for it). */
  set(text: string, value: V): void {
    if (this.entries >= this.limit) this.clear();
    else if (2 * (this.entries + 1) > this.slots.length >> 1 && this.slots.length < 4 * this.limit) this.grow();
    this.place(flatCopy(text), value);
  }

  clear(): void {
    this.slots.fill(undefined);
    this.entries = 0;
  }

  /** Into the first empty slot of its probe run; a full run gives up its home slot (the text there is forgotten). */
  private place(text: string, value: V): void {
    const slots = this.slots;
    const wrap = slots.length - 1;
    const start = home(text, this.shift);
    let i = start;
    for (let probe = 0; probe < PROBES; probe++, i = (i + 2) & wrap) {
      if (slots[i] === undefined) {
        slots[i] = text;
        slots[i + 1] = value;
        this.entries++;
        return;
      }
    }
    slots[start] = text;
    slots[start + 1] = value;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Array(2 * old.length).fill(undefined);
    this.shift--;
    this.entries = 0;
    for (let i = 0; i < old.length; i += 2) {
      const text = old[i];
      if (text !== undefined) this.place(text as string, old[i + 1] as V);
    }
  }
}

/** Slots a table starts with (a power of two); most apps send a few dozen statement shapes. */
const FIRST_SLOTS = 64;

/** Slots looked at from the home slot: statements of one shape differ in few places, so a few suffice. */
const PROBES = 4;

/** The index (even: a text's place) of the home slot of `text` in a table of 2^(32 - shift) slots. */
function home(text: string, shift: number): number {
  return (Math.imul(bucketKey(text), 0x9e3779b1) >>> shift) << 1;
}

/**
 * The text as one flat string of its own. knex's texts are concatenations, which V8 keeps
 * as a tree of pieces until read; the stored copy is flat, so comparing a new text with it
 * is one bulk compare, and it holds none of the pieces of the string it was made from.
 */
function flatCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** The length and the characters at a quarter, half, three quarters and the end, mixed into a small integer. */
export function bucketKey(text: string): number {
  const n = text.length;
  if (n === 0) return 0;
  return ((n << 16) ^ (text.charCodeAt(n >> 2) << 12) ^ (text.charCodeAt(n >> 1) << 8) ^ (text.charCodeAt((n * 3) >> 2) << 4) ^ text.charCodeAt(n - 1)) & 0x3fffffff;
}
