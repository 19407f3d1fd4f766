import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format, inspect } from 'node:util';
import knex, { type Knex } from 'knex';
import { doctor, knexConfig, resolveConnection, startKnex, type ResolveOptions } from '../../lib';
import { formatDoctor } from '../../lib/checks/doctor';
import { serverDialects } from '../support/dialects';
import { freePort } from '../support/free-port';
import { runCli } from '../support/run-command';
import { testEnv, testServers, TEST_APP, TEST_DATABASE } from '../support/servers';

/** A password awkward in every encoding: URL-reserved characters, quotes, backslash, `$$`, non-ASCII. */
const SECRET = `Le@k:/?#[]'"\\$$-%41 ü😀`;

/** The password as output could carry it: raw, percent-encoded, JSON-escaped, SQL-quoted, base64. */
const FORMS: Array<[string, string]> = [
  ['raw', SECRET],
  ['percent-encoded', encodeURIComponent(SECRET)],
  ['loosely percent-encoded', encodeURI(SECRET)],
  ['JSON-escaped', JSON.stringify(SECRET).slice(1, -1)],
  ['SQL-quoted', SECRET.replace(/'/g, "''")],
  ['MySQL-quoted', SECRET.replace(/\\/g, '\\\\').replace(/'/g, "\\'")],
  ['base64', Buffer.from(SECRET).toString('base64')],
];

function expectClean(text: string, where: string): void {
  for (const [form, value] of FORMS) expect(text.includes(value), `${where} carries the password ${form}: ${text.slice(0, 400)}`).to.equal(false);
}

/** Every rendering of a value or error a user or logger could produce. */
function renderings(value: unknown): string[] {
  const out = [format('%o', value), format('%O', value), format('%j', value), inspect(value, { showHidden: true, depth: 10 }), String(value)];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch {
    // circular: inspect above covers it
  }
  if (value && typeof value === 'object') {
    out.push(inspect({ ...(value as object) }, { showHidden: true, depth: 10 }));
    try {
      out.push(inspect(structuredClone(value), { showHidden: true, depth: 10 }));
    } catch {
      // functions cannot be cloned: nothing revealed
    }
  }
  if (value instanceof Error) {
    out.push(String(value.stack));
    let cause: unknown = value.cause;
    while (cause) {
      out.push(...renderings(cause));
      cause = (cause as { cause?: unknown }).cause;
    }
  }
  return out;
}

async function caught(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

// The scenarios reach both servers, so the suite needs them started (any server dialect selected).
if (serverDialects().length > 0) describe('no password leaks, in any encoding, from any CLI command or error path', () => {
  let pg: { host: string; port: number };
  let my: { host: string; port: number };
  let closedPort: number;
  let ca: string;
  const cwd = mkdtempSync(join(tmpdir(), 'knex-roles-leaks-'));
  writeFileSync(join(cwd, 'package.json'), '{}');

  before(async () => {
    await testEnv();
    const servers = await testServers();
    pg = servers.postgres;
    my = servers.mysql;
    ({ wrongCa: ca } = servers.tls);
    closedPort = await freePort();
  });

  const secretUrl = (scheme: string, host: string, port: number, user: string = TEST_APP.user): string => `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(SECRET)}@${host}:${port}/${TEST_DATABASE}`;

  /** Environments, each leading to a different error path, all holding SECRET. */
  const scenarios = (): Array<[string, Record<string, string>]> => [
    ['a URL in PG_HOST', { DB_CONNECTION: 'pg', PG_HOST: secretUrl('postgres', pg.host, pg.port), PG_USER: 'u', PG_NAME: 'd' }],
    ['a URL in DB_USER', { DB_CONNECTION: 'mysql', DB_USER: `app:${SECRET}@db`, DB_NAME: 'd' }],
    ['a URL in DB_CONNECTION', { DB_CONNECTION: secretUrl('postgres', pg.host, pg.port) }],
    ['a secret in ELOQUENT_DB_ROLE', { ELOQUENT_DB_ROLE: SECRET, PG_USER: 'u', PG_NAME: 'd' }],
    ['a malformed PG_URL', { PG_URL: `postgres://u:${encodeURIComponent(SECRET)}@h:notaport/d` }],
    ['an unknown URL parameter', { PG_URL: `${secretUrl('postgres', pg.host, pg.port)}?options=${encodeURIComponent(SECRET)}` }],
    ['a URL of another dialect', { DB_CONNECTION: 'mysql', DB_USER: 'u', DB_NAME: 'd', DATABASE_URL: secretUrl('postgres', pg.host, pg.port) }],
    ['only another role\'s URL (no silent fallback)', { PG_MIGRATION_URL: secretUrl('postgres', pg.host, pg.port) }],
    ['a bad port next to PG_PASSWORD', { DB_CONNECTION: 'pg', PG_USER: 'u', PG_NAME: 'd', PG_PORT: 'x', PG_PASSWORD: SECRET }],
    ['a wrong password in PG_URL (login refused)', { PG_URL: secretUrl('postgres', pg.host, pg.port) }],
    ['a wrong password in DB_URL (login refused)', { DB_URL: secretUrl('mysql', my.host, my.port) }],
    ['a wrong password in DATABASE_URL', { DATABASE_URL: secretUrl('postgres', pg.host, pg.port) }],
    ['an unreachable server', { PG_URL: secretUrl('postgres', '127.0.0.1', closedPort) }],
    ['a TLS failure (wrong CA)', { PG_URL: `${secretUrl('postgres', 'localhost', pg.port)}?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}` }],
    ['a wrong PG_PASSWORD', { PG_HOST: pg.host, PG_PORT: String(pg.port), PG_USER: TEST_APP.user, PG_NAME: TEST_DATABASE, PG_PASSWORD: SECRET }],
    ['a wrong DB_PASSWORD', { DB_HOST: my.host, DB_PORT: String(my.port), DB_USER: TEST_APP.user, DB_NAME: TEST_DATABASE, DB_PASSWORD: SECRET }],
  ];

  const COMMANDS: Array<[string[], Record<string, string>]> = [
    [['doctor'], {}],
    [['doctor', '--json'], {}],
    [['doctor', '--role', 'runtime', '--strict'], {}],
    [['migrate', 'status'], { ELOQUENT_DB_ROLE: 'migration' }],
    [['migrate', 'latest', '--dry-run'], { ELOQUENT_DB_ROLE: 'migration' }],
    [['migrate', 'status'], {}],
    [['provision', '--print'], { PG_ADMIN_USER: 'a', PG_ADMIN_PASSWORD: SECRET, DB_ADMIN_USER: 'a', DB_ADMIN_PASSWORD: SECRET }],
    [['provision'], { PG_ADMIN_USER: 'a', PG_ADMIN_PASSWORD: SECRET, DB_ADMIN_USER: 'a', DB_ADMIN_PASSWORD: SECRET }],
  ];

  it('every CLI command, in every scenario', async function () {
    this.timeout(600_000);
    let runs = 0;
    for (const [title, env] of scenarios()) {
      for (const [args, extra] of COMMANDS) {
        // The scenario's own role wins (ELOQUENT_DB_ROLE=secret must stay).
        const result = await runCli([...args, '--cwd', cwd], { ...extra, ...env }, cwd);
        expectClean(result.output, `knex-roles ${args.join(' ')} with ${title}`);
        runs += 1;
      }
    }
    expect(runs).to.equal(scenarios().length * COMMANDS.length);
  });

  it('every library error path: resolveConnection, knexConfig, startKnex, doctor (messages, stacks, JSON, causes, knex warnings)', async () => {
    const warnings: string[] = [];
    const saved = { warn: console.warn, error: console.error, log: console.log };
    console.warn = (...args: unknown[]) => void warnings.push(format(...args));
    console.error = (...args: unknown[]) => void warnings.push(format(...args));
    try {
      for (const [title, env] of scenarios()) {
        const options: ResolveOptions = { env, cwd };
        const errors = [
          await caught(() => resolveConnection(options)),
          await caught(() => knexConfig(options)),
          await caught(() => startKnex({ ...options, attempts: 2, delayMs: 10, timeoutMs: 3000, verify: false }).then((k) => k.destroy())),
        ];
        const report = await doctor({ ...options, timeoutMs: 3000 });
        for (const text of [...errors.flatMap(renderings), JSON.stringify(report), formatDoctor(report)]) expectClean(text, title);
        expect(errors.some((e) => e !== undefined), `${title}: some path fails`).to.equal(true);
      }
    } finally {
      Object.assign(console, saved);
    }
    expect(warnings.join('\n')).to.include('Acquire connection error'); // knex did warn, scrubbed
    expectClean(warnings.join('\n'), "knex's own warnings");
  });

  for (const dialect of ['postgres', 'mysql'] as const) {
    it(`${dialect}: resolveConnection().connection, knexConfig().connection, knex.client.config and connectionSettings hide it (%o, showHidden, structuredClone, spread, JSON)`, async () => {
      const server = dialect === 'postgres' ? pg : my;
      const family = dialect === 'postgres' ? 'PG' : 'DB';
      const env = { [`${family}_HOST`]: server.host, [`${family}_PORT`]: String(server.port), [`${family}_USER`]: TEST_APP.user, [`${family}_NAME`]: TEST_DATABASE, [`${family}_PASSWORD`]: SECRET };
      const resolved = resolveConnection({ env, cwd });
      const config = knexConfig({ env, cwd });
      const instance: Knex = knex(config);
      try {
        await instance.raw('select 1').catch(() => undefined); // login refused: connectionSettings is populated by then
        const client = instance.client as { config: unknown; connectionSettings: unknown };
        expect(client.connectionSettings, 'knex resolved the connection').to.not.equal(undefined);
        for (const value of [resolved, resolved.connection, config, config.connection, client.config, client.connectionSettings]) {
          for (const text of renderings(value)) expectClean(text, dialect);
        }
      } finally {
        await instance.destroy();
      }
    });
  }
});
