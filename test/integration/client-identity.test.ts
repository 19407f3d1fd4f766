import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { createKnex, guard } from '../../lib';
import { RuntimeDdlError } from '../../lib/error-classes';
import { KNEX_CLIENT } from '../../lib/env/contract';
import { createPreviewKnex } from '../../lib/dialects/mysql/preview-client';
import { testDialects } from '../support/dialects';
import { testEnv } from '../support/servers';

type Loose = Knex.Client & { config: Knex.Config; dialect: string; driverName: string };
const clientOf = (instance: Knex | Knex.Transaction): Loose => instance.client as Loose;

/** How Backstage and many libraries pick SQL per database: the client as a string. */
function flavour(instance: Knex | Knex.Transaction): string {
  const name = clientOf(instance).config.client as string;
  return name.includes('pg') ? 'postgres' : name.includes('mysql') ? 'mysql' : name.includes('sqlite') ? 'sqlite' : 'unknown';
}

async function refused(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
  } catch (error) {
    return error instanceof RuntimeDdlError;
  }
  return false;
}

// A guarded runtime instance answers every identity question as the dialect's own knex
// client does, in transactions and `withUserParams` copies too, and stays guarded there.
for (const dialect of testDialects()) {
  describe(`guarded client identity on ${dialect}`, () => {
    let env: Record<string, string>;
    let db: Knex;
    let plain: Knex;

    before(async () => {
      env = { ...(await testEnv()), DB_TEST_CONNECTION: dialect, NODE_ENV: 'test' };
      db = createKnex({ env, role: 'runtime' });
      plain = knex({ client: KNEX_CLIENT[dialect], useNullAsDefault: true });
    });

    after(async () => {
      await db?.destroy();
      await plain?.destroy();
    });

    it('config.client is the string knex expects; dialect, driverName and instanceof match the plain client', () => {
      const client = clientOf(db);
      expect(client.config.client).to.equal(KNEX_CLIENT[dialect]);
      expect(flavour(db)).to.equal(dialect);
      expect(client.dialect).to.equal(clientOf(plain).dialect);
      expect(client.driverName).to.equal(clientOf(plain).driverName);
      expect(client).to.be.instanceOf(plain.client.constructor as new () => unknown);
      expect(client).to.be.instanceOf(knex.Client);
    });

    it('transactions answer the same and are still guarded', async () => {
      await db.transaction(async (trx) => {
        expect(clientOf(trx).config.client).to.equal(KNEX_CLIENT[dialect]);
        expect(flavour(trx)).to.equal(dialect);
        expect(clientOf(trx)).to.be.instanceOf(plain.client.constructor as new () => unknown);
        expect(await refused(() => trx.schema.createTable('ci_never', (t) => t.increments('id')))).to.equal(true);
        await trx.transaction(async (inner) => {
          expect(flavour(inner)).to.equal(dialect);
          expect(await refused(() => inner.raw('drop table ci_never'))).to.equal(true);
        });
      });
    });

    it('withUserParams copies answer the same and are still guarded', async () => {
      const copy = db.withUserParams({ tenant: 'a' });
      expect(clientOf(copy).config.client).to.equal(KNEX_CLIENT[dialect]);
      expect(await refused(() => copy.schema.dropTable('ci_never'))).to.equal(true);
      expect(await copy.raw('select 1 as one')).to.not.equal(undefined);
    });

    it('guard() on an existing instance keeps the client the user gave', async () => {
      const own = guard(knex({ client: KNEX_CLIENT[dialect], connection: clientOf(db).config.connection, useNullAsDefault: true }));
      try {
        expect(clientOf(own).config.client).to.equal(KNEX_CLIENT[dialect]);
        expect(await refused(() => own.schema.createTable('ci_never', (t) => t.increments('id')))).to.equal(true);
      } finally {
        await own.destroy();
      }
    });
  });
}

describe('MySQL preview client identity', () => {
  it('reads as mysql2', async () => {
    const { knex: preview } = createPreviewKnex('10.11.0-MariaDB');
    const mysql2 = knex({ client: 'mysql2' });
    try {
      expect(clientOf(preview).config.client).to.equal('mysql2');
      expect(flavour(preview)).to.equal('mysql');
      expect(clientOf(preview).driverName).to.equal('mysql2');
      expect(clientOf(preview)).to.be.instanceOf(mysql2.client.constructor as new () => unknown);
    } finally {
      await preview.destroy();
      await mysql2.destroy();
    }
  });
});
