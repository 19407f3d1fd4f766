import { expect } from 'chai';
import { dialectModule } from '../../lib/dialects/registry';
import { AnyWord, SEARCH_PIECE } from '../../lib/guard/content/any-word';
import { prefilterFor, prefilterWordsFor } from '../../lib/guard/guard-rules';
import type { Dialect } from '../../lib/types';
import { seededRandom } from '../support/spelling-variants';

// AnyWord (the content prefilter's search) must answer exactly what the one alternation
// answers, on long text (its anchor search) as on short. Generated texts are built from
// the words' own characters, in both cases, with near misses and planted words, some dense
// enough that anchors are given up (the alternation fallback) and some sparse.

const DIALECTS: readonly Dialect[] = ['postgres', 'mysql', 'sqlite'];

/** Extra lists: anchors that are runs of non-letters, digits, short words, one word inside another's letters. */
const EXTRA_LISTS: readonly (readonly string[])[] = [['@@', 'sys', 'mysql'], ['fts3_tok', 'edit', 'a_b', 'zz'], ['__', 'xy'], ['u&', 'pg_', 'lowrite'], ['k3y_', 'o&o']];

function caseMix(random: () => number, text: string): string {
  let out = '';
  for (const c of text) out += random() < 0.5 ? c.toUpperCase() : c;
  return out;
}

/** ~`length` characters drawn from the words' characters (both cases), neighbours of them in ASCII, and filler. */
function text(random: () => number, words: readonly string[], length: number, dense: boolean): string {
  const chars = [...new Set(words.join(''))];
  // Near misses: codes next to the words' characters, and the code `| 0x20` would fold onto them.
  const near = chars.flatMap((c) => [c.charCodeAt(0) - 1, c.charCodeAt(0) + 1, c.charCodeAt(0) ^ 0x20].filter((k) => k > 0 && k < 128).map((k) => String.fromCharCode(k)));
  const filler = [' ', ',', "'", '1', '.', '\n', 'ſ', 'K', 'ı'];
  // Parts of words, and words with one non-letter swapped for its `^ 0x20` neighbour (which `| 0x20` would fold onto it).
  const swapped = words.flatMap((w) => [...w].flatMap((c, i) => (/[a-z]/.test(c) ? [] : [w.slice(0, i) + String.fromCharCode(c.charCodeAt(0) ^ 0x20) + w.slice(i + 1)])));
  const fragments = [...words.flatMap((w) => [w.slice(0, -1), w.slice(1), w.slice(0, w.length >> 1)]), ...swapped].filter((f) => f !== '');
  let out = '';
  while (out.length < length) {
    const r = random();
    if (dense ? r < 0.05 : r < 0.002) out += caseMix(random, chars[Math.floor(random() * chars.length)] as string);
    else if (r < (dense ? 0.3 : 0.003)) out += caseMix(random, fragments[Math.floor(random() * fragments.length)] as string);
    else if (r < (dense ? 0.5 : 0.004)) out += near[Math.floor(random() * near.length)] ?? ' ';
    else out += filler[Math.floor(random() * filler.length)];
  }
  return out;
}

function escapedAlternation(words: readonly string[]): RegExp {
  return new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
}

function check(words: readonly string[], seed: number, cases: number): number {
  const random = seededRandom(seed);
  const search = new AnyWord(words);
  const reference = escapedAlternation(words);
  let matched = 0;
  for (let k = 0; k < cases; k++) {
    const length = random() < 0.2 ? Math.floor(random() * 200) : 16_384 + Math.floor(random() * 30_000);
    let sample = text(random, words, length, random() < 0.5);
    const plant = random();
    const word = words[Math.floor(random() * words.length)] as string;
    // A planted word at the start, the end or anywhere (or none).
    if (plant < 0.15) sample = caseMix(random, word) + sample;
    else if (plant < 0.3) sample += caseMix(random, word);
    else if (plant < 0.6) {
      const at = Math.floor(random() * sample.length);
      sample = sample.slice(0, at) + caseMix(random, word) + sample.slice(at);
    }
    const expected = reference.test(sample);
    if (expected) matched++;
    expect(search.test(sample), `seed ${seed} case ${k} (${words.join('|')})`).to.equal(expected);
  }
  return matched;
}

describe('AnyWord: the content prefilter search', () => {
  for (const dialect of DIALECTS) {
    it(`${dialect}: answers as the prefilter alternation does`, () => {
      const rules = dialectModule(dialect).guardRules;
      const words = prefilterWordsFor(rules, rules.prefilterWords);
      expect(escapedAlternation(words).source).to.equal(prefilterFor(rules, rules.prefilterWords).source);
      const matched = check(words, 1234 + words.length, 400);
      // Both answers occur often enough for the comparison to mean something.
      expect(matched).to.be.within(40, 360);
    });
  }

  EXTRA_LISTS.forEach((words, index) => {
    it(`answers as the alternation does for ${words.join(', ')}`, () => {
      const matched = check(words, 99 + index, 400);
      expect(matched).to.be.within(40, 360);
    });
  });

  it('finds a word next to anchors that are given up, and misses on near misses alone', () => {
    const search = new AnyWord(['pg_', 'dblink']);
    const underscores = 'a_'.repeat(20_000);
    expect(search.test(underscores)).to.equal(false);
    expect(search.test(`${underscores}Pg_`)).to.equal(true);
    expect(search.test(`DBLINK${'k'.repeat(20_000)}`)).to.equal(true);
    expect(search.test(`pg\u007f${' '.repeat(20_000)}dbLin`)).to.equal(false);
    expect(new AnyWord(['@@']).test(`${'`@'.repeat(10_000)}\`\``)).to.equal(false);
    expect(new AnyWord(['@@']).test(`${' '.repeat(20_000)}@@`)).to.equal(true);
  });

  it('searches text longer than a piece piece by piece: a word across two pieces is found, none is made up of two', () => {
    // Text over several pieces (SEARCH_PIECE), a word planted so that it crosses a boundary at every offset.
    const words = ['pg_read_file', 'dblink', 'u&'];
    const search = new AnyWord(words);
    const filler = 'insert into t values (1, \'a_b\', \'dbl ink\', 2.5), '.repeat(Math.ceil((3 * SEARCH_PIECE) / 45));
    expect(filler.length).to.be.above(3 * SEARCH_PIECE);
    expect(search.test(filler)).to.equal(false);
    for (const word of words) {
      for (let offset = 0; offset <= word.length; offset++) {
        for (const boundary of [SEARCH_PIECE, 2 * SEARCH_PIECE]) {
          const at = boundary - word.length + offset;
          const planted = filler.slice(0, at) + word.toUpperCase() + filler.slice(at + word.length);
          expect(search.test(planted), `${word} at ${at}`).to.equal(true);
        }
      }
    }
    // Halves of a word on either side of a boundary, the text between them removed: no match.
    const split = filler.slice(0, SEARCH_PIECE - 3) + 'pg_' + 'x'.repeat(SEARCH_PIECE) + 'read_file' + filler.slice(0, SEARCH_PIECE);
    expect(search.test(split)).to.equal(false);
    expect(escapedAlternation(words).test(split)).to.equal(false);
  });

  it('matches any text when a word is empty or there are none, as the alternation does', () => {
    const long = ' '.repeat(20_000);
    expect(new AnyWord([]).test(long)).to.equal(true);
    expect(new AnyWord(['', 'x']).test(long)).to.equal(true);
  });
});
