/**
 * The one store of held passwords (env/hide-password.ts explains why they are held). A
 * module of its own, importing nothing, so each dialect's password holder can read it
 * without importing the dialect registry back.
 */
const held = new WeakMap<object, string>();

/** Holds `password` for `target`. */
export function holdSecret(target: object, password: string): void {
  held.set(target, password);
}

/**
 * The password held for a connection object. knex copies a string `password` of its
 * connection into a plain hidden property of `client.connectionSettings` (which showHidden
 * prints), and clones plain objects (dropping accessors), so a connection for knex is a
 * class instance (knex keeps those as they are) whose password never is a string
 * property: each dialect's `passwordHolder` makes one, reading the password from here.
 */
export function heldPassword(target: object): string | undefined {
  return held.get(target);
}
