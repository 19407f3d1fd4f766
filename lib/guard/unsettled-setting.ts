import { types } from 'node:util';

/** The connection settings the guard reads before connecting, on some dialect: the drivers turn each into text (or a number), so their values must be primitives. */
const TEXT_SETTINGS: ReadonlySet<string> = new Set(['options', 'connectionString', 'uri', 'charset', 'collation', 'charsetNumber', 'filename']);

/**
 * The first judged setting of `settings` that is not plain data: a getter (own or
 * inherited), an object where the driver reads text, or a Proxy anywhere on the chain.
 * knex hands a connection provider's object to the driver as it is, so such a setting
 * could answer the guard's check one way and the driver another (`options` on pg,
 * `initSql` on the mariadb connector: red teams 27 and 28).
 * `extra`: the dialect's refused connection options, read the same way.
 */
export function unsettledSetting(settings: unknown, extra: readonly string[]): string | undefined {
  if (typeof settings !== 'object' || settings === null) return undefined;
  // A Proxy anywhere on the chain can answer the walk below and a read differently (red team 29).
  for (let object: object | null = settings; object !== null; object = Object.getPrototypeOf(object) as object | null) {
    if (types.isProxy(object)) return '(the settings object, a Proxy on its prototype chain)';
  }
  for (const key of [...TEXT_SETTINGS, ...extra]) {
    for (let object: object | null = settings; object !== null; object = Object.getPrototypeOf(object) as object | null) {
      const descriptor = Object.getOwnPropertyDescriptor(object, key);
      if (descriptor === undefined) continue;
      if (!('value' in descriptor)) return key;
      // The text settings as primitives: an object's toString() could answer each reader differently (red team 29).
      if (TEXT_SETTINGS.has(key) && typeof descriptor.value === 'object' && descriptor.value !== null) return key;
      break;
    }
  }
  return undefined;
}

