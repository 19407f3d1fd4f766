import { expect } from 'chai';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { connectorPlaceholders, formatLikeConnector } from '../../lib/dialects/mysql/connector-format';
import { seededRandom } from '../support/spelling-variants';

/*
 * The guard writes bound values in for the mariadb connector where the connector itself
 * would (connector-format.ts). Its reading is checked against the connector's own
 * `splitQuery` (an ES module file its package does not export, required by path), on texts
 * built from the characters its lexer reacts to.
 */

type SplitQuery = (query: Buffer) => number[];

describe('connector-format: the mariadb connector\'s placeholders', () => {
  let splitQuery: SplitQuery;

  before(() => {
    const file = join(require.resolve('mariadb/callback'), '..', '..', 'lib', 'misc', 'parse.js');
    splitQuery = (require(file) as { splitQuery: SplitQuery }).splitQuery;
  });

  /** The connector's answer as `?` offsets (it reports [start, end) pairs of byte offsets; ASCII text here). */
  const theirs = (sql: string): number[] => splitQuery(Buffer.from(sql, 'latin1')).filter((_, i) => i % 2 === 0);

  it('agrees with the connector on hand-picked texts', () => {
    for (const sql of ["select ? '?' \"?\" `?` /* ? */ # ?\n ? -- ?\n ?", 'select 1 /*/ ? */', "select '\\'?' , ?", "select \"a\\\" ? \" ?", "select ?--?\n?", "select 1 --\t?\n?", '/*! ? */ ?', "'it''s ?' ?", '?']) {
      expect(connectorPlaceholders(sql), sql).to.deep.equal(theirs(sql));
    }
  });

  it('agrees with the connector on 20,000 random texts of the characters its lexer reads', () => {
    const alphabet = ['?', "'", '"', '`', '\\', '/', '*', '#', '-', '\n', ' ', '\t', 'a', ':'];
    const random = seededRandom(20261202);
    let placeholders = 0;
    for (let n = 0; n < 20000; n++) {
      let sql = '';
      const length = 1 + Math.floor(random() * 24);
      for (let i = 0; i < length; i++) sql += alphabet[Math.floor(random() * alphabet.length)];
      const ours = connectorPlaceholders(sql);
      expect(ours, JSON.stringify(sql)).to.deep.equal(theirs(sql));
      placeholders += ours.length;
    }
    // The texts exercised placeholders, not just their absence.
    expect(placeholders).to.be.above(3000);
  });

  it('writes each value at the connector\'s placeholder, Buffers as hex, and leaves ? without a value', () => {
    const escape = (value: unknown): string => `<${String(value)}>`;
    expect(formatLikeConnector("select ?, '?', /*/ ? */ ?", ['a', Buffer.from([0, 0x27, 0xff]), 'c'], escape)).to.equal("select <a>, '?', /*/ X'0027ff' */ <c>");
    expect(formatLikeConnector('select ?, ?', ['only'], escape)).to.equal('select <only>, ?');
    expect(formatLikeConnector('select ?', 'one', escape)).to.equal('select <one>');
  });

  it('writes dates, String objects and lists as the connector\'s query path does, and gives up on a stream', () => {
    // The connector's own escape (misc/utils.js, required by path like its splitQuery above).
    const utils = require(join(require.resolve('mariadb/callback'), '..', '..', 'lib', 'misc', 'utils.js')) as { escape: (opts: object, info: object, value: unknown) => string };
    const info = { collation: { charset: 'utf8' }, isMariaDB: () => true, hasMinVersion: () => true };
    const escape = (value: unknown): string => utils.escape({}, info, value);
    const at = new Date(2020, 0, 2, 3, 4, 5, 6);
    expect(formatLikeConnector('select ?', [at], escape)).to.equal("select '2020-1-2 3:4:5.006'");
    expect(formatLikeConnector('select ?', [new Date(2020, 0, 2, 3, 4, 5, 0)], escape)).to.equal("select '2020-1-2 3:4:5'");
    expect(formatLikeConnector('select ?', [new String("it's")], escape)).to.equal("select 'it\\'s'");
    expect(formatLikeConnector('select ?', [[new String('a'), at]], escape)).to.equal("select 'a','2020-1-2 3:4:5.006'");
    expect(formatLikeConnector('select ?', [Readable.from(['data'])], escape)).to.equal(null);
  });
});
