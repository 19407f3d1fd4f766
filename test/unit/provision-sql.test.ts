import { expect } from 'chai';
import { provisionError as mysqlError } from '../../lib/dialects/mysql/driver-errors';
import { APP_PRIVILEGES, MIGRATOR_PRIVILEGES, otherDatabaseGrants, provisionSteps as mysqlSteps, revocationsFor } from '../../lib/dialects/mysql/provision';
import { grantPatternMatches, quoteGrantDatabase, quoteString } from '../../lib/dialects/mysql/quote';
import { parseShowGrantsRow } from '../../lib/dialects/mysql/show-grants';
import { provisionError as pgError } from '../../lib/dialects/postgres/driver-errors';
import { mayChangeUnderSaslPrep, passwordClause, scramSha256Verifier } from '../../lib/dialects/postgres/password';
import { provisionSteps as pgSteps } from '../../lib/dialects/postgres/provision';
import { quoteIdent, quoteLiteral } from '../../lib/dialects/postgres/quote';
import { REDACTED, type ProvisionPlan, type ProvisionStep } from '../../lib/dialects/provision-plan';
import { KnexRolesError } from '../../lib/errors';

const AWKWARD_PASSWORDS = [
  `it's`,
  `back\\slash`,
  `trailing\\`,
  `dollar$$quote`,
  `$kr$tag$kr$`,
  `'; DROP ROLE admin; --`,
  `"double"`,
  'back`tick',
  `%_wild`,
  `ü-日本-😀`,
  `E'\\x41'`,
];

function plan(password: string, overrides: Partial<ProvisionPlan> = {}): ProvisionPlan {
  return { database: 'app_db', migrator: { user: 'app_migrator', password: `m-${password}` }, app: { user: 'app_user', password }, ...overrides };
}

/** Every text a human or log could see. */
const visible = (steps: ProvisionStep[]): string[] => steps.flatMap((s) => [s.redactedSql, s.description]);

function provisionFailure(run: () => unknown): KnexRolesError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(KnexRolesError);
    expect((error as KnexRolesError).code).to.equal('E_PROVISION');
    return error as KnexRolesError;
  }
  throw new Error('expected E_PROVISION');
}

