import { CH_AT } from '../../guard/chars';
import type { SelectIntoRule } from '../../guard/guard-rules';
import { T_OP } from '../../guard/tokens';

/**
 * MySQL `SELECT … INTO OUTFILE | DUMPFILE` writes a server file, and INTO anything but a
 * user variable (`@x`) is refused: the token after INTO decides.
 */
export const MYSQL_SELECT_INTO: SelectIntoRule = {
  onlyInReads: false,
  // `select 1 as into outfile …` (red team 43): INTO cannot be an alias, so it is INTO.
  intoAfterAs: true,
  atInto: (r) => {
    r.pendingInto = true;
  },
  afterInto: (r, t) => {
    if (t === T_OP && r.sql.charCodeAt(r.lx.start) === CH_AT) return;
    if (r.is('OUTFILE')) r.refuse('other', 'SELECT INTO OUTFILE', 'writes a file on the server');
    else if (r.is('DUMPFILE')) r.refuse('other', 'SELECT INTO DUMPFILE', 'writes a file on the server');
    else r.refuse('other', 'SELECT INTO', 'INTO something other than a user variable (@name)');
  },
};
