import { EnvContractError } from '../errors';
import type { Dialect } from '../types';
import { DEFAULTS } from './contract';
import { at } from './level-of';

/** A port value (from `variable`) as a number 1–65535; undefined when unset; E_ENV_PORT otherwise. */
export function parsePort(dialect: Dialect, value: string | undefined, variable: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (port >= 1 && port <= 65535) return port;
  const name = variable ?? 'port';
  throw new EnvContractError('E_ENV_PORT', `${at(name)} is not an integer from 1 to 65535.`, { variables: [name], remedy: `Set ${name} to a port number such as ${DEFAULTS[dialect].port ?? 5432} (the ${dialect === 'postgres' ? 'PostgreSQL' : 'MySQL'} default), or unset it for the default.` });
}
