import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { outcomeOf, pgSuperuserDatabase } from '../support/guard-attack';

/*
 * Red team rt45 (session 16), against 5a38ca8 (main): PostgreSQL 15 (pg and pgnative): text, functions, settings.
 * Each attack test fails on 5a38ca8 and asserts the effect on the real server (PostgreSQL 15 as superuser, so that
 * only the guard stands in the way): here, which role the session runs as after the statement. It passes once the
 * class is fixed, whatever the fix does (refuse the statement, or let it through only when it really means NONE).
 * Run: DIALECTS=postgres npx mocha test/integration/guard-redteam-rt45.test.ts
 * On 5a38ca8: 22 tests fail (12 attack tests of 1., 6 per client; 2 ordinary tests of 2., 1 per client; 8 attack tests
 * of 3., 4 per client).
 *
 * 1. (medium) SET ROLE to another role, past the guard, when that role's name is "none" in another case or with
 *    white space: `SET ROLE 'NONE'`, `SET ROLE TO 'None'`, `SET LOCAL ROLE 'NONE'`, `SET "role" = 'NONE'`,
 *    `SELECT set_config('role', 'NONE', false)`, `SELECT set_config('role', ' none', false)`. The server takes
 *    only the exact lower-case string `none` as NONE (src/backend/commands/variable.c check_role:
 *    `strcmp(*newval, "none") == 0`); any other spelling is looked up as a role name, and CREATE ROLE "NONE",
 *    "None" or " none" is allowed (only lower-case `none` and `public` are reserved). The session then runs as
 *    that role (current_user <> session_user), which the README promises is refused (`SET ROLE`). A role of that
 *    name must exist (a DBA's, or one made by a migration), so severity medium: the identity changes, but only to a
 *    role whose name the attacker does not choose freely.
 *    Root cause: lib/dialects/postgres/set-postgres.ts resetsTo() (`value.toLowerCase() !== word`) for SET ROLE /
 *    SET "role", and lib/dialects/postgres/set-config.ts setConfigRefusal() (`value.trim().toLowerCase() === 'none'`)
 *    for set_config('role', …). The bare keyword `SET ROLE NONE` is different: the scanner folds the keyword, so
 *    `NONE` is `none` there.
 *    Fix for the class: compare identity reset values as the server does: a string (or quoted identifier) counts as
 *    NONE / DEFAULT only when it is exactly the lower-case word (no case folding, no trim); only an unquoted keyword
 *    is folded. Same for any other "reset form" the guard lets through by value.
 *
 * 3. (low) SET search_path to information_schema or pg_toast, past the rule that refuses it: the value written as an
 *    E-string with an escape (`E'information\137schema'`, `e'information\x5fschema'`, `E'pg\137toast'`) or as a
 *    string continued across a newline (`'informat'` newline `'ion_schema'`). The README/set-config.ts promise: "a
 *    runtime SET search_path naming information_schema or pg_toast is refused". The setting really switches (shown
 *    with current_setting). Low: the writable information_schema tables and pg_toast_* stay refused by bare name.
 *    Root cause: lib/dialects/postgres/set-config.ts searchPathNamesCatalog() judges `tk.literal(k)` per token;
 *    for an E'' escape or a continued literal the decoded value is not what is compared (set_config's value and U&''
 *    and $$…$$ are decoded and refused). Fix for the class: decode every string form the server accepts
 *    (E'' escapes: octal, \x, \u, \U; continuation; U&''; $$) before comparing, or refuse a search_path value that is
 *    not a plain '…' literal or bare name (as set_config's name must be one plain literal).
 *
 * 2. (low, ordinary statement wrongly refused) `SET ROLE "none"`: in the keyword form the quoted identifier "none"
 *    is the string `none`, which the server reads as NONE (back to the login role), like `SET ROLE NONE`; the guard
 *    refuses it as `SET ROLE` (set-postgres.ts resetsTo: a quoted identifier is never `plain`). Fix: in the keyword
 *    form, accept a quoted identifier whose content is exactly `none` (and no other spelling, see 1.).
 *
 * Near-misses tried that the guard handled (classifier, and PostgreSQL 15 where it mattered):
 * - refused functions reached without a plain call: `"pg_read_file"(…)`, `U&"pg_read\005ffile"(…)`, `\+00005f`,
 *   `pg_catalog . pg_read_file (…)`, a comment or `--` line between name and `(`, `ROWS FROM (pg_ls_dir(…))`,
 *   attribute notation `x.pg_ls_dir`, `(x).pg_ls_dir`, `('.'::text)."pg_ls_dir"`; `COPY (select pg_read_file(…))`,
 *   `EXPLAIN ANALYZE select pg_read_file(…)`, `PREPARE p AS select pg_read_file(…)`, a COPY … WHERE subquery;
 * - no operator, cast, aggregate or SQL/PL wrapper in pg_catalog reaches a refused function (pg_operator,
 *   pg_cast, pg_aggregate, pg_proc prosrc and function bodies checked); every volatile pg_catalog and contrib
 *   function withheld from PUBLIC (all shipped extensions installed) is refused or on the reviewed read list;
 *   lo_get/loread and brin_summarize_* and gin_clean_pending_list stay allowed as documented;
 * - set_config with a name that is not one plain literal (E'', U&'', N'', B'', continued '' '', cast, parenthesized,
 *   column, VARIADIC array, named arguments) is refused; `$$role$$` is read; lexing settings by bound value refused;
 * - SET of lexing settings to other values, lists, DEFAULT, FROM CURRENT; SET NAMES; RESET ALL / DISCARD ALL /
 *   RESET of lexing settings; every PG 15 superuser/superuser-backend setting is in the generated list;
 * - catalog writes: quoted, U&-escaped, qualified, `ONLY (t)`, CTE, MERGE, COPY FROM (binary, parenthesized);
 *   row locks on catalog views; `LOCK TABLE t, pg_class`;
 * - SELECT … INTO in every position tried (UNION, parenthesized, after FOR UPDATE / LIMIT / FETCH, VALUES, DECLARE,
 *   EXPLAIN ANALYZE); COPY to/from files spelled as $$…$$, E'', U&''; COPY … PROGRAM;
 * - lexer: nested comments, dollar-quote tags next to identifiers with `$`, `$1$`, numbers followed by `$`,
 *   B''/X'' doubling (PostgreSQL ends the literal at `''` and starts a new string: both readings end at the same
 *   quote, the server then fails on two adjacent constants), \v (not white space on 15: a syntax error);
 *   knex's `\?` rewrite (judged after positionBindings), named prepared statements (pg checks the text per name);
 * - knex's own set-up text (searchPath) and cancelQuery (pg_cancel_backend) run on the guarded view / own client.
 */

