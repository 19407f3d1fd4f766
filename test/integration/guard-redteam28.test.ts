import { expect } from 'chai';
import { testDialects } from '../support/dialects';
import { guardedOutcomeWith, mysqlSuperuserDatabase, tableExists } from '../support/guard-attack';
/*
 * Red team 28 (session 12), against 572eb74 (the tip of s12 this branch started from): each
 * attack test here fails on it and asserts the effect on the real server (MariaDB 10.11 as
 * superuser). Focus: driver and pooler options (MySQL / MariaDB connectors, PgBouncer, SQLite).
 *
 * 1. mysql2's `uri` connection option: mysql2's ConnectionConfig parses `options.uri` and copies
 *    every query parameter of it (JSON-parsed) into the options the config does not set, so
 *    `{ host, port, user, password, database, uri: 'mysql://h:p/?charset=GB18030_CHINESE_CI' }`
 *    (or `?charsetNumber=248`) gives the connection the gb18030 encoder. The guard reads the
 *    character set only from the `charset` / `collation` / `charsetNumber` keys of knex's
 *    settings object (lib/dialects/mysql/lexing-settings.ts configuredCharset, called from
 *    lib/guard/client.ts acquireRawConnection and sessionOf), never from the `uri` mysql2 reads.
 *    MariaDB has no gb18030 and gives the session utf8mb4, which the session read
 *    (lib/dialects/mysql/guard-text.ts readSession) accepts, while mysql2 keeps encoding with
 *    iconv-lite's gb18030: 乗 goes out as 0x81 0x5C, a lone byte and a backslash to the server,
 *    and red team 15's `select '乗' as a, ' as b; drop table v; -- ' as c` drops the table
 *    (multipleStatements, allowed; one-statement variants as in red team 15 work too). Severity
 *    high: `connection: { uri: process.env.DATABASE_URL, ... }` is an ordinary mysql2 config,
 *    and whoever writes the URL gets any statement past the guard. Fix for the class: judge the
 *    encoder the driver will use, not the keys the guard knows: build the driver's own view
 *    (`new (require('mysql2/lib/connection_config'))({ ...settings })` → `charsetNumber`, checked
 *    by id against the UTF-8 / narrow collation ids; mariadb's ConnectionOptions → `collation`),
 *    or read the live connection after connect (mysql2 `conn.config.charsetNumber`, mariadb
 *    `conn.opts.collation` / `conn.info.collation`) in readSession and refuse an encoder that is
 *    not UTF-8 / latin1 / ascii / binary, whatever the server reports. Refusing `uri` outright
 *    is the narrow fix (its `flags`, `multipleStatements`, `charset` are the same options again).
 *
 * 2. A connection provider (`connection: () => settings`, which knex keeps without cloning)
 *    whose `initSql` getter answers `undefined` to the guard and SQL to the mariadb connector:
 *    acquireRawConnection (lib/guard/client.ts) tests `settings[name] !== undefined` for each of
 *    guardRules.connectionOptions once, then hands the same live object to the driver, whose
 *    ConnectionOptions reads `initSql` again and runs it on connect, before the session read.
 *    Here `drop table` runs as the runtime connection's first statement, unjudged. The same
 *    works for `sessionVariables`, mysql2 `queryFormat` and `charset` (configuredCharset reads
 *    the same object). This is red team 27 #5's time-of-check / time-of-use on the MySQL side:
 *    the PostgreSQL fix leans on the session read, which on MySQL cannot see what initSql did.
 *    Severity: medium (contrived config, but the effect is arbitrary SQL). Fix: snapshot the
 *    settings before any check (a plain copy of own data properties, refusing accessors and
 *    Proxies, or structuredClone), check the snapshot, and give the driver the snapshot
 *    (set `this.connectionSettings` to it for the call to super.acquireRawConnection).
 *
 * Near-misses (the guard handled them, or no harm), read in the drivers and partly run:
 * mysql2 sends no SQL of its own at connect (`timezone` converts on the client; `flags`,
 * `connectAttributes`, `authPlugins`, `authSwitchHandler`, `stream`, `ssl`, `database` go in the
 * handshake; `localInfile` / `infileStreamFactory` only answer LOAD DATA LOCAL, which the guard
 * refuses; `typeCast`, `rowsAsArray`, `nestTables` are overridden by the session read's own
 * options); mysql2 charset names above 255 are sent as `id & 0xff` in the handshake (e.g.
 * utf8mb4_ja_0900_as_cs → 47, latin1_bin; read, not run) but the encoder stays UTF-8 and the server's set is
 * read (latin1 → narrow text): no quote appears. The mariadb connector's own SQL at connect:
 * `SET NAMES ${charset}` with an unknown charset string is raw text, but configuredCharset only
 * lets [a-z0-9_] names through (the server then errors); `SET NAMES … COLLATE` from its own
 * table; `SET time_zone=?` (timezone), `SET max_statement_time=N` (queryTimeout, always a
 * number), `SELECT @@VERSION` (forceVersionCheck): harmless settings; `metaAsArray` makes the
 * session read fail closed (unreadable); a string `charset` / `collation` / `charsetNumber` in a
 * knex connection string is parsed by knex into keys the guard reads. The `mysql` package has
 * no `uri`. An inherited `initSql` (Object.create) is seen (`settings[name]` reads the chain).
 * PgBouncer: in transaction mode the guarded client's session read is per client, and
 * client_encoding / standard_conforming_strings are re-sent per client (tested by the suite);
 * what else crosses server processes comes from another client of the same role that is not
 * guarded (red team 27 said so for plpgsql.check_asserts) or from opt-in temporary tables
 * (a temp table shadows an app table for the next client: an app bug the README already warns
 * about), and a named PREPARE crossing clients needs an unguarded client too: dropped. SQLite:
 * better-sqlite3 is built with SQLITE_USE_URI=0 and knex passes it only `nativeBinding` and
 * `readonly`, so `file:…?vfs=` / `?immutable=1` / shared-cache `:memory:` names are plain file
 * names (missingDatabase refuses them); sqlite3 is not installed; hook-registered UDFs get the
 * view, not the raw connection.
 */
