import { expect } from 'chai';
import { join } from 'node:path';
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
});
