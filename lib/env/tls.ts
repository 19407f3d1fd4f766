import { readFileSync } from 'node:fs';
import { projectRoot } from './project-root';
import { resolve } from 'node:path';
import { EnvContractError } from '../errors';
import { dialectModule } from '../dialects/registry';
import type { Dialect } from '../types';
import { at } from './level-of';

/** libpq's sslmode names, the one vocabulary for both server dialects. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Boolean spellings (DB_SSL=true, ?ssl=1): true asks for full verification, the safe reading. */
const BOOLEAN: Readonly<Record<string, SslMode>> = { true: 'verify-full', '1': 'verify-full', on: 'verify-full', false: 'disable', '0': 'disable', off: 'disable' };

/** What the driver's `ssl` option becomes; `undefined` leaves it unset (no TLS variable at all). */
export type SslOption = false | { rejectUnauthorized: boolean; ca?: string; checkServerIdentity?: () => undefined; verifyIdentity?: boolean };

export interface TlsInput {
  dialect: Dialect;
  mode?: string;
  modeVariable?: string;
  ca?: string;
  caVariable?: string;
  cwd: string;
}

/**
 * The driver `ssl` option for a TLS mode, with libpq's meaning:
 * - disable: no TLS. allow: no TLS (libpq tries plain first; pg cannot retry with TLS).
 * - prefer: TLS without verification; pg cannot fall back to plain text, so a server
 *   without TLS fails (E_TLS) instead of silently downgrading. MySQL: not accepted.
 * - require: TLS, certificate not verified, unless a CA is given (then as verify-ca, like libpq).
 * - verify-ca: the chain must verify against the CA (or the system store); host not checked.
 * - verify-full: as verify-ca, and the certificate must name the host.
 * A CA file without a mode means verify-full. The CA file is read once, here.
 */
export function sslOption(input: TlsInput): SslOption | undefined {
  const { dialect } = input;
  if (input.mode === undefined && input.ca === undefined) return undefined;
  const mode = input.mode === undefined ? 'verify-full' : normalize(input.mode, input.modeVariable ?? 'sslmode', dialect);
  if (mode === 'disable' || mode === 'allow') {
    if (input.ca !== undefined && input.caVariable) {
      throw new EnvContractError('E_ENV_SSL', `${at(input.caVariable)} is set but ${input.modeVariable ?? 'the TLS mode'} turns TLS off.`, { variables: [input.caVariable, input.modeVariable ?? ''].filter(Boolean), remedy: `Unset ${input.caVariable}, or set ${input.modeVariable} to verify-full.` });
    }
    return false;
  }
  const ca = input.ca === undefined ? undefined : readCa(input.ca, input.caVariable ?? 'the CA variable', input.cwd);
  const effective: SslMode = mode === 'require' && ca !== undefined ? 'verify-ca' : mode;
  if (effective === 'prefer' || effective === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ...(ca !== undefined ? { ca } : {}), ...dialectModule(dialect).tls?.identity(effective) };
}

function normalize(value: string, variable: string, dialect: Dialect): SslMode {
  const lower = value.trim().toLowerCase();
  const mode: SslMode | undefined = BOOLEAN[lower] ?? SSL_MODES.find((m) => m === lower);
  const rules = dialectModule(dialect).tls;
  const accepted: readonly string[] = rules?.modes ?? SSL_MODES;
  if (mode === undefined || !accepted.includes(mode)) {
    const why = mode === undefined ? 'is not a TLS mode' : (rules?.refusal ?? 'is not accepted');
    // The value is echoed only when it is a plain word (a misplaced secret must not be).
    const shown = /^[a-z-]{1,20}$/.test(lower) ? ` ("${lower}")` : '';
    throw new EnvContractError('E_ENV_SSL', `${at(variable)}${shown} ${why}.`, { variables: [variable], remedy: `Set ${variable} to one of ${accepted.join(', ')}.` });
  }
  return mode;
}

function readCa(path: string, variable: string, cwd: string): string {
  try {
    // Relative to the project, as SQLite paths are (projectRoot).
    return readFileSync(resolve(projectRoot(cwd), path), 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new EnvContractError('E_ENV_SSL', `${at(variable)} names a CA file that cannot be read (${typeof code === 'string' ? code : 'error'}).`, { variables: [variable], remedy: `Set ${variable} to the path of a PEM file holding the server's CA certificate (relative paths are taken from the project directory).` });
  }
}
