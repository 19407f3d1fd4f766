import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { mysqlSuperuserDatabase, outcomeOf } from '../support/guard-attack';

/*
 * Red team 44 (session 16, against 5a38ca8): MySQL / MariaDB after red team 43. Server: MariaDB
 * 10.11.19 (SELECT VERSION() on the test server); every claim below was checked on it.
 *
 * Findings
 *
 * F1 (high) SET PASSWORD / SET ROLE / SET DEFAULT ROLE as a later item of a SET list.
 *   MariaDB takes the special SET forms anywhere in a SET list, not only first:
 *     SET @a = 1, PASSWORD FOR victim = PASSWORD('x')   -- changes another account's password
 *     SET @a = 1, PASSWORD = PASSWORD('x')              -- changes the session user's own password
 *     SET @a = 1, ROLE some_role                        -- activates a role (privilege escalation)
 *     SET @a = 1, DEFAULT ROLE some_role FOR victim     -- changes an account's default role
 *   (also after `SET autocommit = 1, …`, `SET SESSION x = 1, …`, with more items after them, inside
 *   `SET STATEMENT … FOR SET …` and inside a plain `/*! … *\/`; `old_password('…')` and a hash
 *   literal work as well as `password('…')`).
 *   The guard allows every one of them (they are refused only first: `SET PASSWORD …` is
 *   refused as privilege). On MariaDB each ran and changed mysql.user / current_role().
 *   Root cause: lib/dialects/mysql/set-mysql.ts `setMysql` looks for PASSWORD, ROLE and
 *   DEFAULT ROLE only at the first token after SET; the later items of the list go through
 *   `sessionVariable`, which takes `password` / `role` / `default` for a session variable's
 *   name (not refused, not lexing-relevant) and lets them pass.
 *   Severity: a runtime connection changes identities and privileges, which the guard promises to
 *   refuse (SET PASSWORD / SET ROLE / SET DEFAULT ROLE are refused as `privilege` when first).
 *   Even a provisioned least-privilege runtime user may change its own password on MariaDB
 *   (the app's next connections fail; whoever chose the password can log in as the app), may
 *   activate any role granted to it, and a runtime connected as the owner or a superuser can
 *   reset any account's password (root's, the migrator's) or default role.
 *   Fix for the class: judge every item of the list the same way as the first (one function
 *   per item: the special forms PASSWORD [FOR], ROLE, DEFAULT ROLE, NAMES, CHARACTER SET /
 *   CHARSET, TRANSACTION, scope words), i.e. move the special-form checks into the item loop,
 *   and refuse an item whose name is a keyword that starts a special form.
 *
 * F2 (low, an ordinary statement wrongly refused) A bound value, or a literal string, that
 *   contains an executable-comment marker (`/*!`), such as a CSS file's
 *   `/*! normalize.css v8.0.1 | MIT License *\/` header stored in a TEXT column, is refused
 *   (E_RUNTIME_DDL, "executable comment marker inside a string, a name or a comment") although
 *   the text has no executable comment at all, so every reading of it is the same and the
 *   marker can only ever be part of the string.
 *   Root cause: lib/dialects/mysql/lexer.ts `endOfInput` / `markerAt` counts every `/*!` /
 *   `/*M!` in the raw text, also where no reading could make it a marker.
 *   Fix for the class: refuse a hidden marker only when the text has an executable comment
 *   some server skips (versions noted or `/*M!` seen), i.e. when there is more than one reading
 *   of where strings and comments are; otherwise the one reading is the server's.
 *
 * Near misses (the guard handled them; checked on MariaDB 10.11 where it matters)
 * - Versioned comments: `/*!101100` runs and `/*!101199` is skipped (as the guard reads); 7+
 *   digits (`/*!1011001`: six digits read, the seventh is code), `/*M!050700` and `/*M!99999`
 *   run, `/*!050700` does not, `/*!00000`, `/*!1`, `/*M!1` (fewer than five digits: code),
 *   `/*!10000a` (a letter right after the version), `/*M!+1 … *\/`, `/*m!` (plain comment): all read
 *   as MariaDB reads them. Comments, `--`, `#` and nested markers inside a running executable
 *   comment are refused; a marker inside a string is refused (F2).
 * - SELECT … INTO: `?.` / `1.` before `into outfile` (formatted text judged), `(select 1) into
 *   outfile`, after UNION, in a CTE, after FOR UPDATE [NOWAIT | WAIT n | SKIP LOCKED], LOCK IN
 *   SHARE MODE, LIMIT / OFFSET … FETCH, `into @a into outfile`, `VALUES (1) INTO OUTFILE`,
 *   `SET STATEMENT … FOR SELECT … INTO OUTFILE`, aliases before INTO (`1 x`, `` 1 `x` ``,
 *   `1 'x'`, `1 as 'x'`): all refused. `into @a.into outfile` (MariaDB reads `@a.into` as one
 *   name) and `into @/**\/ outfile` are allowed but the server rejects them.
 * - `1.e-- 1 …` (the guard reads `1.`, `e` and a `-- ` comment, MariaDB aborts at the number):
 *   allowed, but the server rejects the text, nothing runs.
 * - NUL inside `#` / `--` comments (MariaDB ends the comment there and stops the statement):
 *   allowed, the server rejects the text.
 * - SET: `set ?` with {sql_mode | character_set_client} (formatted and refused), backquoted names
 *   (`` set `sql_mode` ``, `` @@`sql_mode` ``, `` @@session.`sql_mode` ``), `@@session . sql_mode`,
 *   `@@local.`, sql_mode/charset in a later item after `concat(…)`, `if(…)`, `{fn now()}`,
 *   subqueries, CASE, COLLATE, string concatenation, `_latin1'…'`, `N'…'`, x'…': all refused.
 *   `` @@`session`.sql_mode `` is allowed but MariaDB reads it as a structured variable and
 *   fails ("Unknown structured system variable").
 * - Oracle-mode sessions (sql_mode=ORACLE, ANSI_QUOTES read): `BEGIN … END`, `DECLARE … BEGIN
 *   … END` anonymous blocks run DDL on MariaDB and are refused.
 * - Other later-item forms: `SET @a = 1, NAMES gbk`, `, CHARACTER SET …`, `, CHARSET …`, `, GLOBAL x`,
 *   `, @@global.x`, `, foreign_key_checks = 0`: refused. `SET SESSION PASSWORD …` / `SET LOCAL
 *   ROLE …` are allowed but MariaDB rejects them (syntax).
 * - Wrappers and relatives: PREPARE / EXECUTE / EXECUTE IMMEDIATE refused; ANALYZE SELECT … INTO
 *   OUTFILE (which MariaDB runs) refused; CALL sys.execute_prepared_stmt / sys.create_synonym_db /
 *   mysql.AddGeometryColumn (default procedures that run DDL) refused; IF / WHILE / LOOP / FOR /
 *   CASE / labels / BEGIN NOT ATOMIC at top level refused. Allowed and harmless here: sys.*
 *   functions in SELECT (none writes), `select setval(mysql.x, 1)` (no sequence in mysql by
 *   default), CHECKSUM TABLE (a read).
 * - USE of `mysql` in every spelling, `load_file` quoted / spaced / qualified, writes to
 *   `mysql . db`, multi-table UPDATE / DELETE joining mysql tables: refused.
 */

