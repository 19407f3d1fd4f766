import type { Client } from 'pg';
import { loadPg } from '../load-driver';
import { ProvisionError } from '../../errors';
import type { AdminConnection, ProvisionOptions, ProvisionPlan, ProvisionReport, ProvisionStep } from '../provision-plan';
import { bookkeepingTables, validatePlan } from '../provision-plan';
import { redact } from '../../redact';
import { provisionError } from './driver-errors';
import {
  APP_SCHEMA_PRIVILEGES,
  APP_SEQUENCE_PRIVILEGES,
  APP_TABLE_PRIVILEGES,
  APP_TABLE_PRIVILEGES_REVOKED,
  MIGRATOR_DATABASE_PRIVILEGES,
  MIGRATOR_SCHEMA_PRIVILEGES,
  appDatabasePrivileges,
} from './privileges';
import { restrictBookkeepingSql } from './bookkeeping';
import { alterPasswordSql, checkLogin, type PasswordClauseOptions } from './password';
import { dollarQuote, quoteIdent as ident, quoteLiteral as literal } from './quote';

/**
 * PostgreSQL provisioning: the canonical SQL for the migrator and app roles.
 *
 * | Who      | Object                         | Privilege                                   | Why |
 * |----------|--------------------------------|---------------------------------------------|-----|
 * | both     | role                           | LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS | stated explicitly so a pre-existing role is corrected |
 * | both     | role memberships               | none (every membership revoked)             | a membership would import another role's rights; the app is never in the migrator |
 * | PUBLIC   | database                       | CONNECT and TEMPORARY revoked               | only the two roles (and owner/superusers) may connect; no temp tables for anyone else |
 * | PUBLIC   | schema                         | CREATE revoked                              | nobody else creates objects the app would then trust |
 * | migrator | database                       | CONNECT, TEMPORARY (CREATE revoked)         | log in; temporary tables (`CREATE TEMP TABLE … AS SELECT` in migrations: session-local, no schema change); no new schemas |
 * | migrator | schema                         | USAGE, CREATE                               | create tables, indexes, sequences, views, functions; it owns what it creates, which is what lets it ALTER/DROP them later |
 * | migrator | knex_migrations, knex_migrations_lock | owner (created by provision if missing, as knex would) | knex reads and writes them; created here so the default privileges below never give the app DML on them |
 * | app      | database                       | CONNECT (CREATE revoked; TEMPORARY only with `appTemporaryTables`) | log in only |
 * | app      | schema                         | USAGE (CREATE revoked)                      | see objects, create none |
 * | app      | existing tables/views          | SELECT, INSERT, UPDATE, DELETE (TRUNCATE, REFERENCES, TRIGGER revoked) | data plane only; TRIGGER would let it attach code, TRUNCATE bypasses DELETE triggers |
 * | app      | existing sequences             | USAGE, SELECT (UPDATE revoked)              | nextval() for serial/identity inserts; no setval() |
 * | app      | knex_migrations, knex_migrations_lock | SELECT only (DML, TRUNCATE … revoked; nothing on their sequences) | read migration status; never erase the history or take the lock |
 * | app      | future tables, sequences of the migrator | the same, via ALTER DEFAULT PRIVILEGES FOR ROLE migrator IN SCHEMA | no event trigger, so no superuser is needed after setup |
 * | admin    | migrator role                  | membership, only when not superuser         | PostgreSQL requires it for ALTER DEFAULT PRIVILEGES FOR ROLE (managed services: CREATEROLE admin) |
 *
 * Neither role owns the database or the schema (ownership is moved to the admin if so).
 *
 * What PostgreSQL cannot express: a migrator without data access. The migrator owns every
 * table it creates, and an owner can always GRANT itself SELECT/INSERT/UPDATE/DELETE back
 * (and knex needs it to read and write knex_migrations anyway). The seed's promise of a
 * migrator "without data-plane permissions" does not hold on PostgreSQL; keep migrator
 * credentials out of runtime processes instead.
 *
 * The privilege lists themselves are in privileges.ts, shared with verify.ts.
 */
const ROLE_ATTRIBUTES = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';

