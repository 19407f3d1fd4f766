import { dialectModule } from '../dialects/registry';
import type { Dialect } from '../types';
import { heldPassword, holdSecret } from './held-passwords';

/**
 * Passwords are held so that no rendering of the objects carrying them can reveal them:
 * not util.inspect (also `%o` and showHidden), JSON.stringify, structuredClone or spreads.
 * Values live in a WeakMap (held-passwords.ts); the objects expose them only through
 * accessors, which inspection shows as `[Getter]` and copies drop.
 */

/** Attaches `password` as a hidden accessor (objects this package hands out, not to knex). */
export function hidePassword<T extends object>(target: T, password: string | undefined): T {
  if (password === undefined) return target;
  holdSecret(target, password);
  Object.defineProperty(target, 'password', { get: () => password, enumerable: false, configurable: true });
  return target;
}

/** `fields` as a knex connection of `dialect` holding `password` (its module's passwordHolder; held-passwords.ts says why). */
export function holdPassword<T extends object>(dialect: Dialect, fields: T, password: string | undefined): T {
  const holder = dialectModule(dialect).passwordHolder;
  if (!holder) return fields;
  const target = Object.assign(holder(), fields) as T;
  if (password !== undefined) holdSecret(target, password);
  return target;
}

/** The password held by a connection or credentials object from this package (or a plain `password` string). */
export function passwordOf(connection: object): string | undefined {
  const secret = heldPassword(connection);
  if (secret !== undefined) return secret;
  const plain = (connection as { password?: unknown }).password;
  return typeof plain === 'string' ? plain : undefined;
}
