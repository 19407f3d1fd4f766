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
