import { expect } from 'chai';
import { createStatementCheck } from '../../lib/guard/client';
import { TextCache } from '../../lib/guard/text-cache';

// The guard's verdict cache holds texts up to 4096 characters. A longer text is classified
// uncached, and its length is checked before any lookup: a lookup reads the text, which for
// a one-off 4–16 KB text is pure waste. Counted, not timed: every cache lookup or store of
// the text itself (lib/guard/text-cache.ts), and every Map call keyed by it, is recorded.

/** Runs `run` while counting cache get/set calls and Map get/has/set calls whose key is exactly `text`. */
function mapCallsKeyedBy(text: string, run: () => void): number {
  type Method = (this: unknown, ...args: unknown[]) => unknown;
  const targets: Array<[Record<string, Method>, string[]]> = [
    [Map.prototype as unknown as Record<string, Method>, ['get', 'has', 'set']],
    [TextCache.prototype as unknown as Record<string, Method>, ['get', 'set']],
  ];
  const restore: Array<() => void> = [];
  let count = 0;
  for (const [proto, names] of targets) {
    for (const name of names) {
      const original = proto[name] as Method;
      proto[name] = function (this: unknown, ...args: unknown[]): unknown {
        if (args[0] === text) count++;
        return original.apply(this, args);
      };
      restore.push(() => {
        proto[name] = original;
      });
    }
  }
  try {
    run();
  } finally {
    for (const undo of restore) undo();
  }
  return count;
}

function filler(length: number): string {
  const head = "insert into t (a) values ('";
  return head + 'x'.repeat(length - head.length - 2) + "')";
}

describe('statement check: cache length limit', () => {
  it('looks a short text up in the cache (the counter sees the lookup)', () => {
    const check = createStatementCheck('sqlite', { role: 'runtime', dangerouslyAllow: [] });
    const sql = filler(200);
    expect(mapCallsKeyedBy(sql, () => expect(check(sql)).to.equal(undefined))).to.be.at.least(1);
  });

  for (const length of [4097, 8192, 16384]) {
    it(`never hashes a ${length}-character text for the cache, and still judges it`, () => {
      const check = createStatementCheck('sqlite', { role: 'runtime', dangerouslyAllow: [] });
      const allowed = filler(length);
      const refused = `${filler(length - 14)}; drop table t`;
      expect([allowed.length, refused.length]).to.deep.equal([length, length]);
      expect(mapCallsKeyedBy(allowed, () => expect(check(allowed)).to.equal(undefined))).to.equal(0);
      expect(mapCallsKeyedBy(allowed, () => expect(check(allowed)).to.equal(undefined))).to.equal(0);
      expect(mapCallsKeyedBy(refused, () => expect(check(refused)?.code).to.equal('E_RUNTIME_DDL'))).to.equal(0);
    });
  }
});