const dialects = testDialects();
const CLIENTS = ['mysql2', 'mysql', 'mariadb'] as const;

if (dialects.includes('mysql')) {
  describe('guard red team 44, MariaDB as superuser: special SET forms as later items of a SET list', () => {
    const DATABASE = 'knexroles_redteam44_set';
    const database = mysqlSuperuserDatabase(DATABASE);
    const VICTIM = 'rt44_victim';
    const SELF = 'rt44_self';
    const ROLE_USER = 'rt44_roleuser';
    const ROLE = 'rt44_role';

    const authOf = async (user: string): Promise<string> => {
      const [rows] = await database.admin.raw('select authentication_string as a from mysql.user where user = ? and host = ?', [user, '%']);
      return String(rows[0]?.a);
    };
    const defaultRoleOf = async (user: string): Promise<string> => {
      const [rows] = await database.admin.raw('select default_role as r from mysql.user where user = ? and host = ?', [user, '%']);
      return String(rows[0]?.r);
    };

    beforeEach(async () => {
      const admin = database.admin;
      for (const user of [VICTIM, SELF, ROLE_USER]) {
        await admin.raw(`drop user if exists '${user}'@'%'`);
        await admin.raw(`create user '${user}'@'%' identified by 'before'`);
        await admin.raw(`grant select on ${DATABASE}.* to '${user}'@'%'`);
      }
      await admin.raw(`drop role if exists ${ROLE}`);
      await admin.raw(`create role ${ROLE}`);
      await admin.raw(`grant all on ${DATABASE}.* to ${ROLE}`);
      await admin.raw(`grant ${ROLE} to '${ROLE_USER}'@'%'`);
    });
    // afterEach: mysqlSuperuserDatabase's own `after` (registered first) destroys the admin instance.
    afterEach(async () => {
      for (const user of [VICTIM, SELF, ROLE_USER]) await database.admin.raw(`drop user if exists '${user}'@'%'`);
      await database.admin.raw(`drop role if exists ${ROLE}`);
    });

    /** A guarded instance of `client` with one pooled connection as `user` (the superuser by default). */
    const guarded = (client: string, user?: { user: string; password: string }): Knex =>
      guard(knex({ client, connection: { ...database.connection, ...(user ?? {}) }, pool: { min: 0, max: 1 } }));

    for (const client of CLIENTS) {
      it(`F1 (${client}) SET @a = 1, PASSWORD FOR another account: its password is unchanged`, async () => {
        const before = await authOf(VICTIM);
        const db = guarded(client);
        let outcome = '';
        try {
          outcome = await outcomeOf(db.raw(`set @rt44 = 1, password for '${VICTIM}'@'%' = password('changed')`));
        } finally {
          await db.destroy();
        }
        expect(await authOf(VICTIM), `another account's password was changed (${outcome})`).to.equal(before);
      });

      it(`F1 (${client}) SET autocommit = 1, PASSWORD FOR another account, @b = 2: its password is unchanged`, async () => {
        const before = await authOf(VICTIM);
        const db = guarded(client);
        let outcome = '';
        try {
          outcome = await outcomeOf(db.raw(`set autocommit = 1, password for '${VICTIM}'@'%' = password('changed'), @rt44 = 2`));
        } finally {
          await db.destroy();
        }
        expect(await authOf(VICTIM), `another account's password was changed (${outcome})`).to.equal(before);
      });

      it(`F1 (${client}) SET STATEMENT … FOR SET @a = 1, PASSWORD FOR another account (and inside /*! *\/): its password is unchanged`, async () => {
        const before = await authOf(VICTIM);
        const db = guarded(client);
        const outcomes: string[] = [];
        try {
          outcomes.push(await outcomeOf(db.raw(`set statement max_statement_time = 10 for set @rt44 = 1, password for '${VICTIM}'@'%' = password('changed')`)));
          outcomes.push(await outcomeOf(db.raw(`/*!set @rt44 = 1, password for '${VICTIM}'@'%' = password('changed2') */`)));
        } finally {
          await db.destroy();
        }
        expect(await authOf(VICTIM), `another account's password was changed (${outcomes.join('; ')})`).to.equal(before);
      });

      it(`F1 (${client}) SET @a = 1, PASSWORD = …: the session user's own password is unchanged`, async () => {
        const before = await authOf(SELF);
        const db = guarded(client, { user: SELF, password: 'before' });
        let outcome = '';
        try {
          outcome = await outcomeOf(db.raw("set @rt44 = 1, password = password('changed')"));
        } finally {
          await db.destroy();
        }
        expect(await authOf(SELF), `the runtime user's password was changed (${outcome})`).to.equal(before);
      });

      it(`F1 (${client}) SET @a = 1, ROLE r: the session's current role stays NULL`, async () => {
        const db = guarded(client, { user: ROLE_USER, password: 'before' });
        let outcome = '';
        let role: unknown = 'unread';
        try {
          outcome = await outcomeOf(db.raw(`set @rt44 = 1, role ${ROLE}`));
          const [rows] = await db.raw('select current_role() as r');
          role = rows[0].r;
        } finally {
          await db.destroy();
        }
        expect(role, `the role was activated (${outcome})`).to.equal(null);
      });

      it(`F1 (${client}) SET @a = 1, DEFAULT ROLE r FOR an account: its default role is unchanged`, async () => {
        const before = await defaultRoleOf(ROLE_USER);
        const db = guarded(client);
        let outcome = '';
        try {
          outcome = await outcomeOf(db.raw(`set @rt44 = 1, default role ${ROLE} for '${ROLE_USER}'@'%'`));
        } finally {
          await db.destroy();
        }
        expect(await defaultRoleOf(ROLE_USER), `the default role was changed (${outcome})`).to.equal(before);
      });
    }

    it('ordinary: SET with user variables and session settings in a list still works', async () => {
      const db = guarded('mysql2');
      try {
        await db.raw("set @rt44 = 1, autocommit = 1, @rt44b = 'x', session sql_select_limit = 1000");
        const [rows] = await db.raw('select @rt44 as a, @rt44b as b');
        expect(rows[0]).to.deep.equal({ a: 1, b: 'x' });
        // The first-item forms stay refused.
        expect(await outcomeOf(db.raw(`set password for '${VICTIM}'@'%' = password('changed')`))).to.match(/^refused: /);
      } finally {
        await db.destroy();
      }
    });
  });

  describe('guard red team 44, MariaDB: text with an executable-comment marker inside a string (ordinary, wrongly refused)', () => {
    const DATABASE = 'knexroles_redteam44_marker';
    const database = mysqlSuperuserDatabase(DATABASE);
    const CSS = '/*! normalize.css v8.0.1 | MIT License | github.com/necolas/normalize.css */\nhtml { line-height: 1.15; }';

    beforeEach(async () => {
      await database.admin.raw(`drop table if exists ${DATABASE}.rt44_assets`);
      await database.admin.raw(`create table ${DATABASE}.rt44_assets (id int primary key, body text)`);
    });

    for (const client of CLIENTS) {
      it(`F2 (${client}) a bound CSS text starting with /*! is stored`, async () => {
        const db = guard(knex({ client, connection: database.connection, pool: { min: 0, max: 1 } }));
        let outcome = '';
        try {
          outcome = await outcomeOf(db.raw(`insert into ${DATABASE}.rt44_assets (id, body) values (?, ?)`, [1, CSS]));
        } finally {
          await db.destroy();
        }
        const [rows] = await database.admin.raw(`select body from ${DATABASE}.rt44_assets where id = 1`);
        expect(rows[0]?.body, `the insert was refused (${outcome})`).to.equal(CSS);
      });
    }

    it('F2 (mysql2) a query builder insert of a value containing /*M! is stored', async () => {
      const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      const body = 'see /*M!100100 note */ in the docs';
      let outcome = '';
      try {
        outcome = await outcomeOf(db(`${DATABASE}.rt44_assets`).insert({ id: 2, body }));
      } finally {
        await db.destroy();
      }
      const [rows] = await database.admin.raw(`select body from ${DATABASE}.rt44_assets where id = 2`);
      expect(rows[0]?.body, `the insert was refused (${outcome})`).to.equal(body);
    });
  });
}
