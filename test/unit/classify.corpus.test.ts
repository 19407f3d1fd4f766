import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { classifySql } from '../../lib/guard/classify';
import type { Dialect } from '../../lib/types';

// A corpus compiled by knex itself (no connection needed for toSQL()): every schema-builder
// operation must be refused on a runtime connection, every query-builder shape and knex's
// own catalog reads and transaction statements allowed. Tests are generated per dialect
// from what each compiler produces; an operation a dialect's compiler rejects
// ("not supported") simply yields no test for that dialect.

const CLIENTS: Record<Dialect, string> = { postgres: 'pg', mysql: 'mysql2', sqlite: 'better-sqlite3' };

type Schema = Knex.SchemaBuilder;
type Compiled = { sql: string }[];

/** createTable with one column of each type (and each modifier), one table per entry. */
const COLUMN_TYPES: Array<[string, (t: Knex.CreateTableBuilder) => void]> = [
  ['increments', (t) => t.increments('id')],
  ['bigIncrements', (t) => t.bigIncrements('id')],
  ['integer', (t) => t.integer('a')],
  ['bigInteger', (t) => t.bigInteger('a')],
  ['bigint', (t) => t.bigint('a')],
  ['tinyint', (t) => t.tinyint('a')],
  ['smallint', (t) => t.smallint('a')],
  ['mediumint', (t) => t.mediumint('a')],
  ['text', (t) => t.text('a')],
  ['text longtext', (t) => t.text('a', 'longtext')],
  ['string', (t) => t.string('a', 100)],
  ['float', (t) => t.float('a', 8, 2)],
  ['double', (t) => t.double('a')],
  ['decimal', (t) => t.decimal('a', 10, 2)],
  ['boolean', (t) => t.boolean('a')],
  ['date', (t) => t.date('a')],
  ['datetime', (t) => t.datetime('a', { precision: 6 })],
  ['time', (t) => t.time('a')],
  ['timestamp', (t) => t.timestamp('a', { useTz: true })],
  ['timestamps', (t) => t.timestamps(true, true)],
  ['binary', (t) => t.binary('a')],
  ['enum', (t) => t.enu('a', ['x', 'y'])],
  ['enum native', (t) => t.enu('a', ['x', 'y'], { useNative: true, enumName: 'ab' })],
  ['json', (t) => t.json('a')],
  ['jsonb', (t) => t.jsonb('a')],
  ['uuid', (t) => t.uuid('a')],
  ['specificType', (t) => t.specificType('a', 'inet')],
  ['geometry', (t) => t.geometry('a')],
  ['geography', (t) => t.geography('a')],
  ['point', (t) => t.point('a')],
  ['defaultTo', (t) => t.string('a').defaultTo('drop table x')],
  ['notNullable unsigned', (t) => t.integer('a').unsigned().notNullable()],
  ['primary', (t) => t.integer('a').primary()],
  ['unique', (t) => t.string('a').unique()],
  ['index', (t) => t.string('a').index()],
  ['references', (t) => t.integer('u_id').references('id').inTable('users').onDelete('CASCADE')],
  ['column comment', (t) => t.string('a').comment("it's a comment; drop table x")],
  ['table comment', (t) => t.comment('users table')],
  ['check', (t) => t.integer('a').checkPositive()],
  ['checkIn', (t) => t.string('a').checkIn(['x', 'y'])],
  ['collate charset engine', (t) => {
    t.string('a').collate('utf8mb4_bin');
    t.charset('utf8mb4');
    t.engine('InnoDB');
  }],
];