const dialects = testDialects();

if (dialects.includes('mysql')) {
  describe('guard red team 28, MariaDB as superuser: driver options the guard does not read', () => {
    const DATABASE = 'knexroles_redteam28_opts';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt28_victim (id int)`);
    });
    const victimExists = (): Promise<boolean> => tableExists.mysql(database.admin, DATABASE, 'rt28_victim');
    const B = '\u4e57';
    const sql = `select '${B}' as a, ' as b; drop table rt28_victim; -- ' as c`;

    for (const query of ['charset=GB18030_CHINESE_CI', 'charsetNumber=248']) {
      it(`(mysql2) refuses a connection whose uri option carries ?${query}: rt28_victim is still there after ${sql}`, async () => {
        const { host, port } = database.connection;
        const outcome = await guardedOutcomeWith('mysql2', { ...database.connection, multipleStatements: true, uri: `mysql://${host}:${port}/?${query}` } as never, sql);
        expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt28_victim`).to.equal(true);
        expect(outcome).to.match(/E_GUARD_SESSION|E_RUNTIME_DDL|refused/i);
      });
    }

    it('(mariadb) refuses initSql a connection provider\'s settings answer only to the driver: rt28_victim is still there', async () => {
      // The guard reads `initSql` on the provider's object (acquireRawConnection); the connector reads it again in its ConnectionOptions.
      const settings = {
        ...database.connection,
        get initSql(): string | undefined {
          return /node_modules[\\/]mariadb[\\/]/.test(new Error().stack ?? '') ? `drop table ${DATABASE}.rt28_victim` : undefined;
        },
      };
      const outcome = await guardedOutcomeWith('mariadb', () => settings, 'select 1');
      expect(await victimExists(), `the guard connected (${outcome}) and the connector ran initSql`).to.equal(true);
    });
  });
}
