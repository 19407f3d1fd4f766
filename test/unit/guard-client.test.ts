import { expect } from 'chai';
import knex from 'knex';
import { createKnex, guard } from '../../lib';
import { RuntimeDdlError, UsageError } from '../../lib/error-classes';

// The guarded client on an in-memory SQLite database (no server needed).
describe('guarded client options', () => {
  // Plain JavaScript reaches the guard unchecked (new-user trial): an entry that matches nothing is refused, not dropped.
  for (const [given, why] of [
    [['', '   '], 'empty entries'],
    [['*'], 'a pattern'],
    [['TRUNC%'], 'a pattern'],
    ['CREATE TABLE', 'a string, not an array'],
    [[42], 'an entry that is not a string'],
  ] as const) {
    it(`dangerouslyAllow with ${why} is E_USAGE, for createKnex() and guard() alike`, () => {
      expect(() => createKnex({ env: { SQLITE_PATH: ':memory:' }, dangerouslyAllow: given as unknown as string[] })).to.throw(UsageError).with.property('code', 'E_USAGE');
      const plain = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
      try {
        expect(() => guard(plain, { dangerouslyAllow: given as unknown as string[] })).to.throw(UsageError).with.property('code', 'E_USAGE');
      } finally {
        void plain.destroy();
      }
    });
  }

  it('unlexable input stays refused with an empty keyword', async () => {
    const db = createKnex({ env: { SQLITE_PATH: ':memory:' } });
    try {
      const error = await db.raw(`select 'unterminated`).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).to.be.instanceOf(RuntimeDdlError);
      expect((error as RuntimeDdlError).keyword).to.equal('');
    } finally {
      await db.destroy();
    }
  });

  it('guard() of something that is not a knex instance, and a role option that is no role, are E_USAGE', () => {
    for (const notKnex of [{}, null, undefined, 'knex']) expect(() => guard(notKnex as never)).to.throw(UsageError).with.property('code', 'E_USAGE');
    expect(() => createKnex({ env: { SQLITE_PATH: ':memory:' }, role: 'admin' as never })).to.throw(UsageError).with.property('code', 'E_USAGE');
  });

  it('a refusal that is not a schema change points to the guard rules and names its keyword for dangerouslyAllow', async () => {
    const db = createKnex({ env: { SQLITE_PATH: ':memory:' } });
    try {
      const error = (await db.raw("select load_extension('x')").then(() => undefined, (err: unknown) => err)) as RuntimeDdlError;
      expect(error).to.be.instanceOf(RuntimeDdlError);
      expect(error.remedy).to.include('README › The runtime guard').and.include(`dangerouslyAllow: ['${error.keyword}']`);
      const ddl = (await db.raw('create table t (id integer)').then(() => undefined, (err: unknown) => err)) as RuntimeDdlError;
      expect(ddl.remedy).to.include('ELOQUENT_DB_ROLE=migration').and.not.include('dangerouslyAllow');
    } finally {
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
