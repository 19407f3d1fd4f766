import { EnvContractError } from '../errors';
import { dialectModules, dialectModule } from '../dialects/registry';
import type { Dialect } from '../types';
import { DEFAULTS, FAMILY, URL_SCHEMES, readUrlLevelsFor, type Mode } from './contract';
import { holdPassword, passwordOf } from './hide-password';
import { at } from './level-of';
import { readVariable, type Env } from './load-env';
import { malformed, parseUrl } from './parse-url';
import { parsePort } from './parse-port';
import { sslOption } from './tls';
import type { ServerConnection } from './resolve-connection';

/** One read replica of the runtime connection. */
export interface ResolvedReplica {
  connection: ServerConnection;
  /** The variable the list came from (`PG_READ_URL` …). */
  variable: string;
  /** Its place in that list, from 1. */
  entry: number;
}

/**
 * The read replicas of a runtime connection: the most specific read-URL variable that is
 * set (`PG_RUNTIME_READ_URL`, else `PG_READ_URL`; test mode the `PG_TEST_*` pair), one URL
 * or a comma-separated list. Each URL names the host (and port, default the dialect's);
 * the user and password it leaves out are the runtime connection's (a URL naming the
 * runtime user without a password takes the runtime password too), and so are the
 * database name and TLS settings. Empty when none is set.
 */
export function resolveReadReplicas(env: Env, dialect: Dialect, mode: Mode, primary: ServerConnection, cwd: string): ResolvedReplica[] {
  for (const variable of readUrlLevelsFor(dialect, mode)) {
    const value = readVariable(env, variable, true);
    if (value === undefined) continue;
    const entries = value.split(',').map((entry) => entry.trim());
    return entries.map((entry, index) => replica(entry, variable, index + 1, entries.length, dialect, primary, cwd));
  }
  return [];
}

function replica(value: string, variable: string, entry: number, count: number, dialect: Dialect, primary: ServerConnection, cwd: string): ResolvedReplica {
  const where = count > 1 ? `entry ${entry} of ${at(variable)}` : at(variable);
  if (value === '') throw malformed(variable, where, 'is empty (a list is URL,URL with no empty entries; a comma inside a password is written %2C)');
  const url = parseUrl(value, variable, count > 1 ? entry : undefined);
  if (url.dialect !== dialect) {
    // (A URL of the other server family is caught before, by misplacedReadUrl.)
    throw new EnvContractError('E_ENV_URL_DIALECT', `${where} is a ${url.dialect} URL, but the dialect is ${dialect}.`, { variables: [variable], remedy: `Make every entry of ${variable} a ${dialect} URL (${dialectModule(url.dialect).replicas ? 'scheme://host:port' : `${dialectModule(url.dialect).label} has no read replicas`}).` });
  }
  const { values } = url;
  if (values.host === undefined) throw malformed(variable, where, 'names no host (a read URL says where the replica is: scheme://host:port)');
  const ownUser = values.user === undefined || values.user === primary.user;
  const fields: Omit<ServerConnection, 'password'> = {
    host: values.host,
    port: parsePort(dialect, values.port, variable) ?? Number(DEFAULTS[dialect].port),
    user: values.user ?? primary.user,
    database: values.database ?? primary.database,
  };
  const ssl =
    values.sslmode === undefined && values.sslca === undefined
      ? primary.ssl
      : sslOption({
          dialect,
          cwd,
          ...(values.sslmode !== undefined ? { mode: values.sslmode, modeVariable: variable } : {}),
          ...(values.sslca !== undefined ? { ca: values.sslca, caVariable: variable } : {}),
        });
  if (ssl !== undefined) fields.ssl = ssl;
  const password = values.password ?? (ownUser ? passwordOf(primary) : undefined);
  return { connection: holdPassword(dialect, fields, password) as ServerConnection, variable, entry };
}

/**
 * A read URL of a server family whose scheme names the other family (`DB_READ_URL=postgres://…`:
 * `DB_` is MySQL's family): an error whatever the dialect, since no dialect reads it as meant.
 */
export function misplacedReadUrl(env: Env, mode: Mode): EnvContractError | undefined {
  for (const dialect of replicaDialects()) {
    for (const variable of readUrlLevelsFor(dialect, mode)) {
      const value = readVariable(env, variable, true);
      const scheme = value === undefined ? undefined : /^\s*([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
      const named = scheme === undefined ? undefined : URL_SCHEMES[scheme];
      if (named === undefined || named === dialect || !dialectModule(named).env.server) continue;
      const right = `${FAMILY[named]}${variable.slice(FAMILY[dialect].length)}`;
      return new EnvContractError('E_ENV_URL_DIALECT', `${at(variable)} holds a ${named} URL, but ${FAMILY[dialect]}_ is the ${dialect} family.`, { variables: [variable], remedy: `Put ${named} replicas in ${right} and unset ${variable}.` });
    }
  }
  return undefined;
}

/**
 * SQLite has no read replicas: a read URL set for the runtime role while the dialect is
 * SQLite would be ignored, so it is an error (the migration role never reads them).
 */
export function readUrlsOnSqlite(env: Env, mode: Mode, dialectSource: string): EnvContractError | undefined {
  const set = replicaDialects().flatMap((dialect) => readUrlLevelsFor(dialect, mode)).filter((variable) => readVariable(env, variable, true) !== undefined);
  if (set.length === 0) return undefined;
  const by = dialectSource === 'default' ? 'nothing else is configured' : `the dialect is sqlite (from ${dialectSource.replace(/^inferred from /, '')})`;
  return new EnvContractError(
    'E_ENV_NOT_READ',
    `${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set, but ${by}, and SQLite has no read replicas.`,
    { variables: set, remedy: `Unset ${set.join(' and ')}, or point DB_CONNECTION and the runtime variables at the PostgreSQL or MySQL server the replicas follow.` },
  );
}

/** The dialects with read replicas (their read-URL variables exist). */
function replicaDialects(): Dialect[] {
  return dialectModules().filter((module) => module.replicas !== undefined).map((module) => module.name);
}
