import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isPassThroughRead } from '../../lib/dialects/mysql/preview-client';
import { ofMode } from '../support/migrate-mode';
import { runMigrations } from '../../lib/migrate/run-migrations';
import type { PreviewStatement } from '../../lib/migrate/types';
import { testDialects } from '../support/dialects';
import { TABLE, catalog, migrateSuite, options } from '../fixtures/migrate-support';

const CATALOG = join(__dirname, '../fixtures/migrate-catalog');
const STEPS = readdirSync(CATALOG).filter((name) => name.endsWith('.js')).sort();

/** What a statement list changes: reads, transaction control and knex's bookkeeping left out. */
function changes(statements: readonly PreviewStatement[]): PreviewStatement[] {
  return statements.filter(
    ({ sql }) => !isPassThroughRead(sql) && !/^(BEGIN|COMMIT|ROLLBACK)\b/i.test(sql.trim()) && !sql.includes(TABLE),
  );
}

// The MySQL preview against the real run of the same migrations: knex compiles
// renameColumn, setNullable and foreign-key handling from catalog reads, which the
// preview sends to the server, so each migration previews the SQL it then really sends.
if (testDialects().includes('mysql')) {
  describe('MySQL preview matches the real run', () => {
    const suite = migrateSuite('mysql');
    /** Really applies the first `count` steps: each test starts from the state its step needs. */
    const applyFirst = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) await suite.db.migrate.up({ directory: CATALOG, tableName: TABLE });
    };

    it('classifies reads the preview may send', () => {
      for (const sql of ['select 1', 'show full fields from `t` where field = ?', 'SELECT * FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE', 'describe t', 'explain select 1']) {
        expect(isPassThroughRead(sql), sql).to.equal(true);
      }
      for (const sql of ['select nextval(s)', "select get_lock('x', 1)", "select 1 into outfile '/tmp/x'", 'select 1; drop table t', 'alter table t add c int', 'insert into t values (1)', 'set @a = 1']) {
        expect(isPassThroughRead(sql), sql).to.equal(false);
      }
    });

    it('a preview of all of them from empty stops cleanly where a read needs an earlier step', async () => {
      const before = await catalog(suite.db, 'mysql');
      const result = ofMode(await runMigrations('latest', options(suite.env, CATALOG, { dryRun: true })), 'preview');
      expect(result.ok).to.equal(false);
      expect(result.applied).to.deep.equal([STEPS[0]]);
      expect(result.failed?.name).to.equal(STEPS[1]);
      expect(result.failed?.message).to.include('mt_c_owners').and.include('PREVIEW');
      expect(await catalog(suite.db, 'mysql')).to.deep.equal(before);
    });

    for (const [index, step] of STEPS.entries()) {
      it(`${step}: up previews, statement for statement, what the real run sends`, async () => {
        await applyFirst(index);
        const before = await catalog(suite.db, 'mysql');
        const preview = ofMode(await runMigrations('up', options(suite.env, CATALOG, { dryRun: true })), 'preview');
        expect(preview).to.include({ mode: 'preview', ok: true });
        expect(preview.applied).to.deep.equal([step]);
        expect(await catalog(suite.db, 'mysql')).to.deep.equal(before);

        const sent: PreviewStatement[] = [];
        const listener = (query: { sql: string; bindings?: unknown[] }): void => void sent.push({ sql: query.sql, bindings: [...(query.bindings ?? [])] });
        suite.db.on('query', listener);
        try {
          await suite.db.migrate.up({ directory: CATALOG, tableName: TABLE });
        } finally {
          suite.db.off('query', listener);
        }
        const real = changes(sent);
        expect(real.length, 'the real run changed something').to.be.greaterThan(0);
        expect(changes(preview.preview?.[0]?.sql ?? [])).to.deep.equal(real);
        if (index === 1) expect(real.map((s) => s.sql).join('\n')).to.match(/change `label` `name` varchar\(60\) NOT NULL DEFAULT 'none'/).and.match(/foreign key/);
      });
    }

    for (const [index, step] of [...STEPS.entries()].reverse()) {
      it(`${step}: down previews what the real rollback sends`, async () => {
        await applyFirst(index + 1);
        const preview = ofMode(await runMigrations('down', options(suite.env, CATALOG, { dryRun: true })), 'preview');
        expect(preview.rolledBack).to.deep.equal([step]);
        const sent: PreviewStatement[] = [];
        const listener = (query: { sql: string; bindings?: unknown[] }): void => void sent.push({ sql: query.sql, bindings: [...(query.bindings ?? [])] });
        suite.db.on('query', listener);
        try {
          await suite.db.migrate.down({ directory: CATALOG, tableName: TABLE });
        } finally {
          suite.db.off('query', listener);
        }
        expect(changes(preview.preview?.[0]?.sql ?? [])).to.deep.equal(changes(sent));
      });
    }
  });
}
