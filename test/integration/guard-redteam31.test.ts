import { expect } from 'chai';
import knex from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { testPostgresBuild } from '../support/pg-build';
import { outcomeOf, pgSuperuserDatabase } from '../support/guard-attack';

/*
 * Red team 31 (session 13), against 64f21a5 (the tip of s13 this branch started from). Focus: PostgreSQL
 * across majors 13–18 (what each major adds or lacks). Each attack test fails on that code and
 * asserts the effect on the real server as superuser; a test is gated on the server's major
 * (testPostgresBuild().major) and asserts plain refusal where the function does not exist
 * (`DIALECTS=postgres KNEX_ROLES_TEST_PG_MAJOR=17|18 npx mocha test/integration/guard-redteam31.test.ts`).
 *
 * 1. pg_buffercache's evictors, new in 17 and 18: `pg_buffercache_evict(bufferid)` (17),
 *    `pg_buffercache_evict_relation(regclass)` and `pg_buffercache_evict_all()` (18) throw any
 *    relation's pages out of shared buffers, every session's and the catalogs' included. The guard
 *    lists pg_prewarm's autoprewarm workers and the pageinspect / pg_walinspect / pg_surgery readers
 *    as contrib functions that change server state or reach beneath SQL, but not these
 *    (lib/dialects/postgres/guard-rules.ts POSTGRES_GUARD_RULES.functions / functionPrefixes): here
 *    the guarded runtime empties the buffers of a table, checked in pg_buffercache. Severity: low
 *    (superuser-only extension functions; the effect is a cold cache for the whole server, repeatable
 *    as a performance denial of service, no data changed). Same class, read, not run (needs
 *    wal_level = logical and a snapshot file): PostgreSQL 18's contrib pg_logicalinspect
 *    `pg_get_logical_snapshot_info(name)` / `pg_get_logical_snapshot_meta(name)` read files in
 *    pg_logical/snapshots, like the pg_walinspect readers that are refused. Fix: add a
 *    `pg_buffercache_evict` prefix (SERVER) and `pg_get_logical_snapshot_` (BENEATH_SQL); for the
 *    class, a test that installs every extension the matrix builds ship (`ls share/extension`) and
 *    lists the functions whose EXECUTE the extension script revokes from PUBLIC (proacl not null after
 *    CREATE EXTENSION) that the guard allows, per major, as pg-superuser-settings.test.ts does for
 *    settings: that query on 13 and 18 finds only these two families.
 *
 * 2. `pg_log_standby_snapshot()` (PostgreSQL 16+) writes a RUNNING_XACTS record to the WAL and returns
 *    its LSN, the same kind of server-state write as `pg_logical_emit_message` (refused), and EXECUTE
 *    is revoked from PUBLIC by the server itself. guard-rules.ts does not list it; the guarded runtime
 *    runs it and pg_walinspect shows the Standby record at the returned LSN. Severity: very low (a WAL
 *    record, no data). Fix: list it (SERVER). For the class: the same per-major test over pg_catalog:
 *    `select proname from pg_proc where pronamespace = 'pg_catalog'::regnamespace and proacl is not
 *    null` names, on 18, besides it, only reads the guard may keep allowing (pg_config,
 *    pg_get_shmem_allocations[_numa], pg_get_backend_memory_contexts, pg_get_aios,
 *    pg_show_replication_origin_status, pg_stat_have_stats); on 13 only pg_config and
 *    pg_get_shmem_allocations. Reviewing that list when a major is added would have caught 1 and 2.
 *
 * Near-misses (the guard handled them), run with the classifier and against PostgreSQL 13, 15 and 18:
 * every superuser / superuser-backend setting of 13 and 18 in SET (only lc_messages allowed, as
 * documented); every privileged (proacl not null) pg_catalog function of 13 and 18 but the ones above;
 * all 786 (13) / 845 (18) extension functions of every contrib module shipped, reviewed by hand
 * (pgrowlocks, pgstattuple, amcheck, pg_visibility, pg_freespacemap, postgres_fdw_disconnect*, xml2
 * xpath_* read; refint / lo_manage / tcn are trigger-only); SQL-language functions and views in
 * pg_catalog whose bodies call a refused function (only pg_file_rename, pg_file_settings,
 * pg_hba_file_rules, pg_ident_file_mappings: all refused by name); operators, casts, aggregates and
 * type input / receive / typmod functions implemented by a refused function (none); numeric-literal
 * shapes that PostgreSQL 13–15 and 16+ lex differently before a `$` (`0x$a$`, `0b$a$`, `1_$a$`,
 * `1e$a$`, `1.e$a$`, `1a$a$`: refused as ambiguous; 13 and 18 reject them too); MERGE … RETURNING
 * (17) in COPY (…) TO STDOUT and in WITH, into pg_description or knex_migrations_lock; COPY (INSERT /
 * UPDATE … RETURNING) and COPY (SELECT … FOR UPDATE) of the bookkeeping tables; EXPLAIN (ANALYZE,
 * SERIALIZE) DELETE; COPY pg_class FROM STDIN; client_encoding spellings the server cleans
 * (`'S-J-I-S'`, `'win_932'`, `'big-5'`, `'g.b.k'`, `'cp936'`: refused by the allowlist; `'l.a.t.i.n.1'`,
 * `'koi8-u'` allowed and server-side, harmless); set_config has no argument names in any major (no
 * reordered named notation); no built-in procedure exists for CALL; pg_stop_making_pinned_objects()
 * (new, allowed) errors outside single-user mode. Startup options: a lone `--` or backslash-escaped
 * leading blank in a `-c` name give the server a FATAL / unknown name, not a setting. Refused as they
 * should be: row locks on catalogs / knex_migrations_lock inside JSON_TABLE, JSON_ARRAY(subquery),
 * JSON_OBJECT, XMLELEMENT; refused functions in JSON_VALUE / JSON_TABLE `DEFAULT … ON ERROR|EMPTY`;
 * PG 18 `RETURNING WITH (OLD AS pg_catalog …) pg_catalog.pg_ls_dir` and `(o.a::text).pg_ls_dir`; catalog
 * and bookkeeping writes after PG 14's SEARCH / CYCLE clauses, MATERIALIZED CTEs, in PREPARE … AS
 * MERGE and EXPLAIN ANALYZE MERGE; `COPY pg_class FROM STDOUT` (the grammar reads STDOUT as STDIN
 * there) and the bookkeeping tables the same way; COPY … WHERE with a refused function. PostgreSQL
 * 13's lexer takes `\v` as a character token, not white space (16+ does): every statement with one
 * outside a string or comment is a syntax error there, so the guard's 16+ reading (string continuation
 * across `\v\n`) never runs differently. No false alarm on new ordinary SQL: `1_000_000`, `0x1F`,
 * uuidv7(), RETURNING old / new, MERGE … WHEN NOT MATCHED BY SOURCE … RETURNING merge_action(),
 * SYSTEM_USER, casefold, EXPLAIN (MEMORY, SERIALIZE), JSON_TABLE NESTED PATH, IS JSON, json_objectagg,
 * pg_input_is_valid, any_value, array_sort, SET transaction_timeout (all allowed).
 */

