import { expect } from 'chai';
import { testDialects } from '../support/dialects';
import { guardedOutcomeWith, mysqlSuperuserDatabase, tableExists } from '../support/guard-attack';

/*
 * Red team 29 (session 12), against 5feed15 (the tip of s12 this branch started from): each
 * attack test here fails on it and asserts the effect on the real server (MariaDB 10.11 as
 * superuser): a table dropped. Focus: this session's newest checks (unsettled-setting.ts,
 * driver-view.ts, startup-refusal.ts, the placeholder read).
 *
 * 1. The mysql2 `uri` view drops what the drivers read. lib/dialects/mysql/driver-view.ts
 *    mysqlDriverView builds `{ ...given }` whenever `uri` is set, and acquireRawConnection
 *    (lib/guard/client.ts) then judges only that copy (configuredCharset, the
 *    connectionOptions test); sessionOf does the same. Spread keeps own enumerable keys only:
 *    a non-enumerable own key or one inherited from the settings object's prototype is not in
 *    the view, while the driver reads `options.x` on the object itself (mysql2 ConnectionConfig,
 *    the mysql package, the mariadb connector's ConnectionOptions). unsettledSetting passes
 *    both (plain data descriptors). With any parseable uri (even the same host:port), a
 *    connection provider returning `Object.create({ initSql })` / a defineProperty'd
 *    `initSql` runs `drop table` on connect (mariadb); `charset: 'GB18030_CHINESE_CI'` gives
 *    mysql2 the gb18030 encoder and red team 15's text drops the table (mysql2); an inherited
 *    `queryFormat` rewrites every text the mysql package sends, the session read's included,
 *    into a drop (mysql). The mariadb and mysql packages do not even read `uri`; the guard still
 *    makes its copy for them. Control (run): the same six settings without `uri` are refused
 *    (E_RUNTIME_DDL initSql / queryFormat, E_GUARD_SESSION charset), so the uri copy is the hole. Severity: medium (needs a provider or a prototype-built settings
 *    object, plus a uri; the effect is arbitrary SQL). Fix for the class: never judge a copy
 *    the driver will not get: take one snapshot of the settings (own + inherited, enumerable or
 *    not: walk the prototype chain with getOwnPropertyNames, refuse accessors and symbols the
 *    driver reads, or refuse any settings object whose prototype is not Object.prototype / null
 *    and any non-enumerable key), merge the uri into that snapshot only for mysql2, check the
 *    snapshot, and hand the driver the snapshot (this.connectionSettings set to it for
 *    super.acquireRawConnection). Apply the uri merge only for the mysql2 client.
 *
 * 2. A `uri` object whose toString() answers twice. driverView reads `String(given.uri)` once;
 *    mysql2's parseUrl does `new URL(uri)`, a second toString(), so the guard judges
 *    `mysql://h:p/` and mysql2 gets `?charset=GB18030_CHINESE_CI`: the table is dropped
 *    (plain connection object; knex's cloneDeepWith keeps the class instance / the function).
 *    unsettledSetting checks for getters and Proxies, not for values that coerce to text.
 *    Severity: medium-low (contrived value, arbitrary SQL). Fix: refuse a non-primitive `uri`
 *    (and any judged setting that is not a primitive), or convert it once and give the driver
 *    the converted string in the snapshot above. The same split exists in
 *    lib/dialects/postgres/startup-refusal.ts textOf: it reads a String object's valueOf()
 *    while pg-connection-string's `new URL(str)` reads its toString(); run, the options reach
 *    the server (`-c plpgsql.check_asserts=off` is set) but the session read's placeholder
 *    check then refuses the connection, so no effect on PostgreSQL (near-miss, same fix).
 *
 * 3. A Proxy in the settings object's prototype chain. lib/guard/unsettled-setting.ts
 *    unsettledSetting tests `types.isProxy` on the settings object only, then walks the chain
 *    with getOwnPropertyDescriptor: a prototype Proxy whose getOwnPropertyDescriptor trap says
 *    "no such key" ends the walk as if nothing were there, while its get trap (reached by every
 *    inherited read) answers `undefined` to the guard's `settings[name] !== undefined` and
 *    `drop table` to the mariadb connector's `opts.initSql`. No uri needed; the same works for
 *    charset (configuredCharset) and queryFormat. This is red team 28 #2 with the Proxy one
 *    level down. Severity: medium (provider shape, arbitrary SQL). Fix: test isProxy on every
 *    object of the chain, or better the snapshot of finding 1 (copy the values once, hand the
 *    driver the copy: no trap is asked twice).
 *
 * 4. False alarm: `uri: ''` (e.g. `uri: process.env.DATABASE_URL ?? ''`). mysql2 skips a falsy
 *    uri (`options && options.uri`); mysqlDriverView tests only undefined / null, mysql2's
 *    parseUrl('') throws, and the view gets `charsetNumber: '(uri)'`, so every connection is
 *    refused with a character set message. Severity: low. Fix: the same truth test as mysql2
 *    (and apply the view only for the mysql2 client: mariadb and mysql never read uri, yet a
 *    `?charset=` in it refuses them).
 *
 * Near-misses (the guard handled them, or no harm), run: on PostgreSQL the placeholder read
 * and the own-settings read stopped everything the startup split let through (above);
 * `-c session_authorization=<role>` at login (not listed in pg_settings, and session_user
 * would move with it, so `switched` would not see it) is ignored by the server at startup:
 * session_user stays the login role; PGOPTIONS with it is refused by startupRefusal. Runtime
 * ways to set a refused setting after the read, all refused: UPDATE pg_settings, set_config
 * with a computed / bound / column / format() / chr() / current_setting() name, from a
 * LATERAL, in PREPARE, inside DO, `SET "plpgsql"."check_asserts"`, `SET plpgsql . check_asserts`,
 * U& names with and without UESCAPE, `set_config(lower('SESSION_REPLICATION_ROLE'), …)`,
 * RESET ALL. Through the String toString() split (finding 2), `-c auto_explain.log_min_duration=-1`
 * connects unrefused: the placeholder read (lib/dialects/postgres/guard-text.ts) asks only the
 * exact dotted names, not the refused prefixes (auto_explain., pg_stat_statements., sepgsql.,
 * pgaudit); no effect found, since those libraries load only at start (then pg_settings lists
 * the setting with source client and the read refuses it) or by LOAD, which is refused. With a plain connection object (no provider), Object.create settings did not
 * reach the driver with their prototype's initSql / charset here (no drop), so the provider
 * shape is the one shown (the client's connectionSettings arrive as a plain object). Read, not run: pg sends only user, database, application_name,
 * replication, statement_timeout, lock_timeout, idle_in_transaction_session_timeout and
 * options at startup (the timeouts and the name are harmless settings); Symbol keys are read
 * by none of the drivers; a polluted Object.prototype.initSql is still seen through the view
 * (the spread copy inherits Object.prototype).
 */
