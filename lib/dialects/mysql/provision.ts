import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { loadMysql2 } from '../load-driver';
import { ProvisionError } from '../../errors';
import type { AdminConnection, ProvisionOptions, ProvisionPlan, ProvisionReport, ProvisionStep } from '../provision-plan';
import { scrub, validatePlan } from '../provision-plan';
import { provisionError } from './driver-errors';
import { checkLogin, passwordClause } from './password';
import { grantDatabasePattern, grantPatternMatches, quoteAccount, quoteGrantDatabase, quoteIdent, type StringQuoteOptions } from './quote';
import { parseShowGrantsRow, tableTarget, type ShownGrant } from './show-grants';
import { coversSystemDatabase, isSystemDatabase } from './system-databases';

/**
 * MySQL 8 / MariaDB provisioning: the canonical SQL for the migrator and app accounts.
 * Every privilege is granted on `` `database`.* `` only (with `_`, `%` escaped so the grant
 * is not a wildcard); neither account has any global privilege (`*.*` shows only USAGE),
 * GRANT OPTION, FILE, SUPER, PROCESS, RELOAD or CREATE USER. Privileges outside this
 * table, at any level, are revoked on every run.
 *
 * | Who      | Privilege on `db`.* | Why |
 * |----------|---------------------|-----|
 * | app      | SELECT, INSERT, UPDATE, DELETE | the data plane, nothing else |
 * | migrator | CREATE              | CREATE TABLE (knex_migrations too), and the target of RENAME TABLE |
 * | migrator | ALTER               | ALTER TABLE: columns, `table.index()` (knex emits ALTER TABLE … ADD INDEX), renames |
 * | migrator | DROP                | DROP TABLE / dropTableIfExists, TRUNCATE, and the source side of RENAME TABLE |
 * | migrator | INDEX               | CREATE INDEX / DROP INDEX statements (raw migrations) |
 * | migrator | REFERENCES          | foreign keys (MySQL ≥ 8.0.22 checks it on the parent table) |
 * | migrator | CREATE VIEW, SHOW VIEW | views are schema objects migrations own; SHOW VIEW to alter/dump them |
 * | migrator | TRIGGER             | triggers (also the guard on knex_migrations*, see bookkeeping.ts); they run with the migrator as DEFINER, which adds nothing: it holds the app's DML anyway |
 * | migrator | CREATE TEMPORARY TABLES | `CREATE TEMPORARY TABLE … AS SELECT` in migrations (session-local, no schema change) |
 * | app      | CREATE TEMPORARY TABLES | only with the `appTemporaryTables` opt-in |
 * | migrator | SELECT, INSERT, UPDATE, DELETE | knex reads and writes knex_migrations / knex_migrations_lock (lock: UPDATE … WHERE is_locked = 0; rollback: DELETE), data backfills; INSERT is also needed by RENAME TABLE |
 *
 * Left out on purpose: LOCK TABLES (knex locks with a row update, not LOCK TABLES), EXECUTE, CREATE ROUTINE, ALTER ROUTINE (stored routines run as
 * their DEFINER; grant them by hand, with EXECUTE for the app, if your migrations need
 * them), EVENT, DELETE HISTORY, and every global privilege.
 *
 * Drift correction stays inside the target database: grants on other databases (the same
 * user pair serving one database per service) are left alone and listed in the report;
 * grants that cover the target through a wildcard pattern, global privileges, roles and
 * PROXY are revoked.
 *
 * What MySQL cannot express: a migrator without data access. knex must read and write
 * its own tables, and a table-level grant would not hold (with DROP and CREATE the
 * migrator can rename any table onto the granted name). MySQL has no schema-wide "deny"
 * either, so the app's writes to knex_migrations* are refused by triggers that
 * `knex-roles migrate` creates as the migrator (see bookkeeping.ts).
 */
export const APP_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
export const MIGRATOR_PRIVILEGES = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'CREATE',
  'ALTER',
  'DROP',
  'INDEX',
  'REFERENCES',
  'CREATE VIEW',
  'SHOW VIEW',
  'TRIGGER',
  'CREATE TEMPORARY TABLES',
] as const;

