import { expect } from 'chai';
import { createKnex } from '../../lib';
import { RuntimeDdlError } from '../../lib/error-classes';

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

  it('refusals carry no string literal of the statement (message, statement, JSON, stack)', async () => {
    const db = createKnex({ env: { SQLITE_PATH: ':memory:' } });
    try {
      const cases: Array<[sql: string, secret: string, statement: string]> = [
        ["attach database 'secret-path-hunter2' as x", 'hunter2', "attach database '?' as x"],
        ["select 1; create table t (x text default 'hunter2-secret')", 'hunter2', "create table t (x text default '?')"],
        ["pragma key = 'hunter2-secret'", 'hunter2', "pragma key = '?'"],
        ["attach 'secret-path-hunter2", 'hunter2', "attach '?'"],
      ];
      for (const [sql, secret, statement] of cases) {
        const error = await db.raw(sql).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(error, sql).to.be.instanceOf(RuntimeDdlError);
        const err = error as RuntimeDdlError;
        expect(err.statement, sql).to.equal(statement);
        for (const text of [err.message, err.statement, JSON.stringify(err), String(err.stack), String(err)]) {
          expect(text, sql).not.to.include(secret);
        }
      }
    } finally {
      await db.destroy();
    }
  });
});
