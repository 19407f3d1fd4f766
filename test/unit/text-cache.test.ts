import { expect } from 'chai';
import { bucketKey, TextCache } from '../../lib/guard/text-cache';
import { seededRandom } from '../support/spelling-variants';

// The verdict cache's store (lib/guard/text-cache.ts) must answer exactly like a Map keyed by
// the text: a wrong answer would hand one statement another's verdict.

/** Texts of one length that share the sampled characters: every one lands in the same bucket. */
function sameBucket(count: number): string[] {
  const base = 'select * from t where a = 0000 and b = 0000 limit 1';
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const digits = String(i).padStart(4, '0');
    const text = base.replace('0000', digits);
    if (bucketKey(text) === bucketKey(base)) out.push(text);
  }
  return out;
}

describe('TextCache', () => {
  it('tells apart texts that share a bucket, by their whole content', () => {
    const texts = sameBucket(4);
    expect(new Set(texts.map(bucketKey)).size).to.equal(1);
    const cache = new TextCache<number>(100);
    texts.forEach((text, i) => cache.set(text, i));
    // Fresh copies, as knex builds them: found by content, not identity.
    texts.forEach((text, i) => expect(cache.get(text.split('').join(''))).to.equal(i));
    expect(cache.get(texts[0]!.replace('limit 1', 'limit 2'))).to.equal(undefined);
  });

  it('keeps the last four texts of a full bucket and forgets the oldest', () => {
    const texts = sameBucket(6);
    const cache = new TextCache<number>(100);
    texts.forEach((text, i) => cache.set(text, i));
    expect(texts.map((text) => cache.get(text))).to.deep.equal([undefined, undefined, 2, 3, 4, 5]);
    expect(cache.size).to.equal(4);
  });

  it('keeps an offered text from its second sight on, and a text offered once not at all', () => {
    const cache = new TextCache<number>(100);
    const text = 'select * from "items" where "id" = 7 limit 1';
    cache.offer(text, 1);
    expect([cache.get(text), cache.size]).to.deep.equal([undefined, 0]);
    cache.offer(text.split('').join(''), 1);
    expect([cache.get(text), cache.size]).to.deep.equal([1, 1]);
    // Texts each offered once (values written into the SQL): nothing stored.
    for (let i = 0; i < 5000; i++) cache.offer(`select * from "items" where "id" = ${i} and ${i} >= 0`, 0);
    expect(cache.size).to.equal(1);
  });

  it('empties itself when it holds `limit` entries', () => {
    const cache = new TextCache<number>(3);
    for (const text of ['a', 'bb', 'ccc']) cache.set(text, text.length);
    expect(cache.size).to.equal(3);
    cache.set('dddd', 4);
    expect([cache.get('a'), cache.get('dddd'), cache.size]).to.deep.equal([undefined, 4, 1]);
  });

  it('answers as a Map would over random texts, lookups and stores (seeded)', () => {
    const random = seededRandom(3);
    const alphabet = "ab ';-\u00e9\u{1F600}";
    const texts = Array.from({ length: 300 }, () => Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    const cache = new TextCache<number>(1_000_000);
    const map = new Map<string, number>();
    let hits = 0;
    for (let step = 0; step < 20_000; step++) {
      const text = texts[Math.floor(random() * texts.length)] as string;
      const got = cache.get(text);
      // A bucket may have forgotten a text (it keeps four): never a wrong value.
      if (got !== undefined) {
        expect(got, JSON.stringify(text)).to.equal(map.get(text));
        hits++;
      } else {
        cache.set(text, step);
        map.set(text, step);
      }
    }
    expect(hits).to.be.greaterThan(10_000);
  });
});