/** The app's privileges on the database; CREATE TEMPORARY TABLES is the `appTemporaryTables` opt-in. */
export function appPrivileges(appTemporaryTables = false): string[] {
  return appTemporaryTables ? [...APP_PRIVILEGES, 'CREATE TEMPORARY TABLES'] : [...APP_PRIVILEGES];
}

interface Account {
  who: 'migrator' | 'app';
  user: string;
  password: string;
  account: string;
  privileges: readonly string[];
}

/** A step plus what `provision` needs to apply it and report honestly. */
interface MysqlStep extends ProvisionStep {
  /**
   * `database` / `create-user`: IF NOT EXISTS statements, changed when no warning;
   * `public`: a check that fails provisioning; `password`: run only when the login fails;
   * `revoke`: computed at run time from SHOW GRANTS; `grant`: changed when SHOW GRANTS changes.
   */
  kind: 'database' | 'public' | 'create-user' | 'password' | 'revoke' | 'grant';
  action: string;
  account?: Account;
  secret?: string;
}

export type MysqlProvisionStepsOptions = StringQuoteOptions;

/**
 * The statements `provision` runs, in order (`--print` shows `redactedSql`). Pure: no I/O.
 * String literals are escaped for the default `sql_mode`; pass
 * `{ backslashEscapes: false }` for a server running with NO_BACKSLASH_ESCAPES.
 * The "revoke" steps show the SHOW GRANTS their REVOKEs are computed from at run time.
 */
export function provisionSteps(plan: ProvisionPlan, options: MysqlProvisionStepsOptions = {}): ProvisionStep[] {
  return planSteps(plan, options).map(({ description, sql, redactedSql }) => ({ description, sql, redactedSql }));
}

function planSteps(plan: ProvisionPlan, quoting: StringQuoteOptions): MysqlStep[] {
  validatePlan(plan, { maxIdentifierLength: 64, maxUserLength: 80, unit: 'characters' });
  const host = plan.userHost ?? '%';
  const D = quoteIdent(plan.database);
  const on = `${quoteGrantDatabase(plan.database)}.*`;
  const steps: MysqlStep[] = [
    {
      kind: 'database',
      description: `Create database ${D} if it does not exist`,
      action: `creating database ${D}`,
      sql: `CREATE DATABASE IF NOT EXISTS ${D} CHARACTER SET utf8mb4`,
      redactedSql: `CREATE DATABASE IF NOT EXISTS ${D} CHARACTER SET utf8mb4`,
    },
    {
      kind: 'public',
      description: `No grant to PUBLIC covers ${D} (MariaDB ≥ 10.11 applies PUBLIC grants to every account)`,
      action: 'reading the grants of PUBLIC',
      sql: 'SHOW GRANTS FOR PUBLIC',
      redactedSql: 'SHOW GRANTS FOR PUBLIC',
    },
  ];
  const accounts: Account[] = [
    { who: 'migrator', ...plan.migrator, account: quoteAccount(plan.migrator.user, host, quoting), privileges: MIGRATOR_PRIVILEGES },
    { who: 'app', ...plan.app, account: quoteAccount(plan.app.user, host, quoting), privileges: appPrivileges(plan.appTemporaryTables) },
  ];
  for (const account of accounts) {
    const clause = passwordClause(account.password, quoting);
    const label = `${account.who} ${account.account}`;
    steps.push(
      {
        kind: 'create-user',
        description: `Create ${label} if it does not exist`,
        action: `creating ${account.account}`,
        sql: `CREATE USER IF NOT EXISTS ${account.account} ${clause.sql}`,
        redactedSql: `CREATE USER IF NOT EXISTS ${account.account} ${clause.redacted}`,
        account,
        secret: clause.secret,
      },
      {
        kind: 'password',
        description: `${label}: password (set only when logging in with it fails)`,
        action: `setting the password of ${account.account}`,
        sql: `ALTER USER ${account.account} ${clause.sql}`,
        redactedSql: `ALTER USER ${account.account} ${clause.redacted}`,
        account,
        secret: clause.secret,
      },
      {
        kind: 'revoke',
        description: `${label}: revoke every privilege outside the plan on ${D} and server-wide (global, GRANT OPTION, roles); other databases' grants are left alone`,
        action: `revoking privileges of ${account.account} outside the plan`,
        sql: `SHOW GRANTS FOR ${account.account}`,
        redactedSql: `SHOW GRANTS FOR ${account.account}`,
        account,
      },
      {
        kind: 'grant',
        description: `${label}: ${account.privileges.join(', ')} on ${on}`,
        action: `granting ${account.privileges.join(', ')} on ${on} to ${account.account}`,
        sql: `GRANT ${account.privileges.join(', ')} ON ${on} TO ${account.account}`,
        redactedSql: `GRANT ${account.privileges.join(', ')} ON ${on} TO ${account.account}`,
        account,
      },
    );
  }
  return steps;
}

