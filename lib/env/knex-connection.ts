import type { Knex } from 'knex';
import type { FileConnection, ServerConnection } from './resolve-connection';

/**
 * What a knex config's `connection` is for a server database: a function returning the
 * resolved connection, carrying its non-secret fields (host, port, user, database, ssl …)
 * for reading. knex 3 spreads an object `connection` into a plain copy (so a held
 * password would be lost, or copied as a plain property that showHidden prints); a
 * function it calls on first connect and keeps the returned object as
 * `client.connectionSettings`, where the password stays held.
 */
export type KnexConnection = (() => ServerConnection) & Omit<ServerConnection, 'password'>;

export function knexConnection(connection: ServerConnection | FileConnection): KnexConnection | FileConnection {
  if ('filename' in connection) return connection;
  const provide = function connection_() {
    return connection;
  };
  Object.defineProperty(provide, 'name', { value: 'connection' });
  return Object.assign(provide, { ...connection }) as unknown as KnexConnection;
}

/** Before knex's first connect, `client.connectionSettings` is unset for a provider; set it so `client.database()` works from the start. */
export function primeConnectionSettings(instance: Knex, connection: ServerConnection | FileConnection): void {
  const client = instance.client as { connectionSettings?: unknown };
  if (!('filename' in connection) && client.connectionSettings === undefined) client.connectionSettings = connection;
}