/** Every other schema operation; `hasTable`/`hasColumn` are reads and listed separately. */
const SCHEMA_OPS: Array<[string, (s: Schema, k: Knex) => unknown]> = [
  ['createTableIfNotExists', (s) => s.createTableIfNotExists('t', (t) => t.increments())],
  ['createTableLike', (s) => s.createTableLike('t2', 't')],
  ['createTable with composite keys', (s) => s.createTable('t', (t) => {
    t.integer('a');
    t.integer('b');
    t.primary(['a', 'b']);
    t.unique(['b']);
    t.index(['a'], 'idx_a');
    t.foreign('a').references('users.id');
  })],
  ['withSchema createTable', (s) => s.withSchema('app').createTable('t', (t) => t.increments())],
  ['alterTable add column', (s) => s.alterTable('t', (t) => t.string('a'))],
  ['table drop column', (s) => s.table('t', (t) => t.dropColumn('a'))],
  ['table drop columns', (s) => s.table('t', (t) => t.dropColumns('a', 'b'))],
  ['table rename column', (s) => s.table('t', (t) => t.renameColumn('a', 'b'))],
  ['alter column', (s) => s.alterTable('t', (t) => t.string('a').notNullable().alter())],
  ['add index', (s) => s.table('t', (t) => t.index(['a'], 'i'))],
  ['drop index', (s) => s.table('t', (t) => t.dropIndex(['a'], 'i'))],
  ['add unique', (s) => s.table('t', (t) => t.unique(['a']))],
  ['drop unique', (s) => s.table('t', (t) => t.dropUnique(['a']))],
  ['add foreign', (s) => s.table('t', (t) => t.foreign('a').references('u.id'))],
  ['drop foreign', (s) => s.table('t', (t) => t.dropForeign(['a']))],
  ['add primary', (s) => s.table('t', (t) => t.primary(['a']))],
  ['drop primary', (s) => s.table('t', (t) => t.dropPrimary())],
  ['set nullable', (s) => s.table('t', (t) => t.setNullable('a'))],
  ['drop nullable', (s) => s.table('t', (t) => t.dropNullable('a'))],
  ['drop timestamps', (s) => s.table('t', (t) => t.dropTimestamps())],
  ['add check', (s) => s.table('t', (t) => t.check('?? > 0', ['a'], 'c'))],
  ['drop checks', (s) => s.table('t', (t) => t.dropChecks(['c']))],
  ['dropTable', (s) => s.dropTable('t')],
  ['dropTableIfExists', (s) => s.dropTableIfExists('t')],
  ['renameTable', (s) => s.renameTable('a', 'b')],
  ['createView', (s, k) => s.createView('v', (v) => v.as(k('t').select('a')))],
  ['createViewOrReplace', (s, k) => s.createViewOrReplace('v', (v) => v.as(k('t').select('a')))],
  ['createMaterializedView', (s, k) => s.createMaterializedView('mv', (v) => v.as(k('t').select('a')))],
  ['refreshMaterializedView', (s) => s.refreshMaterializedView('mv')],
  ['dropView', (s) => s.dropView('v')],
  ['dropViewIfExists', (s) => s.dropViewIfExists('v')],
  ['dropMaterializedView', (s) => s.dropMaterializedView('mv')],
  ['createSchema', (s) => s.createSchema('app')],
  ['createSchemaIfNotExists', (s) => s.createSchemaIfNotExists('app')],
  ['dropSchema', (s) => s.dropSchema('app')],
  ['dropSchemaIfExists', (s) => s.dropSchemaIfExists('app', true)],
  ['raw DDL', (s) => s.raw('create extension if not exists pgcrypto')],
  ['raw GRANT', (s) => s.raw('grant select on t to app_runtime')],
  ['raw comment', (s) => s.raw("comment on table t is 'x'")],
];

/**
 * Some alterTable operations need the live table definition: without a connection knex
 * compiles only the read it starts with, and emits the DDL from a callback at run time
 * (where the guard refuses it). Those compile to reads here, per dialect.
 */
const READ_FIRST: Record<Dialect, readonly string[]> = {
  postgres: [],
  mysql: ['table rename column', 'set nullable', 'drop nullable'],
  sqlite: ['table drop column', 'table drop columns', 'alter column', 'drop foreign', 'add foreign', 'add primary', 'drop primary', 'set nullable', 'drop nullable', 'drop timestamps'],
};

