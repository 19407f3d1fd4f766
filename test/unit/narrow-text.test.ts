import { expect } from 'chai';
import { createStatementCheck } from '../../lib/guard/client';
import type { SessionSettings } from '../../lib/guard/session-settings';

// A session the driver writes one byte per character (MySQL latin1, ascii, binary): a character
// above U+00FF goes out as its low byte, and U+00A0 as byte A0, which MariaDB's latin1 reads as
// a space where the guard reads part of a word (red team 47). Both are refused there, nowhere else.

const narrow: SessionSettings = { reading: {}, key: 'narrow', narrowText: true };
const wide: SessionSettings = { reading: {}, key: '' };
const check = createStatementCheck('mysql', { role: 'runtime', dangerouslyAllow: [] });

describe('the guard on a one-byte MySQL session', () => {
  const texts = ['SET @a = 1,\u00a0GLOBAL net_read_timeout = 47', 'select load_file\u00a0(1)', "insert into t (name) values ('caf\u00e9\u00a0bar')", "select 'ħ'"];
  for (const sql of texts) {
    it(`refuses ${JSON.stringify(sql)} (keyword CHARACTER SET)`, () => expect(check(sql, narrow)?.keyword).to.equal('CHARACTER SET'));
  }
  it('lets the other characters up to U+00FF through', () => expect(check("insert into t (name) values ('caf\u00e9 \u00ff \u00bf \u009f')", narrow)).to.equal(undefined));
  it('lets U+00A0 inside a string through on a UTF-8 session, where it is two bytes of a letter', () => expect(check("insert into t (name) values ('a\u00a0b')", wide)).to.equal(undefined));
});
