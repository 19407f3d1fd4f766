import { expect } from 'chai';
import { defaults } from 'pg';
import { startupRefusal } from '../../lib/dialects/postgres/startup-refusal';

/**
 * PostgreSQL login options (`options`, a connection string's `?options=`, PGOPTIONS) read as
 * the server reads them, before connecting: a setting a runtime SET may not make is refused
 * there too, also one of a library the session loads later (red team 26: `-c
 * plpgsql.check_asserts=off` is a placeholder the session read cannot see).
 */
const NO_ENV = {};

const REFUSED: Array<[settings: unknown, env: NodeJS.ProcessEnv, option: string, name: string]> = [
  [{ options: '-c plpgsql.check_asserts=off' }, NO_ENV, 'options', 'plpgsql.check_asserts'],
  [{ options: '-cplpgsql.check_asserts=off' }, NO_ENV, 'options', 'plpgsql.check_asserts'],
  [{ options: '--plpgsql.check-asserts=off' }, NO_ENV, 'options', 'plpgsql.check_asserts'],
  [{ options: '-c statement_timeout=5s  -c  JIT_Profiling_Support=on' }, NO_ENV, 'options', 'jit_profiling_support'],
  [{ options: '-c application_name=a\\ b -c session_replication_role=replica' }, NO_ENV, 'options', 'session_replication_role'],
  [{ options: '-c auto_explain.log_min_duration=-1' }, NO_ENV, 'options', 'auto_explain.log_min_duration'],
  [{ options: '-c log_statement=none' }, NO_ENV, 'options', 'log_statement'],
  [{ options: '-O' }, NO_ENV, 'options', '-O'],
  [{ options: '-P -c search_path=app' }, NO_ENV, 'options', '-P'],
  [{ connectionString: 'postgres://u@h/db?options=-c%20plpgsql.check_asserts%3Doff' }, NO_ENV, 'connectionString', 'plpgsql.check_asserts'],
  // The forms pg's own connection-string parser reads options from (review).
  ['socket:/var/run/postgresql?db=app&options=-c%20track_activities%3Doff', NO_ENV, 'connectionString', 'track_activities'],
  [{ connectionString: 'app?options=-ctrack_counts%3Doff' }, NO_ENV, 'connectionString', 'track_counts'],
  [{ connectionString: 'postgres://u:p@/db?host=/tmp&options=-clog_statement%3Dnone' }, NO_ENV, 'connectionString', 'log_statement'],
  // pg merges the parsed connection string over the config: its options win.
  [{ options: '-c statement_timeout=1', connectionString: 'postgres://u@h/db?options=-c%20plpgsql.check_asserts%3Doff' }, NO_ENV, 'connectionString', 'plpgsql.check_asserts'],
  // The server splits at ASCII white space only: a no-break space is part of the argument before it (review).
  [{ options: '--application_name=x\u00a0-c --plpgsql.check_asserts=off' }, NO_ENV, 'options', 'plpgsql.check_asserts'],
  // …and in a latin1 locale also at the byte A0 inside the UTF-8 of à (C3 A0).
  [{ options: '--application_name=a\u00e0--plpgsql.check_asserts=off' }, NO_ENV, 'options', 'plpgsql.check_asserts'],
  // String objects, which the drivers turn into text (red team 27).
  [{ options: Object('-c plpgsql.check_asserts=off') as unknown }, NO_ENV, 'options', 'plpgsql.check_asserts'],
  [{ connectionString: Object('postgres://u@h/db?options=-ctrack_counts%3Doff') as unknown }, NO_ENV, 'connectionString', 'track_counts'],
  // A repeated options parameter: the last one counts, as in pg's parser.
  ['postgres://u@h/db?options=-cwork_mem%3D1MB&options=-clog_statement%3Dnone', NO_ENV, 'connectionString', 'log_statement'],
  [{ host: 'h' }, { PGOPTIONS: '-c plperl.on_plperl_init=x' }, 'PGOPTIONS', 'plperl.on_plperl_init'],
];

const ALLOWED: Array<[settings: unknown, env: NodeJS.ProcessEnv]> = [
  [{ options: '-c search_path=app,public -c statement_timeout=5000' }, NO_ENV],
  [{ options: '--application-name=web --client_encoding=UTF8' }, NO_ENV],
  [{ options: '-c app.tenant_id=42 -c role.tenant=acme' }, NO_ENV],
  [{ options: '' }, { PGOPTIONS: '-c lock_timeout=1s' }],
  [{ connectionString: 'postgres://u@h/db?sslmode=require' }, NO_ENV],
  [{ host: 'h', password: 'x' }, NO_ENV],
  [undefined, NO_ENV],
  ['host=h options=-O', NO_ENV],
  [{ options: '-c application_name=Z\u00fcrich\\ caf\u00e9' }, NO_ENV],
];

describe('PostgreSQL login options (lib/dialects/postgres/startup-refusal.ts)', () => {
  for (const [settings, env, option, name] of REFUSED) {
    it(`refuses ${JSON.stringify(settings)} ${JSON.stringify(env)}`, () => {
      expect(startupRefusal(settings, env)).to.include({ option, name });
    });
  }
  for (const [settings, env] of ALLOWED) {
    it(`allows ${JSON.stringify(settings)} ${JSON.stringify(env)}`, () => {
      expect(startupRefusal(settings, env)).to.equal(undefined);
    });
  }
  it("the connection's own options win over PGOPTIONS, as in pg and libpq", () => {
    expect(startupRefusal({ options: '-c statement_timeout=1' }, { PGOPTIONS: '-c log_statement=none' })).to.equal(undefined);
  });
  it('names a stray argument by its place, not its text (it may be part of a value)', () => {
    expect(startupRefusal({ options: '-c application_name=my s3cr3t' }, NO_ENV)).to.include({ name: '(argument 3)', switch: true });
  });
  it('falls back on pg.defaults.options, as pg does', () => {
    const before = (defaults as { options?: string }).options;
    (defaults as { options?: string }).options = '-c session_replication_role=replica';
    try {
      expect(startupRefusal({ host: 'h' }, NO_ENV)).to.include({ option: 'pg.defaults.options', name: 'session_replication_role' });
    } finally {
      (defaults as { options?: string }).options = before;
    }
  });
  it('names the setting, never its value', () => {
    expect(JSON.stringify(startupRefusal({ options: '-c plperl.on_plperl_init=s3cr3t' }, NO_ENV))).not.to.include('s3cr3t');
  });
});
