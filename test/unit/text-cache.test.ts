import { expect } from 'chai';
import { bucketKey, TextCache } from '../../lib/guard/text-cache';
import { seededRandom } from '../support/spelling-variants';

// The verdict cache's store (lib/guard/text-cache.ts) must answer exactly like a Map keyed by
// the text: a wrong answer would hand one statement another's verdict.

/** Texts of one length that share the sampled characters: every one has the same home slot. */
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

  it('keeps four texts of one home slot, always the newest, and forgets one to make room', () => {
    const texts = sameBucket(6);
    const cache = new TextCache<number>(100);
    texts.forEach((text, i) => {
      cache.set(text, i);
      // The text just stored is found at once: a new statement shape is cached, whatever it displaced.
      expect(cache.get(text), `text ${i}`).to.equal(i);
    });
    const found = texts.map((text) => cache.get(text));
    expect(found.filter((value) => value !== undefined)).to.have.length(4);
    found.forEach((value, i) => expect(value === undefined || value === i, `text ${i}`).to.equal(true));
    expect(cache.size).to.equal(4);
  });

  it('keeps what it holds as it grows (2000 distinct texts, limit 2000)', () => {
    const cache = new TextCache<number>(2000);
    // Texts of distinct keys (a key is the length and four characters): what the table keeps apart.
    const byKey = new Map<number, string>();
    for (let i = 0; byKey.size < 1999; i++) {
      const text = `select ${'*, '.repeat(i % 41)}id from t${i} where id = ${i * 7}`;
      if (!byKey.has(bucketKey(text))) byKey.set(bucketKey(text), text);
    }
    const texts = [...byKey.values()];
    texts.forEach((text, i) => cache.set(text, i));
    const found = texts.filter((text, i) => cache.get(text) === i).length;
    // Home slots of distinct keys collide now and then (four probes per slot): nearly all are kept, none answers wrong.
    expect(texts.every((text, i) => cache.get(text) === undefined || cache.get(text) === i)).to.equal(true);
    expect(found).to.be.greaterThan(1900);
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
