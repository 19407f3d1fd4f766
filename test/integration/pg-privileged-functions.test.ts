import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { classifySql } from '../../lib/guard/classify';
import { testDialects } from '../support/dialects';
import { pgSuperuser } from '../support/guard-attack';
import { testServers } from '../support/servers';

/**
 * A function whose EXECUTE the server, or an extension it ships, withholds from PUBLIC is
 * one its authors thought only a privileged role should run: the guard refuses each of
 * them (lib/dialects/postgres/guard-rules.ts), or it is on the reviewed list below of
 * those that only read. Against the running server with every extension it can create
 * installed, so a major or a contrib module that adds one fails here until it is judged
 * (red team 31 found pg_buffercache's evictors and pg_log_standby_snapshot this way).
 * Every major of the matrix runs it.
 */

/**
 * Reviewed: they read server state or statistics (memory, build settings, buffer headers,
 * free-space and visibility maps, tuple counts), never a row's data, a file or SQL text, and
 * take no lock beyond a read's. Monitoring roles (pg_monitor, pg_stat_scan_tables) hold them.
 */
const PRIVILEGED_READS = new Set([
  'pg_config',
  'pg_get_shmem_allocations',
  'pg_get_shmem_allocations_numa',
  'pg_get_backend_memory_contexts',
  'pg_get_aios',
  'pg_show_replication_origin_status',
  'pg_stat_have_stats',
  // pg_buffercache: the buffer headers (which relation's pages are cached), not their contents.
  'pg_buffercache_pages',
  'pg_buffercache_summary',
  'pg_buffercache_usage_counts',
  'pg_buffercache_numa_pages',
  // pg_freespacemap, pg_visibility: map bits per page; pg_check_frozen / pg_check_visible give the TIDs the map disagrees with.
  'pg_freespace',
  'pg_visibility',
  'pg_visibility_map',
  'pg_visibility_map_summary',
  'pg_check_frozen',
  'pg_check_visible',
  // pgstattuple: tuple and free-space counts.
  'pgstattuple',
  'pgstattuple_approx',
  'pgstatindex',
  'pgstatginindex',
  'pgstathashindex',
  'pg_relpages',
]);

/** pg_proc names (functions and procedures) outside information_schema with no EXECUTE for PUBLIC. */
const WITHHELD_FROM_PUBLIC = `
  select distinct p.proname from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   where n.nspname <> 'information_schema' and p.proacl is not null
     and not exists (select 1 from pg_catalog.aclexplode(p.proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE')
   order by 1`;

if (testDialects().includes('postgres')) {
  describe('PostgreSQL functions withheld from PUBLIC: the guard refuses each, or it is a reviewed read', () => {
    const database = `knex_roles_privileged_${process.pid}`;
    let admin: Knex;
    let scratch: Knex;
    const installed: string[] = [];

    before(async function () {
      this.timeout(120_000);
      const connection = pgSuperuser(await testServers());
      admin = knex({ client: 'pg', connection });
      await admin.raw(`create database ${database}`);
      scratch = knex({ client: 'pg', connection: { ...connection, database }, pool: { min: 1, max: 1 } });
      // Each extension on its own: one that needs shared_preload_libraries (or another's objects) fails alone.
      const { rows } = await scratch.raw('select name from pg_catalog.pg_available_extensions order by name');
      for (const { name } of rows as Array<{ name: string }>) {
        try {
          await scratch.raw(`create extension if not exists "${name}" cascade`);
          installed.push(name);
        } catch {
          // Not creatable here: its functions are not in pg_proc to judge.
        }
      }
    });
    after(async () => {
      await scratch?.destroy();
      await admin?.raw(`drop database if exists ${database}`);
      await admin?.destroy();
    });

    it('refuses every function the server or a shipped extension withholds from PUBLIC, but the reviewed reads', async () => {
      // The builds ship contrib: the modules red team 31 named are among those installed.
      expect(installed).to.include.members(['pg_buffercache', 'pageinspect', 'dblink', 'pg_visibility']);
      const { rows } = await scratch.raw(WITHHELD_FROM_PUBLIC);
      const names = (rows as Array<{ proname: string }>).map((row) => row.proname);
      expect(names).to.include('pg_read_file');
      const allowed = names.filter((name) => !PRIVILEGED_READS.has(name) && classifySql(`select ${name}()`, 'postgres').allowedOnRuntime);
      expect(allowed, 'refuse them in lib/dialects/postgres/guard-rules.ts, or review them into PRIVILEGED_READS').to.deep.equal([]);
    });

    it('lists as a reviewed read only what the guard lets through (nothing refused is listed)', () => {
      const refused = [...PRIVILEGED_READS].filter((name) => !classifySql(`select ${name}()`, 'postgres').allowedOnRuntime);
      expect(refused).to.deep.equal([]);
    });
  });
}