describe('provisioning SQL', () => {
  describe('PostgreSQL', () => {
    it('computes the SCRAM-SHA-256 verifier PostgreSQL itself stores', () => {
      // Both read back from pg_authid after CREATE ROLE … PASSWORD '<plaintext>' on PostgreSQL 15.
      expect(scramSha256Verifier('pencil', { salt: Buffer.from('iA9jbZMyrnC1DHuZcBx9iQ==', 'base64') })).to.equal(
        'SCRAM-SHA-256$4096:iA9jbZMyrnC1DHuZcBx9iQ==$8wUp3dE8pDiaA3xTAwSuuuB+muSavwWuH2iQIWdzneM=:XI6OPsYMiPCJnizohHEMDazuMtt0tz0dEe+/Nu/sjG0=',
      );
      expect(scramSha256Verifier(`Mig'r"ator\\$$-ü-😀`, { salt: Buffer.from('xbUYAhChGs6zoU/cKvNBCA==', 'base64') })).to.equal(
        'SCRAM-SHA-256$4096:xbUYAhChGs6zoU/cKvNBCA==$CiGq/FtXdOnHjXhKhrvMk9kvYtZj5oVC0GkYc4zNPwM=:R980FYMWAcI39x5GXFO+rO7StYBeo/wyp9ndlSfZxCk=',
      );
    });

    for (const password of AWKWARD_PASSWORDS) {
      it(`never shows or sends the password ${password}`, () => {
        const steps = pgSteps(plan(password));
        for (const text of visible(steps)) expect(text).not.to.include(password);
        for (const step of steps) expect(step.sql).not.to.include(password); // a verifier, not the plaintext
        const passwordSteps = steps.filter((s) => s.sql.includes('PASSWORD'));
        expect(passwordSteps).to.have.length(2);
        for (const step of passwordSteps) {
          expect(step.sql).to.match(/^ALTER ROLE "app_(migrator|user)" WITH PASSWORD 'SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+'$/);
          expect(step.redactedSql).to.equal(step.sql.replace(/'SCRAM[^']*'/, REDACTED));
        }
      });
    }

    it('lets the server hash a password SASLprep would normalize, quoted as a literal', () => {
      for (const password of ['soft\u00ADhyphen', 'a\u0308-decomposed', 'no\u00A0break\\space']) {
        expect(mayChangeUnderSaslPrep(password)).to.equal(true);
        const clause = passwordClause(password);
        expect(clause.sql).to.equal(`PASSWORD ${quoteLiteral(password)}`);
        expect(clause.redacted).to.equal(`PASSWORD ${REDACTED}`);
      }
      expect(mayChangeUnderSaslPrep('ü-日本-😀')).to.equal(false);
      expect(mayChangeUnderSaslPrep('plain ascii\\')).to.equal(false);
    });

    it('is pure apart from the salt: a fixed salt gives identical steps', () => {
      const salt = Buffer.alloc(16, 7);
      expect(pgSteps(plan('x'), { salt })).to.deep.equal(pgSteps(plan('x'), { salt }));
      expect(pgSteps(plan('x'))).not.to.deep.equal(pgSteps(plan('x')));
    });

    const literals: Array<[string, string]> = [
      ['plain', `'plain'`],
      [`it's`, `'it''s'`],
      ['back\\slash', `E'back\\\\slash'`],
      [`both\\'`, `E'both\\\\'''`],
    ];
    for (const [value, quoted] of literals) it(`quotes the literal ${value} as ${quoted}`, () => expect(quoteLiteral(value)).to.equal(quoted));

    const identifiers: Array<[string, string]> = [
      ['simple', '"simple"'],
      ['MixedCase', '"MixedCase"'],
      ['we"ird', '"we""ird"'],
      ['with space', '"with space"'],
      ['ünï', '"ünï"'],
    ];
    for (const [name, quoted] of identifiers) it(`quotes the identifier ${name} as ${quoted}`, () => expect(quoteIdent(name)).to.equal(quoted));

    it('quotes odd identifiers everywhere they appear, as identifiers and as literals in DO blocks', () => {
      const steps = pgSteps({
        database: 'my"db',
        schema: 'Sch ema',
        migrator: { user: "o'mig", password: 'a' },
        app: { user: 'we"ird app', password: 'b' },
      });
      const all = steps.map((s) => s.sql).join('\n');
      expect(all).to.include('CREATE DATABASE "my""db"');
      expect(all).to.include('GRANT USAGE, CREATE ON SCHEMA "Sch ema" TO "o\'mig"');
      expect(all).to.include(`WHERE rolname = 'o''mig'`);
      expect(all).to.include('CREATE ROLE "we""ird app" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS');
      expect(all).to.include(`ALTER DEFAULT PRIVILEGES FOR ROLE "o'mig" IN SCHEMA "Sch ema" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "we""ird app"`);
      expect(all).to.include(`WHERE datname = 'my"db'`); // a literal inside the DO block
      expect(all).to.include('REVOKE CONNECT, TEMPORARY ON DATABASE "my""db" FROM PUBLIC');
    });

    it('picks a DO-block dollar tag that the names do not contain', () => {
      const steps = pgSteps(plan('x', { migrator: { user: 'm$kr$m', password: 'y' } }));
      const block = steps.find((s) => s.sql.includes('CREATE ROLE "m$kr$m"'));
      expect(block?.sql).to.match(/^DO \$kr0\$/).and.match(/\$kr0\$$/);
    });

    it('states every role attribute explicitly and never runs a statement naming a password in a DO block', () => {
      const steps = pgSteps(plan('secret'));
      const roleSteps = steps.filter((s) => s.sql.includes('CREATE ROLE'));
      expect(roleSteps).to.have.length(2);
      for (const step of roleSteps) {
        for (const attribute of ['NOSUPERUSER', 'NOCREATEDB', 'NOCREATEROLE', 'NOREPLICATION', 'NOBYPASSRLS']) expect(step.sql).to.include(attribute);
        expect(step.sql).not.to.include('PASSWORD');
      }
    });

    it('scrubs passwords and verifiers from server errors', () => {
      const error = pgError(Object.assign(new Error(`syntax error at or near "s3cr'et" near SCRAM-SHA-256$4096:abc`), { code: '42601' }), {
        action: 'doing x',
        adminUser: 'admin',
        database: 'db',
        secrets: [`s3cr'et`, 'SCRAM-SHA-256$4096:abc'],
      });
      expect(error.message).to.include('<redacted>').and.include('[42601]');
      expect(error.message).not.to.include(`s3cr'et`);
      expect(String(error.cause)).not.to.include('SCRAM');
    });
  });

  describe('MySQL / MariaDB', () => {
    it('escapes _ and % in GRANT ON, but not in CREATE DATABASE', () => {
      const steps = mysqlSteps(plan('x', { database: 'my_db%x' }));
      const all = steps.map((s) => s.sql).join('\n');
      expect(all).to.include('CREATE DATABASE IF NOT EXISTS `my_db%x` CHARACTER SET utf8mb4');
      expect(all).to.include(`GRANT ${APP_PRIVILEGES.join(', ')} ON \`my\\_db\\%x\`.* TO 'app_user'@'%'`);
      expect(all).to.include(`GRANT ${MIGRATOR_PRIVILEGES.join(', ')} ON \`my\\_db\\%x\`.* TO 'app_migrator'@'%'`);
      expect(all).not.to.match(/ON `my_db/);
    });

    const grantTargets: Array<[string, string]> = [
      ['plain', '`plain`'],
      ['my_app', '`my\\_app`'],
      ['100%', '`100\\%`'],
      ['back\\slash', '`back\\\\slash`'],
      ['tick`name', '`tick``name`'],
    ];
    for (const [database, quoted] of grantTargets) {
      it(`writes GRANT ON for database ${database} as ${quoted}.*`, () => {
        expect(quoteGrantDatabase(database)).to.equal(quoted);
        const pattern = quoted.slice(1, -1).replace(/``/g, '`');
        expect(grantPatternMatches(pattern, database)).to.equal(true);
      });
    }

    it('treats an unescaped grant pattern as the wildcard it is', () => {
      expect(grantPatternMatches('my_app', 'myXapp')).to.equal(true);
      expect(grantPatternMatches('my\\_app', 'myXapp')).to.equal(false);
      expect(grantPatternMatches('test\\_%', 'test_anything')).to.equal(true);
      expect(grantPatternMatches('test\\_%', 'testing')).to.equal(false);
    });

    const strings: Array<[string, string, string]> = [
      ['plain', `'plain'`, `'plain'`],
      [`it's`, `'it''s'`, `'it''s'`],
      ['back\\slash', `'back\\\\slash'`, `'back\\slash'`],
      [`\\'`, `'\\\\'''`, `'\\'''`],
    ];
    for (const [value, escapes, noEscapes] of strings) {
      it(`quotes the string ${value} as ${escapes} (and ${noEscapes} under NO_BACKSLASH_ESCAPES)`, () => {
        expect(quoteString(value)).to.equal(escapes);
        expect(quoteString(value, { backslashEscapes: false })).to.equal(noEscapes);
      });
    }

    for (const password of AWKWARD_PASSWORDS) {
      it(`never shows the password ${password}`, () => {
        for (const backslashEscapes of [true, false]) {
          const steps = mysqlSteps(plan(password), { backslashEscapes });
          for (const text of visible(steps)) {
            expect(text).not.to.include(password);
            expect(text).not.to.include(quoteString(password, { backslashEscapes }));
          }
          const withPassword = steps.filter((s) => s.sql !== s.redactedSql);
          expect(withPassword.map((s) => s.redactedSql)).to.deep.equal([
            `CREATE USER IF NOT EXISTS 'app_migrator'@'%' IDENTIFIED BY ${REDACTED}`,
            `ALTER USER 'app_migrator'@'%' IDENTIFIED BY ${REDACTED}`,
            `CREATE USER IF NOT EXISTS 'app_user'@'%' IDENTIFIED BY ${REDACTED}`,
            `ALTER USER 'app_user'@'%' IDENTIFIED BY ${REDACTED}`,
          ]);
          expect(withPassword[2]?.sql).to.equal(`CREATE USER IF NOT EXISTS 'app_user'@'%' IDENTIFIED BY ${quoteString(password, { backslashEscapes })}`);
        }
      });
    }

    it('quotes user and host parts as strings', () => {
      const steps = mysqlSteps(plan('x', { app: { user: "o'brien", password: 'y' }, userHost: '10.0.%' }));
      expect(steps.map((s) => s.sql).join('\n')).to.include(`GRANT SELECT, INSERT, UPDATE, DELETE ON \`app\\_db\`.* TO 'o''brien'@'10.0.%'`);
    });

    it('grants no global privilege and no GRANT OPTION', () => {
      const all = mysqlSteps(plan('x')).map((s) => s.sql).join('\n');
      expect(all).not.to.include('*.*');
      expect(all).not.to.include('WITH GRANT OPTION');
      for (const forbidden of ['FILE', 'SUPER', 'RELOAD', 'PROCESS', 'CREATE USER ON', 'ALL PRIVILEGES']) expect(all).not.to.include(forbidden);
    });

    const rows: Array<[string, Partial<ReturnType<typeof parseShowGrantsRow>>]> = [
      ["GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*ABC'", { kind: 'privileges', privileges: ['USAGE'], global: true, grantOption: false }],
      ['GRANT SELECT, INSERT ON `my\\_db`.* TO `app`@`%`', { privileges: ['SELECT', 'INSERT'], databasePattern: 'my\\_db', global: false }],
      ['GRANT ALL PRIVILEGES ON `d`.* TO `a`@`%` WITH GRANT OPTION', { privileges: ['ALL PRIVILEGES'], grantOption: true, databasePattern: 'd' }],
      ['GRANT SELECT (`user`, `host`), UPDATE (`x`) ON `mysql`.`db` TO `a`@`%`', { privileges: ['SELECT (`USER`, `HOST`)', 'UPDATE (`X`)'], target: '`mysql`.`db`' }],
      ['GRANT EXECUTE ON PROCEDURE `d`.`p` TO `a`@`%`', { privileges: ['EXECUTE'], target: 'PROCEDURE `d`.`p`' }],
      ['GRANT `r` TO `a`@`%`', { kind: 'role', privilegesText: '`r`', target: '' }],
      ["GRANT PROXY ON ''@'%' TO 'a'@'%' WITH GRANT OPTION", { privileges: ['PROXY'], grantOption: true }],
      ['GRANT SELECT ON `on`.`to` TO `to`@`on`', { privileges: ['SELECT'], target: '`on`.`to`' }],
      ['GRANT BACKUP_ADMIN,SYSTEM_VARIABLES_ADMIN ON *.* TO `a`@`%`', { privileges: ['BACKUP_ADMIN', 'SYSTEM_VARIABLES_ADMIN'], global: true }],
    ];
    for (const [row, expected] of rows) {
      it(`reads the SHOW GRANTS row ${row}`, () => expect(parseShowGrantsRow(row)).to.deep.include(expected));
    }
    it('skips SHOW GRANTS rows that are not grants', () => expect(parseShowGrantsRow('SET DEFAULT ROLE `r` FOR `a`@`%`')).to.equal(undefined));

    it('revokes exactly what lies outside the plan', () => {
      const grants = [
        'GRANT FILE, USAGE ON *.* TO `a`@`%` WITH GRANT OPTION',
        'GRANT SELECT, INSERT, DROP ON `my\\_db`.* TO `a`@`%`',
        'GRANT SELECT ON `my_db`.* TO `a`@`%`',
        'GRANT `r` TO `a`@`%`',
        "GRANT PROXY ON ''@'%' TO 'a'@'%'",
        'GRANT SELECT ON `%`.* TO `a`@`%`',
        'GRANT UPDATE ON `my_db`.`t` TO `a`@`%`',
        'GRANT EXECUTE ON PROCEDURE `my_db`.`p` TO `a`@`%`',
        // Another database of the same user pair, and tables and routines there: left alone.
        'GRANT SELECT, INSERT, DROP ON `other\\_db`.* TO `a`@`%`',
        'GRANT SELECT ON `other_db`.`t` TO `a`@`%`',
        'GRANT EXECUTE ON PROCEDURE `other_db`.`p` TO `a`@`%`',
      ].map((row) => parseShowGrantsRow(row) as NonNullable<ReturnType<typeof parseShowGrantsRow>>);
      expect(revocationsFor(grants, { privileges: APP_PRIVILEGES }, 'my\\_db', 'my_db')).to.deep.equal([
        'FILE ON *.*',
        'GRANT OPTION ON *.*',
        'DROP ON `my\\_db`.*',
        'SELECT ON `my_db`.*',
        '`r`',
        "PROXY ON ''@'%'",
        'SELECT ON `%`.*',
        'UPDATE ON `my_db`.`t`',
        'EXECUTE ON PROCEDURE `my_db`.`p`',
      ]);
      expect(otherDatabaseGrants(grants, 'my_db')).to.deep.equal([
        'SELECT, INSERT, DROP ON `other\\_db`.*',
        'SELECT ON `other_db`.`t`',
        'EXECUTE ON PROCEDURE `other_db`.`p`',
      ]);
      const planOnly = ['GRANT USAGE ON *.* TO `a`@`%`', 'GRANT SELECT, INSERT, UPDATE, DELETE ON `my\\_db`.* TO `a`@`%`'].map(
        (row) => parseShowGrantsRow(row) as NonNullable<ReturnType<typeof parseShowGrantsRow>>,
      );
      expect(revocationsFor(planOnly, { privileges: APP_PRIVILEGES }, 'my\\_db', 'my_db')).to.deep.equal([]);
    });

    it('keeps the statement (and its password) out of mapped driver errors', () => {
      const driverError = Object.assign(new Error(`You have an error near 'p''w'`), {
        errno: 1064,
        code: 'ER_PARSE_ERROR',
        sqlMessage: `You have an error near 'p''w'`,
        sql: `CREATE USER 'u'@'%' IDENTIFIED BY 'p''w'`,
      });
      const error = mysqlError(driverError, { action: 'creating x', adminUser: 'root', database: 'db', secrets: [`p'w`, `'p''w'`] });
      const texts = [error.message, error.remedy, String(error.cause), JSON.stringify(error.toJSON()), JSON.stringify(error.cause)];
      for (const text of texts) expect(text).not.to.include(`p''w`);
      expect((error.cause as Record<string, unknown>)['sql']).to.equal(undefined);
      expect(error.message).to.include('[1064 ER_PARSE_ERROR]');
    });
  });

  describe('plan validation (both dialects)', () => {
    const secret = `s3cr'et\\`;
    const invalid: Array<[string, ProvisionPlan]> = [
      ['the same user twice', plan(secret, { migrator: { user: 'app_user', password: secret } })],
      ['an empty password', plan('')],
      ['a NUL in a password', plan(`a\0${secret}`)],
      ['a NUL in a name', plan(secret, { database: 'a\0b' })],
      ['an empty database name', plan(secret, { database: '' })],
      ['a name longer than 64 characters', plan(secret, { database: 'd'.repeat(65) })],
    ];
    for (const [what, bad] of invalid) {
      for (const [dialect, steps] of [['postgres', pgSteps], ['mysql', mysqlSteps]] as const) {
        it(`rejects ${what} on ${dialect}, without repeating the password`, () => {
          const error = provisionFailure(() => steps(bad));
          expect(error.message).not.to.include(secret);
          expect(error.remedy).not.to.include(secret);
        });
      }
    }

    it('rejects a PostgreSQL name longer than 63 bytes, which the server would truncate', () => {
      provisionFailure(() => pgSteps(plan('x', { database: 'ü'.repeat(32) })));
      // MySQL counts characters (64), not bytes: the same name is accepted and used whole.
      const sql = mysqlSteps(plan('x', { database: 'ü'.repeat(32) })).map((step) => step.sql);
      expect(sql.find((statement) => statement.startsWith('CREATE DATABASE'))).to.include(`\`${'ü'.repeat(32)}\``);
    });
  });
});
