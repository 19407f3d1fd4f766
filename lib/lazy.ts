// The commands of the public surface (migrate, doctor, startKnex, provision, verify) as
// thin functions that load their module on first call: `require('knex-roles')` then
// costs about what `require('knex')` does (`npm run bench`), and an app that only builds
// knexfiles never loads the migrate engine or the provisioning code.
type RunMigrations = typeof import('./migrate/run-migrations');
type StartKnex = typeof import('./start-knex');
type Doctor = typeof import('./doctor');
type Verify = typeof import('./verify-privileges');
type Wait = typeof import('./wait-for-database');
type ProvisionPg = typeof import('./dialects/postgres/provision');
type ProvisionMysql = typeof import('./dialects/mysql/provision');

export const runMigrations: RunMigrations['runMigrations'] = (...args) => (require('./migrate/run-migrations') as RunMigrations).runMigrations(...args);
export const startKnex: StartKnex['startKnex'] = (...args) => (require('./start-knex') as StartKnex).startKnex(...args);
export const startKnexWithReport: StartKnex['startKnexWithReport'] = (...args) => (require('./start-knex') as StartKnex).startKnexWithReport(...args);
export const doctor: Doctor['doctor'] = (...args) => (require('./doctor') as Doctor).doctor(...args);
export const formatDoctor: Doctor['formatDoctor'] = (...args) => (require('./doctor') as Doctor).formatDoctor(...args);
export const verifyPrivileges: Verify['verifyPrivileges'] = (...args) => (require('./verify-privileges') as Verify).verifyPrivileges(...args);
export const assertPrivileges: Verify['assertPrivileges'] = (...args) => (require('./verify-privileges') as Verify).assertPrivileges(...args);
export const waitForDatabase: Wait['waitForDatabase'] = (...args) => (require('./wait-for-database') as Wait).waitForDatabase(...args);
export const provisionPostgres: ProvisionPg['provision'] = (...args) => (require('./dialects/postgres/provision') as ProvisionPg).provision(...args);
export const provisionStepsPostgres: ProvisionPg['provisionSteps'] = (...args) => (require('./dialects/postgres/provision') as ProvisionPg).provisionSteps(...args);
export const provisionMysql: ProvisionMysql['provision'] = (...args) => (require('./dialects/mysql/provision') as ProvisionMysql).provision(...args);
export const provisionStepsMysql: ProvisionMysql['provisionSteps'] = (...args) => (require('./dialects/mysql/provision') as ProvisionMysql).provisionSteps(...args);
