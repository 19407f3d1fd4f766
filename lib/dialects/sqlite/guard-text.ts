import type { GuardText } from '../../guard/guard-text';

/** SQLite: no session settings change how text is read; only '…' is a value. */
export const SQLITE_GUARD_TEXT: GuardText = {
  letterIntroducers: false,
  values: { doubleQuotedIdentifier: false, doubleQuotedString: false, dollarQuoted: false },
};
