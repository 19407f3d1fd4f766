import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { innodbStatsRowsLocked, mysqlSuperuserDatabase, outcomeOf, pgSuperuserDatabase, seedPgBookkeeping } from '../support/guard-attack';

/*
 * Red team 20 (session 11), against e54a8a5 (the tip of main this branch started from): the
 * attack tests here fail on it (7); each asserts the effect on the real server (PostgreSQL 15 /
 * MariaDB 10.11 as superuser). Fixed: setval() refused on PostgreSQL; MySQL SET / DO / SHOW
 * naming a bookkeeping table or a system catalog count as row locks (rowLocks.lockingHeads);
 * two-phase commit (XA, PREPARE TRANSACTION, COMMIT / ROLLBACK PREPARED) refused. Finding 3 is
 * documented in the README as not seen (the guard does not follow the isolation level); its
 * test was not kept.
 *
 * 1. PostgreSQL: `select setval('knex_migrations_id_seq', 2147483647)` is allowed (a plain
 *    SELECT calling a function that no rule lists; lib/guard/bookkeeping-writes.ts only knows the
 *    two tables, lib/dialects/postgres/guard-rules.ts has no sequence functions). Knex's
 *    migrator can then never record a migration ("nextval: reached maximum value"); setval(…, 1,
 *    false) makes its next insert collide instead. Provision revokes UPDATE (setval) on sequences
 *    from the app, so a superuser / owner connection has only the guard in the way. (Red team 18
 *    listed it as an unproven lead.)
 * 2. MariaDB: statements that are not SELECTs read their subqueries as locking reads in InnoDB:
 *    `SET @v = (SELECT … FROM knex_migrations_lock)`, `DO (SELECT …)`, `SHOW TABLES WHERE (SELECT …)`
 *    take a shared lock on the rows read, in the default REPEATABLE READ, and hold it to the end
 *    of the transaction: the migrator's `SELECT … FROM knex_migrations_lock FOR UPDATE` waits. The
 *    bookkeeping check (bookkeeping-writes.ts statementWrites) and the catalog check
 *    (content/catalog-targets.ts rowLockedCatalog) only count FOR UPDATE / FOR SHARE / LOCK IN
 *    SHARE MODE as row locks, and SET / DO / SHOW are not write verbs (ANYWHERE_WRITE_VERBS), so
 *    they pass; the same SET / DO on mysql.innodb_table_stats locks a system table's rows (not the
 *    documented SERIALIZABLE case: no isolation level is set).
 * 3. MariaDB, knex `isolationLevel: 'serializable'`: a plain `SELECT * FROM knex_migrations_lock`
 *    is read as LOCK IN SHARE MODE and holds the row against the migrator. The README documents
 *    this only for the mysql.* system tables (where a provisioned runtime user has no privilege);
 *    the runtime user does read knex_migrations_lock (migrate:status), and the README says a row
 *    lock on a bookkeeping table is refused at any query level.
 * 4. MariaDB: `XA ROLLBACK 'xid'` (and XA COMMIT) is allowed as transaction control
 *    (lib/dialects/mysql/statement-heads.ts allow('XA')), but a prepared XA transaction outlives
 *    its connection and any session may finish it: the runtime connection rolls back another
 *    session's prepared work (its xid is in `XA RECOVER`, also allowed). The README allows XA as
 *    "transaction control over the app's own data"; this is not the session's own transaction.
 *    (No DDL can be inside one: MariaDB commits implicitly before DDL, so a migration's DDL is not
 *    reachable this way.)
 *
 * Near-misses (the guard handled them, or the server did not lock): bookkeeping writes through a
 * CTE (`with x as (delete from knex_migrations …) select …`), `INSERT … ON CONFLICT`, `MERGE INTO`,
 * `UPDATE ONLY (…)`, `LOCK` lists, `COPY … FROM STDIN`, cursors `FOR UPDATE`, `PREPARE … AS` /
 * `EXPLAIN ANALYZE` of a delete (all refused); MySQL multi-table UPDATE / DELETE, REPLACE,
 * INSERT … SELECT naming knex_migrations (refused); MariaDB `SELECT … INTO @v`, `SELECT @v := (…)`,
 * `VALUES ((…))`, `WHERE EXISTS (…)`, `SET STATEMENT … FOR SELECT` (no lock taken); PostgreSQL
 * `DO`, `query_to_xml`, `ts_stat`, `pg_terminate_backend`, `lo_*` writers, SET ROLE / SESSION
 * AUTHORIZATION / set_config('role'), search_path to information_schema in every spelling tried,
 * client_encoding aliases (WIN932, MSKANJI, SHIFTJIS, WIN936/949/950 …), standard_conforming_strings
 * prefixes (`of`, `fa`, `n`) and backslash_quote values (refused); MariaDB PREPARE FROM / EXECUTE /
 * EXECUTE IMMEDIATE / BEGIN NOT ATOMIC / HANDLER, logging and binlog settings (refused); SQLite
 * pragmas in quoted / bracketed / function / schema-qualified spellings, locking_mode,
 * schema_version, writable_schema (refused). Read, no bypass found: read replicas (lib/replicas:
 * each replica is built from the guarded client class and routed statements go through the
 * primary's guarded query), createTestDatabase (createKnex role runtime).
 * Unverified: PostgreSQL COMMIT PREPARED / ROLLBACK PREPARED / PREPARE TRANSACTION are allowed (the
 * test server runs with max_prepared_transactions = 0, so none can be made; like finding 4, any
 * session may finish another's prepared transaction). Near-miss: XA PREPARE does not keep finding
 * 2's shared row locks after the runtime connection is gone (MariaDB 10.11 releases S locks at prepare).
 */

