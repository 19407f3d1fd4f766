import { dirname } from 'node:path';
import type { StartupRefusal } from '../../guard/guard-text';
import { refusedSettingOf } from '../../guard/guard-rules';
import { POSTGRES_GUARD_RULES } from './guard-rules';

/**
 * The settings a PostgreSQL connection asks for at login, in the `options` startup
 * parameter. The session read (guard-text.ts) sees what they set in pg_settings, except a
 * setting of a library not loaded yet (`plpgsql.check_asserts` before the first PL/pgSQL
 * call is a placeholder pg_settings does not list): the library applies it when it loads,
 * past the read (red team 26). So the options are read here, before connecting, the way
 * node-postgres picks them and the server splits them, and any setting the runtime may not
 * SET refuses the connection. What this cannot see (libpq service files, pg-native's
 * `nativeConnectionString`, a getter that answers twice) the session read still catches: it
 * asks the server for each refused setting of a library loaded on demand (red team 27).
 */
export function startupRefusal(settings: unknown, env: NodeJS.ProcessEnv = process.env): StartupRefusal | undefined {
  const found = startupOptionsOf(settings, env);
  if (found === undefined) return undefined;
  for (const wide of [false, true]) {
    const refusal = argumentsRefusal(serverArguments(found.text, wide), found.option);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

/** The first argument of the options, as split one way, that refuses the connection. */
function argumentsRefusal(args: readonly string[], option: string): StartupRefusal | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    let assignment: string | undefined;
    if (arg === '-c') assignment = args[++i] ?? '';
    else if (arg.startsWith('-c') || arg.startsWith('--')) assignment = arg.slice(2);
    if (assignment === undefined) {
      // Named only when it is a switch: any other argument may be part of a value.
      const name = arg.startsWith('-') ? arg.slice(0, 2) : `(argument ${i + 1})`;
      return { option, name, switch: true, reason: 'a backend switch other than -c name=value / --name=value, which the guard does not read' };
    }
    // The server reads dashes in the name as underscores, and names in any case.
    const name = (assignment.split('=')[0] as string).replace(/-/g, '_').toLowerCase();
    const refused = refusedSettingOf(POSTGRES_GUARD_RULES, name);
    if (refused !== undefined) return { option, name, switch: false, reason: `a setting a runtime connection may not set at login (${refused.reason})` };
  }
  return undefined;
}

/**
 * The options text node-postgres sends (pg-native hands libpq the same): a connection
 * string's `options` wins over the object's (pg merges the parsed string over the config),
 * then PGOPTIONS, then `pg.defaults.options`; an empty value falls through, as pg's `||`
 * does. The environment is read here, not with the rest of the env contract, because the
 * driver reads PGOPTIONS itself when it connects.
 */
function startupOptionsOf(settings: unknown, env: NodeJS.ProcessEnv): { option: string; text: string } | undefined {
  const object = typeof settings === 'object' && settings !== null ? (settings as Record<string, unknown>) : {};
  const url = textOf(typeof settings === 'string' ? settings : object['connectionString']);
  const fromUrl = url === undefined ? undefined : parseConnectionString(url)['options'];
  const candidates: Array<[string, unknown]> = [
    ['connectionString', fromUrl],
    ['options', textOf(object['options'])],
    ['PGOPTIONS', env['PGOPTIONS']],
    ['pg.defaults.options', pgDefaults()['options']],
  ];
  for (const [option, text] of candidates) if (typeof text === 'string' && text !== '') return { option, text };
  return undefined;
}

/** A string as the drivers take it: a String object too (pg-native turns one into text, red team 27). */
function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : value instanceof String ? value.valueOf() : undefined;
}

/** The connection string parser of the pg driver the client uses (its own dependency), so both read one string alike. */
function parseConnectionString(text: string): Record<string, unknown> {
  const pg = dirname(require.resolve('pg'));
  const { parse } = require(require.resolve('pg-connection-string', { paths: [pg] })) as { parse(text: string): Record<string, unknown> };
  return parse(text);
}

function pgDefaults(): Record<string, unknown> {
  return ((require('pg') as { defaults?: Record<string, unknown> }).defaults ?? {});
}

/**
 * The server's split of the options (pg_split_opts), over the bytes it receives (UTF-8):
 * arguments end at bytes C's isspace() takes for white space, and a backslash keeps the next
 * byte. In the C and UTF-8 locales those are the six ASCII ones; in a single-byte locale
 * (latin1) also 0x85 and 0xA0, which occur inside the UTF-8 of other characters (`à` is C3
 * A0). Both readings are judged (`wide`), so no split the server may make is missed.
 */
function serverArguments(text: string, wide: boolean): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const args: string[] = [];
  let start = -1;
  let current: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x5c && i + 1 < bytes.length) {
      current.push(bytes[++i] as number);
      start = i;
    } else if (ASCII_SPACE.has(b) || (wide && (b === 0x85 || b === 0xa0))) {
      if (start >= 0) args.push(Buffer.from(current).toString('utf8'));
      current = [];
      start = -1;
    } else {
      current.push(b);
      start = i;
    }
  }
  if (start >= 0) args.push(Buffer.from(current).toString('utf8'));
  return args;
}

/** C isspace() of the ASCII bytes: space, \t, \n, \v, \f, \r. */
const ASCII_SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);
