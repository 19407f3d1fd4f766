import type { Knex } from 'knex';
import type { PoolerDetection } from '../dialects/dialect';
import { dialectModule } from '../dialects/registry';
import { PooledMigrationError } from '../errors';
import type { ResolvedConnection, ServerConnection } from '../env/resolve-connection';

/** The variables that point a connection where it goes (host, port, and PG_POOLED when declared). */
function pointingVariables(resolved: ResolvedConnection, declared: boolean): string[] {
  const names = [resolved.sources['host'], resolved.sources['port'], declared ? resolved.sources['pooled'] : undefined];
  return [...new Set(names.filter((name): name is string => name !== undefined && name !== 'default'))];
}

/** A migration run through a transaction-mode pooler would leave its session lock behind: refused before any lock. */
export function pooledMigrationError(resolved: ResolvedConnection, detection?: PoolerDetection): PooledMigrationError | undefined {
  if (!dialectModule(resolved.dialect).pooler) return undefined;
  const { host, port } = resolved.connection as ServerConnection;
  if (resolved.pooled === true) return PooledMigrationError.of({ host, port, variables: pointingVariables(resolved, true), how: `declared by ${resolved.sources['pooled'] ?? 'PG_POOLED'}` });
  if (detection?.mode === 'transaction') return PooledMigrationError.of({ host, port, variables: pointingVariables(resolved, false), how: `detected: ${detection.evidence}` });
  return undefined;
}

/** Throws PooledMigrationError (E_POOLED_MIGRATION) when `instance` reaches its server through a transaction-mode pooler. */
export async function assertNotPooled(instance: Knex, resolved: ResolvedConnection): Promise<void> {
  const { pooler } = dialectModule(resolved.dialect);
  if (!pooler) return;
  const declared = pooledMigrationError(resolved);
  if (declared) throw declared;
  const detected = pooledMigrationError(resolved, await pooler.detect(instance));
  if (detected) throw detected;
}
