import { expect } from 'chai';
import { redact } from '../../lib/redact';
import { secretValues } from '../../lib/env/secret-values';

const SECRET = `Mig'r"ator\\$$-ü`;

// [title, rendering of the secret as output may carry it]
const CASES: Array<[string, string]> = [
  ['verbatim', `password ${SECRET} here`],
  ['JSON-escaped (bindings printed with JSON.stringify)', `-- bindings: ${JSON.stringify([SECRET])}`],
  ['SQL-quoted with doubled quotes', `identified by '${SECRET.replace(/'/g, "''")}'`],
  ['MySQL-quoted with backslash escapes', `identified by '${SECRET.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`],
  ['percent-encoded (a URL)', `postgres://app:${encodeURIComponent(SECRET)}@db/x`],
  ['loosely percent-encoded (encodeURI)', `see ${encodeURI(SECRET)}`],
  ['base64', `Authorization: Basic ${Buffer.from(SECRET).toString('base64')}`],
];

describe('redact', () => {
  for (const [title, text] of CASES) {
    it(title, () => {
      const out = redact(text, [SECRET]);
      expect(out).to.include('<redacted>');
      expect(out).not.to.include('ator');
    });
  }

  it('secretValues lists every *_PASSWORD of the contract that is set', () => {
    expect(secretValues({ PG_PASSWORD: 'a1', DB_TEST_MIGRATION_PASSWORD: 'bb22', PG_USER: 'not-a-secret', OTHER_PASSWORD: 'x' })).to.deep.equal(['bb22', 'a1']);
  });

  it('secretValues lists the decoded password of every URL variable', () => {
    expect(secretValues({ PG_URL: 'postgres://u:p%40ss@h/d', DATABASE_URL: 'mysql://u:other@h/d', DB_TEST_URL: 'mysql://u@h/d', OTHER_URL: 'postgres://u:x@h/d' })).to.deep.equal(['other', 'p@ss']);
  });
});
