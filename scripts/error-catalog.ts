// Renders the README's error-code catalog from ERROR_CODES in lib/errors.ts;
// test/unit/readme.test.ts fails when the README's copy drifts from it.
import { ERROR_CODES } from '../lib/errors';

const THROWN_AS: Record<string, string> = {
  E_ENV_ROLE: 'EnvContractError',
  E_ENV_DIALECT: 'EnvContractError',
  E_ENV_AMBIGUOUS: 'EnvContractError',
  E_ENV_MISSING: 'EnvContractError',
  E_ENV_PORT: 'EnvContractError',
  E_ENV_CONFLICT: 'EnvContractError',
  E_ENV_NO_DATABASE: 'EnvContractError',
  E_ENV_SECRETS: 'EnvContractError',
  E_ENV_NOT_READ: 'EnvContractError',
  E_ENV_URL: 'EnvContractError',
  E_ENV_URL_PARAM: 'EnvContractError',
  E_ENV_URL_DIALECT: 'EnvContractError',
  E_ENV_URL_IN_FIELD: 'EnvContractError',
  E_ENV_SSL: 'EnvContractError',
  E_TLS: 'TlsError',
  E_ENV_FLAG: 'EnvContractError',
  E_RUNTIME_DDL: 'RuntimeDdlError',
  E_RUNTIME_MIGRATE: 'RuntimeDdlError',
  E_GUARD_SESSION: 'GuardSessionError',
  E_GUARD_IN_USE: 'UnguardedPathError',
  E_GUARD_EARLIER_CLONE: 'UnguardedPathError',
  E_PRIVILEGES: 'PrivilegeError',
  E_UNREACHABLE: 'UnreachableError',
  E_LOGIN_REFUSED: 'LoginRefusedError',
  E_MIGRATION_FAILED: 'MigrationFailedError',
};

export function renderErrorCatalog(): string {
  const rows = ['| Code | Class | Meaning |', '| --- | --- | --- |'];
  for (const [code, meaning] of Object.entries(ERROR_CODES)) rows.push(`| \`${code}\` | \`${THROWN_AS[code] ?? 'KnexRolesError'}\` | ${meaning} |`);
  return rows.join('\n');
}

if (require.main === module) console.log(renderErrorCatalog());
