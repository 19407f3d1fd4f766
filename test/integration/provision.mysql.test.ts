import { expect } from 'chai';
import { createConnection, type Connection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { APP_PRIVILEGES, MIGRATOR_PRIVILEGES, provision } from '../../lib/dialects/mysql/provision';
import { quoteAccount, quoteGrantDatabase, quoteIdent, quoteString } from '../../lib/dialects/mysql/quote';
import { parseShowGrantsRow, type ShownGrant } from '../../lib/dialects/mysql/show-grants';
import type { AdminConnection, ProvisionPlan } from '../../lib/dialects/provision-plan';
import { changed, expectNoSecrets, provisionError, provisionSuite, withSession, serverError, type ProvisionDialect } from '../support/provision-suite';
import { testServers, type TestServers } from '../support/servers';

// Proof against a real MariaDB: connect as each provisioned account through mysql2 and
// expect the server's own refusal (1142 table access, 1044 database access, 1227 global
// privilege), never our guard's. The scenarios both dialects share are in
// test/support/provision-suite.ts.

let servers: TestServers;
let superAdmin: AdminConnection;

const connect = (user: string, password: string, database?: string): Promise<Connection> =>
  createConnection({ host: servers.mysql.host, port: servers.mysql.port, user, password, ...(database ? { database } : {}) });

/** The test-server admin (ALL ON *.* WITH GRANT OPTION), for set-up and SHOW GRANTS. */
const asAdmin = (): Promise<Connection> => connect(superAdmin.user, superAdmin.password);
/** root over the socket: holds PROXY and can grant to PUBLIC. */
const asRoot = (): Promise<Connection> => createConnection({ socketPath: servers.mysql.socket, user: 'root' });

async function grantsOf(user: string): Promise<ShownGrant[]> {
  return withSession(asAdmin(), async (c) => {
    const [rows] = await c.query<RowDataPacket[]>(`SHOW GRANTS FOR ${quoteAccount(user, '%')}`);
    return rows.map((row) => parseShowGrantsRow(String(Object.values(row)[0])) as ShownGrant);
  });
}

/** The account holds exactly `privileges` on the plan's database and nothing else but USAGE. */
async function expectExactly(user: string, database: string, privileges: readonly string[]): Promise<void> {
  const grants = await grantsOf(user);
  const global = grants.filter((g) => g.global);
  expect(global.map((g) => g.privileges)).to.deep.equal([['USAGE']]);
  expect(grants.some((g) => g.grantOption)).to.equal(false);
  const rest = grants.filter((g) => !g.global);
  expect(rest.map((g) => g.target)).to.deep.equal([`${quoteGrantDatabase(database)}.*`]);
  expect([...(rest[0] as ShownGrant).privileges].sort()).to.deep.equal([...privileges].sort());
}

async function drop(plan: ProvisionPlan): Promise<void> {
  await withSession(asAdmin(), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(plan.database)}`);
    for (const user of [plan.migrator.user, plan.app.user]) await c.query(`DROP USER IF EXISTS ${quoteAccount(user, '%')}`);
  });
}

const MANAGED = { user: 'kr_my_managed_admin', password: `Mgr'\\$$-é` };

const mysql: ProvisionDialect = {
  dialect: 'mysql',
  name: 'MariaDB',
  start: async () => {
    servers = await testServers();
    superAdmin = { host: servers.mysql.host, port: servers.mysql.port, ...servers.mysql.admin };
  },
  client: 'mysql2',
  superAdmin: { title: 'an all-privileges admin', admin: () => superAdmin },
  // Database names contain `_` on purpose (a GRANT wildcard), passwords also `%` and `_`.
  planFor: (prefix) => ({
    database: `${prefix}_db`,
    migrator: { user: `${prefix}_migrator`, password: `M'i"g\\r$$at\`or-ü-😀-${prefix}` },
    app: { user: `${prefix}_app`, password: `A'p\\''p$$;-- %_ß日本-${prefix}` },
  }),
  drop,
  provision,
  accountLabel: (user) => quoteAccount(user, '%'),
  loginAs: (account, database) =>
    withSession(connect(account.user, account.password, database), async (c) => {
      const [rows] = await c.query<RowDataPacket[]>('SELECT CURRENT_USER() AS account');
      return String(rows[0]?.['account']);
    }),
  sessionAccount: (user) => `${user}@%`,
  wrongPasswordCode: 1045,
  refusal: (account, database, sql) => withSession(connect(account.user, account.password, database), async (c) => (await serverError<{ errno: number }>(() => c.query(sql))).errno),
  expectFirstRun: (done) => {
    expect(done.some((d) => d.startsWith('Create database'))).to.equal(true);
    expect(done.filter((d) => d.startsWith('Create migrator') || d.startsWith('Create app'))).to.have.length(2);
    expect(done.filter((d) => d.includes(' on `kr\\_my\\_super\\_db`.*'))).to.have.length(2);
  },
  expectStepCount: (count) => expect(count).to.equal(10),
  appReadsAndWrites: (plan) =>
    withSession(connect(plan.app.user, plan.app.password, plan.database), async (c) => {
      const [owner] = await c.query<ResultSetHeader>(`INSERT INTO fixture_owners (email, name) VALUES ('ada@example.org', 'Ada')`);
      expect(owner.insertId).to.be.greaterThan(0);
      const [item] = await c.query<ResultSetHeader>('INSERT INTO fixture_items (owner_id, title) VALUES (?, ?)', [owner.insertId, 'first']);
      expect(item.insertId).to.be.greaterThan(0);
      const [updated] = await c.query<ResultSetHeader>(`UPDATE fixture_items SET title = 'renamed' WHERE owner_id = ?`, [owner.insertId]);
      expect(updated.affectedRows).to.equal(1);
      const [open] = await c.query<RowDataPacket[]>('SELECT title FROM fixture_open_items');
      expect(open.map((r) => r['title'])).to.deep.equal(['renamed']);
      const [deleted] = await c.query<ResultSetHeader>('DELETE FROM fixture_owners WHERE id = ?', [owner.insertId]);
      expect(deleted.affectedRows).to.equal(1);
      const [left] = await c.query<RowDataPacket[]>('SELECT count(*) AS n FROM fixture_items');
      expect(Number(left[0]?.['n'])).to.equal(0); // ON DELETE CASCADE
    }),
  appRefusals: ({ database, migrator }) => [
    ['CREATE TABLE intruder (id int)', 1142],
    ['ALTER TABLE fixture_items ADD COLUMN intruder int', 1142],
    ['DROP TABLE fixture_items', 1142],
    ['TRUNCATE fixture_items', 1142],
    ['CREATE INDEX intruder_idx ON fixture_items (title)', 1142],
    ['CREATE VIEW intruder AS SELECT 1 AS one', 1142],
    ['CREATE TRIGGER intruder BEFORE INSERT ON fixture_items FOR EACH ROW SET NEW.title = NEW.title', 1142],
    [`GRANT SELECT ON ${quoteIdent(database)}.fixture_items TO ${quoteAccount(migrator.user, '%')}`, 1142],
    ['CREATE PROCEDURE intruder() SELECT 1', 1044],
    ['CREATE TEMPORARY TABLE intruder (id int)', 1044],
    ['LOCK TABLES fixture_items WRITE', 1044],
    ['CREATE DATABASE intruder', 1044],
    [`DROP DATABASE ${quoteIdent(database)}`, 1044],
    ["CREATE USER 'intruder'@'%'", 1227],
    ['SELECT * FROM mysql.user', 1142],
  ],
  migratorRefusals: ({ database, app }) => [
    ["CREATE USER 'intruder'@'%'", 1227],
    ['CREATE DATABASE intruder', 1044],
    [`GRANT SELECT ON ${quoteGrantDatabase(database)}.* TO ${quoteAccount(app.user, '%')}`, 1044],
    [`GRANT SELECT ON ${quoteIdent(database)}.fixture_items TO ${quoteAccount(app.user, '%')}`, 1142],
    ['CREATE PROCEDURE intruder() SELECT 1', 1044],
    ['SELECT * FROM mysql.user', 1142],
    ["SET GLOBAL sql_mode = ''", 1227],
  ],
  drift: {
    title: 'revokes global privileges, GRANT OPTION, other databases, wildcard grants and roles added by hand',
    add: async (plan) => {
      const A = quoteAccount(plan.app.user, '%');
      const M = quoteAccount(plan.migrator.user, '%');
      await withSession(asRoot(), async (c) => {
        for (const sql of [
          `GRANT FILE, PROCESS ON *.* TO ${A}`,
          `GRANT SELECT ON *.* TO ${M} WITH GRANT OPTION`,
          `GRANT ALL PRIVILEGES ON ${quoteGrantDatabase(plan.database)}.* TO ${A} WITH GRANT OPTION`,
          `GRANT SELECT ON mysql.user TO ${A}`,
          `GRANT SELECT (user) ON mysql.db TO ${M}`,
          `GRANT CREATE ROUTINE, LOCK TABLES ON ${quoteGrantDatabase(plan.database)}.* TO ${M}`,
          `GRANT SELECT ON ${quoteIdent(plan.database)}.* TO ${M}`, // unescaped: a wildcard pattern
          `GRANT PROXY ON ''@'%' TO ${A}`,
        ]) {
          await c.query(sql);
        }
      });
      // A role the admin created (so it holds ADMIN OPTION on it and may revoke it).
      await withSession(asAdmin(), async (c) => {
        await c.query('CREATE ROLE IF NOT EXISTS kr_my_drift_role');
        await c.query(`GRANT kr_my_drift_role TO ${A}`);
      });
    },
    expectRevoked: (report) => {
      const revoked = report.steps.filter((s) => s.description.includes('revoke every privilege') && s.changed).map((s) => s.description);
      expect(revoked).to.have.length(2);
      const all = revoked.join(' ');
      expect(all).to.include('GRANT OPTION ON *.*').and.include('kr_my_drift_role').and.include('PROXY ON');
      expect(all).to.match(/(FILE, PROCESS|PROCESS, FILE) ON \*\.\*/);
      expect(all).to.include('SELECT ON `kr_my_drift_db`.*'); // the unescaped wildcard grant
      expect(all).to.include('ON `mysql`.`user`').and.include('ON `mysql`.`db`');
    },
    expectNone: async (plan) => {
      await expectExactly(plan.app.user, plan.database, APP_PRIVILEGES);
      await expectExactly(plan.migrator.user, plan.database, MIGRATOR_PRIVILEGES);
    },
    cleanup: () => withSession(asAdmin(), (c) => c.query('DROP ROLE IF EXISTS kr_my_drift_role')).then(() => undefined),
  },
  managed: {
    title: 'a managed-service admin (CREATE USER + ALL ON the database WITH GRANT OPTION)',
    create: async (plan) => {
      await withSession(asAdmin(), async (c) => {
        const account = quoteAccount(MANAGED.user, '%');
        await c.query(`CREATE USER ${account} IDENTIFIED BY ${quoteString(MANAGED.password)}`);
        await c.query(`GRANT CREATE USER ON *.* TO ${account}`);
        await c.query(`GRANT ALL PRIVILEGES ON ${quoteGrantDatabase(plan.database)}.* TO ${account} WITH GRANT OPTION`);
      });
      return { host: servers.mysql.host, port: servers.mysql.port, ...MANAGED };
    },
    // As the service hands it over: rights on a database that does not exist yet, no accounts.
    reset: drop,
    expectFirstRun: (done) => expect(done.some((d) => d.startsWith('Create database'))).to.equal(true),
  },
};

provisionSuite(mysql, 'kr_my', {
  provisioned: ({ plan }) => {
    const { migrator, app } = plan;

    it('grants nothing on *.* beyond USAGE, no GRANT OPTION, and only the plan on the database (SHOW GRANTS)', async () => {
      await expectExactly(app.user, plan.database, APP_PRIVILEGES);
      await expectExactly(migrator.user, plan.database, MIGRATOR_PRIVILEGES);
    });

    it('escapes `_` in GRANT ON: a database matching the unescaped pattern stays out of reach', async () => {
      const lookalike = plan.database.replace(/_/g, '1'); // kr1my1super1db matches `kr_my_super_db` as a pattern
      await withSession(asAdmin(), async (c) => {
        await c.query(`CREATE DATABASE ${quoteIdent(lookalike)}`);
        await c.query(`CREATE TABLE ${quoteIdent(lookalike)}.secrets (id int)`);
      });
      try {
        await withSession(connect(app.user, app.password), async (c) => {
          expect((await serverError<{ errno: number }>(() => c.query(`SELECT * FROM ${quoteIdent(lookalike)}.secrets`))).errno).to.be.oneOf([1142, 1044]);
        });
      } finally {
        await withSession(asAdmin(), (c) => c.query(`DROP DATABASE ${quoteIdent(lookalike)}`));
      }
    });

    it('quotes passwords right when the server runs with NO_BACKSLASH_ESCAPES', async () => {
      const rotated: ProvisionPlan = { ...plan, migrator: { ...migrator, password: `back\\slash\\'s-${migrator.password}` } };
      const original = await withSession(asAdmin(), async (c) => {
        const [rows] = await c.query<RowDataPacket[]>('SELECT @@GLOBAL.sql_mode AS mode');
        const mode = String(rows[0]?.['mode'] ?? '');
        await c.query('SET GLOBAL sql_mode = ?', [mode ? `${mode},NO_BACKSLASH_ESCAPES` : 'NO_BACKSLASH_ESCAPES']);
        return mode;
      });
      try {
        expect(changed(await provision(rotated, superAdmin))).to.have.length(1);
        await withSession(connect(migrator.user, rotated.migrator.password), async () => undefined);
      } finally {
        await withSession(asAdmin(), (c) => c.query('SET GLOBAL sql_mode = ?', [original]));
      }
      expect(changed(await provision(rotated, superAdmin))).to.deep.equal([]);
    });
  },

  managed: ({ plan, admin }) => {
    it('revokes drift on the database although it may not run SHOW GRANTS FOR other accounts', async () => {
      await withSession(asAdmin(), (c) => c.query(`GRANT DROP, CREATE ON ${quoteGrantDatabase(plan.database)}.* TO ${quoteAccount(plan.app.user, '%')}`));
      const report = await provision(plan, admin());
      expect(changed(report).join(' ')).to.match(/revoked: (CREATE, DROP|DROP, CREATE) ON/);
      await expectExactly(plan.app.user, plan.database, APP_PRIVILEGES);
      await expectExactly(plan.migrator.user, plan.database, MIGRATOR_PRIVILEGES);
    });

    it('fails with E_PROVISION, naming the account, on a global privilege it cannot revoke', async () => {
      const A = quoteAccount(plan.app.user, '%');
      await withSession(asAdmin(), (c) => c.query(`GRANT FILE ON *.* TO ${A}`));
      try {
        const error = await provisionError(provision(plan, admin()));
        expectNoSecrets(error, [plan.app.password, plan.migrator.password, MANAGED.password]);
        expect(error.code).to.equal('E_PROVISION');
        expect(error.message).to.include(plan.app.user).and.include('FILE ON *.*');
        expect(error.remedy).to.include('CREATE USER');
      } finally {
        await withSession(asAdmin(), (c) => c.query(`REVOKE FILE ON *.* FROM ${A}`));
      }
    });
  },

  more: () => {
    describe('MariaDB PUBLIC grants', () => {
      it('refuses to provision a database that a grant to PUBLIC covers', async () => {
        const plan = mysql.planFor('kr_my_public');
        await withSession(asRoot(), (c) => c.query('GRANT CREATE, DROP ON `kr\\_my\\_public%`.* TO PUBLIC'));
        try {
          const error = await provisionError(provision(plan, superAdmin));
          expectNoSecrets(error, [plan.app.password, plan.migrator.password]);
          expect(error.message).to.include('PUBLIC').and.include('kr_my_public_db');
        } finally {
          await withSession(asRoot(), (c) => c.query('REVOKE CREATE, DROP ON `kr\\_my\\_public%`.* FROM PUBLIC'));
        }
      });
    });
  },
});
