import { expect } from 'chai';
import knex from 'knex';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { provision } from '../../lib/dialects/postgres/provision';
import { quoteIdent, quoteLiteral } from '../../lib/dialects/postgres/quote';
import type { AdminConnection, ProvisionPlan } from '../../lib/dialects/provision-plan';
import { verifyPrivileges } from '../../lib/checks/verify-privileges';
import { testPostgresBuild } from '../support/pg-build';
import { changed, expectNoSecrets, provisionError, provisionSuite, serverError, withSession, type ProvisionDialect } from '../support/provision-suite';
import { testServers, type TestServers } from '../support/servers';

// Proof against a real PostgreSQL: connect as each provisioned role through the raw driver
// and expect the server's own refusal (SQLSTATE 42501), never our guard's. The scenarios
// both dialects share are in test/support/provision-suite.ts.

// What differs between the majors this file runs on (Debian's 15 and the npm-built matrix).
const MAJOR = testPostgresBuild().major;
/** A predefined role that reads everything, on every major (pg_read_all_data is 14+). */
const PREDEFINED = MAJOR >= 14 ? 'pg_read_all_data' : 'pg_read_server_files';
/** Before 15 a login role may grant membership in itself, without ADMIN OPTION (15 removed it). */
const SELF_ADMIN = MAJOR <= 14;
/** Table privileges beyond DML (MAINTAIN is 17+). */
const BEYOND_DML = `TRUNCATE, REFERENCES, TRIGGER${MAJOR >= 17 ? ', MAINTAIN' : ''}`;

let servers: TestServers;
let superAdmin: AdminConnection;

async function connect(user: string, password: string, database: string): Promise<Client> {
  const client = new Client({ host: servers.postgres.host, port: servers.postgres.port, user, password, database });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A superuser session on `database`, for catalog checks and set-up. */
const asSuperuser = (database: string): Promise<Client> => connect(superAdmin.user, superAdmin.password, database);

/** Drops the database (sessions and all) and the roles, so a scenario starts from nothing. */
async function dropAll(database: string, roles: string[]): Promise<void> {
  await withSession(asSuperuser('postgres'), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    for (const role of roles) await c.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
  });
}

const MANAGED = { user: 'kr_pg_managed_admin', password: `Mgr'\\$$-é` };

/** The database as a managed service hands it over: owned by its admin, with no roles in it. */
async function managedDatabase(plan: ProvisionPlan): Promise<void> {
  await dropAll(plan.database, [plan.migrator.user, plan.app.user]);
  await withSession(asSuperuser('postgres'), (c) => c.query(`CREATE DATABASE ${quoteIdent(plan.database)} OWNER ${quoteIdent(MANAGED.user)}`));
  // From 15 on the database owner owns public (pg_database_owner); before, the bootstrap
  // superuser does. Give it to the database owner there too, as a managed service would.
  if (MAJOR <= 14) await withSession(asSuperuser(plan.database), (c) => c.query(`ALTER SCHEMA public OWNER TO ${quoteIdent(MANAGED.user)}`));
}