const dialects = testDialects();

if (dialects.includes('postgres')) {
  describe('guard red team 20, PostgreSQL as superuser: knex bookkeeping sequences', () => {
    const database = pgSuperuserDatabase('knexroles_redteam20_seq');

    it('(pg) setval() on knex_migrations_id_seq cannot stop the migrator from recording its next migration', async () => {
      await seedPgBookkeeping(database.admin);
      const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        outcome = await outcomeOf(db.raw("select setval('knex_migrations_id_seq', 2147483647)"));
      } finally {
        await db.destroy();
      }
      // What knex's migrator sends after a migration ran (id from the serial's sequence).
      const recorded = await outcomeOf(database.admin.raw("insert into knex_migrations (name, batch, migration_time) values ('002_next.js', 2, now())"));
      await database.admin.raw('drop table if exists knex_migrations, knex_migrations_lock');
      expect(recorded, `the guard let setval() through (${outcome}) and the migrator can no longer record a migration`).to.equal('ran');
    });
  });
}

if (dialects.includes('mysql')) {
  describe('guard red team 20, MariaDB as superuser: row locks on knex_migrations_lock', () => {
    const name = 'knexroles_redteam20_lock';
    const database = mysqlSuperuserDatabase(name);

    /** Whether another session cannot take knex_migrations_lock's row FOR UPDATE NOWAIT, as knex's migrator does. */
    const lockRowTaken = (admin: Knex): Promise<boolean> =>
      admin.transaction(async (trx) => {
        try {
          await trx.raw(`select * from ${name}.knex_migrations_lock for update nowait`);
          return false;
        } catch (error) {
          if ((error as { errno?: number }).errno === 1205) return true;
          throw error;
        }
      });

    async function lockedBy(sql: string, config: Knex.TransactionConfig = {}): Promise<{ locked: boolean; outcome: string }> {
      await database.admin.raw(`create table if not exists ${name}.knex_migrations_lock (\`index\` int unsigned not null auto_increment primary key, is_locked int) engine=InnoDB`);
      await database.admin.raw(`delete from ${name}.knex_migrations_lock`);
      await database.admin.raw(`insert into ${name}.knex_migrations_lock (is_locked) values (0)`);
      const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      let locked = false;
      try {
        const outcome = await outcomeOf(
          db.transaction(async (trx) => {
            await trx.raw(sql);
            locked = await lockRowTaken(database.admin);
          }, config),
        );
        return { locked, outcome };
      } finally {
        await db.destroy();
        await database.admin.raw(`drop table if exists ${name}.knex_migrations_lock`);
      }
    }

    it('(mysql2) SET @v = (SELECT … FROM knex_migrations_lock) in a plain transaction does not hold its row against the migrator', async () => {
      const { locked, outcome } = await lockedBy('set @rt20 = (select is_locked from knex_migrations_lock)');
      expect(locked, `the guard let the SET through (${outcome}) and InnoDB holds knex_migrations_lock's row: the migrator's FOR UPDATE waits`).to.equal(false);
    });

    it('(mysql2) DO (SELECT … FROM knex_migrations_lock) in a plain transaction does not hold its row against the migrator', async () => {
      const { locked, outcome } = await lockedBy('do (select is_locked from knex_migrations_lock)');
      expect(locked, `the guard let the DO through (${outcome}) and InnoDB holds knex_migrations_lock's row: the migrator's FOR UPDATE waits`).to.equal(false);
    });

    it('(mysql2) SHOW TABLES WHERE (SELECT … FROM knex_migrations_lock) in a plain transaction does not hold its row against the migrator', async () => {
      const { locked, outcome } = await lockedBy('show tables where (select is_locked from knex_migrations_lock) = 0');
      expect(locked, `the guard let the SHOW through (${outcome}) and InnoDB holds knex_migrations_lock's row: the migrator's FOR UPDATE waits`).to.equal(false);
    });

    // Session 11's review of the fix: CALL reads its arguments' subqueries with locks too; SHOW without a subquery takes none.
    it('(mysql2) CALL p((SELECT … FROM knex_migrations_lock)) in a plain transaction does not hold its row against the migrator', async () => {
      await database.admin.raw(`create procedure if not exists ${name}.rt20_proc(v int) begin end`);
      try {
        const { locked, outcome } = await lockedBy('call rt20_proc((select is_locked from knex_migrations_lock))');
        expect(locked, `the guard let the CALL through (${outcome}) and InnoDB holds knex_migrations_lock's row: the migrator's FOR UPDATE waits`).to.equal(false);
      } finally {
        await database.admin.raw(`drop procedure if exists ${name}.rt20_proc`);
      }
    });

    it("(mysql2) knex's schema.hasColumn on knex_migrations (SHOW COLUMNS, no subquery) still runs on the runtime connection", async () => {
      await database.admin.raw(`create table if not exists ${name}.knex_migrations (id int primary key, name varchar(255))`);
      const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      try {
        expect(await db.schema.hasColumn('knex_migrations', 'name')).to.equal(true);
        expect(await outcomeOf(db.raw('set @rt20 = (select count(*) from knex_migrations)'))).to.match(/^refused: /);
      } finally {
        await db.destroy();
        await database.admin.raw(`drop table if exists ${name}.knex_migrations`);
      }
    });

    it("(mysql2) XA ROLLBACK cannot finish another session's prepared XA transaction: its insert stays prepared", async () => {
      await database.admin.raw(`create table if not exists ${name}.rt20_ledger (id int primary key) engine=InnoDB`);
      // Another session (here the superuser's) prepares an XA transaction and goes away, as a transaction manager's would.
      const other = knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } });
      try {
        for (const sql of ["xa start 'rt20_other'", 'insert into rt20_ledger values (1)', "xa end 'rt20_other'", "xa prepare 'rt20_other'"]) await other.raw(sql);
      } finally {
        await other.destroy();
      }
      const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
      let outcome = '';
      try {
        outcome = await outcomeOf(db.raw("xa rollback 'rt20_other'"));
      } finally {
        await db.destroy();
      }
      const prepared = ((await database.admin.raw('xa recover'))[0] as { data: Buffer | string }[]).some((row) => String(row.data) === 'rt20_other');
      await database.admin.raw("xa commit 'rt20_other'").catch(() => undefined);
      await database.admin.raw(`drop table if exists ${name}.rt20_ledger`);
      expect(prepared, `the guard let XA ROLLBACK through (${outcome}) and the other session's prepared transaction is gone`).to.equal(true);
    });

    for (const sql of ['set @rt20 = (select count(*) from mysql.innodb_table_stats)', 'do (select count(*) from mysql.innodb_table_stats)']) {
      it(`(mysql2) ${sql.startsWith('set') ? 'SET' : 'DO'} with a subquery on mysql.innodb_table_stats, in a plain transaction, does not lock the system table's rows`, async () => {
        const db = guard(knex({ client: 'mysql2', connection: database.connection, pool: { min: 0, max: 1 } }));
        let locked = false;
        let outcome = '';
        try {
          outcome = await outcomeOf(
            db.transaction(async (trx) => {
              await trx.raw(sql);
              locked = await innodbStatsRowsLocked(database.admin);
            }),
          );
        } finally {
          await db.destroy();
        }
        expect(locked, `the guard let it through (${outcome}) and the runtime transaction holds rows of mysql.innodb_table_stats (LOCK CATALOG)`).to.equal(false);
      });
    }
  });
}
