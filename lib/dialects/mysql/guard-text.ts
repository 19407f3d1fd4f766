import { GuardSessionError } from '../../errors';
import type { GuardText } from '../../guard/guard-text';
import { MYSQL_GUARD_RULES } from './guard-rules';
import { configuredCharset, MYSQL_NARROW_CHARSET, MYSQL_SAFE_CHARSET, sqlModeFlags } from './lexing-settings';
import { mysqlDriverView } from './driver-view';

const READ = 'select @@session.sql_mode as m, @@session.character_set_client as c, @@session.character_set_connection as cc, database() as d';

/**
 * The read with its own result options: a connection's `typeCast` (a common knex connection
 * option, or one pool.afterCreate set on `conn.config`), `rowsAsArray` or `nestTables` would
 * otherwise shape the row, and a setting read as missing or rewritten would be judged as the
 * default. A query's own typeCast function wins over the connection's in mysql2, mysql and mariadb.
 */
const READ_AS_SENT = { sql: READ, typeCast: (_field: unknown, next: () => unknown): unknown => next(), rowsAsArray: false, nestTables: false };

/** A value of the read as text: with `charset: 'binary'` the drivers return every column as a Buffer. */
function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}

/** MySQL / MariaDB (mysql2): the session's sql_mode and character sets; mysql2 formats bound values into the text. */
export const MYSQL_GUARD_TEXT: GuardText = {
  async readSession(connection) {
    const my = connection as { query(options: typeof READ_AS_SENT, callback: (error: Error | null, rows: Array<Record<string, unknown>>) => void): void };
    const rows = await new Promise<Array<Record<string, unknown>>>((resolve, reject) => my.query(READ_AS_SENT, (error, result) => (error ? reject(error) : resolve(copied(result)))));
    const row = rows[0] ?? {};
    const mode = asText(row['m']);
    // sql_mode is text on every server (empty when no mode is set); anything else is a read the guard cannot trust.
    if (mode === undefined) {
      throw GuardSessionError.of({
        dialect: 'mysql',
        variable: 'session read',
        value: 'unreadable',
        reason: "the guard's session read did not return sql_mode as text",
        remedy: 'Report this with the driver and its connection options: the guard reads the session with its own result options.',
      });
    }
    const flags = sqlModeFlags(mode);
    // Modes the guard refuses to read text under (lexing-settings.ts): mysql2 escapes bound
    // values with backslashes, which NO_BACKSLASH_ESCAPES makes plain characters; MariaDB's
    // MSSQL quotes names in [brackets], which the guard does not read (a ' inside them would hide what follows).
    const refused = flags.noBackslashEscapes ? 'NO_BACKSLASH_ESCAPES' : flags.brackets ? 'MSSQL' : undefined;
    if (refused !== undefined) {
      throw GuardSessionError.of({
        dialect: 'mysql',
        variable: 'sql_mode',
        value: refused,
        reason: refused === 'MSSQL' ? 'it quotes names in [brackets], which the guard does not read' : 'mysql2 escapes bound values with backslashes, which this mode makes plain characters',
        remedy: `Remove ${refused} from sql_mode for the runtime connection (server configuration, the user's defaults or an afterCreate hook).`,
      });
    }
    const client = String(asText(row['c']));
    for (const [variable, value] of [['character_set_client', client], ['character_set_connection', String(asText(row['cc']))]] as const) {
      // A session may start in UTF-8 or a narrow set (a runtime SET may only choose UTF-8).
      if (!MYSQL_SAFE_CHARSET.test(value)) {
        throw GuardSessionError.of({
          dialect: 'mysql',
          variable,
          value,
          reason: 'a character set other than UTF-8 and latin1 / ascii / binary: a multibyte one can read a backslash as part of a character, and the drivers\' encoders for the others can write one where the guard read a letter',
          remedy: 'Use charset utf8mb4 for the runtime connection (connection option `charset`, no SET NAMES in afterCreate).',
        });
      }
    }
    // The guard knows the grant tables by their schema (`mysql.user`) and refuses `USE mysql`;
    // a session that starts there reaches them by bare name (`update user …`).
    const database = asText(row['d']);
    if (database !== undefined && MYSQL_GUARD_RULES.catalogSchemas.has(database.toLowerCase())) {
      throw GuardSessionError.of({
        dialect: 'mysql',
        variable: 'database()',
        value: database,
        reason: 'a system schema as the default database lets unqualified names reach its tables, which the guard recognizes only schema-qualified',
        remedy: "Connect the runtime user to the application's database (DB_RUNTIME_NAME or DB_NAME), not to a system schema.",
      });
    }
    return { reading: { ansiQuotes: flags.ansiQuotes }, key: flags.ansiQuotes ? 'ansi-quotes' : '', narrowText: MYSQL_NARROW_CHARSET.test(client) };
  },
  narrowWhenUnread: true,
  configuredText: configuredCharset,
  driverView: mysqlDriverView,
  letterIntroducers: true,
  values: { doubleQuotedIdentifier: false, doubleQuotedString: true, dollarQuoted: false },
};

/**
 * The rows as the driver handed them to the callback, copied there: a listener a pool hook
 * left on the connection runs after the callback (mysqljs emits the command's 'end' then), and
 * whatever it reaches of the result must not change what the guard read (red team 40).
 */
function copied(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return Array.isArray(rows) ? rows.map((row) => ({ ...row })) : rows;
}
