import { expect } from 'chai';
import type { Knex } from 'knex';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { UnreachableError } from '../../lib/errors';
import { MigrationFailedError } from '../../lib/migrate/errors';
import { runMigrations } from '../../lib/migrate/run-migrations';
import type { MigrateEvent, MigrateOptions, MigrateResult } from '../../lib/migrate/types';
import type { Dialect } from '../../lib/types';
import { testDialects } from '../support/dialects';
import { freePort } from '../support/free-port';
import { BASIC, FIXTURES, TABLE, cleanup, inspector, lockRow, options, recorded, rejection, suiteEnv } from '../fixtures/migrate-support';

const ROOT = join(__dirname, '../..');
const SLOW = ['20260303000001_slow.js', '20260303000002_after_slow.js'];
const FAILING = ['20260302000001_create_ok.js', '20260302000002_fails_halfway.js'];

interface ChildRun {
  events: MigrateEvent[];
  /** When (Date.now() in this process) the child called runMigrations, and each event arrived. */
  startedAt?: number;
  at: number[];
  result?: MigrateResult;
  error?: { name?: string; code?: string; message?: string; remedy?: string };
  exitCode: number | null;
}

/** runMigrations in a separate process (its own knex, pool and, on SQLite, its own file locks). */
function child(env: Record<string, string>, command: string, opts: Omit<MigrateOptions, 'env' | 'onProgress'>, slowMs = 0) {
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'test/fixtures/migrate-child/run.ts'), JSON.stringify({ command, options: opts })], {
    cwd: ROOT,
    env: { ...process.env, KR_TEST_ENV: JSON.stringify(env), MT_SLOW_MS: String(slowMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const run: ChildRun = { events: [], at: [], exitCode: null };
  const waiters: Array<{ test: (e: MigrateEvent) => boolean; resolve: () => void }> = [];
  let buffer = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const [kind, json] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
      if (kind === 'start') run.startedAt = Date.now();
      else if (kind === 'event') {
        const event = JSON.parse(json) as MigrateEvent;
        run.events.push(event);
        run.at.push(Date.now());
        for (const waiter of waiters.filter((w) => w.test(event))) waiter.resolve();
      } else if (kind === 'result') run.result = JSON.parse(json) as MigrateResult;
      else if (kind === 'error') run.error = JSON.parse(json) as ChildRun['error'];
    }
  });
  const done = new Promise<ChildRun>((resolve) => proc.once('exit', (code) => resolve(Object.assign(run, { exitCode: code }))));
  return {
    done,
    /** Resolves at the first event matching `test` (rejects if the process ends first). */
    until: (test: (e: MigrateEvent) => boolean) =>
      new Promise<void>((resolve, reject) => {
        if (run.events.some(test)) return resolve();
        waiters.push({ test, resolve });
        void done.then(() => reject(new Error(`child ended without the awaited event: ${JSON.stringify(run)}`)));
      }),
  };
}