const dialects = testDialects();

if (dialects.includes('mysql')) {
  describe('guard red team 29, MariaDB as superuser: connection settings the drivers read otherwise than the guard', () => {
    const DATABASE = 'knexroles_redteam29_view';
    const database = mysqlSuperuserDatabase(DATABASE);
    beforeEach(async () => {
      await database.admin.raw(`create table if not exists ${DATABASE}.rt29_victim (id int)`);
    });
    const victimExists = (): Promise<boolean> => tableExists.mysql(database.admin, DATABASE, 'rt29_victim');
    const uriOf = (): string => `mysql://${database.connection.host}:${database.connection.port}/`;

    // An inherited key: knex's cloneDeepWith keeps the prototype, the guard's `{ ...given }` does not.
    const inherited = (extra: Record<string, unknown>): Record<string, unknown> => Object.assign(Object.create(extra) as object, { ...database.connection, uri: uriOf() });
    // A non-enumerable own key (a connection provider's object reaches the driver as it is): spread skips it too.
    const hidden = (extra: Record<string, unknown>): Record<string, unknown> => {
      const settings: Record<string, unknown> = { ...database.connection, uri: uriOf() };
      for (const [key, value] of Object.entries(extra)) Object.defineProperty(settings, key, { value, enumerable: false });
      return settings;
    };

    for (const [shape, make, asProvider] of [
      ['inherited (Object.create), connection provider', inherited, true],
      ['non-enumerable own, connection provider', hidden, true],
    ] as const) {
      it(`(mariadb) refuses initSql ${shape} next to a uri: rt29_victim is still there`, async () => {
        const settings = make({ initSql: `drop table ${DATABASE}.rt29_victim` });
        const outcome = await guardedOutcomeWith('mariadb', (asProvider ? () => settings : settings) as never, 'select 1');
        expect(await victimExists(), `the guard connected (${outcome}) and the connector ran initSql`).to.equal(true);
        expect(outcome, "refused by the guard itself").to.match(/^refused: (Refused |knex-roles: )/);
      });

      it(`(mysql2) refuses charset GB18030 ${shape} next to a uri: rt29_victim is still there after red team 15's text`, async () => {
        const B = '\u4e57';
        const sql = `select '${B}' as a, ' as b; drop table rt29_victim; -- ' as c`;
        const settings = make({ charset: 'GB18030_CHINESE_CI', multipleStatements: true });
        const outcome = await guardedOutcomeWith('mysql2', (asProvider ? () => settings : settings) as never, sql);
        expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt29_victim`).to.equal(true);
        expect(outcome, "refused by the guard itself").to.match(/^refused: (Refused |knex-roles: )/);
      });
    }

    it('(mysql) refuses queryFormat inherited from the provider object\'s prototype next to a uri: rt29_victim is still there', async () => {
      // The mysql package ignores `uri`; the guard's view of it still drops the inherited queryFormat the package calls on every text.
      const settings = inherited({ queryFormat: () => `drop table ${DATABASE}.rt29_victim` });
      const outcome = await guardedOutcomeWith('mysql', () => settings, 'select 1');
      expect(await victimExists(), `the guard let it through (${outcome}) and queryFormat sent a drop`).to.equal(true);
      expect(outcome, "refused by the guard itself").to.match(/^refused: (Refused |knex-roles: )/);
    });

    it('(mysql2) refuses a uri object whose toString() answers mysql2 otherwise than the guard: rt29_victim is still there', async () => {
      // driverView reads String(uri) itself; mysql2's parseUrl does new URL(uri), a second toString().
      const B = '\u4e57';
      const sql = `select '${B}' as a, ' as b; drop table rt29_victim; -- ' as c`;
      const uri = {
        toString: (): string => (/node_modules[\\/]mysql2[\\/]/.test(new Error().stack ?? '') ? `${uriOf()}?charset=GB18030_CHINESE_CI` : uriOf()),
      };
      const outcome = await guardedOutcomeWith('mysql2', { ...database.connection, multipleStatements: true, uri } as never, sql);
      expect(await victimExists(), `the guard let it through (${outcome}) and the server dropped rt29_victim`).to.equal(true);
      expect(outcome, "refused by the guard itself").to.match(/^refused: (Refused |knex-roles: )/);
    });

    it('(mysql2, false alarm) connects with an empty uri, which mysql2 skips (falsy): select 1 runs', async () => {
      // `uri: process.env.DATABASE_URL ?? ''` with the variable unset; mysql2 tests `options.uri` for truth, driverView for undefined / null.
      const outcome = await guardedOutcomeWith('mysql2', { ...database.connection, uri: '' } as never, 'select 1');
      expect(outcome).to.equal('ran');
    });

    it('(mariadb) refuses initSql answered by a Proxy in the settings object\'s prototype chain: rt29_victim is still there', async () => {
      // unsettledSetting tests only the object itself with isProxy; a prototype Proxy's getOwnPropertyDescriptor says "none", its get answers by caller.
      const answering = new Proxy({}, {
        getOwnPropertyDescriptor: () => undefined,
        get: (_target, key) => (key === 'initSql' && /node_modules[\\/]mariadb[\\/]/.test(new Error().stack ?? '') ? `drop table ${DATABASE}.rt29_victim` : undefined),
      });
      const settings = Object.assign(Object.create(answering) as object, database.connection);
      const outcome = await guardedOutcomeWith('mariadb', () => settings, 'select 1');
      expect(await victimExists(), `the guard connected (${outcome}) and the connector ran initSql`).to.equal(true);
      expect(outcome, 'refused by the guard itself').to.match(/^refused: (Refused |knex-roles: )/);
    });
  });
}
