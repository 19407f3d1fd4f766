import { expect } from 'chai';
import { createKnex, RuntimeDdlError } from '../../lib';

// The guarded client on an in-memory SQLite database (no server needed).
describe('guarded client options', () => {
  it('empty dangerouslyAllow entries let nothing through (not even unlexable input)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }) => warnings.push(String(warning.code));
    process.on('warning', onWarning);
    const db = createKnex({ env: { SQLITE_PATH: ':memory:' }, dangerouslyAllow: ['', '   '] });
    try {
      const error = await db.raw(`select 'unterminated`).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).to.be.instanceOf(RuntimeDdlError);
      expect((error as RuntimeDdlError).keyword).to.equal('');
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.to.include('KNEX_ROLES_DANGEROUSLY_ALLOW');
    } finally {
      process.off('warning', onWarning);
      await db.destroy();
    }
  });

  it('keywords are matched case- and space-insensitively', async () => {
    const db = createKnex({ env: { SQLITE_PATH: ':memory:' }, dangerouslyAllow: [' create   temporary table '] });
    try {
      await db.raw('create temporary table scratch (id integer)');
      await db.raw('insert into scratch values (1)');
      expect(await db.raw('select count(*) as n from scratch')).to.deep.equal([{ n: 1 }]);
      await db.raw('create table kept (id integer)').then(
        () => expect.fail('CREATE TABLE was not in dangerouslyAllow'),
        (err: unknown) => expect(err).to.be.instanceOf(RuntimeDdlError),
      );
    } finally {
      await db.destroy();
    }
  });
});
