import { expect } from 'chai';
import { bookkeepingWriteCheck } from '../../lib/guard/bookkeeping-writes';

/**
 * PostgreSQL row locks (FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE, FOR KEY SHARE) on knex's
 * bookkeeping tables are refused like writes: held by a runtime transaction, they block the
 * migrator (knex locks knex_migrations_lock FOR UPDATE), as MySQL's equivalents already
 * were (classify.mysql-row-locks.test.ts). Row locks on the app's own tables stay allowed.
 */
const CASES: Array<[sql: string, refused: boolean]> = [
  ['select * from knex_migrations_lock for update', true],
  ['SELECT * FROM "knex_migrations_lock" FOR UPDATE NOWAIT', true],
  ['select * from knex_migrations_lock for no key update', true],
  ['select * from knex_migrations_lock for share', true],
  ['select * from knex_migrations_lock for key share skip locked', true],
  ['select * from public.knex_migrations for share', true],
  ['select * from "public"."knex_migrations_lock" for update', true],
  ['select * from knex_migrations /* c */ for /* c */ update', true],
  ['select *\nfrom\tknex_migrations_lock\r\nFOR\tNO\nKEY UPDATE', true],
  ['select * from U&"knex_migrations_lock" for update', true],
  ['select * from t join knex_migrations_lock l on true for update of t', true],
  ['select * from (select * from knex_migrations_lock for update) s', true],
  ['with l as (select * from knex_migrations_lock for update) select * from l', true],
  ['declare c cursor for select * from knex_migrations_lock for update', true],
  ['begin; select * from knex_migrations_lock for update; commit', true],
  // Reads, and row locks on other tables, stay allowed.
  ['select * from knex_migrations_lock', false],
  ['select * from knex_migrations order by id', false],
  ["select * from knex_migrations where name = 'for update'", false],
  ['select * from users for update', false],
  ['select * from users u join orders o on o.user_id = u.id for no key update', false],
  ['select * from knex_migrations; select * from users for update', false],
];

describe('bookkeeping writes: PostgreSQL row locks on knex_migrations(_lock)', () => {
  const check = bookkeepingWriteCheck('postgres', undefined);
  for (const [sql, refused] of CASES) {
    it(`${refused ? 'refuses' : 'allows'}: ${sql.replace(/\s+/g, ' ')}`, () => {
      if (refused) expect(check(sql), sql).to.include({ code: 'E_RUNTIME_MIGRATE' });
      else expect(check(sql), sql).to.equal(undefined);
    });
  }
  it('the configured tableName too', () => {
    const custom = bookkeepingWriteCheck('postgres', ['app_migrations']);
    expect(custom('select * from app_migrations_lock for update')).to.include({ code: 'E_RUNTIME_MIGRATE' });
    expect(custom('select * from knex_migrations_lock for update')).to.equal(undefined);
  });
});
