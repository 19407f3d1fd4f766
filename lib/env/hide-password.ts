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
 * A connection for knex, per driver. knex copies a string `password` of its connection into
 * a plain hidden property of `client.connectionSettings` (which showHidden prints), and
 * clones plain objects (dropping accessors), so the connection is a class instance (knex
 * keeps those as they are) whose password never is a string property:
 * - pg: `password` is a function returning it (pg calls it at login);
 * - mysql2: the password is its documented alias `password1`, an accessor on the class.
 */
class PgConnection {
  get password(): (() => string) | undefined {
    const secret = held.get(this);
    return secret === undefined ? undefined : pgPassword(secret);
  }
}

class MysqlConnection {
  get password1(): string | undefined {
    return held.get(this);
  }
}

function pgPassword(secret: string): () => string {
  // A named function: inspection shows `[Function: password]`, never its value.
  return function password() {
    return secret;
  };
}

/** `fields` as a knex connection of `dialect` holding `password` as above. */
export function holdPassword<T extends object>(dialect: Dialect, fields: T, password: string | undefined): T {
  if (dialect === 'sqlite') return fields;
  const target = Object.assign(dialect === 'postgres' ? new PgConnection() : new MysqlConnection(), fields) as T;
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