/**
 * Applies the plan as `admin`: root, or (managed services) an account with the global
 * CREATE USER privilege and ALL PRIVILEGES ON `db`.* WITH GRANT OPTION. Idempotent: a
 * second run reports `changed: false` everywhere, except a password that no longer logs in.
 * MySQL commits each GRANT/CREATE USER implicitly: a failed run can leave part of the
 * plan applied, and the next run completes it.
 */
export async function provision(plan: ProvisionPlan, admin: AdminConnection, options: ProvisionOptions = {}): Promise<ProvisionReport> {
  planSteps(plan, {}); // validate before connecting
  if (admin.user === plan.migrator.user || admin.user === plan.app.user) {
    throw new ProvisionError('E_PROVISION', `The admin user "${admin.user}" is also the migrator or app user.`, {
      remedy: 'Provision with a separate administrator account.',
    });
  }
  const timeout = options.connectTimeoutMillis ?? 10_000;
  const host = plan.userHost ?? '%';
  const report: ProvisionReport = { steps: [] };
  const record = (description: string, changed: boolean): void => {
    report.steps.push({ description, changed });
    options.onStep?.({ description, changed });
  };
  const baseSecrets = [plan.migrator.password, plan.app.password, admin.password];
  let secrets = baseSecrets;
  const fail = (error: unknown, action: string): ProvisionError =>
    provisionError(error, { action, adminUser: admin.user, database: plan.database, secrets });

  let connection: Connection;
  try {
    connection = await loadMysql2().createConnection({
      host: admin.host,
      port: admin.port,
      user: admin.user,
      password: admin.password,
      ssl: admin.ssl as never,
      connectTimeout: timeout,
      // No default database: every statement names it, and it may not exist yet.
    });
  } catch (error) {
    throw provisionError(error, { action: 'connecting as the admin', adminUser: admin.user, database: plan.database, secrets, connecting: true });
  }
  connection.on('error', () => undefined);
  const userSessions = new Map<string, Connection>();

  try {
    const [modeRows] = await connection.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS mode');
    const mode = String(modeRows[0]?.['mode'] ?? '');
    // IF NOT EXISTS reports "already there" as a note: keep notes on to read it.
    await connection.query('SET SESSION sql_notes = 1');
    const steps = planSteps(plan, { backslashEscapes: !mode.includes('NO_BACKSLASH_ESCAPES') });
    secrets = [...baseSecrets, ...steps.flatMap((s) => (s.secret ? [s.secret] : []))];
    const pattern = grantDatabasePattern(plan.database);

    const run = async (sql: string, action: string): Promise<ResultSetHeader> => {
      try {
        const [result] = await connection.query<ResultSetHeader>(sql);
        return result;
      } catch (error) {
        throw fail(error, action);
      }
    };

    /**
     * The account's grants: `SHOW GRANTS FOR` as the admin, or, for a managed-service admin
     * without SELECT on the `mysql` schema, `SHOW GRANTS` in a session of the account itself.
     */
    const grantsOf = async (account: Account): Promise<ShownGrant[]> => {
      let rows: RowDataPacket[];
      try {
        [rows] = await connection.query<RowDataPacket[]>(`SHOW GRANTS FOR ${account.account}`);
      } catch (error) {
        const errno = (error as { errno?: unknown }).errno;
        if (errno !== 1044 && errno !== 1142 && errno !== 1227) throw fail(error, `reading the grants of ${account.account}`);
        [rows] = await (await userSession(account)).query<RowDataPacket[]>('SHOW GRANTS');
      }
      return rows.flatMap((row) => {
        const parsed = parseShowGrantsRow(String(Object.values(row)[0] ?? ''));
        return parsed ? [parsed] : [];
      });
    };
    const userSession = async (account: Account): Promise<Connection> => {
      const existing = userSessions.get(account.user);
      if (existing) return existing;
      let session: Connection;
      try {
        session = await loadMysql2().createConnection({ host: admin.host, port: admin.port, user: account.user, password: account.password, ssl: admin.ssl as never, connectTimeout: timeout });
      } catch (error) {
        throw fail(error, `logging in as ${account.account} to read its grants (the admin may not run SHOW GRANTS FOR other accounts)`);
      }
      session.on('error', () => undefined);
      userSessions.set(account.user, session);
      const [who] = await session.query<RowDataPacket[]>('SELECT CURRENT_USER() AS account');
      const current = String(who[0]?.['account'] ?? '');
      if (current !== `${account.user}@${host}`) {
        throw new ProvisionError('E_PROVISION', `Logging in as ${account.account} authenticates as ${current} instead (database "${plan.database}").`, {
          remedy: 'Another account (anonymous, or a more specific host) shadows it: drop that account or provision with a host part that matches.',
        });
      }
      return session;
    };
    const fingerprint = (grants: ShownGrant[]): string =>
      JSON.stringify(grants.filter((g) => g.databasePattern === pattern).map((g) => [[...g.privileges].sort(), g.grantOption]));

    for (const step of steps) {
      const account = step.account;
      switch (step.kind) {
        case 'database':
        case 'create-user': {
          const result = await run(step.sql, step.action);
          record(step.description, result.warningStatus === 0);
          break;
        }
        case 'public': {
          let rows: RowDataPacket[] = [];
          try {
            [rows] = await connection.query<RowDataPacket[]>(step.sql);
          } catch {
            // MySQL has no PUBLIC account (mandatory_roles is its analogue); older MariaDB neither.
          }
          const covering = rows
            .flatMap((row) => {
              const parsed = parseShowGrantsRow(String(Object.values(row)[0] ?? ''));
              return parsed ? [parsed] : [];
            })
            .filter((g) => (g.global && g.privileges.some((p) => p !== 'USAGE')) || (g.databasePattern !== undefined && grantPatternMatches(g.databasePattern, plan.database)));
          if (covering.length > 0) {
            throw new ProvisionError(
              'E_PROVISION',
              `PUBLIC holds ${covering.map((g) => `${g.privilegesText} ON ${g.target}`).join('; ')}, which every account (the app too) inherits on database "${plan.database}".`,
              { remedy: `Revoke it (REVOKE ALL PRIVILEGES ON <that pattern>.* FROM PUBLIC; it was likely created by mariadb-install-db for test databases) or choose a database name it does not cover.` },
            );
          }
          record(step.description, false);
          break;
        }
        case 'password': {
          if (!account) break;
          const status = await checkLogin(admin, account.user, account.password, timeout);
          if (status === 'ok') {
            record(step.description, false);
            break;
          }
          await run(step.sql, step.action);
          userSessions.get(account.user)?.destroy();
          userSessions.delete(account.user);
          // With a `%` account a 1045 after setting the password means another account shadows it.
          if (status === 'wrong' && host === '%' && (await checkLogin(admin, account.user, account.password, timeout)) === 'wrong') {
            throw new ProvisionError(
              'E_PROVISION',
              scrub(`The password of ${account.account} was set, but logging in with it still fails (database "${plan.database}").`, secrets),
              { remedy: "Another account (anonymous ''@'localhost' or a more specific host) likely shadows it: drop that account." },
            );
          }
          record(status === 'unknown' ? `${step.description}; set without a login check (the server gave no verdict)` : step.description, true);
          break;
        }
        case 'revoke': {
          if (!account) break;
          const grants = await grantsOf(account);
          const revokes = revocationsFor(grants, account, pattern, plan.database);
          for (const revoke of revokes) await run(`REVOKE ${revoke} FROM ${account.account}`, `${step.action}: REVOKE ${revoke}`);
          const kept = otherDatabaseGrants(grants, plan.database);
          const notes = [
            ...(revokes.length > 0 ? [`revoked: ${revokes.join('; ')}`] : []),
            ...(kept.length > 0 ? [`left alone on other databases: ${kept.join('; ')}`] : []),
          ];
          record([step.description, ...notes].join('; '), revokes.length > 0);
          break;
        }
        case 'grant': {
          if (!account) break;
          const before = fingerprint(await grantsOf(account));
          await run(step.sql, step.action);
          record(step.description, fingerprint(await grantsOf(account)) !== before);
          break;
        }
      }
    }
  } finally {
    for (const session of userSessions.values()) await session.end().catch(() => undefined);
    await connection.end().catch(() => undefined);
  }
  return report;
}

