import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import { withReadYourWrites } from '../../lib';
import { RuntimeDdlError } from '../../lib/error-classes';
import { readReplicasOf } from '../../lib/replicas/read-routing';
import { testDialects } from '../support/dialects';
import { freePort } from '../support/free-port';
import { replicaHarness, type ReplicaHarness } from '../support/replica-harness';
import { TEST_ADMIN } from '../support/servers';
import { silentServer } from '../support/silent-server';
import { warningsDuring } from '../support/warnings';

const DOWN = 'KNEX_ROLES_REPLICA_DOWN';

/** The rows of a raw result, for pg ({ rows }) and mysql2 ([rows, fields]). */
function rows(result: unknown): Array<Record<string, unknown>> {
  return (Array.isArray(result) ? result[0] : (result as { rows: unknown }).rows) as Array<Record<string, unknown>>;
}

/** Whether the replica answered `whereAmI` (pg true/false, MariaDB 1/0). */
async function onReplica(db: Knex, h: ReplicaHarness): Promise<boolean> {
  return Boolean(rows(await db.raw(h.whereAmI))[0]?.['replica']);
}

for (const dialect of testDialects().filter((d): d is 'postgres' | 'mysql' => d !== 'sqlite')) {
  describe(`read replicas on ${dialect} (a real ${dialect === 'postgres' ? 'hot standby' : 'binlog replica'})`, () => {
    let h: ReplicaHarness;

    before(async () => {
      h = await replicaHarness(dialect);
      const migrator = h.migrator();
      await migrator.schema.dropTableIfExists('replica_items');
      await migrator.schema.createTable('replica_items', (table) => {
        table.increments('id');
        table.string('name', 60).notNullable();
      });
      await h.app()('replica_items').insert({ name: 'fixture' });
      await h.caughtUp();
    });

    afterEach(async () => {
      await h.close();
    });

    after(async () => {
      if (!h) return;
      await h.migrator().schema.dropTableIfExists('replica_items');
      await h.close();
    });

    it('reads go to the replica: raw, query builder, stream, withUserParams clones', async () => {
      const db = h.app();
      expect(await onReplica(db, h)).to.equal(true);
      const built = await db.select(db.raw(dialect === 'postgres' ? 'pg_is_in_recovery() as replica' : '@@read_only as replica')).from('replica_items').where('name', 'fixture');
      expect(Boolean(built[0]?.['replica'])).to.equal(true);
      const streamed: Array<Record<string, unknown>> = [];
      for await (const row of db.raw(h.whereAmI).stream()) streamed.push(row as Record<string, unknown>);
      expect(Boolean(streamed[0]?.['replica'])).to.equal(true);
      expect(await onReplica(db.withUserParams({ tenant: 1 }), h)).to.equal(true);
    });

    it('writes, locking reads, lock and sequence functions and transactions go to the primary', async () => {
      const db = h.app();
      const errors: unknown[] = [];
      db.on('query-error', (error: unknown) => errors.push(error));
      const lockingSql = dialect === 'postgres'
        ? [`${h.whereAmI} from replica_items where name = 'fixture' for update`, `${h.whereAmI} from replica_items where name = 'fixture' for no key update`, `${h.whereAmI}, pg_try_advisory_lock(42) as locked`, `${h.whereAmI}, nextval('replica_items_id_seq') as next`]
        : [`${h.whereAmI} from replica_items where name = 'fixture' for update`, `${h.whereAmI} from replica_items where name = 'fixture' lock in share mode`, `${h.whereAmI}, get_lock('knexroles_probe', 0) as locked`];
      for (const sql of lockingSql) expect(Boolean(rows(await db.raw(sql))[0]?.['replica']), sql).to.equal(false);
      const forShare = await db.select(db.raw(dialect === 'postgres' ? 'pg_is_in_recovery() as replica' : '@@read_only as replica')).from('replica_items').where('name', 'fixture').forShare();
      expect(Boolean(forShare[0]?.['replica'])).to.equal(false);
      const inTransaction = await db.transaction(async (trx) => rows(await trx.raw(h.whereAmI))[0]?.['replica']);
      expect(Boolean(inTransaction)).to.equal(false);
      // Sent to the primary at once, not refused by the replica and retried: no query failed.
      expect(errors).to.deep.equal([]);
      if (dialect === 'postgres') await db.raw('select pg_advisory_unlock_all()');
      else await db.raw('select release_all_locks()');
    });

    it('read-your-writes: in a withReadYourWrites scope a write is read back while the replica lags', async () => {
      const db = h.app();
      const elsewhere = h.app();
      await h.pause();
      try {
        const name = `ryw-${Date.now()}`;
        const seen = await withReadYourWrites(async () => {
          expect(await onReplica(db, h), 'before the write, reads go to the replica').to.equal(true);
          await db('replica_items').insert({ name });
          const row = await db('replica_items').where({ name }).first();
          return { row, replica: await onReplica(db, h) };
        });
        expect(seen.row?.name).to.equal(name);
        expect(seen.replica, 'after the write, the scope reads from the primary').to.equal(false);
        // The lag is real: outside the scope the replica does not have the row yet.
        expect(await elsewhere('replica_items').where({ name }).first()).to.equal(undefined);
        // A new scope starts clean.
        expect(await withReadYourWrites(() => onReplica(db, h))).to.equal(true);
      } finally {
        await h.resume();
      }
      await h.caughtUp();
    });

    it('outside a scope, a write keeps the instance\'s reads on the primary for stickyMs', async () => {
      const sticky = h.app({ readReplicas: { stickyMs: 3_600_000 } });
      const unsticky = h.app({ readReplicas: { stickyMs: 0 } });
      expect(await onReplica(sticky, h)).to.equal(true);
      await sticky('replica_items').insert({ name: 'sticky' });
      expect(await onReplica(sticky, h)).to.equal(false);
      await unsticky('replica_items').insert({ name: 'unsticky' });
      expect(await onReplica(unsticky, h)).to.equal(true);
      // A transaction counts as a write.
      const afterTransaction = h.app({ readReplicas: { stickyMs: 3_600_000 } });
      await afterTransaction.transaction(async (trx) => trx.raw('select 1'));
      expect(await onReplica(afterTransaction, h)).to.equal(false);
    });

    it('a read the replica refuses as a write runs once more, on the primary', async () => {
      if (dialect === 'postgres') {
        await h.migrator().raw("create or replace function replica_bump(n text) returns int language sql as $$ insert into replica_items (name) values (n) returning id $$");
      } else {
        await h.onPrimary('DROP FUNCTION IF EXISTS replica_bump');
        await h.onPrimary("CREATE FUNCTION replica_bump(n VARCHAR(60)) RETURNS INT MODIFIES SQL DATA SQL SECURITY INVOKER BEGIN INSERT INTO replica_items (name) VALUES (n); RETURN LAST_INSERT_ID(); END");
        await h.onPrimary(`GRANT EXECUTE ON FUNCTION replica_bump TO '${h.env['DB_TEST_RUNTIME_USER'] ?? ''}'@'%'`);
      }
      await h.caughtUp();
      const db = h.app();
      const errors: Array<{ code?: string }> = [];
      db.on('query-error', (error: { code?: string }) => errors.push(error));
      const name = `bump-${Date.now()}`;
      const result = rows(await db.raw('select replica_bump(?) as id', [name]));
      expect(Number(result[0]?.['id'])).to.be.greaterThan(0);
      // The replica refused it once (its own error code), the primary ran it once.
      expect(errors.map((error) => error.code)).to.deep.equal([dialect === 'postgres' ? '25006' : 'ER_OPTION_PREVENTS_STATEMENT']);
      expect(await h.migrator()('replica_items').where({ name }).count({ n: '*' })).to.deep.equal([{ n: dialect === 'postgres' ? '1' : 1 }]);
    });

    it('reads go round robin over the entries of the read URL', async () => {
      const admin = `${encodeURIComponent(TEST_ADMIN.user)}:${encodeURIComponent(TEST_ADMIN.password)}`;
      const scheme = dialect === 'postgres' ? 'postgres' : 'mysql';
      const db = h.app({ env: { ...h.env, [h.readUrl]: `${scheme}://${h.replicaAddress},${scheme}://${admin}@${h.replicaAddress}` } });
      const who: string[] = [];
      for (let i = 0; i < 4; i++) who.push(String(rows(await db.raw(dialect === 'postgres' ? 'select current_user as who' : 'select current_user() as who'))[0]?.['who']).replace(/@.*$/, ''));
      const app = h.env[dialect === 'postgres' ? 'PG_TEST_RUNTIME_USER' : 'DB_TEST_RUNTIME_USER'];
      expect(who).to.deep.equal([app, TEST_ADMIN.user, app, TEST_ADMIN.user]);
    });

    it('the guard applies on replica connections: DDL is refused before it is sent, even as a superuser', async () => {
      const admin = `${encodeURIComponent(TEST_ADMIN.user)}:${encodeURIComponent(TEST_ADMIN.password)}`;
      const scheme = dialect === 'postgres' ? 'postgres' : 'mysql';
      const db = h.app({ env: { ...h.env, [h.readUrl]: `${scheme}://${admin}@${h.replicaAddress}` } });
      const [replica] = readReplicasOf(db);
      expect(replica?.label).to.include(h.replicaAddress);
      expect(await onReplica(replica?.knex as Knex, h)).to.equal(true);
      let refused: unknown;
      try {
        await replica?.knex.raw('create table guard_probe_on_replica (id int)');
      } catch (error) {
        refused = error;
      }
      expect(refused).to.be.instanceOf(RuntimeDdlError);
      expect((refused as RuntimeDdlError).code).to.equal('E_RUNTIME_DDL');
      // Not sent: MariaDB lets a superuser write on a read_only replica, PostgreSQL logs every statement.
      if (dialect === 'postgres') expect(readFileSync(h.replicaLog ?? '', 'utf8')).not.to.include('guard_probe_on_replica');
      else expect(await h.onReplica("SELECT table_name FROM information_schema.tables WHERE table_name = 'guard_probe_on_replica'")).to.deep.equal([]);
      // Through the routing too: a refused statement goes nowhere.
      let stacked: unknown;
      try {
        await db.raw('select 1; drop table replica_items');
      } catch (error) {
        stacked = error;
      }
      expect(stacked).to.be.instanceOf(RuntimeDdlError);
    });

    it('a replica that is down is skipped with a warning; reads still work and it is tried again later', async () => {
      const retrying = h.app({ readReplicas: { retryAfterMs: 0 } });
      const patient = h.app({ readReplicas: { retryAfterMs: 3_600_000 } });
      expect(await onReplica(retrying, h)).to.equal(true);
      expect(await onReplica(patient, h)).to.equal(true);
      await h.stopReplica();
      try {
        for (const db of [retrying, patient]) {
          let answer: boolean | undefined;
          const warnings = await warningsDuring(async () => {
            answer = await onReplica(db, h);
          });
          expect(answer, 'answered by the primary').to.equal(false);
          expect(warnings.map((w) => w.code)).to.deep.equal([DOWN]);
          expect(warnings[0]?.message).to.include(h.replicaAddress).and.include(h.readUrl).and.include('the primary');
          for (const [name, value] of Object.entries(h.env)) if (name.endsWith('_PASSWORD')) expect(warnings[0]?.message).not.to.include(value);
        }
        // Skipped until retryAfterMs has passed: no new attempt, no new warning.
        const again = await warningsDuring(async () => expect(await onReplica(patient, h)).to.equal(false));
        expect(again).to.deep.equal([]);
      } finally {
        await h.startReplica();
      }
      // Back: the next read that comes its way tries it again (retryAfterMs 0) and it answers.
      expect(await onReplica(retrying, h)).to.equal(true);
      expect(await onReplica(patient, h), 'still skipped').to.equal(false);
    });

    it('a replica that never answers is skipped within connectTimeoutMs', async () => {
      const silent = await silentServer();
      const refusing = await freePort();
      const scheme = dialect === 'postgres' ? 'postgres' : 'mysql';
      try {
        const db = h.app({ env: { ...h.env, [h.readUrl]: `${scheme}://127.0.0.1:${silent.port},${scheme}://127.0.0.1:${refusing}` }, readReplicas: { connectTimeoutMs: 300, retryAfterMs: 3_600_000 } });
        let answer: boolean | undefined;
        const warnings = await warningsDuring(async () => {
          answer = await onReplica(db, h);
        });
        expect(answer).to.equal(false);
        expect(warnings.map((w) => w.message.match(/127\.0\.0\.1:(\d+)/)?.[1])).to.deep.equal([String(silent.port), String(refusing)]);
        expect(silent.connections()).to.equal(1);
        await onReplica(db, h);
        expect(silent.connections(), 'not tried again before retryAfterMs').to.equal(1);
      } finally {
        await silent.close();
      }
    });
  });
}
