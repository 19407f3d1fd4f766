import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { inspect } from 'node:util';
import { PrivilegeError, type PrivilegeProblem } from '../../lib/errors';
import { provision as provisionMysql } from '../../lib/dialects/mysql/provision';
import { provision as provisionPostgres } from '../../lib/dialects/postgres/provision';
import { knexConfig } from '../../lib/knexfile';
import type { Dialect, Role } from '../../lib/types';
import { verifyPrivileges, type PrivilegeReport } from '../../lib/checks/verify-privileges';
import { testDialects } from '../support/dialects';
import { testPostgresBuild } from '../support/pg-build';
import { testEnv, testServers } from '../support/servers';

// A database and users of this suite's own: grants are changed here, and other suites
// share the testEnv() database. Passwords are awkward on purpose, and must never appear.
const DATABASE = 'knexroles_verify';
const MIGRATOR = { user: 'kr_verify_migrator', password: `vM'ig"\\$$-ü` };
const APP = { user: 'kr_verify_app', password: `vA'pp\\$$-ß` };
type Who = 'app' | 'migrator' | 'admin';

const FAMILY = { postgres: 'PG', mysql: 'DB' } as const;
/** The PostgreSQL major this run starts (Debian's 15, or 13–17 in the matrix runs). */
const MAJOR = testDialects().includes('postgres') ? testPostgresBuild().major : 0;

function privileges(report: PrivilegeReport, problem: PrivilegeProblem['problem']): string[] {
  return report.problems.filter((p) => p.problem === problem).map((p) => p.privilege);
}