for (const dialect of testDialects()) {
  describe(`migrate faults on ${dialect}`, () => {
    let env: Record<string, string>;
    let db: Knex;

    before(async () => {
      env = await suiteEnv(dialect);
      db = inspector(env);
    });

    beforeEach(() => cleanup(db, dialect));

    after(async () => {
      if (db) {
        await cleanup(db, dialect);
        await db.destroy();
      }
    });

    it('two concurrent latest runs in separate processes apply each migration exactly once', async () => {
      const opts = { knex: { migrations: { directory: FIXTURES.slow, tableName: TABLE } } };
      // From an empty database, so the two also race to create the migrations tables.
      const runs = await Promise.all([child(env, 'latest', opts, 1500).done, child(env, 'latest', opts, 1500).done]);
      // They did overlap: one started before the other had finished its slow migration.
      const [winner, loser] = runs[0]?.result?.applied.length ? [runs[0], runs[1]] : [runs[1], runs[0]];
      const finishedSlow = winner?.at[winner.events.findIndex((e) => e.type === 'migrated')] ?? 0;
      expect(loser?.startedAt, JSON.stringify(runs)).to.be.below(finishedSlow);
      for (const run of runs) {
        if (run.exitCode !== 0) expect(run.error?.code, JSON.stringify(run)).to.equal('E_MIGRATION_LOCKED');
        else expect(run.result?.ok).to.equal(true);
      }
      const applied = runs.flatMap((run) => run.result?.applied ?? []);
      expect(applied.sort()).to.deep.equal(SLOW);
      expect(await recorded(db)).to.deep.equal(SLOW);
      expect(await lockRow(db)).to.deep.equal([0]);
      expect(await db.schema.hasTable('mt_after_slow')).to.equal(true);
    });

    it('a live holder: the second run waits lockTimeoutMs, then E_MIGRATION_LOCKED without suggesting unlock', async () => {
      const holder = child(env, 'latest', { knex: { migrations: { directory: FIXTURES.slow, tableName: TABLE } } }, 4000);
      await holder.until((e) => e.type === 'migrating');
      const second = options(env, FIXTURES.slow, { lockTimeoutMs: 500 });
      const started = Date.now();
      const error = await rejection(runMigrations('latest', second));
      expect(error.code).to.equal('E_MIGRATION_LOCKED');
      expect(Date.now() - started).to.be.at.least(450);
      expect(error.message).to.match(/in progress/);
      expect(error.remedy).to.include('Do not unlock').and.not.include('migrate:unlock');
      expect(second.events.some((e) => e.type === 'migrating')).to.equal(false);
      const first = await holder.done;
      expect(first.exitCode, JSON.stringify(first)).to.equal(0);
      expect(first.result?.applied).to.deep.equal(SLOW);
      expect(await recorded(db)).to.deep.equal(SLOW);
      expect(await lockRow(db)).to.deep.equal([0]);
    });

    it('a lock left by a dead run: E_MIGRATION_LOCKED after lockTimeoutMs, nothing changed', async () => {
      await runMigrations('latest', options(env, FIXTURES.basic));
      await db(`${TABLE}_lock`).update({ is_locked: 1 });
      const run = options(env, FIXTURES.basic, { lockTimeoutMs: 800 });
      const started = Date.now();
      const error = await rejection(runMigrations('rollback', run));
      const waited = Date.now() - started;
      expect(error.code).to.equal('E_MIGRATION_LOCKED');
      expect(waited).to.be.at.least(750).and.below(6000);
      expect(run.events.filter((e) => e.type === 'waiting')).to.have.length(1);
      if (dialect === 'sqlite') {
        // Nothing on SQLite tells a dead holder from a live one: no unlock advice.
        expect(error.remedy).not.to.include('migrate:unlock');
      } else {
        expect(error.message).to.include('no knex-roles migration run is alive');
        expect(error.remedy).to.include('npx knex migrate:unlock');
      }
      expect(await recorded(db)).to.deep.equal(BASIC);
      expect(await lockRow(db)).to.deep.equal([1]);

      // Released (what migrate:unlock does), the same command runs normally.
      await db(`${TABLE}_lock`).update({ is_locked: 0 });
      expect((await runMigrations('rollback', options(env, FIXTURES.basic))).rolledBack).to.deep.equal([...BASIC].reverse());
    });

    it(`a migration that fails halfway: ${dialect === 'mysql' ? 'its DDL so far is kept, its row is not written' : 'nothing of it remains'}`, async () => {
      const run = options(env, FIXTURES.failing);
      const error = await rejection(runMigrations('latest', run));
      expect(error).to.be.instanceOf(MigrationFailedError);
      const failed = error as MigrationFailedError;
      expect(failed.code).to.equal('E_MIGRATION_FAILED');
      expect(failed.migration).to.equal(FAILING[1]);
      expect(failed.message).to.match(/^Migration 20260302000002_fails_halfway\.js failed: .*mt_no_such_table/);
      expect(run.events.map((e) => `${e.type} ${e.name}`)).to.deep.equal([`migrating ${FAILING[0]}`, `migrated ${FAILING[0]}`, `migrating ${FAILING[1]}`, `error ${FAILING[1]}`]);
      expect(await lockRow(db)).to.deep.equal([0]);
      if (dialect === 'mysql') {
        expect(failed.remedy).to.include('commit each DDL statement implicitly').and.include(`Kept from this run: ${FAILING[0]}`);
        expect(failed.kept).to.deep.equal([FAILING[0]]);
        expect(await db.schema.hasTable('mt_partial')).to.equal(true); // the leftover
        expect(await recorded(db)).to.deep.equal([FAILING[0]]); // no row for the failed one
        // Recovery: remove the leftover, fix the migration, run again.
        await db.schema.dropTable('mt_partial');
      } else {
        expect(failed.remedy).to.match(/^Nothing of 20260302000002_fails_halfway\.js remains/).and.include('Nothing else of this run was kept');
        expect(failed.kept).to.deep.equal([]);
        expect(await db.schema.hasTable('mt_partial')).to.equal(false);
        expect(await db.schema.hasTable('mt_ok')).to.equal(false); // latest ran the batch in one transaction
        expect(await recorded(db)).to.deep.equal([]);
      }
      (globalThis as { MT_FIX_FAILING?: boolean }).MT_FIX_FAILING = true;
      try {
        const again = await runMigrations('latest', options(env, FIXTURES.failing));
        expect(again.applied).to.deep.equal(dialect === 'mysql' ? [FAILING[1]] : FAILING);
      } finally {
        delete (globalThis as { MT_FIX_FAILING?: boolean }).MT_FIX_FAILING;
      }
      expect(await recorded(db)).to.deep.equal(FAILING);
    });

    it('errors never repeat a password, not even one bound into the failing statement', async () => {
      const secret = env['DB_TEST_MIGRATION_PASSWORD'] as string;
      (globalThis as { MT_SECRET?: string }).MT_SECRET = secret;
      try {
        const run = options(env, FIXTURES.secret);
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
        const error = await rejection(runMigrations('latest', options({ ...env, [`${prefix}_TEST_PORT`]: port }, FIXTURES.basic)));
        expect(error).to.be.instanceOf(UnreachableError);
        expect(error.code).to.equal('E_UNREACHABLE');
        expect(error.message).to.include(`:${port}`).and.not.include(env[`${prefix}_TEST_MIGRATION_PASSWORD`] as string);
      });
    }
  });
}
