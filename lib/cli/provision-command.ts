import { EnvContractError } from '../errors';
import { resolveProvisioning, type Credentials } from '../env/resolve-provisioning';
import type { ResolveOptions } from '../env/resolve-connection';
import { passwordOf } from '../env/hide-password';
import * as mysql from '../dialects/mysql/provision';
import * as postgres from '../dialects/postgres/provision';
import type { ProvisionPlan } from '../dialects/provision-plan';

export interface ProvisionCommandOptions extends Omit<ResolveOptions, 'role'> {
  print?: boolean;
  userHost?: string;
}

/** `knex-roles provision`: env contract → plan → the dialect's canonical provisioning. */
export async function provisionCommand(options: ProvisionCommandOptions, out: (line: string) => void): Promise<void> {
  const resolved = resolveProvisioning(options);
  const plan: ProvisionPlan = {
    database: resolved.database,
    migrator: withPassword(resolved.migrator, 'migration', resolved.sources['migrator']),
    app: withPassword(resolved.app, 'runtime', resolved.sources['app']),
  };
  // --schema and --app-temporary-tables reach resolveProvisioning as options, over PG_SCHEMA / KNEX_ROLES_APP_TEMPORARY_TABLES.
  if (resolved.schema !== undefined) plan.schema = resolved.schema;
  if (resolved.appTemporaryTables) plan.appTemporaryTables = true;
  if (options.userHost !== undefined) plan.userHost = options.userHost;
  const dialect = resolved.dialect === 'postgres' ? postgres : mysql;

  if (options.print) {
    out(`-- knex-roles provision for ${resolved.dialect} database ${resolved.database} (passwords redacted)`);
    for (const step of dialect.provisionSteps(plan)) out(`-- ${step.description}\n${step.redactedSql};`);
    return;
  }

  const { admin } = resolved;
  out(`provisioning ${resolved.dialect} ${admin.host}:${admin.port}/${resolved.database} as ${admin.user}: migrator ${plan.migrator.user}, app ${plan.app.user}`);
  const report = await dialect.provision(
    plan,
    { host: admin.host, port: admin.port, user: admin.user, password: passwordOf(admin) ?? '', ...(admin.ssl !== undefined ? { ssl: admin.ssl } : {}) },
    { onStep: (step) => out(`  ${step.changed ? 'changed  ' : 'unchanged'} ${step.description}`) },
  );
  const changed = report.steps.filter((step) => step.changed).length;
  out(changed === 0 ? 'nothing to change: already provisioned' : `done: ${changed} of ${report.steps.length} steps changed something`);
}

function withPassword(credentials: Credentials, role: string, variable: string | undefined): { user: string; password: string } {
  if (credentials.password === undefined) {
    const name = (variable ?? '').replace(/_USER$/, '_PASSWORD');
    throw new EnvContractError('E_ENV_MISSING', `No ${role} password to provision user ${JSON.stringify(credentials.user)} with.`, { variables: [name], remedy: `Set ${name}.` });
  }
  return { user: credentials.user, password: credentials.password };
}
