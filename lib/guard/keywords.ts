import type { Dialect } from '../types';
import type { StatementKind } from './classify';

/**
 * Leading-keyword tables: what a statement is, from its first word, per dialect. Most
 * entries are final (`H_SIMPLE`); the others name a handler in classify.ts that reads a
 * few more tokens (the object of CREATE, the variable of SET, the statement EXPLAIN
 * explains…). A word missing from a dialect's table is refused as kind 'other'.
 *
 * Decisions where the runtime role could go either way:
 * - CALL (pg, MySQL) is allowed as a write: a procedure runs with its own definer or
 *   invoker rights, and creating or replacing one is refused.
 * - EXECUTE (pg) is allowed: it runs a statement that was judged when it was PREPAREd;
 *   PREPARE name AS stmt is judged as stmt. MySQL PREPARE … FROM / EXECUTE are refused:
 *   the prepared text comes from a string or variable the guard cannot see.
 * - EXPLAIN, DESCRIBE … stmt and MariaDB SET STATEMENT … FOR stmt are judged as stmt, even
 *   without ANALYZE (fail closed).
 * - RESET (pg, incl. RESET ROLE / RESET SESSION AUTHORIZATION) is allowed: it only goes back
 *   toward the login role. SET ROLE x (SET role = x, set_config('role', x, …)) and SET SESSION
 *   AUTHORIZATION x are refused; SET ROLE NONE and SET SESSION AUTHORIZATION DEFAULT, which
 *   are the RESET forms, are allowed. SET SESSION CHARACTERISTICS is an allowed session setting.
 * - LOCK TABLE (pg) is allowed: a data-plane lock inside the app's transaction. MySQL LOCK
 *   TABLES / LOCK INSTANCE are refused; UNLOCK TABLES is allowed (it only releases).
 * - COPY … FROM STDIN / TO STDOUT (pg) is allowed; COPY with a file name or PROGRAM is not.
 * - XA (MySQL) and PREPARE TRANSACTION / COMMIT PREPARED (pg) are allowed transaction control.
 * - MariaDB ANALYZE stmt (EXPLAIN ANALYZE of a statement) is judged as stmt, like EXPLAIN.
 * - MySQL OPTIMIZE / REPAIR / ANALYZE (MariaDB runs them with DML privileges) and CHECK
 *   TABLE (maintenance; it can rewrite table status) are refused; CHECKSUM TABLE, HELP and
 *   DO expr are allowed reads; MariaDB BEGIN NOT ATOMIC (compound statement) is refused.
 * - SQLite ATTACH is refused (it opens or creates a database file at any path); DETACH is
 *   allowed. PRAGMA: see lib/dialects/sqlite/pragmas.ts.
 * - DDL through temporary objects is refused like any DDL (`CREATE TEMPORARY TABLE` is its
 *   own keyword, so it can be opted in alone with dangerouslyAllow).
 */

export const H_SIMPLE = 0;
export const H_WITH = 1;
/** INSERT / REPLACE / MERGE: their own `INTO` is not a SELECT … INTO. */
export const H_INSERT = 2;
/** CREATE / ALTER / DROP: keyword completed with the object type. */
export const H_DDL = 3;
/** Keyword is the verb plus the next word: RESET MASTER, INSTALL PLUGIN, STOP REPLICA… */
export const H_VERB_WORD = 4;
/** MySQL OPTIMIZE / REPAIR / ANALYZE / CHECK [NO_WRITE_TO_BINLOG | LOCAL] TABLE. */
export const H_TABLE_MAINTENANCE = 5;
export const H_START = 6;
export const H_BEGIN_MYSQL = 7;
export const H_PREPARE_PG = 8;
export const H_SET_PG = 9;
export const H_SET_MYSQL = 10;
export const H_EXPLAIN = 11;
export const H_DESCRIBE_MYSQL = 12;
export const H_COPY = 13;
export const H_PRAGMA = 14;
export const H_LOAD_MYSQL = 15;
export const H_LOCK_MYSQL = 16;
export const H_RENAME_MYSQL = 17;

export interface HeadRule {
  /** The leading word this rule is for, upper case (lookups verify it: hashes may collide). */
  readonly word: string;
  readonly handler: number;
  /** The normalized keyword (for H_SIMPLE the final one; otherwise the verb). */
  readonly keyword: string;
  readonly kind: StatementKind;
  readonly allowed: boolean;
  readonly reason?: string;
}

export const REASON_DDL = 'changes the schema';
export const REASON_PRIVILEGE = 'changes privileges or identity';
export const REASON_MAINTENANCE = 'maintenance command';
export const REASON_SERVER = 'changes server state';
export const REASON_UNKNOWN = 'unrecognized statement';

