import { expect } from 'chai';
import { RuntimeDdlError } from '../../lib/errors';
import { ofMode } from '../support/migrate-mode';
import { runMigrations } from '../../lib/migrate/run-migrations';
import { PREVIEW_LABEL } from '../../lib/dialects/mysql/preview-client';
import type { MigrateEvent } from '../../lib/migrate/types';
import { testDialects } from '../support/dialects';
import { BASIC, FIXTURES, TABLE, catalog, options, recorded, rejection, migrateSuite } from '../fixtures/migrate-support';

const names = (events: MigrateEvent[], type: MigrateEvent['type']): string[] => events.filter((e) => e.type === type).map((e) => e.name);

for (const dialect of testDialects()) {
  describe(`migrate on ${dialect}`, () => {
    const suite = migrateSuite(dialect);

    it('latest applies every migration in one batch and reports each one', async () => {
      const run = options(suite.env, FIXTURES.basic);
      const result = await runMigrations('latest', run);
      expect(result).to.include({ command: 'latest', dialect, mode: 'run', ok: true, batch: 1 });
      expect(result.applied).to.deep.equal(BASIC);
      expect(run.events.map((e) => `${e.type} ${e.name}`)).to.deep.equal(BASIC.flatMap((name) => [`migrating ${name}`, `migrated ${name}`]));
      for (const event of run.events) if (event.type === 'migrated') expect(event.ms).to.be.a('number').and.at.least(0);
      expect(await recorded(suite.db)).to.deep.equal(BASIC);
      expect(await suite.db('mt_tags').pluck('label')).to.deep.equal(['seeded']);
    });

    it('latest works with a pool of one connection (the session lock gets its own)', async () => {
      const run = options(suite.env, FIXTURES.basic);
      const result = await runMigrations('latest', { ...run, knex: { ...run.knex, pool: { min: 0, max: 1 } }, lockTimeoutMs: 3000 });
      expect(result.applied).to.deep.equal(BASIC);
      expect(await recorded(suite.db)).to.deep.equal(BASIC);
    });

    it('a dry run reports a migration without up and down as knex words it, with the fix, and changes nothing', async () => {
      const before = await catalog(suite.db, dialect);
      const result = await runMigrations('latest', options(suite.env, FIXTURES.invalid, { dryRun: true }));
      expect(result.ok).to.equal(false);
      const failed = 'failed' in result ? result.failed : undefined;
      expect(failed?.name).to.equal('20260307000001_no_functions.js');
      expect(failed?.message).to.include('Invalid migration: 20260307000001_no_functions.js must have both an up and down function').and.include('Export both an up and a down function');
      expect(await catalog(suite.db, dialect)).to.deep.equal(before);
    });

    it('a second latest applies nothing', async () => {
      await runMigrations('latest', options(suite.env, FIXTURES.basic));
      const run = options(suite.env, FIXTURES.basic);
      const result = await runMigrations('latest', run);
      expect(result.applied).to.deep.equal([]);
      expect(result).not.to.have.property('batch');
      expect(run.events).to.deep.equal([]);
      expect(await recorded(suite.db)).to.deep.equal(BASIC);
    });

    it('status and list read the state without creating the migrations table', async () => {
      const fresh = await runMigrations('status', options(suite.env, FIXTURES.basic));
      expect(fresh).to.include({ mode: 'read', ok: true });
      expect(fresh.completed).to.deep.equal([]);
      expect(fresh.pending).to.deep.equal(BASIC);
      expect(await suite.db.schema.hasTable(TABLE)).to.equal(false);

      await runMigrations('up', options(suite.env, FIXTURES.basic));
      const list = await runMigrations('list', options(suite.env, FIXTURES.basic));
      expect(list.completed).to.deep.equal([{ name: BASIC[0], batch: 1 }]);
      expect(list.pending).to.deep.equal(BASIC.slice(1));
      expect(list.missing).to.deep.equal([]);
    });

    it('rollback undoes the last batch, rollback --all every batch', async () => {
      await runMigrations('up', options(suite.env, FIXTURES.basic)); // batch 1: authors
      await runMigrations('latest', options(suite.env, FIXTURES.basic)); // batch 2: posts, tags
      const run = options(suite.env, FIXTURES.basic);
      const last = await runMigrations('rollback', run);
      expect(last.rolledBack).to.deep.equal([BASIC[2], BASIC[1]]);
      expect(names(run.events, 'rolled-back')).to.deep.equal([BASIC[2], BASIC[1]]);
      expect(await recorded(suite.db)).to.deep.equal([BASIC[0]]);
      expect(await suite.db.schema.hasTable('mt_posts')).to.equal(false);

      await runMigrations('latest', options(suite.env, FIXTURES.basic));
      const all = await runMigrations('rollback', options(suite.env, FIXTURES.basic, { all: true }));
      expect(all.rolledBack).to.deep.equal([...BASIC].reverse());
      expect(await recorded(suite.db)).to.deep.equal([]);
      expect(await suite.db.schema.hasTable('mt_authors')).to.equal(false);
    });

    it('up and down one migration, by name with or without its extension', async () => {
      const tags = BASIC[2] as string;
      const up = await runMigrations('up', options(suite.env, FIXTURES.basic, { name: tags.replace(/\.js$/, '') }));
      expect(up.applied).to.deep.equal([tags]);
      expect(await recorded(suite.db)).to.deep.equal([tags]);
      const next = await runMigrations('up', options(suite.env, FIXTURES.basic));
      expect(next.applied).to.deep.equal([BASIC[0]]);
      const down = await runMigrations('down', options(suite.env, FIXTURES.basic, { name: tags }));
      expect(down.rolledBack).to.deep.equal([tags]);
      expect(await recorded(suite.db)).to.deep.equal([BASIC[0]]);

      const unknown = await rejection(runMigrations('up', options(suite.env, FIXTURES.basic, { name: 'nope' })));
      expect(unknown.code).to.equal('E_USAGE');
      const notRun = await rejection(runMigrations('down', options(suite.env, FIXTURES.basic, { name: tags })));
      expect(notRun.code).to.equal('E_USAGE');
    });

    it('refuses without the migration role, before touching the database', async () => {
      const { ELOQUENT_DB_ROLE: _role, ...runtimeEnv } = suite.env;
      for (const run of [runMigrations('latest', options(runtimeEnv, FIXTURES.basic)), runMigrations('status', options(suite.env, FIXTURES.basic, { role: 'runtime' }))]) {
        const error = await rejection(run);
        expect(error).to.be.instanceOf(RuntimeDdlError);
        expect(error.code).to.equal('E_RUNTIME_MIGRATE');
        expect(error.message).to.match(/^Refused to run migrations on a runtime connection\./);
        expect(error.remedy).to.include('ELOQUENT_DB_ROLE=migration');
      }
      expect(await suite.db.schema.hasTable(TABLE)).to.equal(false);
    });

    it('fresh and reset are refused in production without both --force and --yes', async () => {
      await runMigrations('latest', options(suite.env, FIXTURES.basic));
      const production = { ...suite.env, NODE_ENV: 'production' };
      for (const command of ['fresh', 'reset'] as const) {
        for (const flags of [{}, { force: true }, { yes: true }]) {
          const error = await rejection(runMigrations(command, options(production, FIXTURES.basic, { test: true, ...flags })));
          expect(error.code).to.equal('E_MIGRATE_REFUSED');
          expect(error.message).to.include(`migrate ${command}`);
          expect(error.remedy).to.include('--force --yes');
        }
      }
      expect(await recorded(suite.db)).to.deep.equal(BASIC);

      const run = options(production, FIXTURES.basic, { test: true, force: true, yes: true });
      const fresh = await runMigrations('fresh', run);
      expect(fresh.dropped).to.include.members(['mt_authors', 'mt_posts', 'mt_tags', TABLE, `${TABLE}_lock`]);
      expect(fresh.applied).to.deep.equal(BASIC);
      expect(names(run.events, 'dropped')).to.include('mt_posts');
      expect(await recorded(suite.db)).to.deep.equal(BASIC);
      expect(await suite.db('mt_tags').pluck('label')).to.deep.equal(['seeded']); // recreated, not left over

      const reset = await runMigrations('reset', options(production, FIXTURES.basic, { test: true, force: true, yes: true }));
      expect(reset.rolledBack).to.deep.equal([...BASIC].reverse());
      expect(await recorded(suite.db)).to.deep.equal([]);
    });

    it('fresh and reset run outside production without flags', async () => {
      await runMigrations('latest', options(suite.env, FIXTURES.basic));
      expect((await runMigrations('fresh', options(suite.env, FIXTURES.basic))).applied).to.deep.equal(BASIC);
      expect((await runMigrations('reset', options(suite.env, FIXTURES.basic))).rolledBack).to.have.length(3);
    });

    it('fresh drops the views, sequences and types migrations made, so migrating again makes them again', async () => {
      await runMigrations('latest', options(suite.env, FIXTURES.views));
      const mariadb = dialect === 'mysql' && /mariadb/i.test(String(((await suite.db.raw('select version() as v')) as [Array<{ v: string }>])[0][0]?.v));
      const expected: Array<[string, string]> = [
        ['table', 'mt_items'],
        ['view', 'mt_items_view'],
        ['view', 'mt_constant_view'],
        ...(dialect === 'postgres'
          ? ([['materialized view', 'mt_items_mat'], ['sequence', 'mt_free_sequence'], ['type', 'mt_state'], ['domain', 'mt_positive']] as Array<[string, string]>)
          : []),
        ...(mariadb ? ([['sequence', 'mt_mariadb_sequence']] as Array<[string, string]>) : []),
      ];
      const run = options(suite.env, FIXTURES.views);
      const fresh = ofMode(await runMigrations('fresh', run), 'run');
      expect(fresh.applied).to.deep.equal(['20260320000001_create_views.js']);
      const dropped = run.events.flatMap((e) => (e.type === 'dropped' ? [[e.kind, e.name] as [string, string]] : []));
      expect(dropped).to.deep.include.members(expected);
      expect(dropped.slice(0, dropped.findIndex(([kind]) => kind !== 'table')).every(([kind]) => kind === 'table'), 'tables first').to.equal(true);
      expect(fresh.dropped).to.include.members(expected.map(([, name]) => name));
      // Made again: the view reads the new table.
      await suite.db('mt_items').insert({ state: 'new' });
      expect(await suite.db('mt_items_view').pluck('state')).to.deep.equal(['new']);
    });

    if (dialect === 'mysql') {
      it('dry run on MySQL prints the SQL labelled PREVIEW and changes nothing', async () => {
        const before = await catalog(suite.db, dialect);
        const run = options(suite.env, FIXTURES.basic, { dryRun: true });
        const result = ofMode(await runMigrations('latest', run), 'preview');
        expect(result).to.include({ mode: 'preview', ok: true, label: PREVIEW_LABEL });
        expect(result.label).to.match(/^PREVIEW, NOT EXECUTED/).and.include('Reads (SELECT, SHOW, DESCRIBE, information_schema …) ran on the server');
        expect(result.applied).to.deep.equal(BASIC);
        const previews = run.events.filter((e): e is Extract<MigrateEvent, { type: 'preview' }> => e.type === 'preview');
        expect(previews.map((e) => e.name)).to.deep.equal(BASIC);
        for (const event of previews) expect(event.label).to.equal(PREVIEW_LABEL);
        const sql = previews.flatMap((e) => e.sql.map((s) => s.sql)).join('\n');
        expect(sql).to.include('create table `mt_authors`').and.include('create table `mt_posts`').and.include('insert into `mt_tags`');
        expect(previews[2]?.sql.find((s) => s.sql.startsWith('insert'))?.bindings).to.deep.equal(['seeded']);
        expect(await catalog(suite.db, dialect)).to.deep.equal(before);
        expect(await suite.db.schema.hasTable(TABLE)).to.equal(false);
      });

      it('preview of rollback and fresh reads the real state and sends nothing that changes it', async () => {
        await runMigrations('latest', options(suite.env, FIXTURES.basic));
        const before = await catalog(suite.db, dialect);
        const rollback = ofMode(await runMigrations('rollback', options(suite.env, FIXTURES.basic, { dryRun: true })), 'preview');
        expect(rollback.rolledBack).to.deep.equal([...BASIC].reverse());
        expect(rollback.preview?.map((p) => p.sql.map((s) => s.sql).join(';'))).to.deep.equal(['drop table `mt_tags`', 'drop table `mt_posts`', 'drop table `mt_authors`']);
        const fresh = ofMode(await runMigrations('fresh', options(suite.env, FIXTURES.basic, { dryRun: true })), 'preview');
        expect(fresh.dropped).to.include.members(['mt_authors', TABLE]);
        expect(fresh.preview?.[0]?.sql.map((s) => s.sql).join(';')).to.match(/^BEGIN;;set foreign_key_checks = 0;drop table if exists .*`mt_authors`.*;set foreign_key_checks = 1;COMMIT;$/);
        expect(await catalog(suite.db, dialect)).to.deep.equal(before);
      });

      it('a preview reports a migration that throws; SQL errors only the server would find', async () => {
        const before = await catalog(suite.db, dialect);
        const run = options(suite.env, FIXTURES.throws, { dryRun: true });
        const thrown = ofMode(await runMigrations('latest', run), 'preview');
        expect(thrown.ok).to.equal(false);
        expect(thrown.failed?.name).to.equal('20260306000001_throws.js');
        expect(thrown.failed?.message).to.include('boom').and.include('PREVIEW');
        expect(run.events.map((e) => e.type)).to.deep.equal(['migrating', 'error']);
        // Reads go to the server, so a read of a missing table fails the preview; the
        // change before it is only shown.
        const failing = ofMode(await runMigrations('latest', options(suite.env, FIXTURES.failing, { dryRun: true })), 'preview');
        expect(failing.ok).to.equal(false);
        expect(failing.failed?.name).to.equal('20260302000002_fails_halfway.js');
        expect(failing.failed?.message).to.include('mt_no_such_table').and.include('PREVIEW');
        expect(await catalog(suite.db, dialect)).to.deep.equal(before);
      });
    } else {
      it('dry run executes latest in one rolled-back transaction: schema and migrations table unchanged', async () => {
        const before = await catalog(suite.db, dialect);
        const run = options(suite.env, FIXTURES.basic, { dryRun: true });
        const result = await runMigrations('latest', run);
        expect(result).to.include({ mode: 'dry-run', ok: true });
        expect(result.applied).to.deep.equal(BASIC);
        expect(names(run.events, 'dry-run')).to.deep.equal(BASIC);
        expect(run.events.filter((e) => e.type === 'migrating').every((e) => e.type === 'migrating' && e.dryRun)).to.equal(true);
        expect(await catalog(suite.db, dialect)).to.deep.equal(before);
        expect(await suite.db.schema.hasTable(TABLE)).to.equal(false);

        // With a migrations table and a partial state, too.
        await runMigrations('up', options(suite.env, FIXTURES.basic));
        const partial = await catalog(suite.db, dialect);
        const rest = await runMigrations('latest', options(suite.env, FIXTURES.basic, { dryRun: true }));
        expect(rest.applied).to.deep.equal(BASIC.slice(1));
        expect(await catalog(suite.db, dialect)).to.deep.equal(partial);
      });

      it('dry run of rollback, reset and fresh leaves everything in place', async () => {
        await runMigrations('latest', options(suite.env, FIXTURES.basic));
        const before = await catalog(suite.db, dialect);
        expect((await runMigrations('rollback', options(suite.env, FIXTURES.basic, { dryRun: true }))).rolledBack).to.deep.equal([...BASIC].reverse());
        expect((await runMigrations('reset', options(suite.env, FIXTURES.basic, { dryRun: true }))).rolledBack).to.deep.equal([...BASIC].reverse());
        const fresh = await runMigrations('fresh', options(suite.env, FIXTURES.basic, { dryRun: true }));
        expect(fresh.dropped).to.include.members(['mt_authors', 'mt_posts', TABLE]);
        expect(fresh.applied).to.deep.equal(BASIC);
        expect(await catalog(suite.db, dialect)).to.deep.equal(before);
      });

      it('dry run reports a failing migration and leaves nothing behind', async () => {
        const before = await catalog(suite.db, dialect);
        const run = options(suite.env, FIXTURES.failing, { dryRun: true });
        const result = ofMode(await runMigrations('latest', run), 'dry-run');
        expect(result.ok).to.equal(false);
        expect(result.applied).to.deep.equal(['20260302000001_create_ok.js']);
        expect(result.failed?.name).to.equal('20260302000002_fails_halfway.js');
        expect(result.failed?.message).to.match(/mt_no_such_table/);
        expect(run.events.map((e) => e.type)).to.deep.equal(['migrating', 'dry-run', 'migrating', 'error']);
        expect(await catalog(suite.db, dialect)).to.deep.equal(before);
      });

      it('dry run stops at a migration that is not transactional', async () => {
        const before = await catalog(suite.db, dialect);
        const run = options(suite.env, FIXTURES.nontx, { dryRun: true });
        const result = ofMode(await runMigrations('latest', run), 'dry-run');
        expect(result.ok).to.equal(false);
        expect(result.applied).to.deep.equal(['20260304000001_tx.js']);
        expect(result.notTransactional).to.equal('20260304000002_no_tx.js');
        const error = run.events.find((e) => e.type === 'error');
        expect(error?.type === 'error' && error.message).to.match(/^cannot dry-run: not transactional/);
        expect(await catalog(suite.db, dialect)).to.deep.equal(before);
      });
    }
  });
}