const dialects = testDialects();

/** A guarded instance with one pooled connection, so that what one query sets, the next one sees. */
function guarded(client: string, connection: unknown): Knex {
  return guard(knex({ client, connection: connection as Knex.Config['connection'], pool: { min: 0, max: 1 } }));
}

/** `select current_user` on the instance's one connection (a plain read, allowed). */
async function currentUser(db: Knex): Promise<string> {
  const result = await db.raw('select current_user as u, session_user as s');
  return String(result.rows[0].u);
}

if (dialects.includes('postgres')) {
  describe('guard red team rt45, PostgreSQL 15 as superuser', () => {
    const database = pgSuperuserDatabase('knexroles_rt45');

    describe('1. SET ROLE to a role whose name is "none" in another case or with spaces', () => {
      const ROLES = ['NONE', 'None', ' none'];
      before(async () => {
        for (const role of ROLES) await database.admin.raw(`do $$ begin if not exists (select from pg_roles where rolname = '${role}') then create role "${role}"; end if; end $$`);
      });
      after(async () => {
        for (const role of ROLES) await database.admin.raw(`drop role if exists "${role}"`);
      });
      const attacks: Array<[string, string]> = [
        ["set role 'NONE'", 'NONE'],
        ["set role to 'None'", 'None'],
        ["set local role 'NONE'", 'NONE'],
        ["set \"role\" = 'NONE'", 'NONE'],
        ["select set_config('role', 'NONE', false)", 'NONE'],
        ["select set_config('role', ' none', false)", ' none'],
      ];
      for (const client of ['pg', 'pgnative']) {
        for (const [sql, role] of attacks) {
          it(`(${client}) ${sql}: the session stays the login role (not "${role}")`, async () => {
            const db = guarded(client, database.connection);
            try {
              // SET LOCAL holds until the transaction ends: look from inside it.
              let inside = database.connection.user;
              const outcome = await outcomeOf(
                sql.startsWith('set local')
                  ? db.transaction(async (trx) => {
                      await trx.raw(sql);
                      inside = await currentUser(trx as unknown as Knex);
                    })
                  : db.raw(sql),
              );
              const user = sql.startsWith('set local') ? inside : await currentUser(db);
              expect(user, `switched to "${user}" (${outcome})`).to.equal(database.connection.user);
            } finally {
              await db.destroy();
            }
          });
        }
      }
    });
    describe('2. ordinary: SET ROLE "none" is the NONE form (back to the login role)', () => {
      for (const client of ['pg', 'pgnative']) {
        it(`(${client}) set role "none" runs and leaves the login role`, async () => {
          const db = guarded(client, database.connection);
          try {
            const outcome = await outcomeOf(db.raw('set role "none"'));
            expect(outcome).to.equal('ran');
            expect(await currentUser(db)).to.equal(database.connection.user);
          } finally {
            await db.destroy();
          }
        });
      }
    });
    describe('3. SET search_path naming information_schema / pg_toast through an E-string escape or a continued literal', () => {
      const attacks = ["set search_path to E'information\\137schema'", "set search_path to e'information\\x5fschema'", "set search_path to E'pg\\137toast'", "set search_path to 'informat'\n'ion_schema'"];
      for (const client of ['pg', 'pgnative']) {
        for (const sql of attacks) {
          it(`(${client}) ${JSON.stringify(sql)}: search_path names neither information_schema nor pg_toast`, async () => {
            const db = guarded(client, database.connection);
            try {
              const outcome = await outcomeOf(db.raw(sql));
              const path = String((await db.raw("select current_setting('search_path') as p")).rows[0].p);
              expect(path, `search_path switched to ${path} (${outcome})`).not.to.match(/information_schema|pg_toast/);
            } finally {
              await db.destroy();
            }
          });
        }
      }
    });
  });
}