const postgres: ProvisionDialect = {
  dialect: 'postgres',
  name: 'PostgreSQL',
  start: async () => {
    servers = await testServers();
    superAdmin = { host: servers.postgres.host, port: servers.postgres.port, ...servers.postgres.admin };
  },
  client: 'pg',
  superAdmin: { title: 'a superuser admin', admin: () => superAdmin },
  planFor: (prefix) => ({
    database: `${prefix}_db`,
    migrator: { user: `${prefix}_migrator`, password: `M'i"g\\r$$at$kr$or-ü-😀-${prefix}` },
    app: { user: `${prefix}_app`, password: `A'p\\''p$$;-- ß日本-${prefix}` },
  }),
  drop: (plan) => dropAll(plan.database, [plan.migrator.user, plan.app.user]),
  provision,
  accountLabel: (user) => quoteIdent(user),
  loginAs: (account, database) => withSession(connect(account.user, account.password, database), async (c) => String((await c.query('SELECT current_user AS u')).rows[0].u)),
  sessionAccount: (user) => user,
  wrongPasswordCode: '28P01',
  refusal: (account, database, sql) =>
    withSession(connect(account.user, account.password, database), async (c) => String((await serverError<{ code?: string }>(() => c.query(sql))).code)),
  expectFirstRun: (done) => {
    expect(done.some((d) => d.startsWith('Create database'))).to.equal(true);
    expect(done.filter((d) => d.startsWith('Role ')).length).to.equal(2);
    expect(done.filter((d) => d.includes(': password')).length).to.equal(2);
  },
  expectStepCount: (count) => expect(count).to.equal(19),
  appReadsAndWrites: (plan) =>
    withSession(connect(plan.app.user, plan.app.password, plan.database), async (c) => {
      const owner = await c.query(`INSERT INTO fixture_owners (email, name) VALUES ('ada@example.org', 'Ada') RETURNING id`);
      const ownerId = owner.rows[0].id as number;
      expect(ownerId).to.be.a('number');
      const item = await c.query(`INSERT INTO fixture_items (owner_id, title) VALUES ($1, 'first') RETURNING id`, [ownerId]);
      expect(item.rows[0].id).to.be.a('number');
      expect((await c.query(`UPDATE fixture_items SET title = 'renamed' WHERE owner_id = $1`, [ownerId])).rowCount).to.equal(1);
      expect((await c.query(`SELECT title FROM fixture_open_items`)).rows).to.deep.equal([{ title: 'renamed' }]);
      expect((await c.query(`DELETE FROM fixture_owners WHERE id = $1`, [ownerId])).rowCount).to.equal(1);
      expect((await c.query('SELECT count(*)::int AS n FROM fixture_items')).rows[0].n).to.equal(0); // ON DELETE CASCADE
    }),
  appRefusals: ({ migrator, app }) =>
    [
      'CREATE TABLE intruder (id int)',
      'ALTER TABLE fixture_items ADD COLUMN intruder int',
      'DROP TABLE fixture_items',
      'TRUNCATE fixture_items',
      'CREATE INDEX intruder_idx ON fixture_items (title)',
      'CREATE VIEW intruder AS SELECT 1 AS one',
      `CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
      'CREATE SCHEMA intruder',
      'CREATE DATABASE intruder',
      'CREATE ROLE intruder',
      'CREATE TEMPORARY TABLE intruder (id int)',
      `GRANT ${quoteIdent(migrator.user)} TO ${quoteIdent(app.user)}`,
      `ALTER ROLE ${quoteIdent(app.user)} CREATEDB`,
      `SELECT setval('fixture_owners_id_seq', 1000)`,
    ].map((sql): [string, string] => [sql, '42501']),
  migratorRefusals: ({ migrator, app }) =>
    [
      'CREATE ROLE intruder',
      'CREATE DATABASE intruder',
      'CREATE SCHEMA intruder',
      `GRANT ${PREDEFINED} TO ${quoteIdent(app.user)}`,
      ...(SELF_ADMIN ? [] : [`GRANT ${quoteIdent(migrator.user)} TO ${quoteIdent(app.user)}`]),
      `ALTER ROLE ${quoteIdent(migrator.user)} CREATEROLE`,
      'SELECT rolpassword FROM pg_authid',
    ].map((sql): [string, string] => [sql, '42501']),
  drift: {
    title: 'revokes attributes, memberships, ownership and privileges added by hand',
    add: async (plan) => {
      const M = quoteIdent(plan.migrator.user);
      const A = quoteIdent(plan.app.user);
      const D = quoteIdent(plan.database);
      await withSession(asSuperuser(plan.database), async (c) => {
        for (const sql of [
          `ALTER ROLE ${A} CREATEDB CREATEROLE BYPASSRLS`,
          `ALTER ROLE ${M} SUPERUSER`,
          `GRANT ${M} TO ${A}`,
          `GRANT ${PREDEFINED} TO ${M}`,
          `ALTER DATABASE ${D} OWNER TO ${M}`,
          `GRANT CREATE ON SCHEMA public TO ${A}`,
          `GRANT CREATE ON SCHEMA public TO PUBLIC`,
          `GRANT CONNECT, TEMPORARY ON DATABASE ${D} TO PUBLIC`,
          `GRANT TEMPORARY ON DATABASE ${D} TO ${A}`,
          `GRANT TRUNCATE, TRIGGER ON fixture_items TO ${A}`,
          // GRANT ALL includes MAINTAIN on 17+.
          `GRANT ALL ON fixture_owners TO ${A}`,
          `GRANT UPDATE ON SEQUENCE fixture_items_id_seq TO ${A}`,
          `ALTER DEFAULT PRIVILEGES FOR ROLE ${M} IN SCHEMA public GRANT ALL ON TABLES TO ${A}`,
        ]) {
          await c.query(sql);
        }
      });
    },
    expectRevoked: (report) => expect(changed(report).length).to.be.greaterThan(6),
    expectNone: (plan) =>
      withSession(asSuperuser(plan.database), async (c) => {
        const roles = [plan.migrator.user, plan.app.user];
        const attributes = await c.query(`SELECT bool_or(rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls) AS any FROM pg_roles WHERE rolname = ANY($1)`, [roles]);
        expect(attributes.rows[0].any).to.equal(false);
        const members = await c.query(`SELECT count(*)::int AS n FROM pg_auth_members WHERE member IN (SELECT oid FROM pg_roles WHERE rolname = ANY($1))`, [roles]);
        expect(members.rows[0].n).to.equal(0);
        const owner = await c.query(`SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1`, [plan.database]);
        expect(owner.rows[0].owner).to.equal(superAdmin.user);
        const appPrivileges = await c.query(
          `SELECT has_schema_privilege($1, 'public', 'CREATE') AS schema_create,
                  has_database_privilege($1, $2, 'TEMPORARY') AS temp,
                  has_table_privilege($1, 'fixture_items', 'TRUNCATE') AS truncate,
                  has_table_privilege($1, 'fixture_items', 'TRIGGER') AS trigger,
                  has_table_privilege($1, 'fixture_owners', '${BEYOND_DML}') AS all_but_dml,
                  has_sequence_privilege($1, 'fixture_items_id_seq', 'UPDATE') AS setval,
                  has_table_privilege($1, 'fixture_items', 'SELECT, INSERT, UPDATE, DELETE') AS dml`,
          [plan.app.user, plan.database],
        );
        expect(appPrivileges.rows[0]).to.deep.equal({ schema_create: false, temp: false, truncate: false, trigger: false, all_but_dml: false, setval: false, dml: true });
        // What the migrator creates later: the app's default privileges are DML only again.
        await withSession(connect(plan.migrator.user, plan.migrator.password, plan.database), (m) => m.query('CREATE TABLE drift_later (id int)'));
        const later = await c.query(`SELECT has_table_privilege($1, 'drift_later', '${BEYOND_DML}') AS other, has_table_privilege($1, 'drift_later', 'SELECT, INSERT, UPDATE, DELETE') AS dml`, [plan.app.user]);
        expect(later.rows[0]).to.deep.equal({ other: false, dml: true });
        await withSession(connect(plan.migrator.user, plan.migrator.password, plan.database), (m) => m.query('DROP TABLE drift_later'));
        const publicPrivileges = await c.query(
          `SELECT ARRAY(SELECT a.privilege_type FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = $1 AND a.grantee = 0) AS db,
                  ARRAY(SELECT a.privilege_type FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'public' AND a.grantee = 0 AND a.privilege_type = 'CREATE') AS schema`,
          [plan.database],
        );
        expect(publicPrivileges.rows[0]).to.deep.equal({ db: [], schema: [] });
      }),
  },
  managed: {
    title: 'a managed-service admin (CREATEROLE, owns the database, not superuser)',
    create: async (plan) => {
      await withSession(asSuperuser('postgres'), async (c) => {
        const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [MANAGED.user]);
        if (exists.rowCount === 0) await c.query(`CREATE ROLE ${quoteIdent(MANAGED.user)} LOGIN CREATEROLE PASSWORD ${quoteLiteral(MANAGED.password)}`);
      });
      await managedDatabase(plan);
      return { host: servers.postgres.host, port: servers.postgres.port, ...MANAGED };
    },
    reset: managedDatabase,
    expectFirstRun: (done) => expect(done.filter((d) => d.startsWith('Role '))).to.have.length(2),
  },
};

provisionSuite(postgres, 'kr_pg', {
  provisioned: ({ plan }) => {
    const { migrator, app } = plan;

    it('gives neither role SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS (pg_roles)', async () => {
      const rows = await withSession(asSuperuser(plan.database), async (c) =>
        (await c.query(
          `SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin
           FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
          [[migrator.user, app.user]],
        )).rows,
      );
      expect(rows).to.have.length(2);
      for (const row of rows) {
        expect(row).to.include({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false, rolcanlogin: true });
      }
    });

    it('keeps the app out of the migrator role, and neither role owns the database or the schema', async () => {
      await withSession(asSuperuser(plan.database), async (c) => {
        const memberships = await c.query(
          `SELECT r.rolname AS granted, m.rolname AS member FROM pg_auth_members am
           JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
           WHERE m.rolname = ANY($1)`,
          [[migrator.user, app.user]],
        );
        expect(memberships.rows).to.deep.equal([]);
        const owners = await c.query(
          `SELECT pg_get_userbyid(d.datdba) AS db_owner, pg_get_userbyid(n.nspowner) AS schema_owner
           FROM pg_database d, pg_namespace n WHERE d.datname = $1 AND n.nspname = 'public'`,
          [plan.database],
        );
        expect([migrator.user, app.user]).not.to.include(owners.rows[0].db_owner);
        expect([migrator.user, app.user]).not.to.include(owners.rows[0].schema_owner);
      });
    });

    it('takes CONNECT and TEMPORARY on the database and CREATE on the schema away from PUBLIC', async () => {
      await withSession(asSuperuser(plan.database), async (c) => {
        const db = await c.query(
          `SELECT datacl IS NOT NULL AS explicit,
                  ARRAY(SELECT a.privilege_type FROM aclexplode(datacl) a WHERE a.grantee = 0) AS public_privileges
           FROM pg_database WHERE datname = $1`,
          [plan.database],
        );
        expect(db.rows[0]).to.deep.equal({ explicit: true, public_privileges: [] });
        const schema = await c.query(
          `SELECT ARRAY(SELECT a.privilege_type FROM aclexplode(nspacl) a WHERE a.grantee = 0) AS public_privileges
           FROM pg_namespace WHERE nspname = 'public'`,
        );
        expect(schema.rows[0].public_privileges).not.to.include('CREATE');
        await c.query(`CREATE ROLE kr_pg_outsider LOGIN PASSWORD 'outsider'`);
      });
      try {
        const error = await serverError(() => connect('kr_pg_outsider', 'outsider', plan.database));
        expect(error.code).to.equal('42501');
      } finally {
        await withSession(asSuperuser(plan.database), (c) => c.query('DROP ROLE kr_pg_outsider'));
      }
    });

    it('never sends a password in plaintext: the server log (log_statement = all) holds none', async () => {
      // A rotation first, so the log holds a password change as well as the creations.
      const rotated = `${app.password}-rotated'\\`;
      await provision({ ...plan, app: { ...app, password: rotated } }, superAdmin);
      await provision(plan, superAdmin);
      const log = readFileSync(servers.postgres.logFile, 'utf8');
      expect(log).to.include('SCRAM-SHA-256$4096:'); // the verifiers are there, so statements are logged
      for (const secret of [migrator.password, app.password, rotated]) {
        expect(log).not.to.include(secret);
        expect(log).not.to.include(secret.replace(/'/g, "''"));
      }
    });
  },

  migrated: ({ plan }) => {
    const { migrator, app } = plan;

    it('lets a GRANT by the app grant nothing (it holds no grant option)', async () => {
      await withSession(connect(app.user, app.password, plan.database), async (c) => {
        const notices: string[] = [];
        c.on('notice', (notice) => notices.push(notice.message ?? ''));
        const acl = async (): Promise<string> => (await c.query(`SELECT relacl::text AS acl FROM pg_class WHERE relname = 'fixture_items'`)).rows[0].acl;
        const before = await acl();
        await c.query('GRANT SELECT ON fixture_items TO PUBLIC');
        expect(notices.join(' ')).to.include('no privileges were granted');
        expect(await acl()).to.equal(before);
      });
    });

    if (SELF_ADMIN) {
      it(`PostgreSQL ${MAJOR} lets the migrator make the app its member (GRANT migrator TO app): verify reports it, provision revokes it`, async () => {
        await withSession(connect(migrator.user, migrator.password, plan.database), (c) => c.query(`GRANT ${quoteIdent(migrator.user)} TO ${quoteIdent(app.user)}`));
        const db = knex({ client: 'pg', connection: { host: servers.postgres.host, port: servers.postgres.port, user: app.user, password: app.password, database: plan.database }, pool: { min: 0, max: 1 } });
        try {
          const report = await verifyPrivileges(db, { role: 'runtime' });
          expect(report.problems.map((p) => p.privilege)).to.include(`member of role "${migrator.user}" (CREATE on schema "public", owns objects in schema "public")`);
          expect(changed(await provision(plan, superAdmin))).to.deep.equal([`Roles ${quoteIdent(migrator.user)} and ${quoteIdent(app.user)} are members of no role (so the app is not in the migrator)`]);
          expect((await verifyPrivileges(db, { role: 'runtime' })).problems).to.deep.equal([]);
        } finally {
          await db.destroy();
        }
      });
    }

    it('lets the migrator create and fill temporary tables (CREATE TEMP TABLE … AS SELECT), as migrations that dedupe rows do', async () => {
      await withSession(connect(migrator.user, migrator.password, plan.database), async (c) => {
        await c.query(`CREATE TEMP TABLE dedupe AS SELECT DISTINCT name FROM fixture_owners`);
        await c.query(`INSERT INTO dedupe (name) VALUES ('x')`);
        expect((await c.query('SELECT count(*)::int AS n FROM dedupe')).rows[0].n).to.be.at.least(1);
      });
    });

    it("lets the app read knex's tables and nothing more: the server refuses it DML there (42501)", async () => {
      await withSession(connect(app.user, app.password, plan.database), async (c) => {
        expect((await c.query('SELECT count(*)::int AS n FROM knex_migrations')).rows[0].n).to.equal(3);
        expect((await c.query('SELECT is_locked FROM knex_migrations_lock')).rows).to.deep.equal([{ is_locked: 0 }]);
        for (const sql of [
          'DELETE FROM knex_migrations',
          `INSERT INTO knex_migrations (name, batch) VALUES ('forged', 99)`,
          'UPDATE knex_migrations_lock SET is_locked = 1',
          'TRUNCATE knex_migrations',
          `SELECT nextval('knex_migrations_id_seq')`,
        ]) {
          expect((await serverError(() => c.query(sql))).code, sql).to.equal('42501');
        }
      });
    });
  },

  managed: ({ plan, admin }) => {
    it('refuses with E_PROVISION, naming the role, when a pre-existing role is SUPERUSER', async () => {
      const evil = { ...plan, app: { user: 'kr_pg_managed_super', password: `S'up\\er$$` } };
      await withSession(asSuperuser('postgres'), (c) => c.query(`CREATE ROLE kr_pg_managed_super LOGIN SUPERUSER`));
      try {
        const error = await provisionError(provision(evil, admin()));
        expectNoSecrets(error, [evil.app.password, plan.migrator.password, MANAGED.password]);
        expect(error.code).to.equal('E_PROVISION');
        expect(error.message).to.include('kr_pg_managed_super').and.include('42501');
        expect(error.remedy).to.include('superuser');
      } finally {
        await withSession(asSuperuser('postgres'), (c) => c.query('DROP ROLE kr_pg_managed_super'));
      }
    });

    it('refuses with E_PROVISION when the database is missing and the admin lacks CREATEDB', async () => {
      const error = await provisionError(provision({ ...plan, database: 'kr_pg_managed_missing' }, admin()));
      expectNoSecrets(error, [plan.migrator.password, plan.app.password, MANAGED.password]);
      expect(error.code).to.equal('E_PROVISION');
      expect(error.message).to.include('kr_pg_managed_missing').and.include('42501');
    });

    it('fails closed with E_PROVISION when PUBLIC keeps CREATE on a schema the admin does not own (the default before 15)', async () => {
      const other = { ...plan, database: 'kr_pg_managed_pub' };
      await withSession(asSuperuser('postgres'), (c) => c.query(`CREATE DATABASE kr_pg_managed_pub OWNER ${quoteIdent(MANAGED.user)}`));
      try {
        await withSession(asSuperuser(other.database), (c) => c.query(`ALTER SCHEMA public OWNER TO ${quoteIdent(superAdmin.user)}; GRANT CREATE ON SCHEMA public TO PUBLIC`));
        const error = await provisionError(provision(other, admin()));
        expectNoSecrets(error, [plan.migrator.password, plan.app.password, MANAGED.password]);
        expect(error.code).to.equal('E_PROVISION');
        expect(error.message).to.include(`PUBLIC still holds CREATE on schema public, which only its owner (${superAdmin.user}) or a superuser can revoke`);
        expect(error.remedy).to.include('REVOKE CREATE ON SCHEMA public FROM PUBLIC').and.include(`ALTER SCHEMA public OWNER TO ${MANAGED.user}`);
        // The remedy's second way: once the admin owns the schema, its REVOKE takes effect.
        await withSession(asSuperuser(other.database), (c) => c.query(`ALTER SCHEMA public OWNER TO ${quoteIdent(MANAGED.user)}`));
        await provision(other, admin());
        await withSession(connect(plan.app.user, plan.app.password, other.database), async (c) => {
          expect((await serverError(() => c.query('CREATE TABLE intruder (id int)'))).code).to.equal('42501');
        });
      } finally {
        await withSession(asSuperuser('postgres'), (c) => c.query('DROP DATABASE kr_pg_managed_pub WITH (FORCE)'));
      }
    });

    it(`roles that exist already, created by someone else: ${MAJOR >= 16 ? 'E_PROVISION until the admin holds ADMIN OPTION on them (16+)' : 'corrected (before 16 CREATEROLE manages every non-superuser role)'}`, async () => {
      const pre = { ...postgres.planFor('kr_pg_pre'), database: plan.database };
      await withSession(asSuperuser('postgres'), (c) => c.query(`CREATE ROLE ${quoteIdent(pre.migrator.user)} NOLOGIN; CREATE ROLE ${quoteIdent(pre.app.user)} LOGIN`));
      try {
        if (MAJOR >= 16) {
          const error = await provisionError(provision(pre, admin()));
          expectNoSecrets(error, [pre.migrator.password, pre.app.password, MANAGED.password]);
          expect(error.code).to.equal('E_PROVISION');
          expect(error.message).to.include(`role ${pre.migrator.user} exists, and ${MANAGED.user} holds no ADMIN OPTION on it`).and.include('42501');
          expect(error.remedy).to.include(`GRANT ${pre.migrator.user} TO ${MANAGED.user} WITH ADMIN OPTION`);
          await withSession(asSuperuser('postgres'), (c) =>
            c.query(`GRANT ${quoteIdent(pre.migrator.user)} TO ${quoteIdent(MANAGED.user)} WITH ADMIN OPTION; GRANT ${quoteIdent(pre.app.user)} TO ${quoteIdent(MANAGED.user)} WITH ADMIN OPTION`),
          );
        }
        await provision(pre, admin());
        await withSession(connect(pre.migrator.user, pre.migrator.password, plan.database), async () => undefined);
      } finally {
        await withSession(asSuperuser(plan.database), (c) =>
          c.query(`DROP OWNED BY ${quoteIdent(pre.migrator.user)}; DROP OWNED BY ${quoteIdent(pre.app.user)}; DROP ROLE ${quoteIdent(pre.migrator.user)}; DROP ROLE ${quoteIdent(pre.app.user)}`),
        );
      }
    });
  },
});
