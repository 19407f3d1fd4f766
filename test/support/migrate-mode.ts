import { expect } from 'chai';
import type { MigrateResult } from '../../lib/migrate/types';

/** The result, asserted to be of `mode`, typed as that member of the MigrateResult union. */
export function ofMode<M extends MigrateResult['mode']>(result: MigrateResult, mode: M): Extract<MigrateResult, { mode: M }> {
  expect(result.mode, 'MigrateResult.mode').to.equal(mode);
  return result as Extract<MigrateResult, { mode: M }>;
}
