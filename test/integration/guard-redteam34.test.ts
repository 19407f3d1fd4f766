/*
 * Red team 34 (session 14), against 0a8b993 (the tip of s14 this branch started from). Focus: the servers
 * as the oracle, at scale (PostgreSQL 15 command tags + a ddl_command_start event trigger; MariaDB 10.11
 * `SHOW SESSION STATUS LIKE 'Com\_%'` diffs), over generated texts. Each attack test fails on that code and
 * asserts the effect on the real server (MariaDB 10.11 as superuser).
 *
 * What was generated (scripts kept out of the tree; counts are texts, "allowed" = classifySql said yes):
 *   | kind                                                                 | texts     | allowed | flagged by the server      |
 *   | PG: 120 statements (every command family) x 31 spellings/wrappers    | 3,875     | 1,525   | 72: LOCK / DECLARE only    |
 *   |   (comments, nested comments, \t \f \r \v NBSP, case, quoted heads,  |           |         |   (documented as allowed)  |
 *   |   U&"", EXPLAIN [ANALYZE], PREPARE…EXECUTE, DECLARE, CTE, COPY (…),    |           |         |                            |
 *   |   stacked), run in a rolled-back transaction, tags + event trigger     |           |         |                            |
 *   | MariaDB: 165 statements x 50 spellings/wrappers (/*! *\/, /*M! *\/,      | 7,252     | 2,192   | 60: CHECKSUM TABLE and     |
 *   |   versioned, SET STATEMENT … FOR, EXPLAIN/ANALYZE, #, -- , \v, \0 …)  |           |         |   DEALLOCATE (harmless)    |
 *   | heads: every pg_get_keywords() word / MariaDB help_topic name and      | 3,680 /   | 229 /   | only the documented heads  |
 *   |   information_schema.KEYWORDS word with 8 tails                        | 7,276     | 388     |                            |
 *   | verdict differential: refused statement vs the same inside a wrapper   | 8,438     | 260     | 1 class: finding 1         |
 *   | settings: every PG superuser-context GUC x 13 forms; every MariaDB     | 611 /     | 151 /   | see near-misses            |
 *   |   session variable x 9 forms (consistency across forms)                | 1,809     | 1,413   |                            |
 *   | lexer differential: random fragment soups (quotes, comments, /*!,      | 3.15M /   | 144k /  | 0 (no text hid             |
 *   |   $tags$, E'', U&, \, ;, …) around `; create table mk …;`, run allowed  | 3.15M     | 3.0k    |   `create table` from it)  |
 *
 * 1. MariaDB `SET STATEMENT var=… FOR USE <system schema>` makes `mysql` (or `sys`, `performance_schema`)
 *    the session's default database. lib/guard/content/judge.ts (the per-token loop of the content judge)
 *    checks `use` only as the statement's first token (`fn === 'use' && i === 0`), and
 *    lib/dialects/mysql/set-mysql.ts hands the statement after `FOR` to `r.head(depth + 1)`, whose USE
 *    head is allowed; so `set statement max_statement_time=0 for use mysql` (also with the USE inside
 *    `/*! *\/`, or the SET STATEMENT part inside `/*! … *\/`) is allowed while `USE mysql` is refused as USE
 *    CATALOG. The guard read `database()` once per connection (lib/dialects/mysql/guard-text.ts readSession)
 *    and recognizes mysql's tables only schema-qualified (README), so afterwards every bare name reaches a
 *    grant table: `insert into global_priv …` writes an account row (live at the next FLUSH PRIVILEGES or
 *    restart), and `insert into proc …` writes a SQL SECURITY DEFINER routine of root@localhost that the
 *    next `CALL db.p()` (allowed) runs at once: here its body drops a table the guard never saw. Severity
 *    high for an app connected as the owner / a privileged user (the guard is then the only boundary:
 *    arbitrary SQL as root); a provisioned runtime user holds no privilege on mysql.*. Fix for the class:
 *    judge the statement after SET STATEMENT … FOR (and any other wrapper) with the same content rules
 *    as a statement of its own (pass the inner head's index, not 0, to the `use` / `lock` / `copy`
 *    checks), or refuse USE inside SET STATEMENT outright (it is meaningless there); and, since USE is the
 *    one statement that moves what readSession checked, re-read `database()` after any allowed USE (or
 *    refuse the connection afterwards when it is a system schema), the way the session read does at start.
 *
 * Near-misses (the guard handled them, or no harm), all run against the servers:
 * - PG: no generated text the guard allowed gave a command tag other than the allowed ones or fired the
 *   event trigger; the only statements with plain SELECT tags the guard refused were `setval()` spellings
 *   (documented). `RESET <superuser-only setting>` (`RESET session_replication_role`, `RESET log_statement`,
 *   `zero_damaged_pages`, `temp_file_limit` … 49 settings) is allowed while `SET x TO DEFAULT` is refused:
 *   inconsistent, but RESET goes back to the session's reset value (login / role / database settings,
 *   which the session read already judged; a SET of them is refused), so no effect found.
 *   search_path to information_schema / pg_toast in 20 spellings (U&, E'', $$, ::text, ||, case, spaces,
 *   pg_toast_temp_N, quoted inside set_config's list): all refused. nextval on knex_migrations_id_seq:
 *   red team 23 (only burns ids).
 * - MariaDB: the Com_ oracle flagged only CHECKSUM TABLE (a read) and DEALLOCATE PREPARE; the verdict
 *   differential only USE (finding 1) plus texts the server rejects (`do (drop table t)`, `explain use
 *   mysql` = DESCRIBE of a table `use`, `set \`global\` x`, `delete \`history\` from t`). `use \`mysql \``
 *   (trailing space: "Incorrect database name"), `use \`ｍysql\`` (fullwidth: unknown database). Session
 *   variables: every form of a variable got the same verdict (no SET vs @@ vs SET STATEMENT vs INTO @@
 *   split); allowed ones with an effect beyond the session's own queries are Galera / replica-only
 *   (wsrep_osu_method, skip_parallel_replication, default_master_connection, sql_slave_skip_counter) or
 *   change only what the app's own reads see (system_versioning_asof).
 * - MariaDB bookkeeping locks behind the same wrapper, on a guarded mysql2 client: DO / CALL / SET @v
 *   subqueries, INSERT / REPLACE … SELECT, UPDATE / DELETE with a subquery, FOR UPDATE, LOCK IN SHARE MODE
 *   of knex_migrations_lock, each bare, behind SET STATEMENT … FOR, with the SET STATEMENT in /*M! *\/, the
 *   inner statement in /*! *\/, and behind WITH: all 45 refused (the bookkeeping check reads every token).
 *   The same USE hole reaches performance_schema (`update setup_instruments …` by its bare name) and sys.
 * - Lexer differential (3.15M texts per server): no text in which the guard saw a string / comment and the
 *   server ran the hidden `create table`.
 */
