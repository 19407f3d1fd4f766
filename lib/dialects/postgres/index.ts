import { dialectModule, lazyLexer, lazyProvision, loadOnce, sha256, type ProvisionModule } from '../dialect';

/** PostgreSQL (pg). */
export const postgres = dialectModule(
  {
    name: 'postgres',
    label: 'PostgreSQL',
    env: {
      family: 'PG',
      // PG_SCHEMA: the schema for searchPath, knex's own tables, provision and verify (default public).
      // PG_POOLED: 1 when this connection goes through a transaction-mode pooler (pgbouncer=true in a URL).
      fields: { host: ['HOST'], port: ['PORT'], user: ['USER'], password: ['PASSWORD'], database: ['NAME', 'DB_NAME'], schema: ['SCHEMA'], sslmode: ['SSLMODE'], sslca: ['SSL_CA'], pooled: ['POOLED'] },
      defaults: { host: '127.0.0.1', port: 5432 },
      required: ['user', 'database'],
      urlSchemes: ['postgres', 'postgresql'],
      server: true,
      selectorNames: [],
      // pgbouncer=true: Prisma's parameter for a transaction-mode pooler (PG_POOLED=1).
      urlParams: { sslmode: 'sslmode', ssl: 'sslmode', sslrootcert: 'sslca', pgbouncer: 'pooled' },
    },
    knex: { client: 'pg', names: ['pg', 'postgres', 'postgresql', 'pgnative'] },
    transactionalDdl: true,
    errorCodes: {
      network: ['57P03'], // cannot_connect_now: starting up or shutting down
      auth: [
        '28P01', // invalid_password
        '28000', // invalid_authorization_specification (pg_hba: no entry / rejected)
      ],
      database: [
        '3D000', // invalid_catalog_name: no such database
        '42501', // insufficient_privilege: no CONNECT on the database
      ],
      tls: [],
    },
    connectTimeout: (ms) => ({ connectionTimeoutMillis: ms }),
    sessionLock: {
      key(table) {
        // 'knxr' as the advisory lock's class id, so it cannot collide with an application's one-key locks.
        return [0x6b6e7872, sha256().update(table).digest().readInt32BE(0)];
      },
      trySql: 'select pg_try_advisory_lock(?, ?) as ok',
      taken: (result) => (result as { rows: Array<{ ok: boolean }> }).rows[0]?.ok === true,
      releaseSql: 'select pg_advisory_unlock(?, ?)',
    },
    bookkeeping: {
      // The app may read knex's tables, never write them (see bookkeeping.ts).
      inCreation: async (trx, tableName, schemaName) => void (await trx.raw((require('./bookkeeping') as typeof import('./bookkeeping')).restrictBookkeepingSql(tableName, schemaName))),
    },
    tables: { list: (...args) => (require('./tables') as typeof import('./tables')).listPostgresTables(...args), drop: (...args) => (require('./tables') as typeof import('./tables')).dropPostgresTables(...args) },
    provision: lazyProvision(() => require('./provision') as ProvisionModule),
    verify: (query, role, options) => (require('./verify') as typeof import('./verify')).verifyPostgres(query, role, options),
    lexer: lazyLexer(() => (require('./lexer') as typeof import('./lexer')).PostgresLexer),
    statementHeads: loadOnce(() => (require('./statement-heads') as typeof import('./statement-heads')).POSTGRES_STATEMENT_HEADS),
    // pg checks the host name unless told not to: verify-ca turns that check off.
    tls: { identity: (mode) => (mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}) },
    passwordHolder: () => new (require('./password-holder') as typeof import('./password-holder')).PgConnection(),
    pooler: { detect: (knex) => (require('./pooler') as typeof import('./pooler')).detectPooler(knex) },
  },
  // Loaded with the guard, on first read (lib/lazy.ts explains why).
  {
    guardRules: () => (require('./guard-rules') as typeof import('./guard-rules')).POSTGRES_GUARD_RULES,
    rawConnection: () => (require('./raw-connection-methods') as typeof import('./raw-connection-methods')).POSTGRES_RAW_METHODS,
    guardText: () => (require('./guard-text') as typeof import('./guard-text')).POSTGRES_GUARD_TEXT,
    replicas: () => (require('./replica-rules') as typeof import('./replica-rules')).POSTGRES_REPLICA_RULES,
  },
);