interface Probe {
  sql: string;
  params: unknown[];
}

/** A step plus what `provision` needs to apply it and report honestly. */
interface PgStep extends ProvisionStep {
  /**
   * `create-database`: run only when the target database is missing (from the maintenance
   * database); `database`: run connected to the target, all in one transaction;
   * `password`: run only when a login with the password fails.
   */
  scope: 'create-database' | 'database' | 'password';
  /** Fingerprint of the state the step changes; `changed` is before !== after. */
  probe?: Probe;
  /** For error messages: "granting …". */
  action: string;
  /** For `password` steps. */
  login?: { user: string; password: string; secret: string };
}

export interface PostgresProvisionStepsOptions {
  /** Fixed SCRAM salt (tests): by default each call draws a random one, like the server. */
  salt?: Buffer;
}

/**
 * The statements `provision` runs, in order, as a psql-runnable script (`--print` shows
 * `redactedSql`). Pure: no I/O. Conditional logic lives in DO blocks so the same text is
 * idempotent when replayed; only CREATE DATABASE is run solely when the database is missing.
 */
export function provisionSteps(plan: ProvisionPlan, options: PostgresProvisionStepsOptions = {}): ProvisionStep[] {
  return planSteps(plan, options).map(({ description, sql, redactedSql }) => ({ description, sql, redactedSql }));
}