import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, outcomeOf, tableExists } from '../support/guard-attack';

const dialects = testDialects();

if (dialects.includes('mysql')) {
  describe('guard red team 34, MariaDB as superuser: USE of a system schema behind SET STATEMENT … FOR', () => {
    const DATABASE = 'knexroles_redteam34_use';
    const database = mysqlSuperuserDatabase(DATABASE);
    const USER = 'rt34_backdoor';
    const cleanUp = async (): Promise<void> => {
      await database.admin.raw('delete from mysql.global_priv where User = ?', [USER]);
    };
    beforeEach(cleanUp);
    afterEach(cleanUp);

    for (const use of [
      'set statement max_statement_time=0 for use mysql',
      'SET STATEMENT max_statement_time=0 FOR /*! USE mysql */',
      '/*!set statement max_statement_time=0 for*/ use `mysql`',
    ]) {
      it(`refuses ${JSON.stringify(use)}: no unqualified write reaches mysql.global_priv after it`, async () => {
        const db: Knex = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
        try {
          const outcomes: string[] = [];
          outcomes.push(`${use}: ${await outcomeOf(db.raw(use))}`);
          const [[row]] = (await db.raw('select database() as d')) as [[{ d: string }]];
          outcomes.push(`default database now ${row.d}`);
          // The grant table by its bare name: the guard recognizes mysql's tables only schema-qualified (README).
          const insert = `insert into global_priv (Host, User, Priv) values ('%', '${USER}', '{"access":0}')`;
          outcomes.push(`${insert}: ${await outcomeOf(db.raw(insert))}`);
          const written = ((await database.admin.raw('select count(*) as n from mysql.global_priv where User = ?', [USER])) as [{ n: number }[]])[0][0]?.n;
          expect(Number(written), `the guarded runtime wrote the grant table: ${outcomes.join('; ')}`).to.equal(0);
          expect(outcomes[0]).to.match(/E_RUNTIME_DDL|refused/i);
        } finally {
          await db.destroy();
        }
      });
    }

    it('refuses the USE behind SET STATEMENT … FOR: a mysql.proc row written by its bare name does not become a root procedure that drops rt34_victim', async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt34_victim (id int)`);
      const db: Knex = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      const outcomes: string[] = [];
      try {
        const body = `drop table ${DATABASE}.rt34_victim`;
        for (const sql of [
          'set statement max_statement_time=0 for use mysql',
          // `proc` unqualified: the server reads it as mysql.proc; a SQL SECURITY DEFINER routine of root@localhost.
          `insert into proc (db, name, type, specific_name, language, sql_data_access, is_deterministic, security_type, param_list, returns, body, definer, created, modified, sql_mode, comment, character_set_client, collation_connection, db_collation, body_utf8) values ('${DATABASE}', 'rt34_p', 'PROCEDURE', 'rt34_p', 'SQL', 'CONTAINS_SQL', 'NO', 'DEFINER', '', '', '${body}', 'root@localhost', now(), now(), '', '', 'utf8mb4', 'utf8mb4_general_ci', 'utf8mb4_general_ci', '${body}')`,
          // CALL is allowed (README); the routine's body is never sent as text, so the guard never sees the DROP.
          `call ${DATABASE}.rt34_p()`,
        ]) {
          outcomes.push(`${sql.slice(0, 60)}…: ${await outcomeOf(db.raw(sql))}`);
        }
        expect(await tableExists.mysql(database.admin, DATABASE, 'rt34_victim'), `the server dropped rt34_victim: ${outcomes.join('; ')}`).to.equal(true);
        expect(outcomes[0]).to.match(/E_RUNTIME_DDL|refused/i);
      } finally {
        await db.destroy();
        await database.admin.raw('delete from mysql.proc where db = ?', [DATABASE]);
      }
    });
  });
}
