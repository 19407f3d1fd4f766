// The commands of the public surface (migrate, doctor, startKnex, provision, verify) as
// thin functions that load their module on first call: `require('knex-roles')` then
// costs about what `require('knex')` does (`npm run bench`), and an app that only builds
// knexfiles never loads the migrate engine or the provisioning code.
type RunMigrations = typeof import('./migrate/run-migrations');
type StartKnex = typeof import('./start-knex');
type Doctor = typeof import('./checks/doctor');
type Verify = typeof import('./checks/verify-privileges');
type Provision = typeof import('./provision');

type AnyFunction = (...args: unknown[]) => unknown;

/** `name` of `module`, required on its first call; typed as the real export (overloads included). */
function lazy<T>(load: () => unknown, name: string): T {
  return ((...args: unknown[]) => ((load() as Record<string, AnyFunction>)[name] as AnyFunction)(...args)) as T;
}

export const runMigrations = lazy<RunMigrations['runMigrations']>(() => require('./migrate/run-migrations'), 'runMigrations');
export const startKnex = lazy<StartKnex['startKnex']>(() => require('./start-knex'), 'startKnex');
export const doctor = lazy<Doctor['doctor']>(() => require('./checks/doctor'), 'doctor');
export const verifyPrivileges = lazy<Verify['verifyPrivileges']>(() => require('./checks/verify-privileges'), 'verifyPrivileges');
export const provision = lazy<Provision['provision']>(() => require('./provision'), 'provision');