type Entry = [word: string, handler: number, kind: StatementKind, allowed: boolean, reason?: string, keyword?: string];

const allow = (word: string, kind: StatementKind, handler = H_SIMPLE, keyword?: string): Entry => [word, handler, kind, true, undefined, keyword];
const refuse = (word: string, kind: StatementKind, reason: string, handler = H_SIMPLE, keyword?: string): Entry => [word, handler, kind, false, reason, keyword];

const DDL_VERBS: Entry[] = [refuse('CREATE', 'ddl', REASON_DDL, H_DDL), refuse('ALTER', 'ddl', REASON_DDL, H_DDL), refuse('DROP', 'ddl', REASON_DDL, H_DDL)];

const POSTGRES: Entry[] = [
  allow('SELECT', 'read'),
  allow('VALUES', 'read'),
  allow('TABLE', 'read'),
  allow('SHOW', 'read'),
  allow('FETCH', 'read'),
  allow('MOVE', 'read'),
  allow('DECLARE', 'read'),
  allow('WITH', 'read', H_WITH),
  allow('INSERT', 'write', H_INSERT),
  allow('MERGE', 'write', H_INSERT),
  allow('UPDATE', 'write'),
  allow('DELETE', 'write'),
  // Procedures run with their own (definer or invoker) rights; creating one is refused.
  allow('CALL', 'write'),
  // EXECUTE runs a statement prepared earlier, which the guard judged when it was PREPAREd.
  allow('EXECUTE', 'write'),
  allow('NOTIFY', 'write'),
  allow('BEGIN', 'transaction'),
  allow('START', 'transaction', H_START),
  allow('COMMIT', 'transaction'),
  allow('END', 'transaction'),
  allow('ROLLBACK', 'transaction'),
  allow('ABORT', 'transaction'),
  allow('SAVEPOINT', 'transaction'),
  allow('RELEASE', 'transaction'),
  // A data-plane lock inside the app's own transaction: allowed.
  allow('LOCK', 'transaction', H_SIMPLE, 'LOCK TABLE'),
  allow('PREPARE', 'write', H_PREPARE_PG),
  allow('SET', 'session', H_SET_PG),
  // RESET (incl. RESET ROLE / SESSION AUTHORIZATION) only goes back toward the login role.
  allow('RESET', 'session'),
  allow('DISCARD', 'session'),
  allow('DEALLOCATE', 'session'),
  allow('LISTEN', 'session'),
  allow('UNLISTEN', 'session'),
  allow('CLOSE', 'session'),
  allow('EXPLAIN', 'read', H_EXPLAIN),
  allow('COPY', 'write', H_COPY),
  ...DDL_VERBS,
  refuse('TRUNCATE', 'ddl', REASON_DDL),
  refuse('COMMENT', 'ddl', REASON_DDL),
  refuse('IMPORT', 'ddl', REASON_DDL, H_SIMPLE, 'IMPORT FOREIGN SCHEMA'),
  refuse('REFRESH', 'ddl', REASON_DDL, H_SIMPLE, 'REFRESH MATERIALIZED VIEW'),
  refuse('GRANT', 'privilege', REASON_PRIVILEGE),
  refuse('REVOKE', 'privilege', REASON_PRIVILEGE),
  refuse('SECURITY', 'privilege', REASON_PRIVILEGE, H_SIMPLE, 'SECURITY LABEL'),
  refuse('REASSIGN', 'privilege', REASON_PRIVILEGE, H_SIMPLE, 'REASSIGN OWNED'),
  refuse('VACUUM', 'other', REASON_MAINTENANCE),
  refuse('ANALYZE', 'other', REASON_MAINTENANCE),
  refuse('ANALYSE', 'other', REASON_MAINTENANCE, H_SIMPLE, 'ANALYZE'),
  refuse('REINDEX', 'other', REASON_MAINTENANCE),
  refuse('CLUSTER', 'other', REASON_MAINTENANCE),
  refuse('CHECKPOINT', 'other', REASON_MAINTENANCE),
  refuse('LOAD', 'other', 'loads a shared library into the server'),
  refuse('DO', 'other', 'runs an anonymous code block'),
];

