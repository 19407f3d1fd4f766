import type { Role } from '../../types';
import type { CatalogQuery, DialectFindings } from '../../checks/verify-privileges';

/** Why a SQLite report is `ok` with `guardOnly: true`, in the report itself. */
const SQLITE_NOTE =
  'SQLite has no users or privileges: whoever can open the file can change the schema. Only the runtime guard (which refuses DDL before it is sent) separates the roles.';

/**
 * SQLite: nothing to verify on the server side. The query proves the handle is a SQLite
 * database (better-sqlite3 opens any file lazily) without reading or writing anything.
 */
export async function verifySqlite(query: CatalogQuery, _role: Role): Promise<DialectFindings> {
  const [row] = await query('SELECT sqlite_version() AS version');
  return {
    user: '',
    found: [`SQLite ${String(row?.['version'] ?? '')}: every connection may do everything`],
    problems: [],
    administrator: false,
    schemaChanger: false,
    guardOnly: true,
    note: SQLITE_NOTE,
  };
}
