import { refusedSettingOf } from '../../guard/guard-rules';
import { POSTGRES_GUARD_RULES } from './guard-rules';

/**
 * The settings a PostgreSQL connection asks for at login: the `options` startup parameter
 * (knex's `connection.options`, a connection string's `?options=`, or the PGOPTIONS
 * variable pg and libpq fall back on). The session read (guard-text.ts) sees what they set
 * in pg_settings, except a setting of a library not loaded yet (`plpgsql.check_asserts`
 * before the first PL/pgSQL call is a placeholder pg_settings does not list): the library
 * applies it when it loads, past the read (red team 26). So they are read here, before
 * connecting, and any the runtime may not SET refuses the connection.
 */

/** One login setting the runtime may not have, or a backend switch the guard does not read. */
export interface StartupRefusal {
  /** Where it came from: `options`, `connectionString`, `PGOPTIONS`. */
  option: string;
  /** The setting's name (never its value), or the switch. */
  name: string;
  reason: string;
}

/** The first refused login setting of `settings` (knex's pg connection options), or undefined. */
export function startupRefusal(settings: unknown, env: NodeJS.ProcessEnv = process.env): StartupRefusal | undefined {
  const found = startupOptionsOf(settings, env);
  if (found === undefined) return undefined;
  for (const arg of settingArguments(found.text)) {
    if (arg.name === undefined) return { option: found.option, name: arg.raw, reason: 'a backend switch other than -c name=value / --name=value, which the guard does not read' };
    const refused = refusedSettingOf(POSTGRES_GUARD_RULES, arg.name);
    if (refused !== undefined) return { option: found.option, name: arg.name, reason: `a setting a runtime connection may not set at login (${refused.reason})` };
  }
  return undefined;
}

/** The startup options text pg / libpq would send, and where it came from. */
function startupOptionsOf(settings: unknown, env: NodeJS.ProcessEnv): { option: string; text: string } | undefined {
  const object = typeof settings === 'object' && settings !== null ? (settings as Record<string, unknown>) : {};
  if (typeof object['options'] === 'string' && object['options'] !== '') return { option: 'options', text: object['options'] };
  const url = typeof settings === 'string' ? settings : object['connectionString'];
  if (typeof url === 'string') {
    const fromUrl = optionsOfConnectionString(url);
    if (fromUrl !== undefined && fromUrl !== '') return { option: 'connectionString', text: fromUrl };
  }
  const fromEnv = env['PGOPTIONS'];
  return typeof fromEnv === 'string' && fromEnv !== '' ? { option: 'PGOPTIONS', text: fromEnv } : undefined;
}

/** A URL's `options` query parameter; a key=value conninfo's `options='…'`. */
function optionsOfConnectionString(text: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      return new URL(text).searchParams.get('options') ?? undefined;
    } catch {
      return undefined;
    }
  }
  const match = /(?:^|\s)options\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/.exec(text);
  return match === null ? undefined : (match[1] ?? match[2] ?? '').replace(/\\(.)/g, '$1');
}

/**
 * The server's reading of the options: arguments split at unescaped white space (a backslash
 * keeps the next character), `-c name=value`, `-cname=value` or `--name=value`, dashes in the
 * name read as underscores, the name folded to lower case. `name` undefined: another switch.
 */
function settingArguments(text: string): Array<{ raw: string; name?: string }> {
  const args: string[] = [];
  let current = '';
  let open = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
      open = true;
    } else if (/\s/.test(ch)) {
      if (open) args.push(current);
      current = '';
      open = false;
    } else {
      current += ch;
      open = true;
    }
  }
  if (open) args.push(current);
  const out: Array<{ raw: string; name?: string }> = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    let assignment: string | undefined;
    if (arg === '-c') assignment = args[++i] ?? '';
    else if (arg.startsWith('-c')) assignment = arg.slice(2);
    else if (arg.startsWith('--')) assignment = arg.slice(2);
    if (assignment === undefined) {
      out.push({ raw: arg.split('=')[0] as string });
      continue;
    }
    const name = (assignment.split('=')[0] as string).replace(/-/g, '_').toLowerCase();
    out.push({ raw: name, name });
  }
  return out;
}
