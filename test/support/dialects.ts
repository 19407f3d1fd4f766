import { DIALECTS } from '../../lib/dialects/registry';
import type { Dialect } from '../../lib/types';

/**
 * The dialects the integration suites run on: all three unless `DIALECTS` narrows it
 * locally (e.g. DIALECTS=sqlite). CI never sets it, so every dialect runs every time.
 */
export function testDialects(): Dialect[] {
  const wanted = process.env['DIALECTS']?.split(',').map((name) => name.trim()).filter(Boolean);
  if (!wanted || wanted.length === 0) return [...DIALECTS];
  const unknown = wanted.filter((name) => !(DIALECTS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`DIALECTS names unknown dialects: ${unknown.join(', ')} (use ${DIALECTS.join(', ')})`);
  return wanted as Dialect[];
}

export type ServerDialect = Exclude<Dialect, 'sqlite'>;

/** The selected dialects that need a database server (PostgreSQL, MariaDB). */
export function serverDialects(): ServerDialect[] {
  return testDialects().filter((dialect): dialect is ServerDialect => dialect !== 'sqlite');
}