/** Query-builder shapes (and knex's own reads and transaction statements): all allowed. */
const QUERIES: Array<[string, (k: Knex) => unknown]> = [
  ['select *', (k) => k('users').select('*')],
  ['first where', (k) => k('users').where({ id: 1 }).first()],
  ['where operators', (k) => k('users').where('age', '>', 18).andWhere('name', 'like', '%drop%').orWhere('deleted_at', null)],
  ['whereIn whereNotIn', (k) => k('users').whereIn('id', [1, 2, 3]).whereNotIn('role', ['admin'])],
  ['whereNull whereNotNull', (k) => k('users').whereNull('deleted_at').whereNotNull('email')],
  ['whereBetween', (k) => k('users').whereBetween('age', [18, 65])],
  ['whereRaw', (k) => k('users').whereRaw('lower(email) = ?', ['a@b.c'])],
  ['whereExists', (k) => k('users').whereExists(k('posts').whereRaw('posts.user_id = users.id'))],
  ['whereLike whereILike', (k) => k('users').whereLike('name', '%a%').orWhereILike('name', '%b%')],
  ['where subquery', (k) => k('users').whereIn('id', k('posts').select('user_id'))],
  ['select from subquery', (k) => k.select('*').from(k('users').select('id').as('u'))],
  ['join', (k) => k('users').join('posts', 'users.id', 'posts.user_id').select('users.*', 'posts.title')],
  ['leftJoin rightJoin', (k) => k('a').leftJoin('b', 'a.id', 'b.a_id').rightJoin('c', 'a.id', 'c.a_id')],
  ['crossJoin', (k) => k('a').crossJoin(k.raw('??', ['b']))],
  ['join with callback', (k) => k('a').join('b', (j) => j.on('a.id', '=', 'b.a_id').andOnVal('b.kind', '=', 'x'))],
  ['union', (k) => k('a').select('id').union(k('b').select('id'))],
  ['unionAll wrapped', (k) => k('a').select('id').unionAll([k('b').select('id')], true)],
  ['intersect', (k) => k('a').select('id').intersect(k('b').select('id'))],
  ['with', (k) => k.with('u', k('users').select('id')).select('*').from('u')],
  ['withRecursive', (k) => k.withRecursive('t', k.raw('select 1 as n union all select n + 1 from t where n < 10')).select('*').from('t')],
  ['withMaterialized', (k) => k.withMaterialized('u', k('users').select('id')).select('*').from('u')],
  ['with insert returning (data-modifying CTE)', (k) => k.with('ins', k('t').insert({ a: 1 }).returning('*')).select('*').from('ins')],
  ['insert', (k) => k('users').insert({ email: 'a@b.c', name: "O'Brien; drop table users" })],
  ['insert many', (k) => k('users').insert([{ email: 'a' }, { email: 'b' }])],
  ['insert returning', (k) => k('users').insert({ email: 'a' }).returning('id')],
  ['insert select', (k) => k('archive').insert(k('users').select('id', 'email').where('deleted', true))],
  ['onConflict ignore', (k) => k('users').insert({ id: 1, email: 'a' }).onConflict('id').ignore()],
  ['onConflict merge', (k) => k('users').insert({ id: 1, email: 'a' }).onConflict('id').merge()],
  ['onConflict merge columns', (k) => k('users').insert({ id: 1, email: 'a', name: 'n' }).onConflict('id').merge(['email'])],
  ['upsert', (k) => k('users').upsert({ id: 1, email: 'a' })],
  ['update', (k) => k('users').where({ id: 1 }).update({ name: 'x', updated_at: k.fn.now() })],
  ['update returning', (k) => k('users').where({ id: 1 }).update({ name: 'x' }, ['id', 'name'])],
  ['increment decrement', (k) => k('counters').where({ id: 1 }).increment('hits', 1).decrement('misses', 2)],
  ['delete', (k) => k('sessions').where('expires_at', '<', new Date(0)).del()],
  ['delete returning', (k) => k('sessions').where({ id: 1 }).del(['id'])],
  ['forUpdate', (k) => k('accounts').where({ id: 1 }).forUpdate()],
  ['forShare', (k) => k('accounts').where({ id: 1 }).forShare()],
  ['forNoKeyUpdate', (k) => k('accounts').where({ id: 1 }).forNoKeyUpdate()],
  ['forUpdate skipLocked', (k) => k('jobs').where({ state: 'new' }).forUpdate().skipLocked().limit(1)],
  ['forUpdate noWait', (k) => k('jobs').forUpdate().noWait()],
  ['count min max sum avg', (k) => k('t').count('* as n').min('a').max('b').sum('c').avg('d')],
  ['countDistinct', (k) => k('t').countDistinct('a')],
  ['groupBy having orderBy', (k) => k('t').select('a').count('* as n').groupBy('a').having('n', '>', 1).orderBy('n', 'desc')],
  ['distinct', (k) => k('t').distinct('a', 'b')],
  ['distinctOn', (k) => k('t').distinctOn('a').orderBy('a')],
  ['limit offset', (k) => k('t').limit(10).offset(20)],
  ['pluck', (k) => k('t').pluck('id')],
  ['jsonExtract', (k) => k('t').jsonExtract('data', '$.name', 'name')],
  ['jsonSet', (k) => k('t').jsonSet('data', '$.name', 'x', 'data2')],
  ['jsonInsert', (k) => k('t').jsonInsert('data', '$.name', 'x', 'data2')],
  ['jsonRemove', (k) => k('t').jsonRemove('data', '$.name', 'data2')],
  ['whereJsonObject', (k) => k('t').whereJsonObject('data', { a: 1 })],
  ['whereJsonPath', (k) => k('t').whereJsonPath('data', '$.a', '>', 1)],
  ['whereJsonSupersetOf', (k) => k('t').whereJsonSupersetOf('data', { a: 1 })],
  ['jsonb operators (raw)', (k) => k('t').whereRaw("data @> ?::jsonb and data \\? 'key'", ['{"a":1}'])],
  ['raw select', (k) => k.raw('select ? as x', [1])],
  ['raw with named bindings', (k) => k.raw('select * from users where id = :id', { id: 1 })],
  ['columnInfo', (k) => k('users').columnInfo()],
  ['hasTable', (k) => k.schema.hasTable('users')],
  ['hasColumn', (k) => k.schema.hasColumn('users', 'email')],
];

