import { expect } from 'chai';
import { createStatementCheck } from '../../lib/guard/client';

// The guard's verdict cache holds texts up to 4096 characters. A longer text is classified
// uncached, and its length is checked before any lookup: a Map lookup hashes the whole
// string, which for a one-off 4–16 KB text is pure waste. Counted, not timed: every Map
// lookup or store keyed by the text itself is recorded while the check runs.

/** Runs `run` while counting Map get/has/set calls whose key is exactly `text`. */
function mapCallsKeyedBy(text: string, run: () => void): number {
  const proto = Map.prototype as unknown as Record<'get' | 'has' | 'set', (this: Map<unknown, unknown>, ...args: unknown[]) => unknown>;
  const originals = { get: proto.get, has: proto.has, set: proto.set };
  let count = 0;
  for (const name of ['get', 'has', 'set'] as const) {
    const original = originals[name];
    proto[name] = function (this: Map<unknown, unknown>, ...args: unknown[]): unknown {
      if (args[0] === text) count++;
      return original.apply(this, args);
    };
  }
  try {
    run();
  } finally {
    proto.get = originals.get;
    proto.has = originals.has;
    proto.set = originals.set;
  }
  return count;
}

function filler(length: number): string {
  const head = "insert into t (a) values ('";
  return head + 'x'.repeat(length - head.length - 2) + "')";
}

describe('statement check: cache length limit', () => {
  it('looks a short text up in the cache (the counter sees Map use)', () => {
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
