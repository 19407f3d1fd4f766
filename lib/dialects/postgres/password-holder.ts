import { heldPassword } from '../../env/held-passwords';

/**
 * pg's connection for knex: `password` is a function returning it (pg calls it at login),
 * so the password is never a string property knex could copy (env/held-passwords.ts).
 */
export class PgConnection {
  get password(): (() => string) | undefined {
    const secret = heldPassword(this);
    return secret === undefined ? undefined : pgPassword(secret);
  }
}

function pgPassword(secret: string): () => string {
  // A named function: inspection shows `[Function: password]`, never its value.
  return function password() {
    return secret;
  };
}