const MYSQL: Entry[] = [
  allow('SELECT', 'read'),
  allow('VALUES', 'read'),
  allow('TABLE', 'read'),
  allow('SHOW', 'read'),
  allow('HELP', 'read'),
  allow('DO', 'read'),
  // GET [CURRENT | STACKED] DIAGNOSTICS: reads the last statement's conditions (the only GET statement).
  allow('GET', 'read', H_SIMPLE, 'GET DIAGNOSTICS'),
  allow('CHECKSUM', 'read', H_SIMPLE, 'CHECKSUM TABLE'),
  allow('WITH', 'read', H_WITH),
  allow('DESCRIBE', 'read', H_DESCRIBE_MYSQL),
  allow('DESC', 'read', H_DESCRIBE_MYSQL),
  allow('EXPLAIN', 'read', H_DESCRIBE_MYSQL),
  allow('INSERT', 'write', H_INSERT),
  allow('REPLACE', 'write', H_INSERT),
  allow('UPDATE', 'write'),
  allow('DELETE', 'write'),
  allow('CALL', 'write'),
  allow('BEGIN', 'transaction', H_BEGIN_MYSQL),
  allow('START', 'transaction', H_START),
  allow('COMMIT', 'transaction'),
  allow('ROLLBACK', 'transaction'),
  allow('SAVEPOINT', 'transaction'),
  allow('RELEASE', 'transaction'),
  // XA is distributed-transaction control over the app's own data.
  allow('XA', 'transaction'),
  allow('SET', 'session', H_SET_MYSQL),
  allow('USE', 'session'),
  allow('DEALLOCATE', 'session', H_SIMPLE, 'DEALLOCATE PREPARE'),
  // Releasing locks is harmless (taking them with LOCK TABLES is refused).
  allow('UNLOCK', 'session', H_SIMPLE, 'UNLOCK TABLES'),
  ...DDL_VERBS,
  refuse('RENAME', 'ddl', REASON_DDL, H_RENAME_MYSQL),
  refuse('TRUNCATE', 'ddl', REASON_DDL),
  refuse('GRANT', 'privilege', REASON_PRIVILEGE),
  refuse('REVOKE', 'privilege', REASON_PRIVILEGE),
  refuse('LOAD', 'other', 'reads a file into a table', H_LOAD_MYSQL),
  refuse('PREPARE', 'other', 'prepares SQL text the guard cannot see'),
  refuse('EXECUTE', 'other', 'runs SQL prepared from text the guard could not see'),
  refuse('LOCK', 'other', 'takes table or instance locks', H_LOCK_MYSQL),
  refuse('OPTIMIZE', 'other', REASON_MAINTENANCE, H_TABLE_MAINTENANCE),
  refuse('REPAIR', 'other', REASON_MAINTENANCE, H_TABLE_MAINTENANCE),
  refuse('ANALYZE', 'other', REASON_MAINTENANCE, H_TABLE_MAINTENANCE),
  refuse('CHECK', 'other', REASON_MAINTENANCE, H_TABLE_MAINTENANCE),
  refuse('HANDLER', 'other', 'reads storage-engine handlers directly'),
  refuse('FLUSH', 'other', REASON_SERVER),
  refuse('KILL', 'other', REASON_SERVER),
  refuse('SHUTDOWN', 'other', REASON_SERVER),
  refuse('RESTART', 'other', REASON_SERVER),
  refuse('PURGE', 'other', REASON_SERVER),
  refuse('BINLOG', 'other', REASON_SERVER),
  refuse('CLONE', 'other', REASON_SERVER),
  refuse('RESET', 'other', REASON_SERVER, H_VERB_WORD),
  refuse('CHANGE', 'other', REASON_SERVER, H_VERB_WORD),
  refuse('STOP', 'other', REASON_SERVER, H_VERB_WORD),
  refuse('INSTALL', 'other', REASON_SERVER, H_VERB_WORD),
  refuse('UNINSTALL', 'other', REASON_SERVER, H_VERB_WORD),
  refuse('CACHE', 'other', REASON_SERVER, H_SIMPLE, 'CACHE INDEX'),
  refuse('IMPORT', 'ddl', REASON_DDL, H_SIMPLE, 'IMPORT TABLE'),
];

const SQLITE: Entry[] = [
  allow('SELECT', 'read'),
  allow('VALUES', 'read'),
  allow('WITH', 'read', H_WITH),
  allow('EXPLAIN', 'read', H_EXPLAIN),
  allow('PRAGMA', 'read', H_PRAGMA),
  allow('INSERT', 'write', H_INSERT),
  allow('REPLACE', 'write', H_INSERT),
  allow('UPDATE', 'write'),
  allow('DELETE', 'write'),
  allow('BEGIN', 'transaction'),
  allow('COMMIT', 'transaction'),
  allow('END', 'transaction'),
  allow('ROLLBACK', 'transaction'),
  allow('SAVEPOINT', 'transaction'),
  allow('RELEASE', 'transaction'),
  // Detaching only closes a database this connection attached; attaching is refused.
  allow('DETACH', 'session'),
  ...DDL_VERBS,
  refuse('ATTACH', 'other', 'opens or creates another database file'),
  refuse('VACUUM', 'other', REASON_MAINTENANCE),
  refuse('REINDEX', 'other', REASON_MAINTENANCE),
  refuse('ANALYZE', 'other', REASON_MAINTENANCE),
];

