import { expect } from 'chai';
import { MYSQL_RAW_METHODS } from '../../lib/dialects/mysql/raw-connection-methods';
import { guardClientClass } from '../../lib/guard/client';
import { knexDialectClass } from '../../lib/knex-internals';
import type { RuntimeDdlError } from '../../lib/error-classes';

/*
 * Which text the guard judges for a MySQL connection with bound values: the driver's own
 * format (mysql2, mysql), the connector's way for mariadb, and for a connection of no known
 * driver none: its bound values are refused (the guard cannot see what it would send).
 * The drivers themselves are exercised end to end in test/integration/guard-drivers.test.ts.
 */

describe('MySQL client-side formatting, per driver', () => {
  const clientFormat = MYSQL_RAW_METHODS.clientFormat as NonNullable<typeof MYSQL_RAW_METHODS.clientFormat>;

  it("uses a driver's own format(), and the connector's way for a mariadb connection (whose format() throws)", () => {
    const driver = { format: (sql: string, values: unknown[]) => `${sql} -- ${values.length}` };
    expect(clientFormat(driver)?.('select ?', ['x'])).to.equal('select ? -- 1');
    const mariadb = {
      escape: (value: unknown) => `'${String(value)}'`,
      format: () => {
        throw new Error('Connection.format intentionally not implemented');
      },
      queryStream: () => undefined,
      batch: () => undefined,
      importFile: () => undefined,
    };
    expect(clientFormat(mariadb)?.('select ? /*/ ? */', ['a', 'b'])).to.equal("select 'a' /*/ 'b' */");
  });

  it('knows no text for a connection of another driver: its bound values are refused, its plain text judged as it is', () => {
    expect(clientFormat({})).to.equal(null);
    expect(clientFormat(null)).to.equal(null);
    const Guarded = guardClientClass(knexDialectClass('mysql2'), 'mysql', { role: 'runtime', dangerouslyAllow: [] });
    const client = new Guarded({ client: 'mysql2', connection: {} }) as unknown as { refusalOf(connection: unknown, param: unknown, session: undefined): RuntimeDdlError | undefined };
    const error = client.refusalOf({}, { sql: 'select ? as v', bindings: ['x'] }, undefined);
    expect(error).to.include({ code: 'E_RUNTIME_DDL', keyword: '', kind: 'other' });
    expect(error?.message).to.match(/cannot see the text it sends/);
    expect(client.refusalOf({}, { sql: 'select 1', bindings: [] }, undefined)).to.equal(undefined);
    expect(client.refusalOf({}, { sql: 'drop table t', bindings: [] }, undefined)).to.include({ keyword: 'DROP TABLE' });
  });
});
