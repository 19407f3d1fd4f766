import { createHash, randomBytes } from 'node:crypto';
import { GuardSessionError } from '../../errors';
import type { GuardText } from '../../guard/guard-text';
import { SEARCH_PATH_REASON, searchPathValueNamesCatalog } from './set-config';
import { refusedSettingOf } from '../../guard/guard-rules';
import { POSTGRES_GUARD_RULES } from './guard-rules';
import { POSTGRES_LEXING_SETTINGS } from './lexing-settings';
import { startupRefusal } from './startup-refusal';

/** The refused settings of libraries loaded on demand (dotted names), as SQL string literals. */
const PLACEHOLDER_NAMES = [...POSTGRES_GUARD_RULES.refusedSettings.keys()]
  .filter((name) => name.includes('.'))
  .map((name) => `'${name.replace(/'/g, "''")}'`)
  .join(', ');

// Every name schema-qualified, operators too: a temporary table (searched before pg_catalog)
// or a function or operator earlier on the search_path must not answer in the catalog's place.
const READ = "select pg_catalog.current_setting('standard_conforming_strings') as scs, pg_catalog.current_setting('client_encoding') as enc, pg_catalog.current_setting('search_path') as sp, " +
  // Settings the session itself set (startup options, PGOPTIONS, a SET before the guard saw it); not the DBA's (role, database, server file).
  "(select pg_catalog.string_agg(name, ',') from pg_catalog.pg_settings where source operator(pg_catalog.=) 'client' or source operator(pg_catalog.=) 'session') as own, " +
  // Inside a transaction block (one a pool.afterCreate hook left open) the block's start is
  // older than this statement's; outside one they are the same instant.
  'pg_catalog.now() operator(pg_catalog.<>) pg_catalog.statement_timestamp() as tx, ' +
  // A role switched to at login (`options: '-c role=…'`; pg_settings does not show `role`).
  'current_user operator(pg_catalog.<>) session_user as switched, current_user as cu, ' +
  // Refused settings of a library not loaded yet (plpgsql before its first call): a placeholder
  // pg_settings does not list, applied when the library loads, however it was set (red teams 26, 27).
  `(select pg_catalog.string_agg(n, ',') from pg_catalog.unnest(array[${PLACEHOLDER_NAMES}]::pg_catalog.text[]) n where pg_catalog.current_setting(n, true) is not null and not exists (select from pg_catalog.pg_settings g where g.name operator(pg_catalog.=) n)) as placeholders`;

/**
 * The read as one text value the client's type parsers cannot rewrite unseen: pool.afterCreate
 * may `setTypeParser` for text or bool (it sends nothing, so it is not judged). On pg the
 * query brings its own parsers (AS_SENT), which win over the connection's and the global
 * ones; pg-native ignores a query's `types`. So the row also comes back as hex of its JSON (no
 * character a parser or the client encoding could change) after the SHA-256 of a fresh nonce
 * and that hex: a parser does not see the nonce (it is in the query text only), so it cannot
 * forge the sum for other values.
 */
function sealedRead(nonce: string): string {
  const json = 'pg_catalog.json_build_array(s.scs, s.enc, s.sp, s.own, s.tx, s.switched, s.cu, s.placeholders)::pg_catalog.text';
  return (
    `select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to('${nonce}' operator(pg_catalog.||) h.x, 'UTF8')), 'hex') operator(pg_catalog.||) h.x as r ` +
    `from (select pg_catalog.encode(pg_catalog.convert_to(${json}, 'UTF8'), 'hex') as x from (${READ}) s) h`
  );
}

/** pg: each value as the server sent it, whatever parsers the connection or the process set (a global one for text, too). */
const AS_SENT = { getTypeParser: () => (value: string): string => value };

/** The read's row as the server sent it, or a refusal when the value came back changed. */
function unsealed(nonce: string, value: unknown): Record<string, unknown> {
  const hex = typeof value === 'string' && /^[0-9a-f]{64}(?:[0-9a-f]{2})*$/.test(value) ? value.slice(64) : undefined;
  const sum = hex === undefined ? undefined : createHash('sha256').update(nonce + hex, 'utf8').digest('hex');
  if (hex === undefined || sum !== (value as string).slice(0, 64)) {
    throw GuardSessionError.of({
      dialect: 'postgres',
      variable: 'session read',
      value: 'altered',
      reason: "the guard's session read came back other than the server sent it (pg-native applies the connection's and the global type parsers to every query: one for text changed it)",
      remedy: 'With pg-native, set no type parser for text (OID 25) globally or on the connection (setTypeParser in pool.afterCreate); parse text per query, or use the pg client, whose read brings its own parsers.',
    });
  }
  const [scs, enc, sp, own, tx, switched, cu, placeholders] = JSON.parse(Buffer.from(hex, 'hex').toString('utf8')) as unknown[];
  return { scs, enc, sp, own, tx, switched, cu, placeholders };
}

