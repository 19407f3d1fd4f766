import { expect } from 'chai';
import { classifySql } from '../../lib/guard/classify';

/*
 * MySQL / MariaDB executable comments whose reading depends on the server (red team 41): the
 * guard re-reads a text at the comment versions it sees, so a comment must end where it ends
 * on a server that skips it, and no marker may hide inside a string, a name or a comment,
 * where the reading that sees it as a marker is never tried.
 */

const allowed = (sql: string): boolean => classifySql(sql, 'mysql').allowedOnRuntime;

describe('classifySql: mysql executable comments a server may skip', () => {
  it('refuses red team 41\'s text: a third comment hidden in a string the first two open', () => {
    expect(allowed(`select /*!50000 '*/' */ /*!110000 "*/'#" */\n ' /*!50100 into outfile "/tmp/rt41" */ -- '\n`)).to.equal(false);
  });

  for (const sql of ["select 1 /*!50000 , '*/' */", 'select 1 /*M! , "*/" */', "select 1 /*!100100 , 'a*/b' */"]) {
    it(`refuses ${JSON.stringify(sql)}: skipped, it ends at the first */, inside its string`, () => expect(allowed(sql)).to.equal(false));
  }

  const HIDDEN = ["select 'a /*!50000 b */'", 'select `x/*!50000`', 'select 1 /* /*!50000 */, 2', 'select 1 -- /*!50000\n', "select 'a /*M!100100 b */'"];
  for (const sql of HIDDEN) {
    it(`refuses ${JSON.stringify(sql)} after an executable comment: a marker inside a string, a name or a comment`, () => expect(allowed(`select /*!40101 1, */ 2; ${sql}`)).to.equal(false));
    it(`refuses ${JSON.stringify(sql)} with a backslash in a string, the session's reading unknown`, () => expect(allowed(`${sql}; select 'a\\'b'`)).to.equal(false));
    // Red team 44: with nothing any server skips, and backslashes read one way, every reading ends strings, names and comments where this one does.
    it(`allows ${JSON.stringify(sql)} alone: the marker is data in every reading`, () => expect(allowed(sql)).to.equal(true));
    it(`allows ${JSON.stringify(sql)} with a backslash in a string, the session's reading known`, () => expect(classifySql(`${sql}; select 'a\\'b'`, 'mysql', { altBackslash: false, ansiQuotes: false }).allowedOnRuntime).to.equal(true));
  }

  // MariaDB's own rule for which comments run (red team 42, checked on 10.11): a five-digit version from
  // 50700 up never, six digits and /*M! up to its version; /*m! (lower case) is a plain comment.
  for (const sql of ['/*!60000 SELECT 1 AS */ /*M!60001 DROP TABLE t */', 'SELECT 1 /*!60000 AS */ /*M!60001 INTO OUTFILE "/tmp/x" */', '/*m! SELECT 1 AS */ /*M! DROP TABLE t */', 'SELECT 1 /*m! AS */ /*M! INTO OUTFILE "/tmp/x" */']) {
    it(`refuses ${JSON.stringify(sql)}: MariaDB runs only the second comment`, () => expect(allowed(sql)).to.equal(false));
  }

  for (const sql of ['select 1 /*!50000 , 2 */', "select 1 /*! , '*/' */", 'select 1 /*!40101 , 2 */ /*M!100100 , 3 */', "select 'a*/' /*!50000 , 'b' */"]) {
    it(`allows ${JSON.stringify(sql)}: each comment ends at the same place whether it runs or not`, () => expect(allowed(sql)).to.equal(true));
  }
});
