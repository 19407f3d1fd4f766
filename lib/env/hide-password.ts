import { dialectModule } from '../dialects/registry';
import type { Dialect } from '../types';

/**
 * Passwords are held so that no rendering of the objects carrying them can reveal them:
 * not util.inspect (also `%o` and showHidden), JSON.stringify, structuredClone or spreads.
 * Values live in a WeakMap; the objects expose them only through accessors, which
 * inspection shows as `[Getter]` and copies drop.
 */
const held = new WeakMap<object, string>();

/** Attaches `password` as a hidden accessor (objects this package hands out, not to knex). */
export function hidePassword<T extends object>(target: T, password: string | undefined): T {
  if (password === undefined) return target;
  held.set(target, password);
  Object.defineProperty(target, 'password', { get: () => password, enumerable: false, configurable: true });
  return target;
}

/**
 * The password `holdPassword` put on a connection object (the dialect's passwordHolder reads it).
 * knex copies a string `password` of its connection into a plain hidden property of
 * `client.connectionSettings` (which showHidden prints), and clones plain objects (dropping
 * accessors), so a connection for knex is a class instance (knex keeps those as they are)
 * whose password never is a string property: each dialect's `passwordHolder` makes one.
 */
export function heldPassword(target: object): string | undefined {
  return held.get(target);
}

/** `fields` as a knex connection of `dialect` holding `password` as above. */
export function holdPassword<T extends object>(dialect: Dialect, fields: T, password: string | undefined): T {
  const holder = dialectModule(dialect).passwordHolder;
  if (!holder) return fields;
  const target = Object.assign(holder(), fields) as T;
  if (password !== undefined) held.set(target, password);
  return target;
}

/** The password held by a connection or credentials object from this package (or a plain `password` string). */
export function passwordOf(connection: object): string | undefined {
  const secret = held.get(connection);
  if (secret !== undefined) return secret;
  const plain = (connection as { password?: unknown }).password;
  return typeof plain === 'string' ? plain : undefined;
}
