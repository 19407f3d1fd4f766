import { expect } from 'chai';
import knex from 'knex';
import { guard } from '../../lib';
import { testDialects } from '../support/dialects';
import { outcomeOf, pgSuperuserDatabase, tableExists } from '../support/guard-attack';

/*
 * Red team 30 (session 13), against 64f21a5 (the tip of s13 this branch started from): each attack test
 * here fails on it and asserts the effect on the real server (PostgreSQL 15 as superuser): a
 * table dropped. Focus: the knex API surface as application code uses it (builder methods that
 * put caller text into SQL, config hooks, transactions, streams, cancel), all three dialects.
 *
 * 1. knex's own connect-time SQL: the pg client's `set search_path`. knex's pg
 *    acquireRawConnection (node_modules/knex/lib/dialects/postgres/index.js) ends with
 *    setSchemaSearchPath(connection), which builds `set search_path to "${entry.replace(/"/g,
 *    '""')}"` from `client.searchPath` (the `searchPath` config) and sends it with the raw
 *    connection's own query(): simple protocol, so several statements run. knex checks only that
 *    searchPath is an array or a string, not its entries: an entry that is an object with its own
 *    `replace()` writes any text. lib/guard/client.ts guardClientClass overrides
 *    acquireRawConnection but calls super.acquireRawConnection, which does all this before the
 *    session read and outside Guarded.query / refusalOf; unsettledSetting and startupRefusal look
 *    at connectionSettings only, and readSession (lib/dialects/postgres/guard-text.ts) reads
 *    search_path after it was set (and only for information_schema / pg_toast). Here
 *    `searchPath: [{ replace: () => 'public"; drop table rt30_victim; --' }]` drops the table on
 *    the first connection; so does the same entry assigned to `db.client.searchPath` after
 *    guard() (knex reads the field for every new connection). pgnative inherits the method.
 *    Severity: medium-low (needs JavaScript config or code, not JSON / env text; the effect is
 *    arbitrary SQL, DDL included, with no check at all). Fix: override setSchemaSearchPath in the
 *    guarded class: take a primitive string or an array of primitive strings only (read once,
 *    into a copy), build the text from the copy with the same quoting, and judge it with the
 *    runtime statement check before sending; refuse anything else. For the class: every text
 *    knex's client sends over a raw connection by itself (setSchemaSearchPath, checkVersion,
 *    the cancel query) should go through the judge, e.g. by running super.acquireRawConnection
 *    against a guarded view of the new connection, as pool.afterCreate already is.
 *
 * Near-misses (the guard handled them, or no harm), run on all three dialects as superuser /
 * SQLite file: several hundred ordinary builder calls and raw statements gave no false alarm (select /
 * insert / update / del, increment / decrement, onConflict().merge() / merge(raw) / ignore(),
 * upsert, returning, json* and whereJson* methods, with / withRecursive / withMaterialized,
 * union / intersect / except with raw, fromRaw, joinRaw, orderByRaw, pluck, first, modify,
 * clearSelect, batchInsert, knex.ref, forUpdate / forShare / skipLocked / noWait / forUpdate(of),
 * every transaction shape: isolationLevel, readOnly, nested, savepoint, manual commit /
 * rollback, doNotRejectOnRollback; streams; .timeout(ms, { cancel: true }) on pooled
 * connections; hasTable / hasColumn / columnInfo; named and `??` bindings whose names hold
 * `"`, backticks, `\`, `?`, `$x$`, `--`, `/*`; values with `$$` and quotes; Date / Buffer /
 * array / JSON bindings; PostgreSQL `\?` JSON operators, LISTEN / NOTIFY, cursors, PREPARE,
 * MERGE, some 75 harmless SET / set_config and catalog reads; MariaDB some 85 SET SESSION and
 * SHOW / information_schema / sequence statements; SQLite catalog pragmas and pragma_* reads).
 * What the guard refused there is documented (TRUNCATE, REFRESH MATERIALIZED VIEW, VACUUM /
 * ANALYZE / REINDEX / OPTIMIZE, DISCARD ALL, RESET ALL, SET NAMES DEFAULT, unknown SQLite pragmas
 * such as wal_checkpoint, mmap_size, secure_delete). `.comment()` / `.hintComment()`: knex itself
 * throws on `/*`, `*\/` and `?`, and adds a space after `/*` (no `/*!` executable comment); on
 * MariaDB 10.11 `/*+` is a plain comment. `.truncate()` on SQLite compiles to DELETE (DML, as
 * documented for sqlite_sequence). Builder del / update / forUpdate on knex_migrations(_lock),
 * with withSchema, aliases and joins: refused. knex's other texts of its own are fixed or bound
 * (`select version();`, MySQL `select version() as version`, `SELECT pg_cancel_backend($1)`,
 * `KILL QUERY ?`), transaction texts go through Guarded.query (knex checks isolationLevel
 * against its list). Read, not run: pg-query-stream / pg-cursor read only rowMode, types and
 * batch sizes from .stream(options); pg `.options({ name })` (pg refuses a second text for a
 * cached name; SQL PREPARE bodies are judged); the mariadb connector's per-query `timeout`
 * prefixes `SET STATEMENT max_statement_time=${timeout / 1000} FOR` (always a number); 'start'
 * and builder 'query' listeners run before the check; `migrate.list / status({ tableName })` on a
 * transaction or a withUserParams copy (whose `migrate` refuseMigrate does not wrap): ensureTable
 * creates (refused) or fills an unprotected `<name>_lock` (an app table, no bookkeeping effect).
 * A String object as searchPath: knex threw a TypeError before sending anything. MariaDB
 * `SELECT SETVAL(seq, n)` runs where PostgreSQL setval is refused, but knex's MySQL bookkeeping
 * uses AUTO_INCREMENT, so no migrator collision follows (not a finding).
 */