function planSteps(plan: ProvisionPlan, options: PasswordClauseOptions): PgStep[] {
  validatePlan(plan, { maxIdentifierLength: 63, maxUserLength: 63, unit: 'bytes' });
  const db = plan.database;
  const schema = plan.schema ?? 'public';
  const m = plan.migrator.user;
  const a = plan.app.user;
  const D = ident(db);
  const S = ident(schema);
  // PL/pgSQL: when the migrator or the app owns `object` (its row `name` in `catalog`), the admin takes it over.
  const takeOver = (catalog: string, owner: string, column: string, name: string, object: string): string => `(SELECT pg_catalog.pg_get_userbyid(${owner}) FROM pg_catalog.${catalog} WHERE ${column} = ${literal(name)})
     IN (${literal(m)}, ${literal(a)}) THEN
    ALTER ${object} OWNER TO CURRENT_USER;`;
  const M = ident(m);
  const A = ident(a);
  const [table, lockTable] = bookkeepingTables(plan.migrationsTable);
  const T = ident(table);
  const L = ident(lockTable);

  const step = (s: Omit<PgStep, 'redactedSql'> & { redactedSql?: string }): PgStep => ({ ...s, redactedSql: s.redactedSql ?? s.sql });
  const tablesProbe: Probe = {
    sql: `SELECT c.relname, c.relkind, c.relacl::text AS acl FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') ORDER BY 1, 2`,
    params: [schema],
  };
  const defaultAclProbe: Probe = {
    sql: `SELECT d.defaclobjtype, d.defaclacl::text AS acl FROM pg_catalog.pg_default_acl d
      JOIN pg_catalog.pg_roles r ON r.oid = d.defaclrole
      JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
      WHERE r.rolname = $1 AND n.nspname = $2 ORDER BY 1`,
    params: [m, schema],
  };
  const databaseProbe: Probe = {
    sql: `SELECT pg_catalog.pg_get_userbyid(datdba) AS owner, datacl::text AS acl FROM pg_catalog.pg_database WHERE datname = $1`,
    params: [db],
  };
  const schemaProbe: Probe = {
    sql: `SELECT pg_catalog.pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl FROM pg_catalog.pg_namespace WHERE nspname = $1`,
    params: [schema],
  };

  const steps: PgStep[] = [
    step({
      scope: 'create-database',
      description: `Create database ${D} if it does not exist (needs CREATEDB)`,
      action: `creating database ${D}`,
      sql: `CREATE DATABASE ${D}`,
    }),
  ];

  for (const [who, name, quoted] of [['migrator', m, M], ['app', a, A]] as const) {
    steps.push(
      step({
        scope: 'database',
        description: `Role ${quoted} (${who}): ${ROLE_ATTRIBUTES}, created if missing, corrected if not`,
        action: `creating or correcting role ${quoted}`,
        // One ALTER per wrong attribute: a CREATEROLE admin may not even restate NOSUPERUSER.
        sql: `DO ${dollarQuote(`
DECLARE r pg_catalog.pg_roles%ROWTYPE;
BEGIN
  SELECT * INTO r FROM pg_catalog.pg_roles WHERE rolname = ${literal(name)};
  IF NOT FOUND THEN
    CREATE ROLE ${quoted} WITH ${ROLE_ATTRIBUTES};
    RETURN;
  END IF;
  -- PostgreSQL 16+: CREATEROLE alters only roles it holds ADMIN OPTION on (it gets it on
  -- the roles it creates); say so instead of the server's bare "permission denied".
  IF (NOT r.rolcanlogin OR r.rolsuper OR r.rolcreatedb OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls)
     AND pg_catalog.current_setting('server_version_num')::int >= 160000
     AND NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
     AND NOT pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER WITH ADMIN OPTION') THEN
    RAISE EXCEPTION 'role % exists, and % holds no ADMIN OPTION on it, which PostgreSQL 16 and later require to alter a role', ${literal(name)}, current_user
      USING ERRCODE = 'insufficient_privilege',
        HINT = pg_catalog.format('As a superuser (or a role with ADMIN OPTION on it), run GRANT %I TO %I WITH ADMIN OPTION, or drop the role and let provision create it (a CREATEROLE admin holds ADMIN OPTION on the roles it creates); then provision again.', ${literal(name)}, current_user);
  END IF;
  IF NOT r.rolcanlogin THEN ALTER ROLE ${quoted} WITH LOGIN; END IF;
  IF r.rolsuper THEN ALTER ROLE ${quoted} WITH NOSUPERUSER; END IF;
  IF r.rolcreatedb THEN ALTER ROLE ${quoted} WITH NOCREATEDB; END IF;
  IF r.rolcreaterole THEN ALTER ROLE ${quoted} WITH NOCREATEROLE; END IF;
  IF r.rolreplication THEN ALTER ROLE ${quoted} WITH NOREPLICATION; END IF;
  IF r.rolbypassrls THEN ALTER ROLE ${quoted} WITH NOBYPASSRLS; END IF;
END
`)}`,
        probe: {
          sql: `SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = $1`,
          params: [name],
        },
      }),
    );
  }

  steps.push(
    step({
      scope: 'database',
      description: `Roles ${M} and ${A} are members of no role (so the app is not in the migrator)`,
      action: `revoking role memberships of ${M} and ${A}`,
      sql: `DO ${dollarQuote(`
DECLARE g record;
BEGIN
  FOR g IN
    SELECT r.rolname AS granted, u.rolname AS member FROM pg_catalog.pg_auth_members am
    JOIN pg_catalog.pg_roles r ON r.oid = am.roleid
    JOIN pg_catalog.pg_roles u ON u.oid = am.member
    WHERE u.rolname IN (${literal(m)}, ${literal(a)})
  LOOP
    EXECUTE pg_catalog.format('REVOKE %I FROM %I', g.granted, g.member);
  END LOOP;
  -- PostgreSQL 16 keeps one grant per grantor and REVOKE only drops our own: fail closed.
  SELECT r.rolname AS granted, u.rolname AS member INTO g FROM pg_catalog.pg_auth_members am
    JOIN pg_catalog.pg_roles r ON r.oid = am.roleid
    JOIN pg_catalog.pg_roles u ON u.oid = am.member
    WHERE u.rolname IN (${literal(m)}, ${literal(a)}) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'role "%" is still a member of role "%" (granted by another role)', g.member, g.granted
      USING ERRCODE = 'insufficient_privilege', HINT = 'Revoke it as the role that granted it, or as a superuser.';
  END IF;
END
`)}`,
      probe: {
        sql: `SELECT r.rolname AS granted, u.rolname AS member FROM pg_catalog.pg_auth_members am
          JOIN pg_catalog.pg_roles r ON r.oid = am.roleid JOIN pg_catalog.pg_roles u ON u.oid = am.member
          WHERE u.rolname = ANY($1) ORDER BY 1, 2`,
        params: [[m, a]],
      },
    }),
    step({
      scope: 'database',
      description: `Admin is a member of ${M} unless superuser (required for ALTER DEFAULT PRIVILEGES FOR ROLE ${M})`,
      action: `granting ${M} to the admin`,
      // PostgreSQL 16 wants SET on the role, and a CREATEROLE creator only gets ADMIN
      // (createrole_self_grant is empty by default); WITH SET is 16+ syntax, hence EXECUTE.
      sql: `DO ${dollarQuote(`
BEGIN
  IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    RETURN;
  ELSIF pg_catalog.current_setting('server_version_num')::int >= 160000 THEN
    IF NOT pg_catalog.pg_has_role(current_user, ${literal(m)}, 'SET') THEN
      EXECUTE pg_catalog.format('GRANT %I TO CURRENT_USER WITH SET TRUE', ${literal(m)});
    END IF;
  ELSIF NOT pg_catalog.pg_has_role(current_user, ${literal(m)}, 'MEMBER') THEN
    GRANT ${M} TO CURRENT_USER;
  END IF;
END
`)}`,
      probe: {
        sql: `SELECT count(*)::int AS n FROM pg_catalog.pg_auth_members am JOIN pg_catalog.pg_roles r ON r.oid = am.roleid
          WHERE r.rolname = $1 AND am.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)`,
        params: [m],
      },
    }),
    step({
      scope: 'database',
      description: `Database ${D} is owned by neither ${M} nor ${A} (else ownership moves to the admin)`,
      action: `moving ownership of database ${D} to the admin`,
      sql: `DO ${dollarQuote(`
BEGIN
  IF ${takeOver('pg_database', 'datdba', 'datname', db, `DATABASE ${D}`)}
  END IF;
END
`)}`,
      probe: databaseProbe,
    }),
    step({
      scope: 'database',
      description: `Schema ${S} exists and is owned by neither ${M} nor ${A}`,
      action: `creating or taking over schema ${S}`,
      sql: `DO ${dollarQuote(`
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = ${literal(schema)}) THEN
    CREATE SCHEMA ${S};
  ELSIF ${takeOver('pg_namespace', 'nspowner', 'nspname', schema, `SCHEMA ${S}`)}
  END IF;
END
`)}`,
      probe: schemaProbe,
    }),
    step({
      scope: 'database',
      description: `PUBLIC may not connect to ${D} or create temporary tables in it`,
      action: `revoking CONNECT, TEMPORARY on database ${D} from PUBLIC`,
      sql: `REVOKE CONNECT, TEMPORARY ON DATABASE ${D} FROM PUBLIC`,
      probe: databaseProbe,
    }),
    step({
      scope: 'database',
      description: `PUBLIC may not create objects in schema ${S}`,
      action: `revoking CREATE on schema ${S} from PUBLIC`,
      // PostgreSQL 14 and older grant it on public by default, and a REVOKE by someone who
      // is not the schema's owner only warns: check that it is gone, and fail closed if not.
      sql: `DO ${dollarQuote(`
BEGIN
  REVOKE CREATE ON SCHEMA ${S} FROM PUBLIC;
  IF EXISTS (SELECT FROM pg_catalog.pg_namespace n CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) a
             WHERE n.nspname = ${literal(schema)} AND a.grantee = 0 AND a.privilege_type = 'CREATE') THEN
    RAISE EXCEPTION 'PUBLIC still holds CREATE on schema %, which only its owner (%) or a superuser can revoke',
      ${literal(schema)}, (SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace WHERE nspname = ${literal(schema)})
      USING ERRCODE = 'insufficient_privilege',
        HINT = pg_catalog.format('As the schema owner or a superuser, run REVOKE CREATE ON SCHEMA %I FROM PUBLIC (PostgreSQL 14 and older grant it on public by default), or make the admin its owner (ALTER SCHEMA %I OWNER TO %I); then provision again.',
          ${literal(schema)}, ${literal(schema)}, current_user);
  END IF;
END
`)}`,
      probe: schemaProbe,
    }),
  );

  const databaseGrants: Array<[string, string, readonly string[]]> = [
    ['migrator', M, MIGRATOR_DATABASE_PRIVILEGES],
    ['app', A, appDatabasePrivileges(plan.appTemporaryTables)],
  ];
  for (const [who, quoted, granted] of databaseGrants) {
    const revoked = ['CREATE', 'TEMPORARY'].filter((p) => !granted.includes(p));
    steps.push(
      step({
        scope: 'database',
        description: `${who} ${quoted}: ${granted.join(', ')} on database ${D}, no ${revoked.join(' or ')}`,
        action: `granting ${granted.join(', ')} on database ${D} to ${quoted}`,
        sql: `GRANT ${granted.join(', ')} ON DATABASE ${D} TO ${quoted}; REVOKE ${revoked.join(', ')} ON DATABASE ${D} FROM ${quoted}`,
        probe: databaseProbe,
      }),
    );
  }

  steps.push(
    step({
      scope: 'database',
      description: `migrator ${M}: USAGE, CREATE on schema ${S}`,
      action: `granting USAGE, CREATE on schema ${S} to ${M}`,
      sql: `GRANT ${MIGRATOR_SCHEMA_PRIVILEGES.join(', ')} ON SCHEMA ${S} TO ${M}`,
      probe: schemaProbe,
    }),
    step({
      scope: 'database',
      description: `knex's tables ${T} and ${L} exist in ${S}, owned by ${M} (created as knex creates them if missing)`,
      action: `creating knex's tables ${T}, ${L} in schema ${S}`,
      // Created here, not by the first migration, so the default privileges below never
      // give the app DML on them; knex's ensureTable finds them and creates nothing.
      sql: `DO ${dollarQuote(`
BEGIN
  IF NOT EXISTS (${relationExists(schema, table)}) THEN
    CREATE TABLE ${S}.${T} ("id" serial primary key, "name" varchar(255), "batch" integer, "migration_time" timestamptz);
    ALTER TABLE ${S}.${T} OWNER TO ${M};
  END IF;
  IF NOT EXISTS (${relationExists(schema, lockTable)}) THEN
    CREATE TABLE ${S}.${L} ("index" serial primary key, "is_locked" integer);
    INSERT INTO ${S}.${L} ("is_locked") VALUES (0);
    ALTER TABLE ${S}.${L} OWNER TO ${M};
  END IF;
END
`)}`,
      probe: tablesProbe,
    }),
    step({
      scope: 'database',
      description: `app ${A}: USAGE on schema ${S}, no CREATE`,
      action: `granting USAGE on schema ${S} to ${A}`,
      sql: `GRANT ${APP_SCHEMA_PRIVILEGES.join(', ')} ON SCHEMA ${S} TO ${A}; REVOKE CREATE ON SCHEMA ${S} FROM ${A}`,
      probe: schemaProbe,
    }),
    step({
      scope: 'database',
      description: `app ${A}: ${APP_TABLE_PRIVILEGES.join(', ')} on existing tables in ${S}, no ${APP_TABLE_PRIVILEGES_REVOKED.join(', ')}; SELECT only on ${T}, ${L}`,
      action: `granting table privileges in schema ${S} to ${A}`,
      sql:
        `GRANT ${APP_TABLE_PRIVILEGES.join(', ')} ON ALL TABLES IN SCHEMA ${S} TO ${A}; ` +
        `REVOKE ${APP_TABLE_PRIVILEGES_REVOKED.join(', ')} ON ALL TABLES IN SCHEMA ${S} FROM ${A}; ` +
        `${since17(`REVOKE MAINTAIN ON ALL TABLES IN SCHEMA ${S} FROM ${A}`)}; ` +
        // In the same step, so a re-run nets to no change: knex's tables are read-only for the app.
        `GRANT SELECT ON TABLE ${S}.${T}, ${S}.${L} TO ${A}; ${restrictBookkeepingSql(table, schema)}`,
      probe: tablesProbe,
    }),
    step({
      scope: 'database',
      description: `app ${A}: ${APP_SEQUENCE_PRIVILEGES.join(', ')} on existing sequences in ${S}, no UPDATE (setval)`,
      action: `granting sequence privileges in schema ${S} to ${A}`,
      sql:
        `GRANT ${APP_SEQUENCE_PRIVILEGES.join(', ')} ON ALL SEQUENCES IN SCHEMA ${S} TO ${A}; ` +
        `REVOKE UPDATE ON ALL SEQUENCES IN SCHEMA ${S} FROM ${A}; ` +
        // The app inserts no rows into knex's tables, so it needs nothing on their sequences.
        restrictBookkeepingSql(table, schema),
      probe: tablesProbe,
    }),
    step({
      scope: 'database',
      description: `app ${A}: the same on every table and sequence ${M} creates in ${S} later (default privileges)`,
      action: `altering default privileges of ${M} in schema ${S}`,
      sql: [
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${M} IN SCHEMA ${S} GRANT ${APP_TABLE_PRIVILEGES.join(', ')} ON TABLES TO ${A}`,
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${M} IN SCHEMA ${S} REVOKE ${APP_TABLE_PRIVILEGES_REVOKED.join(', ')} ON TABLES FROM ${A}`,
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${M} IN SCHEMA ${S} GRANT ${APP_SEQUENCE_PRIVILEGES.join(', ')} ON SEQUENCES TO ${A}`,
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${M} IN SCHEMA ${S} REVOKE UPDATE ON SEQUENCES FROM ${A}`,
        since17(`ALTER DEFAULT PRIVILEGES FOR ROLE ${M} IN SCHEMA ${S} REVOKE MAINTAIN ON TABLES FROM ${A}`),
      ].join('; '),
      probe: defaultAclProbe,
    }),
  );

  for (const [who, user] of [['migrator', plan.migrator], ['app', plan.app]] as const) {
    const statement = alterPasswordSql(user.user, user.password, options);
    steps.push({
      scope: 'password',
      description: `${who} ${ident(user.user)}: password (set only when logging in with it fails)`,
      action: `setting the password of ${ident(user.user)}`,
      sql: statement.sql,
      redactedSql: statement.redactedSql,
      login: { user: user.user, password: user.password, secret: statement.secret },
    });
  }
  return steps;
}

