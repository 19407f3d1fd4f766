import { heldPassword } from '../../env/held-passwords';

/**
 * mysql2's connection for knex: the password is its documented alias `password1`, an
 * accessor on the class, so it is never a string property knex could copy (env/held-passwords.ts).
 */
export class MysqlConnection {
  get password1(): string | undefined {
    return heldPassword(this);
  }
}
