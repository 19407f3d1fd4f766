import { CH_LPAREN, CH_RPAREN } from '../../guard/chars';
import type { StatementReader } from '../../guard/statement-reader';
import { isContent } from '../../guard/token-text';
import { T_STRING } from '../../guard/tokens';

/**
 * PostgreSQL COPY … FROM STDIN / TO STDOUT moves data over the connection: allowed (a write
 * or a read). COPY to or from a file or PROGRAM runs on the server with its file-system
 * rights: refused. `COPY (query) TO STDOUT` watches the query for INTO like a SELECT.
 */
export function copy(r: StatementReader): void {
  r.watch = true;
  let t = r.adv();
  if (r.is('BINARY')) t = r.adv();
  if (r.isOp(CH_LPAREN)) {
    r.advRaw();
    if (r.is('INSERT') || r.is('MERGE')) {
      r.advRaw();
      if (r.is('INTO')) r.adv();
    } else {
      r.watchInto(r.lx.type);
    }
    r.skipToClose(1);
    t = r.adv();
  }
  let d = 0;
  while (isContent(t)) {
    if (d === 0 && (r.is('FROM') || r.is('TO'))) break;
    if (r.isOp(CH_LPAREN)) d++;
    else if (r.isOp(CH_RPAREN)) d--;
    t = r.adv();
  }
  if (!isContent(t)) {
    r.set('other', 'COPY', false, 'unrecognized COPY statement');
    return;
  }
  const from = r.is('FROM');
  t = r.adv();
  if (r.is('STDIN') || r.is('STDOUT')) {
    // Allowed unless something (an INTO in the query) already refused it.
    if (r.allowed) r.set(from ? 'write' : 'read', 'COPY', true);
  } else if (r.is('PROGRAM')) r.refuse('other', 'COPY', 'runs a program on the server');
  else if (t === T_STRING) r.refuse('other', 'COPY', from ? 'reads a file on the server' : 'writes a file on the server');
  else r.refuse('other', 'COPY', 'unrecognized COPY target');
  r.scanToEnd();
}