/**
 * `statement` run only on PostgreSQL 17 and later, where MAINTAIN (VACUUM, ANALYZE,
 * REINDEX, CLUSTER, REFRESH MATERIALIZED VIEW, LOCK) exists and `GRANT ALL` includes it;
 * earlier servers reject the word. The plan stays pure: the server decides.
 */
function since17(statement: string): string {
  return `DO ${dollarQuote(`
BEGIN
  IF pg_catalog.current_setting('server_version_num')::int >= 170000 THEN
    EXECUTE ${literal(statement)};
  END IF;
END
`)}`;
}

/** A SELECT that finds the relation `name` in `schema` (to_regclass would need the names quoted). */
function relationExists(schema: string, name: string): string {
  return `SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${literal(schema)} AND c.relname = ${literal(name)}`;
}

/**
 * Applies the plan as `admin` (a superuser, or a CREATEROLE role that owns the database as
 * on RDS / Cloud SQL). Idempotent: a second run reports `changed: false` everywhere, except
 * for a password that no longer logs in. All role and grant steps run in one transaction.
 */
export async function provision(plan: ProvisionPlan, admin: AdminConnection, options: ProvisionOptions = {}): Promise<ProvisionReport> {
  const steps = planSteps(plan, {});
  if (admin.user === plan.migrator.user || admin.user === plan.app.user) {
    throw new ProvisionError('E_PROVISION', `The admin user "${admin.user}" is also the migrator or app user.`, {
      remedy: 'Provision with a separate administrator account.',
    });
  }
  const timeout = options.connectTimeoutMillis ?? 10_000;
  const secrets = [plan.migrator.password, plan.app.password, admin.password, ...steps.flatMap((s) => (s.login ? [s.login.secret] : []))];
  const fail = (error: unknown, action: string): ProvisionError =>
    provisionError(error, { action, adminUser: admin.user, database: plan.database, secrets });
  const report: ProvisionReport = { steps: [] };
  const record = (description: string, changed: boolean): void => {
    report.steps.push({ description, changed });
    options.onStep?.({ description, changed });
  };
  const connect = async (database: string): Promise<Client> => {
    const client = new (loadPg().Client)({
      host: admin.host,
      port: admin.port,
      user: admin.user,
      password: admin.password,
      database,
      ssl: admin.ssl as never,
      connectionTimeoutMillis: timeout,
      application_name: 'knex-roles provision',
    });
    client.on('error', () => undefined); // a dropped idle connection surfaces on the next query
    await client.connect();
    return client;
  };

  // The target database is tried first, so an existing database needs no access to `postgres`.
  let client: Client;
  const [createDatabase, ...rest] = steps;
  if (!createDatabase) throw new Error('unreachable: no steps');
  try {
    client = await connect(plan.database);
    record(createDatabase.description, false);
  } catch (error) {
    if ((error as { code?: unknown }).code !== '3D000') throw fail(error, 'connecting as the admin');
    const maintenance = admin.database && admin.database !== plan.database ? admin.database : 'postgres';
    let server: Client | undefined;
    try {
      server = await connect(maintenance);
      await server.query(createDatabase.sql);
    } catch (createError) {
      throw fail(createError, `${createDatabase.action} (connected to "${maintenance}")`);
    } finally {
      await server?.end().catch(() => undefined);
    }
    record(createDatabase.description, true);
    try {
      client = await connect(plan.database);
    } catch (connectError) {
      throw fail(connectError, `connecting to the new database "${plan.database}"`);
    }
  }

  try {
    const fingerprint = async (probe: Probe | undefined): Promise<string | undefined> =>
      probe ? JSON.stringify((await client.query(probe.sql, probe.params)).rows) : undefined;
    const outcomes: Array<{ description: string; changed: boolean }> = [];
    await client.query('BEGIN');
    try {
      // Unqualified names in our SQL must not resolve to objects someone planted in a schema.
      await client.query('SET LOCAL search_path = pg_catalog, pg_temp');
      for (const s of rest.filter((x) => x.scope === 'database')) {
        try {
          const before = await fingerprint(s.probe);
          await client.query(s.sql);
          const after = await fingerprint(s.probe);
          outcomes.push({ description: s.description, changed: s.probe ? before !== after : true });
        } catch (error) {
          throw fail(error, s.action);
        }
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    for (const outcome of outcomes) record(outcome.description, outcome.changed);

    // Drift correction stayed inside this database; what the roles hold on others (one
    // user pair for several databases) is left alone, and said.
    const others = await client.query<{ line: string }>(
      `SELECT pg_catalog.format('%s on database %I to %I', pg_catalog.string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type), d.datname, r.rolname) AS line
       FROM pg_catalog.pg_database d CROSS JOIN LATERAL pg_catalog.aclexplode(d.datacl) a JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
       WHERE d.datname <> $1 AND r.rolname = ANY($2) GROUP BY d.datname, r.rolname ORDER BY d.datname, r.rolname`,
      [plan.database, [plan.migrator.user, plan.app.user]],
    );
    if (others.rows.length > 0) record(`Left alone on other databases: ${others.rows.map((row) => row.line).join('; ')}`, false);

    // Passwords last: the login check needs committed roles and CONNECT.
    for (const s of rest.filter((x) => x.scope === 'password')) {
      const login = s.login;
      if (!login) continue;
      const status = await checkLogin(admin, plan.database, login.user, login.password, timeout);
      if (status === 'ok') {
        record(s.description, false);
        continue;
      }
      try {
        await client.query(s.sql);
      } catch (error) {
        throw fail(error, s.action);
      }
      if (status === 'wrong' && (await checkLogin(admin, plan.database, login.user, login.password, timeout)) === 'wrong') {
        throw new ProvisionError(
          'E_PROVISION',
          redact(`The password of role "${login.user}" was set, but logging in with it still fails (database "${plan.database}").`, secrets),
          { remedy: 'Check pg_hba.conf for a rule that authenticates this role differently (ldap, cert, reject) and the role\'s VALID UNTIL.' },
        );
      }
      record(status === 'unknown' ? `${s.description}; set without a login check (the server gave no verdict)` : s.description, true);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return report;
}
