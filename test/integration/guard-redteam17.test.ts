import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { lockedInGuardedTransaction, mysqlSuperuserDatabase, pgSuperuserDatabase, seedPgBookkeeping, tableExists } from '../support/guard-attack';

/*
 * Red team 17 (session 10), against 76d50b4: the attack tests here fail on that tree (14); each
 * asserts the effect on the real server (PostgreSQL 15 / MariaDB 10.11, superuser).
 *
 * 1. A `knex.on('query', …)` (or `trx.on('query', …)`) listener runs after the guard judged the
 *    query and before the driver call: knex emits a shallow copy of the query object whose
 *    `options` is the very object `_query` then merges into the driver's config. A listener
 *    that sets `q.options.text` (pg / pgnative) or `q.options.sql` (mysql2 / mysql) replaces
 *    the judged text (raw and query builder, in transactions too): `drop table` runs, pg_authid
 *    is written. textOptionsRefusal (lib/guard/query-options.ts) runs only in Guarded.query ->
 *    refusalOf (lib/guard/client.ts), before super.query's enrichQueryObject emits 'query'.
 * 2. PostgreSQL `ONLY ( name )` (relation_expr's parenthesized form) as the target of UPDATE,
 *    DELETE, MERGE and LOCK: judgeContent (lib/guard/content/judge.ts) skips `only` through
 *    TARGET_MODIFIERS and lockedCatalog skips it too, then catalogTarget sees `(`, not a name;
 *    bookkeeping-writes.ts (MODIFIERS, then `bookkeeping(target)`) the same. So
 *    `update only (pg_authid) set rolcanlogin = false …`, `delete from only (pg_authid) …`,
 *    `merge into only (pg_authid) …`, the same in a data-modifying CTE, `delete from only
 *    (knex_migrations)`, `update only (knex_migrations_lock) …`, and `lock table only
 *    (pg_authid | knex_migrations_lock) in … mode` all run.
 *
 * Near-misses (the guard handled them): `select * from only (knex_migrations_lock) for update`;
 * `update pg_authid * …`, `update only pg_catalog.pg_authid`, comments around the dot;
 * COPY pg_authid FROM STDIN and COPY (UPDATE pg_authid … RETURNING) TO STDOUT; set_config()
 * of role / session_authorization / search_path / client_encoding / standard_conforming_strings /
 * backslash_quote in every case, alias and literal spelling tried (E'', U&'', $$, ||, ::text);
 * bare sql_features / enabled_roles writes and FOR UPDATE; pg_logical_emit_message,
 * pg_log_backend_memory_contexts; lexer probes (a type literal `date'\' …`, an operator
 * running into a comment, E-string continuation across a newline, `a$b$`, X'41''', U&"a""");
 * SQLite string-literal names (`PRAGMA 'writable_schema' = 1`, `insert into 'sqlite_stat1'`,
 * `delete from 'knex_migrations'`), pragma_wal_checkpoint / pragma_incremental_vacuum,
 * ignore_check_constraints, trusted_schema; knex 3.3's pg searchPath (it doubles the quotes
 * it writes into `set search_path`).
 */

const dialects = testDialects();

/** A guarded instance of `config` with one `query` listener that rewrites the options knex passes on to the driver. */
async function withRewritingListener(config: Knex.Config, marker: string, rewrite: (options: Record<string, unknown>) => void): Promise<string> {
  const db = guard(knex({ ...config, pool: { min: 0, max: 1 } }));
  db.on('query', (q: { sql?: string; options?: Record<string, unknown> }) => {
    if (q.sql === marker && q.options !== undefined) rewrite(q.options);
  });
  try {
    return await db.raw(marker).then(
      () => 'ran',
      (e: Error) => `refused: ${e.message}`,
    );
  } finally {
    await db.destroy();
  }
}

if (dialects.includes('postgres')) {
  describe('guard red team 17, PostgreSQL as superuser: a query listener rewrites the judged query', () => {
    const database = pgSuperuserDatabase('knexroles_redteam17_pg');
    beforeEach(async () => {
      await database.admin.raw('create table if not exists rt17_victim (id int)');
    });
    after(async () => {
      await database.admin?.raw('drop table if exists rt17_victim').catch(() => undefined);
    });

    for (const client of ['pg', 'pgnative'] as const) {
      it(`(${client}) a knex.on('query') listener that sets q.options.text cannot make the driver run drop table: rt17_victim is still there`, async () => {
        const outcome = await withRewritingListener({ client, connection: database.connection }, 'select 1 as rt17_probe', (options) => {
          options['text'] = 'drop table rt17_victim';
        });
        expect(await tableExists.postgres(database.admin, 'rt17_victim'), `the guard judged 'select 1' (${outcome}) and the server dropped rt17_victim`).to.equal(true);
      });
    }

    it("(pg) a trx.on('query') listener that sets q.options.text on a query-builder select in a transaction cannot drop rt17_victim", async () => {
      const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        await db
          .transaction(async (trx) => {
            trx.on('query', (q: { sql?: string; options?: Record<string, unknown> }) => {
              if (q.sql?.includes('rt17_victim') === true && q.options !== undefined) q.options['text'] = 'drop table rt17_victim';
            });
            await trx('rt17_victim').select('id');
          })
          .then(
            () => (outcome = 'ran'),
            (e: Error) => (outcome = `refused: ${e.message}`),
          );
      } finally {
        await db.destroy();
      }
      expect(await tableExists.postgres(database.admin, 'rt17_victim'), `the guard judged the select (${outcome}) and the server dropped rt17_victim`).to.equal(true);
    });

    it("(pg) a listener that only reads q.options still sees the query's options, and the query runs with them", async () => {
      const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));
      const seen: unknown[] = [];
      db.on('query', (q: { options?: Record<string, unknown> }) => seen.push(q.options?.['rowMode']));
      try {
        const result = (await db.raw('select 1 as one, 2 as two').options({ rowMode: 'array' })) as { rows: unknown[] };
        expect(result.rows, 'the options reached the driver').to.deep.equal([[1, 2]]);
        expect(seen, 'the listener saw them').to.deep.equal(['array']);
      } finally {
        await db.destroy();
      }
    });

    it("(pg) a knex.on('query') listener that sets q.options.text cannot write pg_authid: the role keeps its login", async () => {
      await database.admin.raw("do $$ begin if not exists (select from pg_roles where rolname = 'rt17_role') then create role rt17_role login; end if; end $$");
      try {
        await withRewritingListener({ client: 'pg', connection: database.connection }, 'select 2 as rt17_probe', (options) => {
          options['text'] = "update pg_authid set rolcanlogin = false where rolname = 'rt17_role'";
        });
        const row = (await database.admin.raw("select rolcanlogin from pg_roles where rolname = 'rt17_role'")).rows[0];
        expect(row.rolcanlogin, 'the guard judged select 2 and the server wrote pg_authid').to.equal(true);
      } finally {
        await database.admin.raw('drop role if exists rt17_role');
      }
    });
  });
}

