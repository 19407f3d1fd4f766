import { dirname, join } from 'node:path';

/**
 * The connection settings as mysql2 reads them: it fills every option the settings leave
 * unset (falsy) from `uri`, the URL's parts and its query parameters (JSON-parsed where they
 * parse), so `uri: 'mysql://h/db?charset=GB18030_CHINESE_CI'` sets the driver's encoder
 * where the guard's checks of `charset` did not look (red team 28). The checks before
 * connecting (connection options, character set) judge this view; mysql2's own URL parser
 * reads the URL, so both read it alike. A `uri` it cannot read leaves a view the character
 * set check refuses.
 */
export function mysqlDriverView(settings: unknown, driver?: string): unknown {
  if (typeof settings !== 'object' || settings === null) return settings;
  const given = settings as Record<string, unknown>;
  // Only mysql2 reads `uri`, and only a truthy one (`uri: ''` is no uri).
  if ((driver !== undefined && driver !== 'mysql2') || !given['uri']) return settings;
  // A string: unsettledSetting refuses an object whose text could answer twice.
  if (typeof given['uri'] !== 'string') return Object.assign(Object.create(given) as object, { charsetNumber: '(uri)' });
  const parsed = parseWithMysql2(given['uri']);
  // The view inherits every setting given, hidden and inherited ones too (red team 29), and
  // adds what mysql2 takes from the uri; unreadable, an encoder the guard cannot name
  // (configuredCharset refuses charsetNumber).
  const view = Object.create(given) as Record<string, unknown>;
  if (parsed === undefined) view['charsetNumber'] = '(uri)';
  else for (const key of Object.keys(parsed)) if (!given[key]) view[key] = parsed[key];
  return view;
}

function parseWithMysql2(uri: string): Record<string, unknown> | undefined {
  try {
    // By path: mysql2's package exports do not name the module (its ConnectionConfig, whose parseUrl mysql2 applies to `uri`).
    const file = join(dirname(require.resolve('mysql2')), 'lib', 'connection_config.js');
    const { parseUrl } = require(file) as { parseUrl(url: string): Record<string, unknown> };
    return parseUrl(uri);
  } catch {
    return undefined;
  }
}
