import { dialectModule, lazyLexer, lazyProvision, loadOnce, sha256, type ProvisionModule } from '../dialect';

/** MySQL and MariaDB (mysql2). Provisioning and verification load on first use (lib/lazy.ts explains why). */
export const mysql = dialectModule(
  {
    name: 'mysql',
    label: 'MySQL',
    env: {
      family: 'DB',
      fields: { host: ['HOST'], port: ['PORT'], user: ['USER'], password: ['PASSWORD'], database: ['NAME'], sslmode: ['SSL'], sslca: ['SSL_CA'] },
      defaults: { host: '127.0.0.1', port: 3306 },
      required: ['user', 'database'],
      urlSchemes: ['mysql', 'mariadb'],
      server: true,
      selectorNames: [],
      urlParams: { ssl: 'sslmode', 'ssl-mode': 'sslmode', sslmode: 'sslmode', 'ssl-ca': 'sslca', sslca: 'sslca' },
    },
    knex: { client: 'mysql2', names: ['mysql', 'mysql2', 'mariadb'] },
    transactionalDdl: false,
    previewRun: (ctx) => (require('./preview-client') as typeof import('./preview-client')).previewRun(ctx),
    ddlCommitNote: 'MySQL/MariaDB commit each DDL statement implicitly',
    errorCodes: {
      network: ['PROTOCOL_CONNECTION_LOST'],
      auth: ['ER_ACCESS_DENIED_ERROR', 'ER_NOT_SUPPORTED_AUTH_MODE', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR'],
      database: ['ER_BAD_DB_ERROR', 'ER_DBACCESS_DENIED_ERROR'],
      tls: [
        'HANDSHAKE_NO_SSL_SUPPORT', // the server has no TLS
        'HANDSHAKE_SSL_ERROR', // the handshake failed (certificate), the TLS error's own code on its message
      ],
    },
    connectTimeout: (ms) => ({ connectTimeout: ms }),
    sessionLock: {
      key(table, database) {
        const readable = `knex-roles:${database}${table}`;
        // GET_LOCK names are at most 64 characters.
        return [readable.length <= 64 ? readable : `knex-roles:${sha256().update(`${database}${table}`).digest('hex').slice(0, 40)}`];
      },
      trySql: 'select get_lock(?, 0) as ok',
      taken: (result) => Number((result as [Array<{ ok: number | null }>])[0][0]?.ok) === 1,
      releaseSql: 'select release_lock(?)',
    },
    bookkeeping: {
      // Triggers refuse the app's writes there (see bookkeeping.ts); CREATE TRIGGER commits, so after.
      afterCreation: (knex, tableName) => (require('./bookkeeping') as typeof import('./bookkeeping')).guardBookkeeping(knex, tableName),
    },
    tables: { list: (...args) => (require('./tables') as typeof import('./tables')).listMysqlTables(...args), drop: (...args) => (require('./tables') as typeof import('./tables')).dropMysqlTables(...args) },
    provision: lazyProvision(() => require('./provision') as ProvisionModule),
    verify: (query, role, options) => (require('./verify') as typeof import('./verify')).verifyMysql(query, role, { database: options.schema, appTemporaryTables: options.appTemporaryTables }),
    lexer: lazyLexer(() => (require('./lexer') as typeof import('./lexer')).MysqlLexer),
    statementHeads: loadOnce(() => (require('./statement-heads') as typeof import('./statement-heads')).MYSQL_STATEMENT_HEADS),
    tls: {
      // mysql2 cannot retry without TLS (allow, prefer).
      modes: ['disable', 'require', 'verify-ca', 'verify-full', 'true', 'false'],
      refusal: 'asks for a fallback mysql2 cannot make',
      identity: (mode) => ({ verifyIdentity: mode === 'verify-full' }),
    },
    passwordHolder: () => new (require('./password-holder') as typeof import('./password-holder')).MysqlConnection(),
    // verify-full: mysql2 skips the host check for IP addresses, so each connection is checked (check-server-identity.ts).
    poolHook: (connection, next) =>
      'user' in connection && connection.ssl && connection.ssl.verifyIdentity
        ? (require('./check-server-identity') as typeof import('./check-server-identity')).checkMysqlServerIdentity(connection.host, next)
        : undefined,
  },
  // Loaded with the guard, on first read (lib/lazy.ts explains why).
  {
    guardRules: () => (require('./guard-rules') as typeof import('./guard-rules')).MYSQL_GUARD_RULES,
    rawConnection: () => (require('./raw-connection-methods') as typeof import('./raw-connection-methods')).MYSQL_RAW_METHODS,
    guardText: () => (require('./guard-text') as typeof import('./guard-text')).MYSQL_GUARD_TEXT,
    replicas: () => (require('./replica-rules') as typeof import('./replica-rules')).MYSQL_REPLICA_RULES,
  },
);
