import { GuardSessionError } from '../../errors';
import type { GuardText } from '../../guard/guard-text';
import { POSTGRES_LEXING_SETTINGS } from './lexing-settings';

const READ = "select current_setting('standard_conforming_strings') as scs, current_setting('client_encoding') as enc";

/** PostgreSQL (pg): the session's client_encoding and standard_conforming_strings; bound values travel apart from the text. */
export const POSTGRES_GUARD_TEXT: GuardText = {
  async readSession(connection) {
    const pg = connection as { query(text: string): Promise<{ rows: Array<Record<string, unknown>> }> };
    const row = (await pg.query(READ)).rows[0] ?? {};
    const encoding = String(row['enc']);
    // The encodings a runtime SET may choose are the ones a session may start with.
    if (POSTGRES_LEXING_SETTINGS.get('client_encoding')?.(encoding, {}) !== true) {
      throw GuardSessionError.of({
        dialect: 'postgres',
        variable: 'client_encoding',
        value: encoding,
        reason: 'a client-only multibyte encoding, in which a backslash can be read as part of a character',
        remedy: 'Leave client_encoding at UTF8 for the runtime connection (remove it from the connection options, PGCLIENTENCODING and any afterCreate hook).',
      });
    }
    const altBackslash = String(row['scs']).toLowerCase() !== 'on';
    return { reading: { altBackslash }, key: altBackslash ? 'scs-off' : '' };
  },
  // standard_conforming_strings=off makes backslashes escapes in plain '…'.
  letterIntroducers: false,
  values: { doubleQuotedIdentifier: true, doubleQuotedString: false, dollarQuoted: true },
};
