import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { UnreachableError } from '../../lib/errors';
import { MigrationFailedError } from '../../lib/errors';
import { runMigrations } from '../../lib/migrate/run-migrations';
import type { MigrateEvent, MigrateOptions, MigrateResult } from '../../lib/migrate/types';
import type { Dialect } from '../../lib/types';
import { testDialects } from '../support/dialects';
import { freePort } from '../support/free-port';
import { tempProject } from '../support/hermetic';
import { ROOT, commandEnv } from '../support/run-command';
import { BASIC, FIXTURES, TABLE, lockRow, options, recorded, rejection, migrateSuite } from '../fixtures/migrate-support';

const SLOW = ['20260303000001_slow.js', '20260303000002_after_slow.js'];
const FAILING = ['20260302000001_create_ok.js', '20260302000002_fails_halfway.js'];

interface ChildRun {
  events: MigrateEvent[];
  result?: MigrateResult;
  error?: { name?: string; code?: string; message?: string; remedy?: string };
  exitCode: number | null;
}

interface Child {
  done: Promise<ChildRun>;
  /** Resolves at the first event matching `test` (rejects if the process ends first). */
  until(test: (e: MigrateEvent) => boolean): Promise<void>;
  /** Lets a held run go on (see test/fixtures/migrate-slow). */
  release(): void;
}

const children = new Set<Child>();

/**
 * runMigrations in a separate process (its own knex, pool and, on SQLite, its own file
 * locks), in a throwaway directory with only the variables it is given. With `hold`, it
 * stops inside the slow migration until released.
 */
function child(env: Record<string, string>, command: string, opts: Omit<MigrateOptions, 'env' | 'onProgress'>, hold = false): Child {
  const proc = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), join(ROOT, 'test/fixtures/migrate-child/run.ts'), JSON.stringify({ command, options: opts })], {
    cwd: tempProject('knex-roles-child-'),
    env: commandEnv({ KR_TEST_ENV: JSON.stringify(env), TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...(hold ? { MT_HOLD: '1' } : {}) }),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const run: ChildRun = { events: [], exitCode: null };
  const waiters: Array<{ test: (e: MigrateEvent) => boolean; resolve: () => void }> = [];
  let buffer = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const [kind, json] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
      if (kind === 'event') {
        const event = JSON.parse(json) as MigrateEvent;
        run.events.push(event);
        for (const waiter of waiters.filter((w) => w.test(event))) waiter.resolve();
      } else if (kind === 'result') run.result = JSON.parse(json) as MigrateResult;
      else if (kind === 'error') run.error = JSON.parse(json) as ChildRun['error'];
    }
  });
  const done = new Promise<ChildRun>((resolve) => proc.once('exit', (code) => resolve(Object.assign(run, { exitCode: code }))));
  const handle: Child = {
    done,
    until: (test) =>
      new Promise<void>((resolve, reject) => {
        if (run.events.some(test)) return resolve();
        waiters.push({ test, resolve });
        void done.then(() => reject(new Error(`child ended without the awaited event: ${JSON.stringify(run)}`)));
      }),
    release: () => void proc.stdin.end('release\n'),
  };
  children.add(handle);
  void done.then(() => children.delete(handle));
  return handle;
}

