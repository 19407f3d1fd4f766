import { expect } from 'chai';
import knex from 'knex';
import { join } from 'node:path';
import { createConnection, type Connection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { APP_PRIVILEGES, MIGRATOR_PRIVILEGES, provision } from '../../lib/dialects/mysql/provision';
import { quoteAccount, quoteGrantDatabase, quoteIdent, quoteString } from '../../lib/dialects/mysql/quote';
import { parseShowGrantsRow, type ShownGrant } from '../../lib/dialects/mysql/show-grants';
import type { AdminConnection, ProvisionPlan, ProvisionReport } from '../../lib/dialects/provision-plan';
import { KnexRolesError } from '../../lib/errors';
import { testServers, type TestServers } from '../support/servers';

// Proof against a real MariaDB: connect as each provisioned account through mysql2 and
// expect the server's own refusal (1142 table access, 1044 database access, 1227 global
// privilege), never our guard's.

const MIGRATIONS = join(__dirname, '..', 'fixtures', 'migrations');

/** A plan per scenario; database names contain `_` on purpose (a GRANT wildcard). */
function planFor(prefix: string): ProvisionPlan {
  return {
    database: `${prefix}_db`,
    migrator: { user: `${prefix}_migrator`, password: `M'i"g\\r$$at\`or-ü-😀-${prefix}` },
    app: { user: `${prefix}_app`, password: `A'p\\''p$$;-- %_ß日本-${prefix}` },
  };
}

const changed = (report: ProvisionReport): string[] => report.steps.filter((s) => s.changed).map((s) => s.description);

describe('provisioning on a real MariaDB server', () => {
  let servers: TestServers;
  let superAdmin: AdminConnection;

  const connect = (user: string, password: string, database?: string): Promise<Connection> =>
    createConnection({ host: servers.mysql.host, port: servers.mysql.port, user, password, ...(database ? { database } : {}) });

  /** The test-server admin (ALL ON *.* WITH GRANT OPTION), for set-up and SHOW GRANTS. */
  const asAdmin = (): Promise<Connection> => connect(superAdmin.user, superAdmin.password);
  /** root over the socket: holds PROXY and can grant to PUBLIC. */
  const asRoot = (): Promise<Connection> => createConnection({ socketPath: servers.mysql.socket, user: 'root' });

  async function withConnection<T>(connection: Promise<Connection>, run: (c: Connection) => Promise<T>): Promise<T> {
    const c = await connection;
    try {
      return await run(c);
    } finally {
      await c.end();
    }
  }

  async function serverError(run: () => Promise<unknown>): Promise<{ errno?: number; message: string }> {
    try {
      await run();
    } catch (error) {
      expect(error).not.to.be.instanceOf(KnexRolesError);
      return error as { errno?: number; message: string };
    }
    throw new Error('expected the server to refuse');
  }

  async function grantsOf(user: string): Promise<ShownGrant[]> {
    return withConnection(asAdmin(), async (c) => {
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

  function migratorKnex(plan: ProvisionPlan) {
    return knex({
      client: 'mysql2',
      connection: { host: servers.mysql.host, port: servers.mysql.port, user: plan.migrator.user, password: plan.migrator.password, database: plan.database },
      migrations: { directory: MIGRATIONS, loadExtensions: ['.js'] },
      pool: { min: 0, max: 2 },
    });
  }

  function expectNoSecrets(error: unknown, secrets: string[]): void {
    expect(error).to.be.instanceOf(KnexRolesError);
    const e = error as KnexRolesError;
    const texts = [e.message, e.remedy, String(e.cause), JSON.stringify(e.toJSON()), JSON.stringify(e.cause) ?? ''];
    for (const secret of secrets) for (const text of texts) expect(text).not.to.include(secret);
  }

  before(async () => {
    servers = await testServers();
    superAdmin = { host: servers.mysql.host, port: servers.mysql.port, ...servers.mysql.admin };
  });

  describe('MariaDB provisioning as an all-privileges admin', () => {
    const plan = planFor('kr_my_super');
    const { migrator, app } = plan;

    it('provisions a fresh database and reports the changes', async () => {
      const done = changed(await provision(plan, superAdmin));
      expect(done.some((d) => d.startsWith('Create database'))).to.equal(true);
      expect(done.filter((d) => d.startsWith('Create migrator') || d.startsWith('Create app'))).to.have.length(2);
      expect(done.filter((d) => d.includes(' on `kr\\_my\\_super\\_db`.*'))).to.have.length(2);
    });

    it('reports nothing changed on a second run', async () => {
      const report = await provision(plan, superAdmin);
      expect(report.steps.length).to.equal(10);
      expect(changed(report)).to.deep.equal([]);
    });

    it('logs both accounts in with passwords holding quotes, backslashes, $$, %, _ and non-ASCII', async () => {
      for (const user of [migrator, app]) {
        await withConnection(connect(user.user, user.password, plan.database), async (c) => {
          const [rows] = await c.query<RowDataPacket[]>('SELECT CURRENT_USER() AS account');
          expect(rows[0]?.['account']).to.equal(`${user.user}@%`);
        });
      }
    });

    it('grants nothing on *.* beyond USAGE, no GRANT OPTION, and only the plan on the database (SHOW GRANTS)', async () => {
      await expectExactly(app.user, plan.database, APP_PRIVILEGES);
      await expectExactly(migrator.user, plan.database, MIGRATOR_PRIVILEGES);
    });

    it('escapes `_` in GRANT ON: a database matching the unescaped pattern stays out of reach', async () => {
      const lookalike = plan.database.replace(/_/g, '1'); // kr1my1super1db matches `kr_my_super_db` as a pattern
      await withConnection(asAdmin(), async (c) => {
        await c.query(`CREATE DATABASE ${quoteIdent(lookalike)}`);
        await c.query(`CREATE TABLE ${quoteIdent(lookalike)}.secrets (id int)`);
      });
      try {
        await withConnection(connect(app.user, app.password), async (c) => {
          expect((await serverError(() => c.query(`SELECT * FROM ${quoteIdent(lookalike)}.secrets`))).errno).to.be.oneOf([1142, 1044]);
        });
      } finally {
        await withConnection(asAdmin(), (c) => c.query(`DROP DATABASE ${quoteIdent(lookalike)}`));
      }
    });

    describe('after the migrator ran knex migrations', () => {
      before(async () => {
        const db = migratorKnex(plan);
        try {
          const [, applied] = (await db.migrate.latest()) as [number, string[]];
          expect(applied).to.have.length(3);
        } finally {
          await db.destroy();
        }
      });

      it('lets the app read and write the new tables, auto-increment ids included', async () => {
        await withConnection(connect(app.user, app.password, plan.database), async (c) => {
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
        });
      });

      const appRefusals = (database: string, m: string): Array<[string, number]> => [
        ['CREATE TABLE intruder (id int)', 1142],
        ['ALTER TABLE fixture_items ADD COLUMN intruder int', 1142],
        ['DROP TABLE fixture_items', 1142],
        ['TRUNCATE fixture_items', 1142],
        ['CREATE INDEX intruder_idx ON fixture_items (title)', 1142],
        ['CREATE VIEW intruder AS SELECT 1 AS one', 1142],
        ['CREATE TRIGGER intruder BEFORE INSERT ON fixture_items FOR EACH ROW SET NEW.title = NEW.title', 1142],
        [`GRANT SELECT ON ${quoteIdent(database)}.fixture_items TO ${quoteAccount(m, '%')}`, 1142],
        ['CREATE PROCEDURE intruder() SELECT 1', 1044],
        ['CREATE TEMPORARY TABLE intruder (id int)', 1044],
        ['LOCK TABLES fixture_items WRITE', 1044],
        ['CREATE DATABASE intruder', 1044],
        [`DROP DATABASE ${quoteIdent(database)}`, 1044],
        ["CREATE USER 'intruder'@'%'", 1227],
        ['SELECT * FROM mysql.user', 1142],
      ];
      for (const [sql, errno] of appRefusals(plan.database, migrator.user)) {
        it(`refuses the app: ${sql}`, async () => {
          await withConnection(connect(app.user, app.password, plan.database), async (c) => {
            expect((await serverError(() => c.query(sql))).errno).to.equal(errno);
          });
        });
      }

      const migratorRefusals = (database: string, a: string): Array<[string, number]> => [
        ["CREATE USER 'intruder'@'%'", 1227],
        ['CREATE DATABASE intruder', 1044],
        [`GRANT SELECT ON ${quoteGrantDatabase(database)}.* TO ${quoteAccount(a, '%')}`, 1044],
        [`GRANT SELECT ON ${quoteIdent(database)}.fixture_items TO ${quoteAccount(a, '%')}`, 1142],
        ['CREATE PROCEDURE intruder() SELECT 1', 1044],
        ['SELECT * FROM mysql.user', 1142],
        ["SET GLOBAL sql_mode = ''", 1227],
      ];
      for (const [sql, errno] of migratorRefusals(plan.database, app.user)) {
        it(`refuses the migrator: ${sql}`, async () => {
          await withConnection(connect(migrator.user, migrator.password, plan.database), async (c) => {
            expect((await serverError(() => c.query(sql))).errno).to.equal(errno);
          });
        });
      }

      it('still reports nothing changed with tables in place', async () => {
        expect(changed(await provision(plan, superAdmin))).to.deep.equal([]);
      });

      it('lets the migrator roll every migration back', async () => {
        const db = migratorKnex(plan);
        try {
          await db.migrate.rollback(undefined, true);
          expect(await db.schema.hasTable('fixture_items')).to.equal(false);
          expect(await db.schema.hasTable('fixture_owners')).to.equal(false);
        } finally {
          await db.destroy();
        }
      });
    });

    it('changes only a changed password: the new one logs in, the old one no longer does', async () => {
      const rotated: ProvisionPlan = { ...plan, app: { ...app, password: `${app.password}-rotated'\\` } };
      expect(changed(await provision(rotated, superAdmin))).to.deep.equal([`app ${quoteAccount(app.user, '%')}: password (set only when logging in with it fails)`]);
      await withConnection(connect(app.user, rotated.app.password), async () => undefined);
      expect((await serverError(() => connect(app.user, app.password))).errno).to.equal(1045);
      expect(changed(await provision(rotated, superAdmin))).to.deep.equal([]);
      await provision(plan, superAdmin);
    });

    it('quotes passwords right when the server runs with NO_BACKSLASH_ESCAPES', async () => {
      const rotated: ProvisionPlan = { ...plan, migrator: { ...migrator, password: `back\\slash\\'s-${migrator.password}` } };
      const original = await withConnection(asAdmin(), async (c) => {
        const [rows] = await c.query<RowDataPacket[]>('SELECT @@GLOBAL.sql_mode AS mode');
        const mode = String(rows[0]?.['mode'] ?? '');
        await c.query('SET GLOBAL sql_mode = ?', [mode ? `${mode},NO_BACKSLASH_ESCAPES` : 'NO_BACKSLASH_ESCAPES']);
        return mode;
      });
      try {
        expect(changed(await provision(rotated, superAdmin))).to.have.length(1);
        await withConnection(connect(migrator.user, rotated.migrator.password), async () => undefined);
      } finally {
        await withConnection(asAdmin(), (c) => c.query('SET GLOBAL sql_mode = ?', [original]));
      }
      expect(changed(await provision(rotated, superAdmin))).to.deep.equal([]);
      await provision(plan, superAdmin);
    });

    it('fails with E_PROVISION, and no password, when the admin password is wrong', async () => {
      const wrong = `wrong'\\$$-${superAdmin.password}`;
      const error = await provision(plan, { ...superAdmin, password: wrong }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expectNoSecrets(error, [wrong, superAdmin.password, migrator.password, app.password]);
      expect((error as KnexRolesError).code).to.equal('E_PROVISION');
      expect((error as KnexRolesError).message).to.include(superAdmin.user).and.include('1045');
    });
  });

  describe('MariaDB provisioning corrects drift', () => {
    const plan = planFor('kr_my_drift');
    const { migrator, app } = plan;

    it('revokes global privileges, GRANT OPTION, other databases, wildcard grants and roles added by hand', async () => {
      await provision(plan, superAdmin);
      const A = quoteAccount(app.user, '%');
      const M = quoteAccount(migrator.user, '%');
      await withConnection(asRoot(), async (c) => {
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
      await withConnection(asAdmin(), async (c) => {
        await c.query('CREATE ROLE IF NOT EXISTS kr_my_drift_role');
        await c.query(`GRANT kr_my_drift_role TO ${A}`);
      });

      const report = await provision(plan, superAdmin);
      const revoked = report.steps.filter((s) => s.description.includes('revoke every privilege') && s.changed).map((s) => s.description);
      expect(revoked).to.have.length(2);
      const all = revoked.join(' ');
      expect(all).to.include('GRANT OPTION ON *.*').and.include('kr_my_drift_role').and.include('PROXY ON');
      expect(all).to.match(/(FILE, PROCESS|PROCESS, FILE) ON \*\.\*/);
      expect(all).to.include('SELECT ON `kr_my_drift_db`.*'); // the unescaped wildcard grant
      expect(all).to.include('ON `mysql`.`user`').and.include('ON `mysql`.`db`');
      expect(changed(await provision(plan, superAdmin))).to.deep.equal([]);
      await expectExactly(app.user, plan.database, APP_PRIVILEGES);
      await expectExactly(migrator.user, plan.database, MIGRATOR_PRIVILEGES);
      await withConnection(asAdmin(), (c) => c.query('DROP ROLE kr_my_drift_role'));
    });
  });

  describe('MariaDB provisioning as a managed-service admin (CREATE USER + ALL ON the database WITH GRANT OPTION)', () => {
    const plan = planFor('kr_my_managed');
    const managed = { user: 'kr_my_managed_admin', password: `Mgr'\\$$-é` };
    let managedAdmin: AdminConnection;

    before(async () => {
      await withConnection(asAdmin(), async (c) => {
        const account = quoteAccount(managed.user, '%');
        await c.query(`CREATE USER ${account} IDENTIFIED BY ${quoteString(managed.password)}`);
        await c.query(`GRANT CREATE USER ON *.* TO ${account}`);
        await c.query(`GRANT ALL PRIVILEGES ON ${quoteGrantDatabase(plan.database)}.* TO ${account} WITH GRANT OPTION`);
      });
      managedAdmin = { host: servers.mysql.host, port: servers.mysql.port, ...managed };
    });

    it('provisions (database included), then reports nothing changed on a second run', async () => {
      const first = await provision(plan, managedAdmin);
      expect(changed(first).some((d) => d.startsWith('Create database'))).to.equal(true);
      expect(changed(await provision(plan, managedAdmin))).to.deep.equal([]);
      await expectExactly(plan.app.user, plan.database, APP_PRIVILEGES);
      await expectExactly(plan.migrator.user, plan.database, MIGRATOR_PRIVILEGES);
    });

    it('revokes drift on the database although it may not run SHOW GRANTS FOR other accounts', async () => {
      await withConnection(asAdmin(), (c) => c.query(`GRANT DROP, CREATE ON ${quoteGrantDatabase(plan.database)}.* TO ${quoteAccount(plan.app.user, '%')}`));
      const report = await provision(plan, managedAdmin);
      expect(changed(report).join(' ')).to.match(/revoked: (CREATE, DROP|DROP, CREATE) ON/);
      await expectExactly(plan.app.user, plan.database, APP_PRIVILEGES);
    });

    it('gives the app access to what the migrator creates later', async () => {
      const db = migratorKnex(plan);
      try {
        await db.migrate.latest();
        await withConnection(connect(plan.app.user, plan.app.password, plan.database), async (c) => {
          await c.query(`INSERT INTO fixture_owners (email, name) VALUES ('grace@example.org', 'Grace')`);
          expect((await serverError(() => c.query('DROP TABLE fixture_items'))).errno).to.equal(1142);
        });
        await db.migrate.rollback(undefined, true);
      } finally {
        await db.destroy();
      }
    });

    it('fails with E_PROVISION, naming the account, on a global privilege it cannot revoke', async () => {
      const A = quoteAccount(plan.app.user, '%');
      await withConnection(asAdmin(), (c) => c.query(`GRANT FILE ON *.* TO ${A}`));
      try {
        const error = await provision(plan, managedAdmin).then(
          () => undefined,
          (e: unknown) => e,
        );
        expectNoSecrets(error, [plan.app.password, plan.migrator.password, managed.password]);
        const e = error as KnexRolesError;
        expect(e.code).to.equal('E_PROVISION');
        expect(e.message).to.include(plan.app.user).and.include('FILE ON *.*');
        expect(e.remedy).to.include('CREATE USER');
      } finally {
        await withConnection(asAdmin(), (c) => c.query(`REVOKE FILE ON *.* FROM ${A}`));
      }
    });
  });

  describe('MariaDB PUBLIC grants', () => {
    it('refuses to provision a database that a grant to PUBLIC covers', async () => {
      const plan = planFor('kr_my_public');
      await withConnection(asRoot(), (c) => c.query('GRANT CREATE, DROP ON `kr\\_my\\_public%`.* TO PUBLIC'));
      try {
        const error = await provision(plan, superAdmin).then(
          () => undefined,
          (e: unknown) => e,
        );
        expectNoSecrets(error, [plan.app.password, plan.migrator.password]);
        expect((error as KnexRolesError).message).to.include('PUBLIC').and.include('kr_my_public_db');
      } finally {
        await withConnection(asRoot(), (c) => c.query('REVOKE CREATE, DROP ON `kr\\_my\\_public%`.* FROM PUBLIC'));
      }
    });
  });
});
