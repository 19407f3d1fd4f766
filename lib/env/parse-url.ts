import { EnvContractError } from '../errors';
import type { Dialect } from '../types';
import { dialectModule } from '../dialects/registry';
import { URL_SCHEMES, type Field } from './contract';
import { at } from './level-of';

export interface ParsedUrl {
  dialect: Dialect;
  /** Decoded values by field; the password among them is never echoed by any error. */
  values: Partial<Record<Field, string>>;
}

/**
 * MySQL's `ssl-mode` names (DISABLED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY) map onto the
 * libpq ones; `ssl=true|1` means verify-full, `ssl=false|0` disable (env/tls.ts). The
 * parameters a URL may carry are its dialect's `env.urlParams`: one the driver would
 * silently ignore is a misconfiguration (E_ENV_URL_PARAM).
 */
const MYSQL_SSL_MODES: Readonly<Record<string, string>> = {
  disabled: 'disable',
  preferred: 'prefer',
  required: 'require',
  verify_ca: 'verify-ca',
  verify_identity: 'verify-full',
};

/**
 * Parses a connection URL (`postgres://user:pa%40ss@[::1]:5432/db?sslmode=require`,
 * `mysql://…`, `sqlite:./data/app.db`). Percent-encoded parts are decoded; IPv6 hosts lose
 * their brackets. Errors name `variable` and never echo the value: it holds a password.
 * `entry` (1-based) names one URL of a list variable (`PG_READ_URL=url1,url2`).
 */
export function parseUrl(value: string, variable: string, entry?: number): ParsedUrl {
  const where = entry === undefined ? at(variable) : `entry ${entry} of ${at(variable)}`;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  const dialect = scheme === undefined ? undefined : URL_SCHEMES[scheme];
  if (!dialect) {
    throw new EnvContractError(
      'E_ENV_URL',
      `${where} does not start with a known scheme.`,
      { variables: [variable], remedy: `Write ${variable} as postgres://user:password@host:port/database (also postgresql://), mysql:// or mariadb://${variable === 'DATABASE_URL' ? ', or sqlite:path / file:path' : ''}.` },
    );
  }
  const { server, urlParams } = dialectModule(dialect).env;
  if (!server) return { dialect, values: { filename: filePath(value, scheme ?? '', variable, where) } };

  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw malformed(variable, where, 'is not a valid URL');
  }
  const values: Partial<Record<Field, string>> = {};
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host) values.host = decode(host, variable, where, 'host');
  if (url.port) values.port = url.port;
  if (url.username) values.user = decode(url.username, variable, where, 'user name');
  if (url.password) values.password = decode(url.password, variable, where, 'password');
  const database = url.pathname.replace(/^\//, '');
  if (database.includes('/')) throw malformed(variable, where, 'has a path of more than one segment (the database name)');
  if (database) values.database = decode(database, variable, where, 'database name');
  for (const [name, raw] of url.searchParams) {
    const field = urlParams[name];
    if (!field) {
      throw new EnvContractError(
        'E_ENV_URL_PARAM',
        `${where} has the query parameter "${safeName(name)}", which knex-roles does not pass on.`,
        { variables: [variable], remedy: `Remove it. Accepted for ${dialect}: ${Object.keys(urlParams).join(', ')}; other settings go in the knex config.` },
      );
    }
    values[field] = field === 'sslmode' ? sslWord(name, raw) : raw;
  }
  return { dialect, values };
}

function sslWord(name: string, raw: string): string {
  const lower = raw.trim().toLowerCase();
  if (name === 'ssl-mode' || (name === 'sslmode' && lower in MYSQL_SSL_MODES)) return MYSQL_SSL_MODES[lower] ?? lower;
  return lower;
}

/** The path of a file database's URL (`sqlite:./app.db`, `sqlite:///abs/app.db`). */
function filePath(value: string, scheme: string, variable: string, where: string): string {
  let rest = value.slice(scheme.length + 1);
  if (rest.includes('?')) throw malformed(variable, where, 'has query parameters, which SQLite URLs do not take');
  if (rest.startsWith('//')) rest = rest.slice(2);
  if (rest === '') throw malformed(variable, where, 'names no SQLite file');
  return decode(rest, variable, where, 'path');
}

function decode(part: string, variable: string, where: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw malformed(variable, where, `has a badly percent-encoded ${what}`);
  }
}

/** E_ENV_URL for `variable`; `where` is how the message names it (with the list entry, if any). */
export function malformed(variable: string, where: string, why: string): EnvContractError {
  return new EnvContractError('E_ENV_URL', `${where} ${why}.`, { variables: [variable], remedy: `Fix ${variable}: scheme://user:password@host:port/database, with reserved characters in the user name or password percent-encoded (@ as %40, : as %3A, / as %2F).` });
}

/** A parameter name is echoed only when it looks like one (a name cannot carry a secret then). */
function safeName(name: string): string {
  return /^[A-Za-z0-9_.-]{1,40}$/.test(name) ? name : '(unprintable)';
}
