import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';
import { KNEX_CLIENT } from './env/contract';
import { EnvContractError } from './errors';
import { RESOLVE_OPTIONS, resolveConnection, type ResolveOptions, type ResolvedConnection } from './env/resolve-connection';
import { checkedOptions, type OptionSpec } from './checked-options';
import { knexConnection, primeConnectionSettings } from './env/knex-connection';
import { passwordOf } from './env/hide-password';
import { redact } from './redact';
import { refuseMigrate, refusingMigrations } from './guard/refusing-migrations';
import { dialectModule } from './dialects/registry';
import { assertDriver } from './dialects/load-driver';
import type { AfterCreate } from './dialects/dialect';
import type { ReadReplicaOptions } from './replicas/read-routing';

export interface KnexRolesOptions extends ResolveOptions {
  /** Knex settings merged over the generated ones (pool, migrations, seeds, debug …); `client` and `connection` are ours. */
  knex?: Omit<Knex.Config, 'client' | 'connection'>;
  /**
   * Statement keywords a runtime connection may send although the guard refuses them,
   * e.g. `['TRUNCATE']`. Named loudly on purpose: each entry widens what the app user
   * can do, so keep it empty unless the database's own privileges are the real boundary.
   */
  dangerouslyAllow?: readonly string[];
  /** Read replicas (`PG_READ_URL` …): read-your-writes window, connect bound, retry delay. See README › Read replicas. */
  readReplicas?: ReadReplicaOptions;
}

/**
 * Options for a connection already resolved (`resolveConnection()`): the env contract is
 * not read again, so what was resolved (and checked, logged …) is what is used.
 */
export interface ResolvedOptions extends Pick<KnexRolesOptions, 'knex' | 'dangerouslyAllow' | 'readReplicas'> {
  resolved: ResolvedConnection;
}

/** `knexConfig` / `createKnex`: resolve from the env contract, or use `{ resolved }`. */
export type CreateKnexOptions = KnexRolesOptions | ResolvedOptions;

/** The options knexConfig / createKnex read beyond resolveConnection's, and with `{ resolved }` instead of them. */
const INSTANCE_OPTIONS: OptionSpec = { knex: 'object', dangerouslyAllow: 'array', readReplicas: 'object' };
export const KNEX_ROLES_OPTIONS: OptionSpec = { ...RESOLVE_OPTIONS, ...INSTANCE_OPTIONS };
const RESOLVED_OPTIONS: OptionSpec = { resolved: 'object', ...INSTANCE_OPTIONS };

function resolvedFrom(options: CreateKnexOptions, where: string): ResolvedConnection {
  checkedOptions(where, options, typeof options === 'object' && options !== null && 'resolved' in options ? RESOLVED_OPTIONS : KNEX_ROLES_OPTIONS);
  return 'resolved' in options ? options.resolved : resolveConnection(options);
}

/** The knex config for the resolved role and dialect; runtime configs carry the guard. */
export function knexConfig(options: CreateKnexOptions = {}): Knex.Config {
  return configFor(resolvedFrom(options, 'knexConfig()'), options);
}

/** Builds the config from an already resolved connection (data flows one way: env → connection → config). */
export function configFor(resolved: ResolvedConnection, options: Pick<KnexRolesOptions, 'knex' | 'dangerouslyAllow'> = {}): Knex.Config {
  const { role, dialect, connection } = resolved;
  const extra = options.knex ?? {};
  const guardOptions = { role, dangerouslyAllow: options.dangerouslyAllow ?? [], appTemporaryTables: resolved.appTemporaryTables };
  const config: Knex.Config = {
    ...extra,
    // The guarded client (and the guard's modules) loads with the first runtime config, not with knex-roles.
    client: role === 'runtime' ? (require('./guard/client') as typeof import('./guard/client')).guardedClient(dialect, guardOptions) : KNEX_CLIENT[dialect],
    connection: knexConnection(connection) as Knex.Config['connection'],
  };
  const password = 'user' in connection ? passwordOf(connection) : undefined;
  if (password !== undefined) config.log = scrubbedLog(extra.log, [password]);
  // PG_SCHEMA: unqualified names resolve there, and knex keeps its own tables there; explicit knex settings win.
  const { schema } = resolved;
  if (schema !== undefined) {
    config.searchPath = extra.searchPath ?? [schema];
    config.migrations = { schemaName: schema, ...extra.migrations };
  }
  if (role === 'runtime') config.migrations = refusingMigrations(dialect, config.migrations);
  const module = dialectModule(dialect);
  if ('filename' in connection) {
    // The embedded default needs no setup: migrating creates the data directory. A runtime
    // connection never creates the database (client.ts), so it leaves no directory behind either.
    if (role === 'migration' && !module.isSpecialPath?.(connection.filename)) {
      mkdirSync(dirname(connection.filename), { recursive: true });
    }
    config.useNullAsDefault = extra.useNullAsDefault ?? true;
  }
  // The dialect's check or setting on each new connection, before the app's own hook.
  const afterCreate = module.poolHook?.(connection, extra.pool?.afterCreate as AfterCreate | undefined);
  if (afterCreate) config.pool = { ...extra.pool, afterCreate };
  return config;
}

/**
 * knex's own "Acquire connection error" warnings print the driver error's stack; a
 * driver or server may echo a password there, so every knex log line has it removed
 * (in every encoding `redact` knows) before it reaches the user's logger or the console.
 */
