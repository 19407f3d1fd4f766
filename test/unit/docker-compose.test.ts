import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { resolveConnection } from '../../lib';
import { contractRows } from '../../lib/env/contract';
import { passwordOf } from '../../lib/env/hide-password';
import { resolveProvisioning } from '../../lib/env/resolve-provisioning';
import { secretsInEnv } from '../../lib/checks/secrets-in-env';
import { MATRIX_SPECS, matrixMajors } from '../support/pg-build';

// docker-compose.yml cannot run here (no Docker engine), so this checks what can go
// wrong without one: every variable it names belongs to the env contract, each service
// holds only its role's secrets, and with compose.env.example each service resolves as meant.

const ROOT = join(__dirname, '../..');
const COMPOSE = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const EXAMPLE = parse(readFileSync(join(ROOT, 'compose.env.example')));
const CONTRACT = new Set([...contractRows().map((row) => row.variable), 'ELOQUENT_DB_ROLE', 'DB_CONNECTION']);
const IMAGE_VARIABLES = /^(MYSQL|POSTGRES)_/;

interface Service {
  lines: string[];
  environment: Record<string, string>;
}

/** The services block of the file, by the two-space YAML layout it is written in. */
function services(): Record<string, Service> {
  const out: Record<string, Service> = {};
  let current: Service | undefined;
  let inEnvironment = false;
  for (const line of COMPOSE.slice(COMPOSE.indexOf('\nservices:')).split('\n').slice(2)) {
    if (/^\S/.test(line)) break; // the next top-level key ends the services block
    const service = /^ {2}([a-z][\w-]*):\s*$/.exec(line);
    if (service?.[1]) {
      current = out[service[1]] = { lines: [], environment: {} };
      inEnvironment = false;
      continue;
    }
    if (!current) continue;
    current.lines.push(line);
    if (/^ {4}\S/.test(line)) inEnvironment = /^ {4}environment:\s*$/.test(line);
    const entry = inEnvironment ? /^ {6}([A-Z][A-Z0-9_]*): (.*)$/.exec(line) : null;
    if (entry?.[1]) current.environment[entry[1]] = entry[2] ?? '';
  }
  return out;
}

/** Compose interpolation of ${X}, ${X:-default}, ${X:?message} against compose.env.example. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_all, name: string, op?: string, arg?: string) => {
    const set = EXAMPLE[name];
    if (set) return set;
    if (op === '-') return arg ?? '';
    throw new Error(`${name} is required by docker-compose.yml but not set in compose.env.example`);
  });
}

function envOf(service: Service): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment).map(([key, value]) => [key, interpolate(value)]));
}

describe('docker-compose.yml', () => {
  const all = services();

  it('has mysql:8.4 and postgres:16 with health checks, provision, migrate and app', () => {
    expect(Object.keys(all).sort()).to.deep.equal(['app', 'migrate', 'mysql', 'postgres', 'provision']);
    expect(all['mysql']?.lines.join('\n')).to.match(/image: mysql:8\.4[\s\S]*healthcheck:/);
    expect(all['postgres']?.lines.join('\n')).to.match(/image: postgres:16[\s\S]*healthcheck:/);
  });

  it("runs a PostgreSQL major that the suites run (npm test's PostgreSQL matrix: provision, migrate, the guard)", () => {
    const major = Number(/image: postgres:(\d+)/.exec(all['postgres']?.lines.join('\n') ?? '')?.[1]);
    expect(matrixMajors()).to.include(major);
    expect(MATRIX_SPECS).to.include.members(['test/integration/provision.postgres.test.ts', 'test/integration/migrate.test.ts', 'test/integration/guard.test.ts']);
  });

  it('names only env-contract variables', () => {
    const referenced = [...COMPOSE.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] ?? '');
    const set = Object.values(all).flatMap((service) => Object.keys(service.environment));
    const foreign = [...new Set([...referenced, ...set])].filter((name) => !CONTRACT.has(name) && !IMAGE_VARIABLES.test(name));
    expect(foreign).to.deep.equal([]);
  });

  it('compose.env.example names only env-contract variables', () => {
    expect(Object.keys(EXAMPLE).filter((name) => !CONTRACT.has(name))).to.deep.equal([]);
  });

  it('provision runs this package\'s CLI on both servers as the admin', () => {
    const command = all['provision']?.lines.find((line) => line.includes('command:')) ?? '';
    expect(command).to.include('DB_CONNECTION=mysql node dist/cjs/cli/main.js provision');
    expect(command).to.include('DB_CONNECTION=pg node dist/cjs/cli/main.js provision');
    const env = envOf(all['provision'] as Service);
    for (const dialect of ['mysql', 'postgres'] as const) {
      const plan = resolveProvisioning({ env, dialect });
      expect(plan.migrator.user).to.equal('knexroles_migrator');
      expect(plan.app.user).to.equal('knexroles_app');
      expect(plan.admin.host).to.equal(dialect === 'mysql' ? 'mysql' : 'postgres');
    }
  });

  for (const [name, role, forbidden] of [
    ['migrate', 'migration', /_(RUNTIME|ADMIN)_/],
    ['app', 'runtime', /_(MIGRATION|ADMIN)_/],
  ] as const) {
    it(`${name} holds ${role} credentials only and resolves the ${role} role on both dialects`, () => {
      const env = envOf(all[name] as Service);
      expect(Object.keys(env).filter((key) => forbidden.test(key))).to.deep.equal([]);
      if (role === 'runtime') expect(secretsInEnv(env, 'runtime')).to.deep.equal([]);
      expect(env['ELOQUENT_DB_ROLE']).to.equal(role);
      for (const selector of ['mysql', 'pg']) {
        const resolved = resolveConnection({ env: { ...env, DB_CONNECTION: selector } });
        expect(resolved.role).to.equal(role);
        expect(resolved.connection).to.include({ user: role === 'runtime' ? 'knexroles_app' : 'knexroles_migrator', database: 'knexroles' });
        expect(passwordOf(resolved.connection)).to.match(/^change-me-/);
      }
    });
  }
});