/**
 * Whether a grant's target lies in another database than `database` (and cannot reach it):
 * `` `other`.* `` and `` `other`.`t` ``, routines of other databases. A pattern that matches
 * `database` or a system database (wildcards included) is not another database.
 */
function inOtherDatabase(grant: ShownGrant, database: string): boolean {
  if (grant.kind !== 'privileges' || grant.global) return false;
  if (grant.databasePattern !== undefined) return !grantPatternMatches(grant.databasePattern, database) && !coversSystemDatabase(grant.databasePattern);
  const table = tableTarget(grant.target);
  return table !== undefined && table.database !== database && !isSystemDatabase(table.database);
}

/** The grants provisioning leaves alone because they are on other databases, as `PRIVS ON target`. */
export function otherDatabaseGrants(grants: readonly ShownGrant[], database: string): string[] {
  return grants.filter((g) => inOtherDatabase(g, database) && g.privileges.some((p) => p !== 'USAGE')).map((g) => `${g.privilegesText} ON ${g.target}`);
}

/**
 * REVOKE clauses (without `FROM account`) for every grant outside the plan that reaches
 * `database` or the whole server: global privileges beyond USAGE, GRANT OPTION, privileges
 * on our database beyond the plan, wildcard patterns covering it, its tables and
 * routines, proxies and roles. Grants on other databases are not touched (one user pair
 * may serve several databases, each provisioned on its own).
 */
