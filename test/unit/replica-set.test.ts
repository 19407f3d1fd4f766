import { expect } from 'chai';
import type { Knex } from 'knex';
import { withReadYourWrites } from '../../lib';
import { currentScope } from '../../lib/replicas/read-your-writes';
import { REPLICA_DOWN_WARNING, ReplicaSet, type Replica } from '../../lib/replicas/replica-set';
import { warningsDuring } from '../support/warnings';

function replicas(n: number): Replica[] {
  return Array.from({ length: n }, (_, i) => ({ knex: {} as Knex, label: `r${i + 1}:5432/db (PG_READ_URL, entry ${i + 1})`, target: `r${i + 1}:5432/db`, variable: 'PG_READ_URL', entry: i + 1, downUntil: 0 }));
}

describe('ReplicaSet: round robin, down replicas skipped and retried', () => {
  it('hands replicas out in turn', () => {
    const set = new ReplicaSet(replicas(3), 1000, []);
    expect([1, 2, 3, 4, 5, 6].map(() => set.pick(0)?.entry)).to.deep.equal([1, 2, 3, 1, 2, 3]);
  });

  it('skips one that is down until retryAfterMs has passed, then offers it again', async () => {
    const list = replicas(2);
    const set = new ReplicaSet(list, 1000, []);
    const warnings = await warningsDuring(async () => set.down(list[0] as Replica, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 10));
    expect(warnings.map((w) => w.code)).to.deep.equal([REPLICA_DOWN_WARNING]);
    expect(warnings[0]?.message).to.include('r1:5432/db (PG_READ_URL, entry 1)').and.include('ECONNREFUSED').and.include('the other replicas');
    expect([20, 30, 1009].map((now) => set.pick(now)?.entry)).to.deep.equal([2, 2, 2]);
    expect(set.pick(1010)?.entry).to.equal(1);
  });

  it('warns once per time a replica goes down, and names the primary when none is left', async () => {
    const list = replicas(1);
    const set = new ReplicaSet(list, 1000, []);
    const warnings = await warningsDuring(async () => {
      set.down(list[0] as Replica, new Error('timeout expired'), 0);
      set.down(list[0] as Replica, new Error('timeout expired'), 500);
    });
    expect(warnings).to.have.length(1);
    expect(warnings[0]?.message).to.include('reads go to the primary');
    expect(set.pick(500)).to.equal(undefined);
  });

  it('never offers a replica a read has already tried', () => {
    const list = replicas(2);
    const set = new ReplicaSet(list, 0, []);
    expect(set.pick(0, new Set([list[0] as Replica]))?.entry).to.equal(2);
    expect(set.pick(0, new Set(list))).to.equal(undefined);
  });

  it('the warning never carries a password the driver error echoed', async () => {
    const list = replicas(1);
    const set = new ReplicaSet(list, 1000, ['hunter2']);
    const warnings = await warningsDuring(async () => set.down(list[0] as Replica, new Error('login as app:hunter2 failed'), 0));
    expect(warnings[0]?.message).not.to.include('hunter2');
  });
});

describe('withReadYourWrites', () => {
  it('runs the function in a scope of its own; a nested call joins it; outside there is none', async () => {
    expect(currentScope()).to.equal(undefined);
    const result = await withReadYourWrites(async () => {
      const outer = currentScope();
      expect(outer).to.deep.equal({ wrote: false });
      await new Promise((resolve) => setImmediate(resolve));
      expect(currentScope()).to.equal(outer);
      return withReadYourWrites(() => currentScope() === outer);
    });
    expect(result).to.equal(true);
    expect(currentScope()).to.equal(undefined);
  });
});