function scrubbedLog(log: Knex.Config['log'], secrets: string[]): NonNullable<Knex.Config['log']> {
  const wrap = (level: 'warn' | 'error' | 'deprecate' | 'debug', fallback: (message: string) => void) => {
    const user = log?.[level] as ((message: unknown) => void) | undefined;
    return (message: unknown) => {
      const text = typeof message === 'string' ? redact(message, secrets) : message;
      (user ?? fallback)(text as string);
    };
  };
  return {
    ...log,
    warn: wrap('warn', (m) => console.warn(m)),
    error: wrap('error', (m) => console.error(m)),
    deprecate: wrap('deprecate', (m) => console.warn(m)),
    debug: wrap('debug', (m) => console.debug(m)),
  };
}

export type KnexfileEnvironment = 'development' | 'test' | 'production';

export type Knexfile = Record<KnexfileEnvironment, Knex.Config> & Record<string, Knex.Config>;

export interface KnexfileOptions extends KnexRolesOptions {
  /**
   * More knex environments (`npx knex --env staging …`), each with the options that set
   * it apart, e.g. `{ staging: { production: true, knex: { pool: { max: 4 } } } }`.
   */
  environments?: Record<string, KnexRolesOptions>;
}

const MODES: Record<KnexfileEnvironment, KnexRolesOptions> = {
  development: { test: false, production: false },
  test: { test: true },
  production: { test: false, production: true },
};

/**
 * What `knexfile.ts` exports: one entry per knex environment. Each entry is a config
 * that resolves on first use (and once), so loading the knexfile, or spreading it into
 * your own (`{ ...createKnexfile(), staging: … }`), never throws for an environment
 * that was not selected. An unknown `--env` fails naming the environments there are.
 */
export function createKnexfile(options: KnexfileOptions = {}): Knexfile {
  checkedOptions('createKnexfile()', options, { ...KNEX_ROLES_OPTIONS, environments: 'object' });
  const { environments = {}, ...base } = options;
  const knexfile: Record<string, Knex.Config> = {};
  for (const [environment, mode] of Object.entries({ ...MODES, ...environments })) {
    const defaults = (MODES as Record<string, KnexRolesOptions>)[environment] ?? {};
    knexfile[environment] = lazyConfig(() => knexConfig({ ...base, ...defaults, ...mode, knex: { ...base.knex, ...mode.knex } }));
  }
  return unknownEnvironmentError(knexfile) as Knexfile;
}

/** A config object that is built on its first inspection, then stands for it. */
function lazyConfig(build: () => Knex.Config): Knex.Config {
  let config: Knex.Config | undefined;
  const real = (): Record<PropertyKey, unknown> => (config ??= build()) as Record<PropertyKey, unknown>;
  return new Proxy({} as Knex.Config, {
    get: (_target, key) => real()[key],
    set: (_target, key, value) => Reflect.set(real(), key, value),
    has: (_target, key) => key in real(),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    defineProperty: (_target, key, descriptor) => Reflect.defineProperty(real(), key, descriptor),
    deleteProperty: (_target, key) => Reflect.deleteProperty(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}

// What knex reads from a config; any other name looked up and missing is an environment.
const CONFIG_KEYS = new Set(['client', 'connection', 'ext', 'debug', 'migrations', 'seeds', 'useNullAsDefault', 'pool', 'then', 'default', '__esModule', 'toJSON', 'constructor']);

/**
 * The knex CLI uses the whole knexfile as the config when `--env` names no entry, and
 * then fails on a missing client; here the lookup that missed is named instead.
 */
function unknownEnvironmentError(knexfile: Record<string, Knex.Config>): Record<string, Knex.Config> {
  let missed: string | undefined;
  return new Proxy(knexfile, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !(key in target)) {
        if (!CONFIG_KEYS.has(key)) missed ??= key;
        else if (key === 'client' && missed !== undefined) {
          throw new EnvContractError('E_KNEXFILE_ENV', `The knexfile has no environment ${JSON.stringify(missed)}.`, {
            // The knex CLI writes config keys (ext, migrations …) onto the knexfile it took as a config: not environments.
            remedy: `Use one of ${Object.keys(target).filter((name) => !CONFIG_KEYS.has(name)).join(', ')} (--env or NODE_ENV), or add it with createKnexfile({ environments: { ${missed}: { … } } }).`,
            variables: ['NODE_ENV'],
          });
        }
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

/** A knex instance for the resolved role; runtime instances reject DDL before it is sent. */
export function createKnex(options: CreateKnexOptions = {}): Knex {
  return knexFor(resolvedFrom(options, 'createKnex()'), options);
}

/** The instance for an already resolved connection; runtime instances also refuse every `knex.migrate` command. */
export function knexFor(resolved: ResolvedConnection, options: Pick<KnexRolesOptions, 'knex' | 'dangerouslyAllow' | 'readReplicas'> = {}): Knex {
  assertDriver(KNEX_CLIENT[resolved.dialect]);
  const instance = knex(configFor(resolved, options));
  primeConnectionSettings(instance, resolved.connection);
  if (resolved.role !== 'runtime') return instance;
  // Read routing loads only for an instance that has replicas.
  if (resolved.replicas && resolved.replicas.length > 0) (require('./replicas/read-routing') as typeof import('./replicas/read-routing')).attachReadReplicas(instance, resolved, options);
  return refuseMigrate(instance, resolved.dialect);
}
