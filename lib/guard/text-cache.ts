/**
 * A bounded map from SQL text to a value that never hashes the text. knex builds a new
 * string for every query, so a `Map<string, …>` lookup hashes the whole text each time
 * (V8 keeps a string's hash, but every query's string is new), which on a cached verdict
 * was most of what the guard cost per query. Here the bucket is chosen by the length and
 * four characters of the text, and the entry by `===` (the engine compares the characters
 * in bulk, and stops at the first difference): exact, like the Map, only cheaper to ask.
 *
 * Texts that share length and sampled characters share a bucket; a bucket keeps its last
 * BUCKET_SIZE texts. The whole cache is emptied when it holds `limit` entries.
 */
export class TextCache<V> {
  private readonly buckets = new Map<number, Array<{ readonly text: string; readonly value: V }>>();
  private entries = 0;
  private readonly once: Array<string | undefined> = new Array<string | undefined>(ONCE_SLOTS);

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.entries;
  }

  get(text: string): V | undefined {
    const bucket = this.buckets.get(bucketKey(text));
    if (bucket === undefined) return undefined;
    for (const entry of bucket) if (entry.text === text) return entry.value;
    return undefined;
  }

  /** Stores `value` for a text not in the cache (get() returned undefined for it). */
  set(text: string, value: V): void {
    if (this.entries >= this.limit) this.clear();
    const key = bucketKey(text);
    const bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.buckets.set(key, [{ text, value }]);
    } else {
      if (bucket.length >= BUCKET_SIZE) {
        bucket.shift();
        this.entries--;
      }
      bucket.push({ text, value });
    }
    this.entries++;
  }

  /**
   * Stores `value` for a text not in the cache the second time the text is offered: a text
   * seen once (every query of an app that writes its values into the SQL) would only fill
   * the cache and the heap, and be cleared unread. The first sight is kept in one slot per
   * bucket key (a string, no entry made), so two texts that share a slot wait for each other.
   */
  offer(text: string, value: V): void {
    const slot = bucketKey(text) & (ONCE_SLOTS - 1);
    if (this.once[slot] === text) this.set(text, value);
    else this.once[slot] = text;
  }

  clear(): void {
    this.buckets.clear();
    this.entries = 0;
    this.once.fill(undefined);
  }
}

/** First sights remembered by offer(). */
const ONCE_SLOTS = 1024;

/** Texts kept per bucket: statements of one shape differ in few places, so a few suffice. */
const BUCKET_SIZE = 4;

/** The length and the characters at a quarter, half, three quarters and the end, mixed into a small integer. */
export function bucketKey(text: string): number {
  const n = text.length;
  if (n === 0) return 0;
  return ((n << 16) ^ (text.charCodeAt(n >> 2) << 12) ^ (text.charCodeAt(n >> 1) << 8) ^ (text.charCodeAt((n * 3) >> 2) << 4) ^ text.charCodeAt(n - 1)) & 0x3fffffff;
}