export function revocationsFor(grants: readonly ShownGrant[], account: Pick<Account, 'privileges'>, pattern: string, database: string): string[] {
  const wanted = new Set<string>(account.privileges);
  const revokes: string[] = [];
  for (const grant of grants) {
    if (grant.kind === 'role') {
      revokes.push(grant.privilegesText);
    } else if (grant.global) {
      const extra = grant.privileges.filter((p) => p !== 'USAGE');
      if (extra.length > 0) revokes.push(`${extra.join(', ')} ON *.*`);
      if (grant.grantOption) revokes.push('GRANT OPTION ON *.*');
    } else if (grant.databasePattern === pattern) {
      if (grant.privileges.some((p) => p === 'ALL PRIVILEGES' || p === 'ALL')) {
        revokes.push(`ALL PRIVILEGES ON ${grant.target}`); // the grant step puts the plan back
      } else {
        const extra = grant.privileges.filter((p) => !wanted.has(p));
        if (extra.length > 0) revokes.push(`${extra.join(', ')} ON ${grant.target}`);
      }
      if (grant.grantOption) revokes.push(`GRANT OPTION ON ${grant.target}`);
    } else if (grant.privileges.length === 1 && grant.privileges[0] === 'PROXY') {
      revokes.push(`PROXY ON ${grant.target}`);
    } else if (inOtherDatabase(grant, database)) {
      continue;
    } else {
      const privileges = grant.privileges.filter((p) => p !== 'USAGE');
      if (privileges.length > 0) revokes.push(`${grant.privilegesText} ON ${grant.target}`);
      if (grant.grantOption) revokes.push(`GRANT OPTION ON ${grant.target}`);
    }
  }
  return revokes;
}
