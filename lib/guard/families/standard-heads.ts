import { allow, allowWords, refuse, REASON_DDL, type HeadRule } from '../head-rule';
import { ddlFamily } from './ddl';
import { endTransaction } from './end-transaction';
import { insertFamily } from './insert';
import { withFamily } from './with';

/**
 * The statement heads every dialect decides alike (each dialect's statement-heads.ts adds
 * its own): plain reads and writes, transaction control, and CREATE / ALTER / DROP, refused
 * with the keyword completed by the object type.
 */
export const STANDARD_HEADS: readonly HeadRule[] = [
  ...allowWords('read', 'SELECT VALUES'),
  allow('WITH', 'read', withFamily),
  allow('INSERT', 'write', insertFamily),
  ...allowWords('write', 'UPDATE'),
  allow('COMMIT', 'transaction', endTransaction),
  allow('ROLLBACK', 'transaction', endTransaction),
  ...allowWords('transaction', 'SAVEPOINT RELEASE'),
  ...['CREATE', 'ALTER', 'DROP'].map((word) => refuse(word, 'ddl', REASON_DDL, ddlFamily)),
];
