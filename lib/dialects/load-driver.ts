import { dirname } from 'node:path';
import { ConnectionError } from '../errors';

type Pg = typeof import('pg');
type Mysql2 = typeof import('mysql2/promise');

/**
 * The database drivers are optional peer dependencies: an app installs the one it uses.
 * They load here, on first use (provisioning, password checks), never at import, so
 * `require('knex-roles')` works in an app that has only one of them, and costs no more
 * than knex itself.
 */
function load<T>(name: string, install: string): T {
  try {
    return require(name) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ConnectionError('E_DRIVER_MISSING', `The ${install} driver is not installed.`, { remedy: `npm install ${install} (knex-roles loads it only for this dialect).`, cause: error });
  }
}

export const loadPg = (): Pg => load<Pg>('pg', 'pg');
export const loadMysql2 = (): Mysql2 => load<Mysql2>('mysql2/promise', 'mysql2');

/**
 * The knex client's driver can be loaded from where knex loads it (knex's own directory):
 * else E_DRIVER_MISSING with the install that fixes it, before knex throws its own plain
 * Error from inside its constructor.
 */
export function assertDriver(name: string): void {
  try {
    require.resolve(name, { paths: [dirname(require.resolve('knex'))] });
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new ConnectionError('E_DRIVER_MISSING', `The ${name} driver is not installed.`, { remedy: `npm install ${name} (knex-roles loads it only for this dialect).`, cause: error });
  }
}