/** PostgreSQL (pg): the session's client_encoding and standard_conforming_strings; bound values travel apart from the text. */
export const POSTGRES_GUARD_TEXT: GuardText = {
  async readSession(connection) {
    const pg = connection as { query(config: { text: string; types: typeof AS_SENT }): Promise<{ rows: Array<Record<string, unknown>> }> };
    const nonce = randomBytes(16).toString('hex');
    const row = unsealed(nonce, (await pg.query({ text: sealedRead(nonce), types: AS_SENT })).rows[0]?.['r']);
    // What a transaction block SET, its ROLLBACK undoes: the settings read here would not hold.
    if (row['tx'] === true) {
      throw GuardSessionError.of({
        dialect: 'postgres',
        variable: 'transaction',
        value: 'open',
        reason: 'its settings were read inside a transaction block (left open by pool.afterCreate), which a ROLLBACK would undo',
        remedy: 'End any transaction pool.afterCreate begins (COMMIT) before the connection is handed over, or SET outside one.',
      });
    }
    // SET ROLE is refused on a runtime connection; a session that starts as another role than it logged in as is too.
    if (row['switched'] === true) {
      throw GuardSessionError.of({
        dialect: 'postgres',
        variable: 'role',
        value: String(row['cu']),
        reason: 'the session runs as another role than the one it logged in as (a role switched to at login, like SET ROLE)',
        remedy: "Log in as the runtime role itself: remove `-c role=…` from the connection's options, PGOPTIONS and the role's settings.",
      });
    }
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
    // A runtime SET search_path naming information_schema or pg_toast is refused (their writable
    // tables would be reachable unqualified, out of the catalog rule's sight); a path the session
    // starts with (knex searchPath, startup `options: '-c search_path=…'`, ALTER ROLE … SET, a hook) counts the same.
    const searchPath = String(row['sp']);
    if (searchPathValueNamesCatalog(searchPath)) {
      throw GuardSessionError.of({
        dialect: 'postgres',
        variable: 'search_path',
        value: searchPath,
        reason: SEARCH_PATH_REASON,
        remedy: 'Leave information_schema and pg_toast off the runtime search_path (knex searchPath, the connection options, the role\'s settings, any afterCreate hook); qualify the names to read them.',
      });
    }
    // A setting a runtime SET may not assign (session_replication_role turns off triggers and
    // foreign keys, log_… hides statements) may not come in through the connection's startup
    // options either.
    for (const name of String(row['own'] ?? '').split(',')) {
      if (name === '' || refusedSettingOf(POSTGRES_GUARD_RULES, name) === undefined) continue;
      throw GuardSessionError.of({
        dialect: 'postgres',
        variable: name,
        value: '(set by the session)',
        reason: `a setting a runtime connection may not set (${refusedSettingOf(POSTGRES_GUARD_RULES, name)?.reason ?? ''})`,
        remedy: `Remove ${name} from the runtime connection's options, PGOPTIONS and any afterCreate hook; a DBA can set it for the role (ALTER ROLE … SET) if it must hold.`,
      });
    }
    const placeholder = String(row['placeholders'] ?? '').split(',')[0] ?? '';
    if (placeholder !== '') {
      throw GuardSessionError.of({
        dialect: 'postgres',
        variable: placeholder,
        value: '(set before its library loaded)',
        reason: `a setting a runtime connection may not have (${refusedSettingOf(POSTGRES_GUARD_RULES, placeholder)?.reason ?? ''}), waiting for its library to load: it would then apply, past this read`,
        remedy: `Remove ${placeholder} from the runtime connection's options, PGOPTIONS, service file and the role's or database's settings (ALTER ROLE / DATABASE … RESET ${placeholder}); to keep it, have the library loaded at connection start (session_preload_libraries).`,
      });
    }
    const altBackslash = String(row['scs']).toLowerCase() !== 'on';
    return { reading: { altBackslash }, key: altBackslash ? 'scs-off' : '' };
  },
  startupRefusal,
  // standard_conforming_strings=off makes backslashes escapes in plain '…'.
  letterIntroducers: false,
  values: { doubleQuotedIdentifier: true, doubleQuotedString: false, dollarQuoted: true },
};
