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
