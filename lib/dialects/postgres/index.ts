import { createHash } from 'node:crypto';
import { lazyProvision, type DialectModule, type ProvisionModule } from '../dialect';
import { restrictBookkeepingSql } from './bookkeeping';
import { POSTGRES_GUARD_RULES } from './guard-rules';
import { PostgresLexer } from './lexer';
import { POSTGRES_RAW_METHODS } from './raw-connection-methods';
import { POSTGRES_REPLICA_RULES } from './replica-rules';
import { PgConnection } from './password-holder';
import { dropPostgresTables, listPostgresTables } from './tables';

/** PostgreSQL (pg). Provisioning and verification load on first use (lib/lazy.ts explains why). */
export const postgres: DialectModule = {
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
      return [0x6b6e7872, createHash('sha256').update(table).digest().readInt32BE(0)];
    },
    trySql: 'select pg_try_advisory_lock(?, ?) as ok',
    taken: (result) => (result as { rows: Array<{ ok: boolean }> }).rows[0]?.ok === true,
    releaseSql: 'select pg_advisory_unlock(?, ?)',
  },
  bookkeeping: {
    // The app may read knex's tables, never write them (see bookkeeping.ts).
    inCreation: async (trx, tableName, schemaName) => void (await trx.raw(restrictBookkeepingSql(tableName, schemaName))),
  },
  tables: { list: listPostgresTables, drop: dropPostgresTables },
  provision: lazyProvision(() => require('./provision') as ProvisionModule),
  verify: (query, role, options) => (require('./verify') as typeof import('./verify')).verifyPostgres(query, role, options),
  lexer: (sql, options) => new PostgresLexer(sql, options),
  guardRules: POSTGRES_GUARD_RULES,
  rawConnection: POSTGRES_RAW_METHODS,
  replicas: POSTGRES_REPLICA_RULES,
  // pg checks the host name unless told not to: verify-ca turns that check off.
  tls: { identity: (mode) => (mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}) },
  passwordHolder: () => new PgConnection(),
  pooler: { detect: (knex) => (require('./pooler') as typeof import('./pooler')).detectPooler(knex) },
};
