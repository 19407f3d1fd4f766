import { expect } from 'chai';
import { ON_REPLICA, READ_ON_PRIMARY, WRITE, readOnReplica, type ReadVerdict } from '../../lib/replicas/read-on-replica';

const NAMES: Record<ReadVerdict, string> = { [ON_REPLICA]: 'replica', [READ_ON_PRIMARY]: 'primary (read)', [WRITE]: 'primary (write)' };

// [sql, where it goes] — the verdict comes from the guard's classifier plus the dialect's replica rules.
const CASES: Record<'postgres' | 'mysql', Array<[string, ReadVerdict]>> = {
  postgres: [
    ['select * from "posts" where "id" = ?', ON_REPLICA],
    ['with recent as (select * from posts) select * from recent', ON_REPLICA],
    ['values (1), (2)', ON_REPLICA],
    ['table posts', ON_REPLICA],
    ['explain select * from posts', ON_REPLICA],
    ['select 1; select 2', ON_REPLICA],
    ["select 'for update' as words -- for share", ON_REPLICA],
    ['select "nextval" from t', ON_REPLICA],
    ['select substring(title from 1 for 3) from posts', ON_REPLICA],
    ['select * from posts for update', WRITE],
    ['select * from posts FOR /* x */ NO KEY UPDATE', WRITE],
    ['select * from posts for share skip locked', WRITE],
    ['select * from (select * from posts for key share) p', WRITE],
    ["select nextval('posts_id_seq')", WRITE],
    ["select pg_catalog.setval('s', 1)", WRITE],
    ['select currval(\'s\')', WRITE],
    ['select pg_advisory_lock(1)', WRITE],
    ['select pg_try_advisory_xact_lock(1)', WRITE],
    ["select set_config('app.tenant', '1', false)", WRITE],
    ['select txid_current()', WRITE],
    ['with d as (delete from posts returning *) select * from d', WRITE],
    ['insert into posts (title) values (?)', WRITE],
    ['update posts set title = ?', WRITE],
    ['begin', WRITE],
    ['select 1; delete from posts', WRITE],
    ['drop table posts', WRITE],
    ['show search_path', READ_ON_PRIMARY],
    ['fetch 10 from c', READ_ON_PRIMARY],
    ['set statement_timeout = 1000', READ_ON_PRIMARY],
    ['copy posts to stdout', READ_ON_PRIMARY],
  ],
  mysql: [
    ['select * from `posts` where `id` = ?', ON_REPLICA],
    ['describe posts', ON_REPLICA],
    ["select 'lock in share mode'", ON_REPLICA],
    ['select * from posts for update', WRITE],
    ['select * from posts lock in share mode', WRITE],
    ['select * from posts /*!50000 FOR UPDATE */', WRITE],
    ['select * from posts for share', WRITE],
    ["select get_lock('job', 10)", WRITE],
    ['select last_insert_id()', WRITE],
    ['select found_rows()', WRITE],
    ['select next value for s', WRITE],
    ['select count(*) into @n from posts', WRITE],
    ['insert into posts (title) values (?)', WRITE],
    ['replace into posts values (1)', WRITE],
    ['show tables', READ_ON_PRIMARY],
    ['do sleep(0)', READ_ON_PRIMARY],
    ['set @x = 1', READ_ON_PRIMARY],
  ],
};

describe('read routing: which statements a replica may answer', () => {
  for (const dialect of ['postgres', 'mysql'] as const) {
    describe(dialect, () => {
      const verdictOf = readOnReplica(dialect);
      for (const [sql, expected] of CASES[dialect]) {
        it(`${sql} → ${NAMES[expected]}`, () => {
          expect(NAMES[verdictOf(sql)]).to.equal(NAMES[expected]);
          // Cached verdicts agree with fresh ones.
          expect(NAMES[verdictOf(sql)]).to.equal(NAMES[expected]);
        });
      }
    });
  }
});
