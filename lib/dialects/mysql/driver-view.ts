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
export function mysqlDriverView(settings: unknown): unknown {
  if (typeof settings !== 'object' || settings === null) return settings;
  const given = settings as Record<string, unknown>;
  if (given['uri'] === undefined || given['uri'] === null) return settings;
  const parsed = parseWithMysql2(String(given['uri']));
  // Unreadable here: an encoder the guard cannot name (configuredCharset refuses charsetNumber).
  if (parsed === undefined) return { ...given, charsetNumber: '(uri)' };
  const view: Record<string, unknown> = { ...given };
  for (const key of Object.keys(parsed)) if (!view[key]) view[key] = parsed[key];
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