/**
 * Case-insensitive (ASCII) hash of `s[start, end)`, computed from char codes so looking up a
 * statement's first word allocates nothing.
 */
export function wordHash(s: string, start: number, end: number): number {
  let h = end - start;
  for (let i = start; i < end; i++) {
    let c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) c -= 32;
    h = (Math.imul(h, 31) + c) & 0x3fffffff;
  }
  // 30 bits: stays a small integer (Smi) in V8, so Map lookups neither hash nor allocate a heap number.
  return h;
}

function table(entries: Entry[]): ReadonlyMap<number, HeadRule> {
  const map = new Map<number, HeadRule>();
  for (const [word, handler, kind, allowed, reason, keyword] of entries) {
    const rule: HeadRule = reason === undefined ? { word, handler, keyword: keyword ?? word, kind, allowed } : { word, handler, keyword: keyword ?? word, kind, allowed, reason };
    const hash = wordHash(word, 0, word.length);
    if (map.has(hash)) throw new Error(`keyword hash collision: ${word}`);
    map.set(hash, rule);
  }
  return map;
}

/** Leading-word rules per dialect, keyed by `wordHash` of the upper-case word. */
export const HEAD_RULES: Readonly<Record<Dialect, ReadonlyMap<number, HeadRule>>> = {
  postgres: table(POSTGRES),
  mysql: table(MYSQL),
  sqlite: table(SQLITE),
};

/**
 * Object types after CREATE / ALTER / DROP, each with the words that may follow it to form
 * a longer object name (`MATERIALIZED` + `VIEW`). An empty follower list means the word
 * alone is the object; a word only listed with followers (`FOREIGN`, `TEXT`) is an object
 * only when one of them follows (`CREATE SPATIAL INDEX` is an INDEX).
 */
export interface DdlObject {
  readonly alone: boolean;
  readonly then: readonly (readonly string[])[];
}

export const DDL_OBJECTS: ReadonlyMap<string, DdlObject> = new Map<string, DdlObject>([
  ...[
    'TABLE', 'INDEX', 'VIEW', 'SEQUENCE', 'SCHEMA', 'DATABASE', 'FUNCTION', 'PROCEDURE', 'ROUTINE', 'TRIGGER', 'TYPE', 'DOMAIN',
    'EXTENSION', 'ROLE', 'GROUP', 'POLICY', 'RULE', 'SERVER', 'TABLESPACE', 'COLLATION', 'CONVERSION', 'LANGUAGE', 'CAST',
    'TRANSFORM', 'PUBLICATION', 'SUBSCRIPTION', 'STATISTICS', 'SYSTEM', 'OWNED', 'INSTANCE', 'PACKAGE', 'SYNONYM', 'PREPARE',
  ].map((word): [string, DdlObject] => [word, { alone: true, then: [] }]),
  ['EVENT', { alone: true, then: [['TRIGGER']] }],
  ['USER', { alone: true, then: [['MAPPING']] }],
  ['OPERATOR', { alone: true, then: [['CLASS'], ['FAMILY']] }],
  ['AGGREGATE', { alone: true, then: [['FUNCTION']] }],
  ['MATERIALIZED', { alone: false, then: [['VIEW']] }],
  ['FOREIGN', { alone: false, then: [['TABLE'], ['DATA', 'WRAPPER']] }],
  ['TEXT', { alone: false, then: [['SEARCH', 'CONFIGURATION'], ['SEARCH', 'DICTIONARY'], ['SEARCH', 'PARSER'], ['SEARCH', 'TEMPLATE']] }],
  ['ACCESS', { alone: false, then: [['METHOD']] }],
  ['DEFAULT', { alone: false, then: [['PRIVILEGES']] }],
  ['LARGE', { alone: false, then: [['OBJECT']] }],
  ['LOGFILE', { alone: false, then: [['GROUP']] }],
  ['RESOURCE', { alone: false, then: [['GROUP']] }],
  ['UNDO', { alone: false, then: [['TABLESPACE']] }],
  ['SPATIAL', { alone: false, then: [['REFERENCE', 'SYSTEM']] }],
  ['VIRTUAL', { alone: false, then: [['TABLE']] }],
]);

/** Objects whose CREATE / ALTER / DROP is kind 'privilege' rather than 'ddl'. */
export const PRIVILEGE_OBJECTS: ReadonlySet<string> = new Set(['ROLE', 'USER', 'GROUP', 'DEFAULT PRIVILEGES']);