for (const dialect of testDialects().filter((d): d is Exclude<Dialect, 'sqlite'> => d !== 'sqlite')) {
  describe(`verifyPrivileges on ${dialect}`, () => {
    const F = FAMILY[dialect];
    let admin: Knex;
    let env: Record<string, string>;
    let adminCredentials: { user: string; password: string };
    let reprovision: () => Promise<void>;
    const open: Knex[] = [];

    /** A knex instance from the env contract, as the app and the migration job build it (runtime ones are guarded). */
    const connect = (who: Who, role: Role): Knex => {
      const [user, password] = who === 'app' ? [APP.user, APP.password] : who === 'migrator' ? [MIGRATOR.user, MIGRATOR.password] : [adminCredentials.user, adminCredentials.password];
      const scope = role === 'runtime' ? 'RUNTIME' : 'MIGRATION';
      const instance = knex(
        knexConfig({
          env: { ...env, [`${F}_TEST_${scope}_USER`]: user, [`${F}_TEST_${scope}_PASSWORD`]: password },
          test: true,
          role,
          dialect,
          knex: { pool: { min: 0, max: 2 } },
        }),
      );
      open.push(instance);
      return instance;
    };
    const verifyAs = (who: Who, role: Role): Promise<PrivilegeReport> => verifyPrivileges(connect(who, role), { role });
    const noSecretsIn = (text: string): void => {
      for (const secret of [APP.password, MIGRATOR.password, adminCredentials.password]) expect(text).not.to.include(secret);
      expect(text).not.to.match(/IDENTIFIED|\*[0-9A-F]{40}/); // MySQL's SHOW GRANTS rows carry password hashes
    };

    before(async () => {
      const servers = await testServers();
      const server = servers[dialect];
      adminCredentials = server.admin;
      env = { ...(await testEnv()), [`${F}_TEST_NAME`]: DATABASE };
      const adminConnection = { host: server.host, port: server.port, ...server.admin };
      reprovision = async () => {
        const plan = { database: DATABASE, migrator: { ...MIGRATOR }, app: { ...APP } };
        await (dialect === 'postgres' ? provisionPostgres(plan, adminConnection) : provisionMysql(plan, adminConnection));
      };
      await reprovision();
      admin = knex({ client: dialect === 'postgres' ? 'pg' : 'mysql2', connection: { ...adminConnection, database: DATABASE }, pool: { min: 0, max: 2 } });

      // Tables (with a sequence on PostgreSQL) created by the migrator, as a migration would.
      const migrator = connect('migrator', 'migration');
      await migrator.schema.dropTableIfExists('verify_posts');
      await migrator.schema.dropTableIfExists('verify_authors');
      await migrator.schema.createTable('verify_authors', (t) => {
        t.increments('id');
        t.string('name');
      });
      await migrator.schema.createTable('verify_posts', (t) => {
        t.increments('id');
        t.integer('author_id').unsigned().references('id').inTable('verify_authors');
      });
    });

    after(async () => {
      for (const instance of open) await instance.destroy();
      await admin?.destroy();
    });

    it('the provisioned app user as runtime is ok, through the runtime guard', async () => {
      const report = await verifyAs('app', 'runtime');
      expect(report.problems).to.deep.equal([]);
      expect(report).to.include({ ok: true, dialect, role: 'runtime', guardOnly: false });
      expect(report.user).to.include(APP.user);
      expect(report.remedy).to.equal(undefined);
      expect(report.found.join('\n')).to.include('SELECT, INSERT, UPDATE, DELETE');
      if (dialect === 'postgres') expect(report.found).to.include('USAGE on 2 sequences in schema "public"');
      noSecretsIn(JSON.stringify(report));
    });

    it('the provisioned migrator as migration is ok', async () => {
      const report = await verifyAs('migrator', 'migration');
      expect(report.problems).to.deep.equal([]);
      expect(report.ok).to.equal(true);
      expect(report.user).to.include(MIGRATOR.user);
      expect(report.found.join('\n')).to.include('CREATE');
    });

    it('the testEnv() users are ok in their roles too', async () => {
      const base = await testEnv();
      for (const role of ['runtime', 'migration'] as const) {
        const instance = knex(knexConfig({ env: base, test: true, role, dialect }));
        open.push(instance);
        const report = await verifyPrivileges(instance, { role });
        expect(report.problems, role).to.deep.equal([]);
      }
    });

    it('the migrator used as runtime has excess schema privileges and is told to use the runtime user', async () => {
      const report = await verifyAs('migrator', 'runtime');
      expect(report.ok).to.equal(false);
      const excess = privileges(report, 'excess');
      if (dialect === 'postgres') {
        expect(excess).to.include('CREATE on schema "public"');
        expect(excess.some((p) => p.startsWith('owner of ') && p.includes('table "verify_authors"'))).to.equal(true, excess.join('; '));
      } else {
        for (const p of ['CREATE', 'ALTER', 'DROP', 'INDEX', 'REFERENCES']) expect(excess).to.include(`${p} on \`knexroles\\_verify\`.*`);
      }
      expect(report.remedy).to.include(`${F}_RUNTIME_USER`).and.include('not the migrator');
    });

    it('the app used as migration lacks CREATE', async () => {
      const report = await verifyAs('app', 'migration');
      expect(report.ok).to.equal(false);
      const missing = privileges(report, 'missing');
      expect(missing).to.include(dialect === 'postgres' ? 'CREATE on schema "public"' : 'CREATE on `knexroles\\_verify`.*');
      expect(privileges(report, 'excess')).to.deep.equal([]);
      expect(report.remedy).to.include('ELOQUENT_DB_ROLE=migration npx knex-roles provision');
    });

    for (const role of ['runtime', 'migration'] as const) {
      it(`the admin as ${role} has excess ${dialect === 'postgres' ? 'SUPERUSER' : 'global privileges'}`, async () => {
        const report = await verifyAs('admin', role);
        expect(report.ok).to.equal(false);
        const excess = privileges(report, 'excess');
        if (dialect === 'postgres') expect(excess).to.include('SUPERUSER');
        else expect(excess).to.include.members(['ALL PRIVILEGES on *.*', 'GRANT OPTION on *.*']);
        expect(report.remedy).to.include('not an administrator').and.include(role === 'runtime' ? `${F}_RUNTIME_USER` : `${F}_MIGRATION_USER`);
        noSecretsIn(JSON.stringify(report));
      });
    }

    // [title, grant (as admin), revoke, expected excess privilege]
    const EXTRA: Array<[string, string, string, string]> =
      dialect === 'postgres'
        ? [
            ['CREATE on the schema', `GRANT CREATE ON SCHEMA public TO ${APP.user}`, `REVOKE CREATE ON SCHEMA public FROM ${APP.user}`, 'CREATE on schema "public"'],
            ['CREATE on the database', `GRANT CREATE ON DATABASE ${DATABASE} TO ${APP.user}`, `REVOKE CREATE ON DATABASE ${DATABASE} FROM ${APP.user}`, `CREATE on database "${DATABASE}"`],
            ['TRUNCATE on a table', `GRANT TRUNCATE ON verify_posts TO ${APP.user}`, `REVOKE TRUNCATE ON verify_posts FROM ${APP.user}`, 'TRUNCATE on "verify_posts" in schema "public"'],
            ['CREATEDB', `ALTER ROLE ${APP.user} CREATEDB`, `ALTER ROLE ${APP.user} NOCREATEDB`, 'CREATEDB'],
            ['membership in the migrator', `GRANT ${MIGRATOR.user} TO ${APP.user}`, `REVOKE ${MIGRATOR.user} FROM ${APP.user}`, `member of role "${MIGRATOR.user}" (CREATE on schema "public", owns objects in schema "public")`],
            [
              'membership in a group that is a member of a superuser role (recursively)',
              `CREATE ROLE kr_verify_su SUPERUSER; CREATE ROLE kr_verify_group IN ROLE kr_verify_su; GRANT kr_verify_group TO ${APP.user}`,
              'DROP ROLE kr_verify_group; DROP ROLE kr_verify_su',
              'member of role "kr_verify_su" (SUPERUSER)',
            ],
            ['a predefined role', `GRANT pg_read_server_files TO ${APP.user}`, `REVOKE pg_read_server_files FROM ${APP.user}`, 'member of role "pg_read_server_files" (predefined role)'],
            // PostgreSQL 14 and older grant this by default; provision revokes it.
            ['CREATE on the schema through PUBLIC', 'GRANT CREATE ON SCHEMA public TO PUBLIC', 'REVOKE CREATE ON SCHEMA public FROM PUBLIC', 'CREATE on schema "public" (granted to PUBLIC)'],
            // GRANT ALL includes MAINTAIN on 17+ (VACUUM, ANALYZE, REINDEX, CLUSTER, LOCK).
            ['ALL on a table', `GRANT ALL ON verify_posts TO ${APP.user}`, `REVOKE ALL ON verify_posts FROM ${APP.user}; GRANT SELECT, INSERT, UPDATE, DELETE ON verify_posts TO ${APP.user}`, `${MAJOR >= 17 ? 'MAINTAIN' : 'TRIGGER'} on "verify_posts" in schema "public"`],
            ...(MAJOR >= 17
              ? ([['MAINTAIN on a table', `GRANT MAINTAIN ON verify_posts TO ${APP.user}`, `REVOKE MAINTAIN ON verify_posts FROM ${APP.user}`, 'MAINTAIN on "verify_posts" in schema "public"']] as Array<[string, string, string, string]>)
              : []),
          ]
        : [
            ['ALTER on the database', `GRANT ALTER ON \`knexroles\\_verify\`.* TO '${APP.user}'@'%'`, `REVOKE ALTER ON \`knexroles\\_verify\`.* FROM '${APP.user}'@'%'`, 'ALTER on `knexroles\\_verify`.*'],
            ['a global privilege', `GRANT PROCESS ON *.* TO '${APP.user}'@'%'`, `REVOKE PROCESS ON *.* FROM '${APP.user}'@'%'`, 'PROCESS on *.*'],
            ['DROP on one table', `GRANT DROP ON knexroles_verify.verify_posts TO '${APP.user}'@'%'`, `REVOKE DROP ON knexroles_verify.verify_posts FROM '${APP.user}'@'%'`, 'DROP on `knexroles_verify`.`verify_posts`'],
            // Data privileges on another database are a shared user pair's; schema privileges there are not the app's.
            ['a schema privilege on another database', `GRANT CREATE ON \`kr\\_other\`.* TO '${APP.user}'@'%'`, `REVOKE CREATE ON \`kr\\_other\`.* FROM '${APP.user}'@'%'`, 'CREATE on `kr\\_other`.* (another database)'],
            ['a privilege on a system database', `GRANT SELECT ON mysql.user TO '${APP.user}'@'%'`, `REVOKE SELECT ON mysql.user FROM '${APP.user}'@'%'`, 'SELECT on `mysql`.`user` (a system database)'],
            ['GRANT OPTION', `GRANT SELECT ON \`knexroles\\_verify\`.* TO '${APP.user}'@'%' WITH GRANT OPTION`, `REVOKE GRANT OPTION ON \`knexroles\\_verify\`.* FROM '${APP.user}'@'%'`, 'GRANT OPTION on `knexroles\\_verify`.*'],
            [
              'a role (MariaDB: whose grants the app cannot read)',
              `CREATE ROLE kr_verify_ddl; GRANT CREATE ON \`knexroles\\_verify\`.* TO kr_verify_ddl; GRANT kr_verify_ddl TO '${APP.user}'@'%'`,
              'DROP ROLE kr_verify_ddl',
              'role `kr_verify_ddl` (its privileges are not readable by this user)',
            ],
            [
              'a role whose grants it can read',
              `CREATE ROLE kr_verify_ddl2; GRANT CREATE ON \`knexroles\\_verify\`.* TO kr_verify_ddl2; GRANT kr_verify_ddl2 TO '${APP.user}'@'%'; GRANT SELECT ON mysql.* TO '${APP.user}'@'%'`,
              `REVOKE SELECT ON mysql.* FROM '${APP.user}'@'%'; DROP ROLE kr_verify_ddl2`,
              'CREATE on `knexroles\\_verify`.* (via role `kr_verify_ddl2`)',
            ],
            ['a grant to PUBLIC', 'GRANT CREATE ON `knexroles\\_verify`.* TO PUBLIC', 'REVOKE CREATE ON `knexroles\\_verify`.* FROM PUBLIC', 'CREATE on `knexroles\\_verify`.* (via PUBLIC)'],
          ];

    for (const [title, grant, revoke, expected] of EXTRA) {
      it(`a runtime user granted ${title} is reported, and ok again once revoked`, async () => {
        for (const statement of grant.split('; ')) await admin.raw(statement);
        try {
          const report = await verifyAs('app', 'runtime');
          expect(report.ok).to.equal(false);
          expect(privileges(report, 'excess')).to.include(expected);
          expect(privileges(report, 'missing')).to.deep.equal([]);
        } finally {
          for (const statement of revoke.split('; ')) await admin.raw(statement);
        }
        expect((await verifyAs('app', 'runtime')).problems).to.deep.equal([]);
      });
    }

    it('a runtime user missing SELECT on a table is reported, and ok again once granted', async () => {
      const [revoke, grant, expected] =
        dialect === 'postgres'
          ? [`REVOKE SELECT ON verify_posts FROM ${APP.user}`, `GRANT SELECT ON verify_posts TO ${APP.user}`, 'SELECT on table "verify_posts" in schema "public"']
          : [`REVOKE SELECT ON \`knexroles\\_verify\`.* FROM '${APP.user}'@'%'`, `GRANT SELECT ON \`knexroles\\_verify\`.* TO '${APP.user}'@'%'`, 'SELECT on `knexroles\\_verify`.*'];
      await admin.raw(revoke);
      try {
        const report = await verifyAs('app', 'runtime');
        expect(report.problems).to.deep.equal([{ privilege: expected, problem: 'missing' }]);
        expect(report.remedy).to.include('npx knex-roles provision');
      } finally {
        await admin.raw(grant);
      }
    });

    if (dialect === 'postgres') {
      it('a migrator that owns the database is reported', async () => {
        await admin.raw(`ALTER DATABASE ${DATABASE} OWNER TO ${MIGRATOR.user}`);
        try {
          const report = await verifyAs('migrator', 'migration');
          expect(privileges(report, 'excess')).to.include(`owner of database "${DATABASE}"`);
        } finally {
          // Handing ownership back also hands the migrator's grants to the admin: provision again.
          await admin.raw(`ALTER DATABASE ${DATABASE} OWNER TO ${adminCredentials.user}`);
          await reprovision();
        }
      });
    } else {
      it('table-level grants on every app table satisfy the runtime role', async () => {
        const account = `'${APP.user}'@'%'`;
        await admin.raw(`REVOKE SELECT, INSERT, UPDATE, DELETE ON \`knexroles\\_verify\`.* FROM ${account}`);
        try {
          for (const table of ['verify_authors', 'verify_posts']) await admin.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON knexroles_verify.${table} TO ${account}`);
          expect((await verifyAs('app', 'runtime')).problems).to.deep.equal([]);
          await admin.raw(`REVOKE DELETE ON knexroles_verify.verify_posts FROM ${account}`);
          expect((await verifyAs('app', 'runtime')).problems).to.deep.equal([{ privilege: 'DELETE on `knexroles\\_verify`.*', problem: 'missing' }]);
        } finally {
          for (const table of ['verify_authors', 'verify_posts']) await admin.raw(`REVOKE ALL PRIVILEGES ON knexroles_verify.${table} FROM ${account}`).catch(() => undefined);
          await admin.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON \`knexroles\\_verify\`.* TO ${account}`);
        }
      });
    }

    it('verifyPrivileges({ assert: true }) returns the report when ok', async () => {
      const report = await verifyPrivileges(connect('app', 'runtime'), { assert: true, role: 'runtime' });
      expect(report.ok).to.equal(true);
    });

    it('verifyPrivileges({ assert: true }) throws PrivilegeError E_PRIVILEGES naming the user, never the password', async () => {
      let caught: unknown;
      try {
        await verifyPrivileges(connect('migrator', 'runtime'), { assert: true, role: 'runtime' });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(PrivilegeError);
      const error = caught as PrivilegeError;
      expect(error.code).to.equal('E_PRIVILEGES');
      expect(error).to.include({ role: 'runtime', dialect });
      expect(error.user).to.include(MIGRATOR.user);
      expect(error.message).to.include(MIGRATOR.user).and.include('has CREATE');
      expect(error.remedy).to.include('not the migrator');
      for (const text of [error.message, String(error.stack), JSON.stringify(error), inspect(error, { depth: 5 })]) noSecretsIn(text);
    });
  });
}

if (testDialects().includes('sqlite')) {
  describe('verifyPrivileges on sqlite', () => {
    for (const role of ['runtime', 'migration'] as const) {
      it(`${role}: guard only, ok, with a note`, async () => {
        const env = await testEnv();
        const instance = knex(knexConfig({ env, test: true, role, dialect: 'sqlite' }));
        try {
          const report = await verifyPrivileges(instance, { role });
          expect(report).to.include({ dialect: 'sqlite', role, ok: true, guardOnly: true, user: '' });
          expect(report.problems).to.deep.equal([]);
          expect(report.note).to.include('guard');
          expect(await verifyPrivileges(instance, { assert: true, role })).to.deep.equal(report);
        } finally {
          await instance.destroy();
        }
      });
    }
  });
}
