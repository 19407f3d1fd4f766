import type { Knex } from 'knex';
import { detectPooler, type PoolerDetection } from '../dialects/postgres/pooler';
import { PooledMigrationError } from '../errors';
import type { ResolvedConnection, ServerConnection } from '../env/resolve-connection';

/** The variables that point a connection where it goes (host, port, and PG_POOLED when declared). */
function pointingVariables(resolved: ResolvedConnection, declared: boolean): string[] {
  const names = [resolved.sources['host'], resolved.sources['port'], declared ? resolved.sources['pooled'] : undefined];
  return [...new Set(names.filter((name): name is string => name !== undefined && name !== 'default'))];
}

/** A migration run through a transaction-mode pooler would leave its session lock behind: refused before any lock. */
export function pooledMigrationError(resolved: ResolvedConnection, detection?: PoolerDetection): PooledMigrationError | undefined {
  if (resolved.dialect !== 'postgres') return undefined;
  const { host, port } = resolved.connection as ServerConnection;
  if (resolved.pooled === true) return PooledMigrationError.of({ host, port, variables: pointingVariables(resolved, true), how: `declared by ${resolved.sources['pooled'] ?? 'PG_POOLED'}` });
  if (detection?.mode === 'transaction') return PooledMigrationError.of({ host, port, variables: pointingVariables(resolved, false), how: `detected: ${detection.evidence}` });
  return undefined;
}

/** Throws PooledMigrationError (E_POOLED_MIGRATION) when `instance` reaches PostgreSQL through a transaction-mode pooler. */
export async function assertNotPooled(instance: Knex, resolved: ResolvedConnection): Promise<void> {
  if (resolved.dialect !== 'postgres') return;
  const declared = pooledMigrationError(resolved);
  if (declared) throw declared;
  const detected = pooledMigrationError(resolved, await detectPooler(instance));
  if (detected) throw detected;
}
