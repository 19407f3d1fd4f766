import { expect } from 'chai';
import { provisionSteps as mysqlSteps } from '../../lib/dialects/mysql/provision';
import { provisionSteps as pgSteps } from '../../lib/dialects/postgres/provision';
import type { ProvisionPlan } from '../../lib/dialects/provision-plan';
import { resolveConnection } from '../../lib/env/resolve-connection';
import { resolveFlag } from '../../lib/env/resolve-flag';
import knex from 'knex';
import { EnvContractError, RuntimeDdlError } from '../../lib/errors';
import { guard } from '../../lib/guard/guard';
import { createStatementCheck } from '../../lib/guard/client';
import { DIALECTS } from '../../lib/dialects/registry';

// Issue 9 item 2, the parts no server decides: the opt-in's one name across env and
// options, the guard letting exactly one keyword through, and the provisioning SQL.

const PLAN: ProvisionPlan = { database: 'd', migrator: { user: 'm', password: 'mp' }, app: { user: 'a', password: 'ap' } };
const sqlOf = (steps: Array<{ sql: string }>): string => steps.map((s) => s.sql).join('\n');

describe('the app-temporary-tables opt-in', () => {
  describe('KNEX_ROLES_APP_TEMPORARY_TABLES', () => {
    const CASES: Array<[string | undefined, boolean]> = [[undefined, false], ['', false], ['1', true], ['true', true], [' TRUE ', true], ['0', false], ['false', false]];
    for (const [value, expected] of CASES) {
      it(`${JSON.stringify(value)} → ${expected}`, () => {
        const env = value === undefined ? {} : { KNEX_ROLES_APP_TEMPORARY_TABLES: value };
        expect(resolveFlag(env, 'KNEX_ROLES_APP_TEMPORARY_TABLES', undefined).value).to.equal(expected);
      });
    }
    for (const value of ['yes', '2', 'on', 'enabled']) {
      it(`${JSON.stringify(value)} is E_ENV_FLAG naming the variable, not a guess`, () => {
        const error = (() => {
          try {
            resolveConnection({ env: { KNEX_ROLES_APP_TEMPORARY_TABLES: value }, dialect: 'sqlite', cwd: '/nonexistent' });
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(error).to.be.instanceOf(EnvContractError);
        expect((error as EnvContractError).code).to.equal('E_ENV_FLAG');
        expect((error as EnvContractError).variables).to.deep.equal(['KNEX_ROLES_APP_TEMPORARY_TABLES']);
        expect((error as EnvContractError).remedy).to.include('KNEX_ROLES_APP_TEMPORARY_TABLES');
      });
    }
    it('the option wins over the variable, both ways', () => {
      expect(resolveConnection({ env: { KNEX_ROLES_APP_TEMPORARY_TABLES: '1' }, dialect: 'sqlite', cwd: '/nonexistent', appTemporaryTables: false }).appTemporaryTables).to.equal(false);
      const on = resolveConnection({ env: {}, dialect: 'sqlite', cwd: '/nonexistent', appTemporaryTables: true });
      expect(on.appTemporaryTables).to.equal(true);
      expect(on.sources['appTemporaryTables']).to.equal('option');
    });
  });

  for (const dialect of DIALECTS) {
    describe(`the runtime guard on ${dialect}`, () => {
      const temp = dialect === 'postgres' ? 'CREATE TEMP TABLE batch (id int) ON COMMIT DROP' : 'CREATE TEMPORARY TABLE batch (id int)';
      it('refuses CREATE TEMPORARY TABLE without the opt-in', () => {
        expect(createStatementCheck(dialect, { role: 'runtime', dangerouslyAllow: [] })(temp)?.keyword).to.equal('CREATE TEMPORARY TABLE');
      });
      it('lets CREATE TEMPORARY TABLE through with it, without the dangerouslyAllow warning', () => {
        const warnings: string[] = [];
        const listener = (warning: Error & { code?: string }): void => void warnings.push(String(warning.code));
        process.on('warning', listener);
        try {
          const check = createStatementCheck(dialect, { role: 'runtime', dangerouslyAllow: [], appTemporaryTables: true });
          expect(check(temp)).to.equal(undefined);
          expect(check('CREATE TEMPORARY TABLE t2 AS SELECT 1 AS one')).to.equal(undefined);
        } finally {
          process.off('warning', listener);
        }
        expect(warnings).not.to.include('KNEX_ROLES_DANGEROUSLY_ALLOW');
      });
      for (const sql of ['CREATE TABLE t (id int)', 'DROP TABLE t', 'CREATE INDEX i ON t (id)', `CREATE VIEW v AS SELECT 1 AS one`]) {
        it(`still refuses ${sql} with it`, () => {
          expect(createStatementCheck(dialect, { role: 'runtime', dangerouslyAllow: [], appTemporaryTables: true })(sql)).not.to.equal(undefined);
        });
      }
    });
  }

  it('guard() on an existing instance takes the same opt-in', async () => {
    const db = guard(knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true }), { appTemporaryTables: true });
    try {
      await db.raw('CREATE TEMPORARY TABLE batch (id int)');
      await db.raw('INSERT INTO batch (id) VALUES (1)');
      const refused = await db.raw('CREATE TABLE intruder (id int)').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).to.be.instanceOf(RuntimeDdlError);
    } finally {
      await db.destroy();
    }
  });

  describe('provisioning SQL', () => {
    it('PostgreSQL: the migrator always gets TEMPORARY; the app only with the opt-in', () => {
      const without = sqlOf(pgSteps(PLAN));
      expect(without).to.include('GRANT CONNECT, TEMPORARY ON DATABASE "d" TO "m"; REVOKE CREATE ON DATABASE "d" FROM "m"');
      expect(without).to.include('GRANT CONNECT ON DATABASE "d" TO "a"; REVOKE CREATE, TEMPORARY ON DATABASE "d" FROM "a"');
      expect(sqlOf(pgSteps({ ...PLAN, appTemporaryTables: true }))).to.include('GRANT CONNECT, TEMPORARY ON DATABASE "d" TO "a"; REVOKE CREATE ON DATABASE "d" FROM "a"');
    });
    it('MySQL: the migrator always gets CREATE TEMPORARY TABLES; the app only with the opt-in', () => {
      const grants = (plan: ProvisionPlan, who: string): string => mysqlSteps(plan).find((s) => s.sql.startsWith('GRANT') && s.sql.includes(`TO '${who}'`))?.sql ?? '';
      expect(grants(PLAN, 'm')).to.include('CREATE TEMPORARY TABLES');
      expect(grants(PLAN, 'a')).to.equal("GRANT SELECT, INSERT, UPDATE, DELETE ON `d`.* TO 'a'@'%'");
      expect(grants({ ...PLAN, appTemporaryTables: true }, 'a')).to.equal("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE TEMPORARY TABLES ON `d`.* TO 'a'@'%'");
    });
    it("PostgreSQL: knex's tables (and a custom tableName) are created as the migrator's and SELECT-only for the app", () => {
      const sql = sqlOf(pgSteps({ ...PLAN, migrationsTable: 'app_migrations' }));
      expect(sql).to.include('CREATE TABLE "public"."app_migrations" (').and.include('CREATE TABLE "public"."app_migrations_lock" (');
      expect(sql).to.include('ALTER TABLE "public"."app_migrations" OWNER TO "m"');
      expect(sql).to.include('GRANT SELECT ON TABLE "public"."app_migrations", "public"."app_migrations_lock" TO "a"');
      expect(sql).to.include("c.relname IN ('app_migrations', 'app_migrations_lock') AND a.privilege_type <> 'SELECT'");
    });
  });
});