/** What knex's transaction machinery sends (lib/execution/transaction.js and the dialects'). */
const TRANSACTION_COMMON = ['BEGIN;', 'COMMIT;', 'ROLLBACK', 'SAVEPOINT trx2;', 'RELEASE SAVEPOINT trx2;', 'ROLLBACK TO SAVEPOINT trx2'];
const TRANSACTION_SQL: Record<Dialect, readonly string[]> = {
  postgres: [...TRANSACTION_COMMON, 'BEGIN TRANSACTION ISOLATION LEVEL serializable;', 'BEGIN TRANSACTION READ ONLY;'],
  mysql: [...TRANSACTION_COMMON, 'SET TRANSACTION ISOLATION LEVEL read committed;', 'SET TRANSACTION READ ONLY;'],
  sqlite: TRANSACTION_COMMON,
};

function sqlOf(compiled: unknown): string[] {
  const list = Array.isArray(compiled) ? compiled : [compiled];
  return (list as Array<{ sql?: string; toNative?: () => { sql: string } }>).map((entry) => (typeof entry.toNative === 'function' ? entry.toNative().sql : entry.sql ?? ''));
}

function compile(build: () => unknown): string[] | undefined {
  try {
    return sqlOf((build() as { toSQL(): unknown }).toSQL()).filter((sql) => sql.trim() !== '');
  } catch {
    return undefined; // not supported by this dialect's compiler
  }
}

for (const dialect of ['postgres', 'mysql', 'sqlite'] as const) {
  describe(`classifySql corpus: knex ${CLIENTS[dialect]} compiler`, () => {
    // Quiet logger: createTableIfNotExists prints a deprecation warning when compiled.
    const k = knex({ client: CLIENTS[dialect], useNullAsDefault: true, log: { warn: () => undefined } });

    describe('schema builder: refused', () => {
      const builds: Array<[string, () => unknown]> = [
        ...COLUMN_TYPES.map(([name, column]): [string, () => unknown] => [`createTable ${name}`, () => k.schema.createTable('t', column)]),
        ...SCHEMA_OPS.map(([name, op]): [string, () => unknown] => [name, () => op(k.schema, k)]),
      ];
      for (const [name, build] of builds) {
        const statements = compile(build);
        if (statements === undefined || statements.length === 0) continue;
        const readFirst = READ_FIRST[dialect].includes(name);
        it(`${name}: ${statements.join(' ; ')}`, () => {
          const verdicts = statements.map((sql) => classifySql(sql, dialect));
          if (readFirst) {
            // Compiled without a connection, only the leading read is there (see READ_FIRST).
            expect(verdicts.every((v) => v.allowedOnRuntime && v.statements.every((s) => s.kind === 'read')), JSON.stringify(verdicts)).to.equal(true);
          } else {
            expect(verdicts.some((v) => !v.allowedOnRuntime), JSON.stringify(verdicts)).to.equal(true);
            // Each statement knex emits for a schema change is itself refused (no read mixed in).
            for (const verdict of verdicts) expect(verdict.allowedOnRuntime, JSON.stringify(verdict)).to.equal(false);
          }
          // The whole batch in one string, as a multi-statement query, is refused too.
          if (!readFirst) expect(classifySql(statements.join(';\n'), dialect).allowedOnRuntime).to.equal(false);
        });
      }
    });

    describe('query builder, catalog reads and transactions: allowed', () => {
      for (const [name, build] of QUERIES) {
        const statements = compile(() => build(k));
        if (statements === undefined || statements.length === 0) continue;
        it(`${name}: ${statements.join(' ; ')}`, () => {
          for (const sql of statements) {
            const verdict = classifySql(sql, dialect);
            expect(verdict.allowedOnRuntime, JSON.stringify(verdict)).to.equal(true);
            expect(verdict.statements.length).to.be.at.least(1);
          }
        });
      }
      for (const sql of TRANSACTION_SQL[dialect]) {
        it(`knex transaction: ${sql}`, () => {
          const verdict = classifySql(sql, dialect);
          expect(verdict.allowedOnRuntime, JSON.stringify(verdict)).to.equal(true);
          expect(verdict.statements[0]?.kind).to.equal('transaction');
        });
      }
    });

    describe('truncate()', () => {
      const [sql = ''] = compile(() => k('users').truncate()) ?? [];
      if (dialect === 'sqlite') {
        // SQLite has no TRUNCATE: knex compiles truncate() to a plain DELETE, which is a
        // data write like any other and allowed; the guard judges SQL, not builder methods.
        it(`compiles to a DELETE on SQLite: ${sql}`, () => {
          expect(classifySql(sql, dialect).statements[0]).to.include({ keyword: 'DELETE', allowedOnRuntime: true });
        });
      } else {
        it(`is refused: ${sql}`, () => {
          expect(classifySql(sql, dialect).statements[0]).to.include({ keyword: 'TRUNCATE', kind: 'ddl', allowedOnRuntime: false });
        });
      }
    });
  });
}