for (const dialect of testDialects()) {
  describe(`migrate faults on ${dialect}`, () => {
    const suite = migrateSuite(dialect);

    // A failed test must not leave a held child behind (its pipes would keep mocha alive).
    afterEach(async () => {
      const left = [...children];
      for (const run of left) run.release();
      await Promise.all(left.map((run) => run.done));
    });

    it('two concurrent latest runs in separate processes apply each migration exactly once', async () => {
      const opts = { knex: { migrations: { directory: FIXTURES.slow, tableName: TABLE } } };
      // From an empty database, so the two also race to create the migrations tables.
      const runs = [child(suite.env, 'latest', opts, true), child(suite.env, 'latest', opts, true)] as const;
      // The first to reach its slow migration holds there; the other meets the lock meanwhile.
      const first = await Promise.race(runs.map((run, i) => run.until((e) => e.type === 'migrating').then(() => i)));
      const [winner, loser] = first === 0 ? [runs[0], runs[1]] : [runs[1], runs[0]];
      await Promise.race([loser.until((e) => e.type === 'waiting'), loser.done]);
      winner.release();
      const [won, lost] = await Promise.all([winner.done, loser.done]);
      // They did overlap: the loser met the lock the winner held.
      expect(lost.events.map((e) => e.type), JSON.stringify(lost)).to.include('waiting').and.not.include('migrating');
      expect(won.exitCode, JSON.stringify(won)).to.equal(0);
      expect(won.result?.applied).to.deep.equal(SLOW);
      if (lost.exitCode !== 0) expect(lost.error?.code, JSON.stringify(lost)).to.equal('E_MIGRATION_LOCKED');
      else expect(lost.result).to.deep.include({ ok: true, applied: [] });
      expect(await recorded(suite.db)).to.deep.equal(SLOW);
      expect(await lockRow(suite.db)).to.deep.equal([0]);
      expect(await suite.db.schema.hasTable('mt_after_slow')).to.equal(true);
    });

    it('a live holder: the second run waits lockTimeoutMs, then E_MIGRATION_LOCKED without suggesting unlock', async () => {
      const holder = child(suite.env, 'latest', { knex: { migrations: { directory: FIXTURES.slow, tableName: TABLE } } }, true);
      await holder.until((e) => e.type === 'migrating');
      const second = options(suite.env, FIXTURES.slow, { lockTimeoutMs: 500 });
      const started = Date.now();
      const error = await rejection(runMigrations('latest', second));
      expect(error.code).to.equal('E_MIGRATION_LOCKED');
      expect(Date.now() - started).to.be.at.least(500);
      expect(error.message).to.match(/in progress/);
      expect(error.remedy).to.include('Do not unlock').and.not.include('migrate:unlock');
      expect(second.events.some((e) => e.type === 'migrating')).to.equal(false);
      holder.release();
      const first = await holder.done;
      expect(first.exitCode, JSON.stringify(first)).to.equal(0);
      expect(first.result?.applied).to.deep.equal(SLOW);
      expect(await recorded(suite.db)).to.deep.equal(SLOW);
      expect(await lockRow(suite.db)).to.deep.equal([0]);
    });

    it('a lock left by a dead run: E_MIGRATION_LOCKED after lockTimeoutMs, nothing changed', async () => {
      await runMigrations('latest', options(suite.env, FIXTURES.basic));
      await suite.db(`${TABLE}_lock`).update({ is_locked: 1 });
      // Two bounds ten times apart: each wait lasts at least its bound, and the long one
      // lasts most of the difference longer, so lockTimeoutMs (not a default) ends the wait.
      const waited: number[] = [];
      for (const lockTimeoutMs of [250, 2500]) {
        const run = options(suite.env, FIXTURES.basic, { lockTimeoutMs });
        const started = Date.now();
        const error = await rejection(runMigrations('rollback', run));
        waited.push(Date.now() - started);
        expect(error.code).to.equal('E_MIGRATION_LOCKED');
        expect(waited.at(-1)).to.be.at.least(lockTimeoutMs);
        expect(run.events.filter((e) => e.type === 'waiting')).to.have.length(1);
        if (dialect === 'sqlite') {
          // Nothing on SQLite tells a dead holder from a live one: no unlock advice.
          expect(error.remedy).not.to.include('migrate:unlock');
        } else {
          expect(error.message).to.include('no knex-roles migration run is alive');
          expect(error.remedy).to.include('npx knex migrate:unlock');
        }
      }
      const [short = 0, long = 0] = waited;
      expect(long - short, `lockTimeoutMs 250 waited ${short} ms, 2500 waited ${long} ms`).to.be.at.least(1125);
      expect(await recorded(suite.db)).to.deep.equal(BASIC);
      expect(await lockRow(suite.db)).to.deep.equal([1]);

      // Released (what migrate:unlock does), the same command runs normally.
      await suite.db(`${TABLE}_lock`).update({ is_locked: 0 });
      expect((await runMigrations('rollback', options(suite.env, FIXTURES.basic))).rolledBack).to.deep.equal([...BASIC].reverse());
    });

    it(`a migration that fails halfway: ${dialect === 'mysql' ? 'its DDL so far is kept, its row is not written' : 'nothing of it remains'}`, async () => {
      const run = options(suite.env, FIXTURES.failing);
      const error = await rejection(runMigrations('latest', run));
      expect(error).to.be.instanceOf(MigrationFailedError);
      const failed = error as MigrationFailedError;
      expect(failed.code).to.equal('E_MIGRATION_FAILED');
      expect(failed.migration).to.equal(FAILING[1]);
      expect(failed.message).to.match(/^Migration 20260302000002_fails_halfway\.js failed: .*mt_no_such_table/);
      expect(run.events.map((e) => `${e.type} ${e.name}`)).to.deep.equal([`migrating ${FAILING[0]}`, `migrated ${FAILING[0]}`, `migrating ${FAILING[1]}`, `error ${FAILING[1]}`]);
      expect(await lockRow(suite.db)).to.deep.equal([0]);
      if (dialect === 'mysql') {
        expect(failed.remedy).to.include('commit each DDL statement implicitly').and.include(`Kept from this run: ${FAILING[0]}`);
        expect(failed.kept).to.deep.equal([FAILING[0]]);
        expect(await suite.db.schema.hasTable('mt_partial')).to.equal(true); // the leftover
        expect(await recorded(suite.db)).to.deep.equal([FAILING[0]]); // no row for the failed one
        // Recovery: remove the leftover, fix the migration, run again.
        await suite.db.schema.dropTable('mt_partial');
      } else {
        expect(failed.remedy).to.match(/^Nothing of 20260302000002_fails_halfway\.js remains/).and.include('Nothing else of this run was kept');
        expect(failed.kept).to.deep.equal([]);
        expect(await suite.db.schema.hasTable('mt_partial')).to.equal(false);
        expect(await suite.db.schema.hasTable('mt_ok')).to.equal(false); // latest ran the batch in one transaction
        expect(await recorded(suite.db)).to.deep.equal([]);
      }
      (globalThis as { MT_FIX_FAILING?: boolean }).MT_FIX_FAILING = true;
      try {
        const again = await runMigrations('latest', options(suite.env, FIXTURES.failing));
        expect(again.applied).to.deep.equal(dialect === 'mysql' ? [FAILING[1]] : FAILING);
      } finally {
        delete (globalThis as { MT_FIX_FAILING?: boolean }).MT_FIX_FAILING;
      }
      expect(await recorded(suite.db)).to.deep.equal(FAILING);
    });

    it('errors never repeat a password, not even one bound into the failing statement', async () => {
      const secret = suite.env['DB_TEST_MIGRATION_PASSWORD'] as string;
      (globalThis as { MT_SECRET?: string }).MT_SECRET = secret;
      try {
        const run = options(suite.env, FIXTURES.secret);
        const error = await rejection(runMigrations('latest', run));
        expect(error.code).to.equal('E_MIGRATION_FAILED');
        expect(error.message).to.include('mt_no_such_table');
        const everything = [error.message, error.remedy, JSON.stringify(error), String((error.cause as Error | undefined)?.message), JSON.stringify(run.events)].join('\n');
        expect(everything).not.to.include(secret);
      } finally {
        delete (globalThis as { MT_SECRET?: string }).MT_SECRET;
      }
    });

    if (dialect !== 'sqlite') {
      it('an unreachable server is E_UNREACHABLE, naming host and port only', async () => {
        const port = String(await freePort());
        const prefix = (dialect satisfies Exclude<Dialect, 'sqlite'>) === 'postgres' ? 'PG' : 'DB';
        const error = await rejection(runMigrations('latest', options({ ...suite.env, [`${prefix}_TEST_PORT`]: port }, FIXTURES.basic)));
        expect(error).to.be.instanceOf(UnreachableError);
        expect(error.code).to.equal('E_UNREACHABLE');
        expect(error.message).to.include(`:${port}`).and.not.include(suite.env[`${prefix}_TEST_MIGRATION_PASSWORD`] as string);
      });
    }
  });
}