const dialects = testDialects();
/** The guard's RuntimeDdlError message as outcomeOf reports it (not a server error). */
const REFUSED = /^refused: Refused \S+ \(\w+\) on a \w+ connection/;

if (dialects.includes('postgres')) {
  describe('guard red team 31, PostgreSQL as superuser: server-state functions new in 16–18', () => {
    const database = pgSuperuserDatabase('knexroles_redteam31_major');
    const major = (): number => testPostgresBuild().major;
    const guarded = (): ReturnType<typeof knex> => guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));

    for (const [call, since] of [
      ['pg_buffercache_evict(b.bufferid)', 17],
      ['pg_buffercache_evict_relation(b.relid)', 18],
      ['pg_buffercache_evict_all()', 18],
    ] as const) {
      it(`(pg ${since}+) refuses ${call.replace(/\(.*/, '()')}: the runtime cannot throw a table's pages out of shared buffers`, async () => {
        const sql =
          call === 'pg_buffercache_evict(b.bufferid)'
            ? "select pg_buffercache_evict(b.bufferid) from pg_buffercache b where b.relfilenode = pg_relation_filenode('rt31_hot') and b.reldatabase = (select oid from pg_database where datname = current_database())"
            : call === 'pg_buffercache_evict_relation(b.relid)'
              ? "select * from pg_buffercache_evict_relation('rt31_hot'::regclass)"
              : 'select * from pg_buffercache_evict_all()';
        const db = guarded();
        try {
          if (major() < since) {
            // The function does not exist here: the guard's verdict is the same text's verdict on every major.
            expect(await outcomeOf(db.raw(sql))).to.match(REFUSED);
            expect(await outcomeOf(db.raw(sql))).not.to.match(/does not exist/);
            return;
          }
          await database.admin.raw('create extension if not exists pg_buffercache');
          await database.admin.raw('create table if not exists rt31_hot as select g as id, repeat(\'x\', 200) as pad from generate_series(1, 20000) g');
          await database.admin.raw('select count(*) from rt31_hot');
          const cached = async (): Promise<number> =>
            (await database.admin.raw("select count(*)::int as n from pg_buffercache where relfilenode = pg_relation_filenode('rt31_hot') and reldatabase = (select oid from pg_database where datname = current_database())")).rows[0].n as number;
          const before = await cached();
          expect(before, 'set-up: rt31_hot has pages in shared buffers').to.be.greaterThan(0);
          const outcome = await outcomeOf(db.raw(sql));
          const after = await cached();
          expect(after, `${call} on the guarded runtime: ${outcome}; rt31_hot went from ${before} to ${after} buffers`).to.equal(before);
          expect(outcome).to.match(REFUSED);
        } finally {
          await db.destroy();
        }
      });
    }

    it('(pg 16+) refuses pg_log_standby_snapshot(): the runtime cannot write a RUNNING_XACTS record to the WAL', async () => {
      const db = guarded();
      try {
        const sql = 'select pg_log_standby_snapshot()::text as lsn';
        if (major() < 16) {
          const outcome = await outcomeOf(db.raw(sql));
          expect(outcome).to.match(REFUSED);
          expect(outcome).not.to.match(/does not exist/);
          return;
        }
        await database.admin.raw('create extension if not exists pg_walinspect');
        const start = (await database.admin.raw('select pg_current_wal_insert_lsn()::text as lsn')).rows[0].lsn as string;
        let outcome = 'ran';
        let lsn: string | undefined;
        try {
          lsn = (await db.raw(sql)).rows[0].lsn as string;
        } catch (error) {
          outcome = `refused: ${(error as Error).message}`;
        }
        if (lsn !== undefined) {
          // A committed xid flushes the WAL past the record; the function returns the record's end (XLogInsert's return).
          await database.admin.raw('select pg_current_xact_id()');
          for (let i = 0; i < 50 && (await database.admin.raw('select pg_current_wal_flush_lsn() < ?::pg_lsn as behind', [lsn])).rows[0].behind === true; i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          const records = (await database.admin.raw("select start_lsn::text as at, record_type from pg_get_wal_records_info(?::pg_lsn, 'FFFFFFFF/FFFFFFFF') where resource_manager = 'Standby' and end_lsn = ?::pg_lsn", [start, lsn])).rows as Array<{ at: string; record_type: string }>;
          expect(records, `pg_log_standby_snapshot() ran on the guarded runtime and wrote ${records.map((r) => `${r.record_type} at ${r.at}`).join(', ')} (ending at ${lsn})`).to.deep.equal([]);
        }
        expect(outcome).to.match(REFUSED);
      } finally {
        await db.destroy();
      }
    });
  });
}
