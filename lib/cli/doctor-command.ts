import type { ResolveOptions } from '../env/resolve-connection';
import { doctor, formatDoctor } from '../checks/doctor';
import { EXIT } from './exit-codes';
import type { Role } from '../types';

export interface DoctorCommandOptions extends ResolveOptions {
  json: boolean;
  strict: boolean;
  roles?: Role[];
}

/** `knex-roles doctor`: the report as a table (or JSON); exit 1 when anything is wrong. */
export async function doctorCommand(options: DoctorCommandOptions, out: (line: string) => void): Promise<number> {
  const { json, strict, ...resolve } = options;
  const report = await doctor({ ...resolve, strict });
  out(json ? JSON.stringify(report, null, 2) : formatDoctor(report));
  return report.ok ? EXIT.OK : EXIT.FAILED;
}
