import { heldPassword } from '../../env/hide-password';

/**
 * mysql2's connection for knex: the password is its documented alias `password1`, an
 * accessor on the class, so it is never a string property knex could copy (env/hide-password.ts).
 */
export class MysqlConnection {
  get password1(): string | undefined {
    return heldPassword(this);
  }
}
