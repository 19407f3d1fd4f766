export const USAGE: Record<string, string> = {
  main: `Usage: knex-roles <command> [options]

Least-privilege Knex: runtime and migration roles from one env contract.

Commands:
  provision   Create or refresh the migrator and app users, as the admin
  doctor      Check both roles: target, reachability, user, privileges, secrets
  migrate     Run knex migrations under the migration role (with --dry-run)
  help        Show help for a command

Options (every command):
  --test        Test mode: read only DB_TEST_* / PG_TEST_* / SQLITE_TEST_* (like NODE_ENV=test)
  --cwd <dir>   Project directory (.env, knexfile, migrations). Default: current directory
  -h, --help    Show help
  -v, --version Print the version

Exit codes: 0 ok, 1 failed, 2 usage error, 3 misconfigured environment, 4 refused.`,
  provision: `Usage: knex-roles provision [--print] [--schema <name>] [--user-host <host>] [--app-temporary-tables] [--test]

Connects as the admin (DB_ADMIN_USER/DB_ADMIN_PASSWORD or PG_ADMIN_USER/PG_ADMIN_PASSWORD;
host, port and database of the migration role) and creates or corrects the migrator
(migration variables) and app (runtime variables) users with exactly their privileges.
Idempotent: a second run changes nothing except a password that changed.

Options:
  --print             Print the SQL with passwords redacted; connect to nothing
  --schema <name>     PostgreSQL schema for the migrator's objects. Default: PG_SCHEMA, else public
  --user-host <host>  MySQL account host part. Default: %
  --app-temporary-tables
                      Let the app create temporary tables too (the migrator always may).
                      Default: KNEX_ROLES_APP_TEMPORARY_TABLES, else off`,
  doctor: `Usage: knex-roles doctor [--json] [--strict] [--role <runtime|migration>] [--test]

For each role: connection target (never the password), reachable, user, privileges
found and verdict. Warns when migration or admin secrets are in the environment of a
runtime process. Exits 1 when anything is wrong.

Options:
  --json     Machine-readable report
  --strict   Secrets in a runtime environment are an error, not a warning
  --role     Check one role only (e.g. --role runtime inside the app's environment)`,
  migrate: `Usage: knex-roles migrate <latest|rollback|up|down|status|list|fresh|reset> [options]

Runs knex migrations with the migration role; refuses unless ELOQUENT_DB_ROLE=migration.
Migration settings (directory, tableName …) come from the project's knexfile when there is one.

Commands:
  latest     Apply all pending migrations
  rollback   Roll back the last batch (--all: every batch)
  up/down    Apply / undo the next (or --name) migration
  status     Pending and completed counts;   list: the migrations by state
  fresh      Drop every table, then migrate latest   (production: needs --force --yes)
  reset      Roll back every migration              (production: needs --force --yes)

Options:
  --dry-run          PostgreSQL/SQLite: run in one transaction and roll back.
                     MySQL: print the SQL that would run (a preview, nothing executed)
  --all              With rollback: every batch
  --name <file>      With up/down: that migration
  --knexfile <path>  Knexfile to take migration settings from. Default: ./knexfile.{ts,js,cjs}
  --force --yes      Allow fresh/reset when NODE_ENV=production`,
};
