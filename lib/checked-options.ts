import { UsageError } from './errors';
import { nearest } from './env/nearest';

/** What an option's value must be: a JavaScript type, or one of a few strings. */
export type OptionKind = 'string' | 'boolean' | 'number' | 'object' | 'function' | 'array' | readonly string[];

export type OptionSpec = Readonly<Record<string, OptionKind>>;

function fits(value: unknown, kind: OptionKind): boolean {
  if (typeof kind !== 'string') return typeof value === 'string' && kind.includes(value);
  if (kind === 'array') return Array.isArray(value);
  if (kind === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  if (kind === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === kind;
}

/** What a value is, by its type only (a value may be a secret). */
function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

function describe(kind: OptionKind): string {
  if (typeof kind !== 'string') return `one of ${kind.map((k) => JSON.stringify(k)).join(', ')}`;
  return kind === 'array' ? 'an array' : kind === 'object' ? 'an object' : `a ${kind}`;
}

/**
 * The options object a public function was called with, as plain JavaScript may pass it:
 * an object whose every key is one the function reads (`partial`: the known keys only,
 * for a function that passes the rest on), each of its kind (undefined is unset). A
 * string where a boolean belongs (`test: 'false'`), a typo (`rol`) or a positional
 * argument (`createKnex('migration')`) would otherwise be read as something else, or not
 * at all, without a word: each is E_USAGE naming the option. Values are never echoed
 * (an option may hold a secret); only their type is.
 */
export function checkedOptions<T>(where: string, options: T, spec: OptionSpec, partial = false): T {
  if (options === undefined) return options;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new UsageError('E_USAGE', `${where} takes an options object, not ${typeOf(options)}.`, {
      remedy: `Pass the options by name, e.g. ${where.replace(/\(\)$/, '')}({ role: 'migration' }), or nothing for the defaults.`,
    });
  }
  for (const key of Object.keys(options)) {
    const kind = spec[key];
    if (kind === undefined) {
      if (partial) continue;
      const guess = nearest(key, Object.keys(spec));
      throw new UsageError('E_USAGE', `${where} has no option ${JSON.stringify(key)}${guess ? ` (did you mean ${guess}?)` : ''}.`, {
        remedy: `Use the options ${where} takes: ${Object.keys(spec).join(', ')}.`,
      });
    }
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined && !fits(value, kind)) {
      const given = typeof kind !== 'string' && typeof value === 'string' ? '' : `, not ${typeOf(value)}`;
      throw new UsageError('E_USAGE', `${where} option ${key} must be ${describe(kind)}${given}.`, {
        remedy: `Give ${key} as ${describe(kind)}${kind === 'boolean' ? " (true or false, not 'true' / 'false')" : ''}, or leave it out.`,
      });
    }
  }
  return options;
}