if (dialects.includes('postgres')) {
  describe('guard red team 17, PostgreSQL as superuser: UPDATE / DELETE / MERGE of ONLY (table)', () => {
    const database = pgSuperuserDatabase('knexroles_redteam17_only');
    const ROLE = 'rt17_only_role';
    /** Runs `sql` on a guarded pg instance of the suite's database; the outcome, for the failure message. */
    const attempt = async (sql: string): Promise<string> => {
      const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));
      try {
        return await db.raw(sql).then(
          () => 'ran',
          (e: Error) => `refused: ${e.message}`,
        );
      } finally {
        await db.destroy();
      }
    };
    const canLogin = async (): Promise<boolean> => (await database.admin.raw('select rolcanlogin from pg_roles where rolname = ?', [ROLE])).rows[0].rolcanlogin;
    beforeEach(async () => {
      await database.admin.raw(`do $$ begin if not exists (select from pg_roles where rolname = '${ROLE}') then create role ${ROLE} login; end if; end $$`);
      await database.admin.raw(`alter role ${ROLE} login`);
      await seedPgBookkeeping(database.admin);
    });
    after(async () => {
      await database.admin?.raw(`drop role if exists ${ROLE}`).catch(() => undefined);
    });

    for (const sql of [
      `update only (pg_catalog.pg_authid) set rolcanlogin = false where rolname = '${ROLE}'`,
      `update only (pg_authid) set rolcanlogin = false where rolname = '${ROLE}'`,
      `with x as (update only (pg_authid) set rolcanlogin = false where rolname = '${ROLE}' returning 1) select count(*) from x`,
      `merge into only (pg_authid) a using (select '${ROLE}'::name as n) s on a.rolname = s.n when matched then update set rolcanlogin = false`,
    ]) {
      it(`refuses ${sql.slice(0, 60)}…: the role keeps its login (pg_authid unchanged)`, async () => {
        const outcome = await attempt(sql);
        expect(await canLogin(), `the guard let it through (${outcome}) and the server wrote pg_authid`).to.equal(true);
      });
    }

    it('refuses delete from only (pg_authid): the role is still there', async () => {
      const outcome = await attempt(`delete from only (pg_authid) where rolname = '${ROLE}'`);
      const left = (await database.admin.raw('select count(*)::int as n from pg_roles where rolname = ?', [ROLE])).rows[0].n;
      expect(left, `the guard let it through (${outcome}) and the server deleted the pg_authid row`).to.equal(1);
    });

    for (const [table, regclass] of [
      ['pg_authid', 'pg_catalog.pg_authid'],
      ['knex_migrations_lock', 'knex_migrations_lock'],
    ] as const) {
      it(`refuses lock table only (${table}) in a transaction: no runtime session holds a lock on it`, async () => {
        const { held, outcome } = await lockedInGuardedTransaction(database, `lock table only (${table}) in access share mode`, regclass);
        expect(held, `the guard let it through (${outcome}) and the runtime transaction locked ${table}`).to.equal(0);
      });
    }

    it("refuses delete from only (knex_migrations) and update only (knex_migrations_lock): knex's bookkeeping rows are unchanged", async () => {
      const deleted = await attempt('delete from only (knex_migrations)');
      const locked = await attempt('update only (knex_migrations_lock) set is_locked = 1');
      const rows = (await database.admin.raw('select count(*)::int as n from knex_migrations')).rows[0].n;
      const lock = (await database.admin.raw('select is_locked from knex_migrations_lock')).rows[0].is_locked;
      expect({ rows, lock }, `the guard let them through (${deleted}; ${locked}) and the server wrote knex's tables`).to.deep.equal({ rows: 1, lock: 0 });
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 17, MariaDB as superuser: a query listener rewrites the judged query', () => {
    const DATABASE = 'knexroles_redteam17_my';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt17_victim (id int)`);
    });

    for (const client of ['mysql2', 'mysql'] as const) {
      it(`(${client}) a knex.on('query') listener that sets q.options.sql cannot make the driver run drop table: rt17_victim is still there`, async () => {
        const outcome = await withRewritingListener({ client, connection: database.connection }, 'select 1 as rt17_probe', (options) => {
          options['sql'] = 'drop table rt17_victim';
        });
        expect(await tableExists.mysql(database.admin, DATABASE, 'rt17_victim'), `the guard judged 'select 1' (${outcome}) and the server dropped rt17_victim`).to.equal(true);
      });
    }
  });
}