const dialects = testDialects();

if (dialects.includes('postgres')) {
  describe('guard red team 30, PostgreSQL as superuser: text knex sends at connect, past the check', () => {
    const database = pgSuperuserDatabase('knexroles_redteam30');
    beforeEach(async () => {
      await database.admin.raw('create table if not exists rt30_victim (id int)');
    });
    const victimExists = (): Promise<boolean> => tableExists.postgres(database.admin, 'rt30_victim');

    const evil = 'public"; drop table rt30_victim; --';
    // An array entry with its own replace(): knex checks only that searchPath is an array or a string.
    const entry = { replace: (): string => evil };
    for (const [shape, make] of [
      ['in the config', () => guard(knex({ client: 'pg', connection: database.connection, searchPath: [entry as unknown as string], pool: { min: 0, max: 1 } }))],
      [
        'assigned to the client after guard()',
        () => {
          const db = guard(knex({ client: 'pg', connection: database.connection, pool: { min: 0, max: 1 } }));
          (db.client as { searchPath?: unknown }).searchPath = [entry];
          return db;
        },
      ],
    ] as const) {
      it(`refuses a knex searchPath entry that is not a string (${shape}): rt30_victim is still there`, async () => {
        // knex's pg client writes `set search_path to "${entry.replace(/"/g, '""')}"` over the raw
        // connection (simple protocol: several statements run) in acquireRawConnection, before
        // the session read and outside Guarded.query: the text is never judged.
        const db = make();
        let outcome: string;
        try {
          outcome = await outcomeOf(db.raw('select 1'));
        } finally {
          await db.destroy();
        }
        expect(await victimExists(), `knex sent the entry's text at connect (query: ${outcome})`).to.equal(true);
        expect(outcome).to.match(/^refused: /);
      });
    }

    it('still connects with an ordinary searchPath whose names hold a quote, a space and a semicolon: knex quotes them, the guard judges and allows the text', async () => {
      const odd = 'rt30 "odd"; schema';
      await database.admin.raw('create schema if not exists ??', [odd]);
      await database.admin.raw('create table if not exists ??.rt30_found (id int)', [odd]);
      const db = guard(knex({ client: 'pg', connection: database.connection, searchPath: [odd, 'public'], pool: { min: 0, max: 1 } }));
      try {
        const { rows } = await db.raw('select current_schemas(false)::text[] as path, (select count(*) from rt30_found)::int as n');
        expect(rows[0].path).to.deep.equal([odd, 'public']);
        expect(rows[0].n).to.equal(0);
      } finally {
        await db.destroy();
      }
    });
  });
}
