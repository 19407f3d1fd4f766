import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import knex, { type Knex } from 'knex';
import ts from 'typescript';
import { classifySql, fullClassification, type Classification, type SessionReading } from '../../lib/guard/classify';
import { dialectModule } from '../../lib/dialects/registry';
import { bannedNamePrefixes, fastClassification, fastPathGate, INERT_WORDS } from '../../lib/guard/fast-path';
import type { Dialect } from '../../lib/types';
import { typicalStatements } from '../../bench/classifier';
import { firstGate } from '../support/fast-path-gate-v1';
import { seededRandom, spellingVariants, type Random } from '../support/spelling-variants';

/**
 * The fast path (lib/guard/fast-path.ts) may only ever answer what the full classifier
 * answers. Differential: over every SQL-looking string literal in test/ (the classify
 * cases, spelling templates and their respellings, the corpora), knex-built statements
 * with hostile identifiers and a seeded generator of statements made of the fast path's own
 * alphabet with hostile words and names mixed in: wherever the fast path answers, the full
 * classifier gives the identical verdict, under every session reading. Then each gate is
 * shown to reject what it must.
 */

const DIALECTS: readonly Dialect[] = ['postgres', 'mysql', 'sqlite'];
const SESSIONS: ReadonlyArray<SessionReading | undefined> = [undefined, { altBackslash: true }, { ansiQuotes: true }, { altBackslash: false, ansiQuotes: false }];
const CLIENTS: Record<Dialect, string> = { postgres: 'pg', mysql: 'mysql2', sqlite: 'better-sqlite3' };
const QUOTES: Record<Dialect, string> = { postgres: '"', mysql: '`', sqlite: '`' };

/** Counts per dialect of texts the fast path answered, so a test that compares nothing fails. */
function agree(dialect: Dialect, sql: string): boolean {
  const fast = fastClassification(sql, dialect);
  if (fast === undefined) return false;
  for (const session of SESSIONS) {
    const full: Classification = fullClassification(sql, dialect, session);
    expect(fast, `${dialect} ${JSON.stringify(sql)} session ${JSON.stringify(session)}`).to.deep.equal(full);
  }
  expect(classifySql(sql, dialect)).to.deep.equal(fast);
  return true;
}

/** Every string literal in the .ts files under `dirs` (TypeScript's own parser, so escapes are exact); a template with its holes as `x`. */
function stringLiterals(dirs: readonly string[]): string[] {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const source = ts.createSourceFile(full, fs.readFileSync(full, 'utf8'), ts.ScriptTarget.Latest, false);
        const visit = (node: ts.Node): void => {
          if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.add(node.text);
          else if (ts.isTemplateExpression(node)) out.add(node.head.text + node.templateSpans.map((span) => `x${span.literal.text}`).join(''));
          ts.forEachChild(node, visit);
        };
        visit(source);
      }
    }
  };
  for (const dir of dirs) walk(dir);
  return [...out];
}

/** Every string literal in the test tree. */
function testLiterals(): string[] {
  return stringLiterals([path.join(__dirname, '..')]);
}

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Names the fast path must not accept, or must accept only where the full classifier does. */
function hostileNames(dialect: Dialect): string[] {
  const rules = dialectModule(dialect).guardRules;
  const names = [...rules.functions.keys(), ...rules.functionPrefixes.map(([p]) => `${p}x`), ...rules.bareNamePrefixes, ...rules.catalogSchemas];
  names.push('pg_class', 'pg_authid', 'pg_settings', 'sqlite_master', 'sqlite_schema', 'sqlite_sequence', 'sqlite_stat1', 'set_config', 'knex_migrations', 'knex_migrations_lock', 'user', 'db');
  names.push('users', 'id', 'email', 'select', 'drop', 'into', 'outfile', 'table', 'a1', 'x_pg_class', 'PG_CLASS', 'Users', '_', '9');
  return names;
}

/** Words for the generator: inert ones, and others the full classifier may act on. */
const OTHER_WORDS = [
  'into', 'with', 'union', 'lock', 'drop', 'create', 'table', 'outfile', 'dumpfile', 'of', 'truncate', 'grant', 'pg_class', 'pg_read_file',
  'lo_import', 'load_file', 'sqlite_master', 'pragma_optimize', 'set_config', 'uescape', 'u', 'e', 'b', 'x', 'n', 'mysql', 'sys', 'replace',
  'ignore', 'only', 'copy', 'analyze', 'explain', 'call', 'do', 'end', 'begin', 'commit', 'pragma', 'attach', 'vacuum', 'users',
];
/** Every word literal in lib/guard and lib/dialects, lower-cased: the words the classifier acts on. */
function classifierWords(): string[] {
  const lib = path.join(__dirname, '../../lib');
  return stringLiterals([path.join(lib, 'guard'), path.join(lib, 'dialects')]).filter((text) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(text)).map((w) => w.toLowerCase());
}

/** Bare names for the generator: every keyword of every dialect, every word the classifier knows, hostile names, and plain ones. */
function bareNames(dialect: Dialect): string[] {
  const keywords = DIALECTS.flatMap((d) => dialectModule(d).guardRules.keywords);
  const plain = ['id', 'user_id', 'order_id', 'from_id', 'select_x', 'x1', '_a', 'a_', 'name2', 'intox', 'x_into', 'pgx', 'sqlitex', 'mysql_x'];
  return [...new Set([...keywords, ...classifierWords(), ...hostileNames(dialect).map((n) => n.toLowerCase()), ...plain])].filter((w) => /^[a-z_][a-z0-9_]*$/.test(w));
}

const OPS = ['.', ',', '(', ')', '=', '<', '>', '*', '+', '?', '<>', '>=', '(*)'];
const SPACES = [' ', ' ', ' ', '  ', '\t', '\n', '\r\n', ''];
const HEADS = ['select', 'insert into', 'update', 'delete from', 'delete', 'SELECT', 'Insert Into', 'UPDATE', 'with', 'explain select', 'select', 'select'];

function generated(dialect: Dialect, random: Random, bare: readonly string[]): string {
  const q = QUOTES[dialect];
  const names = hostileNames(dialect);
  const length = 1 + Math.floor(random() * 14);
  let sql = pick(['', '', ' ', '\n'], random) + pick(HEADS, random);
  for (let i = 0; i < length; i++) {
    sql += pick(SPACES, random);
    const r = random();
    if (r < 0.35) sql += `${q}${pick(names, random)}${q}`;
    else if (r < 0.6) sql += pick(INERT_WORDS, random);
    else if (r < 0.65) sql += pick(OTHER_WORDS, random);
    else if (r < 0.75) sql += pick(bare, random);
    else if (r < 0.85) sql += pick(OPS, random);
    else if (r < 0.92) sql += pick(['1', '42', '3.5', '0', '1.5e3'], random);
    else sql += dialect === 'postgres' ? `$${1 + Math.floor(random() * 9)}` : '?';
  }
  return sql + pick(['', '', ' ', '\n'], random);
}

/** Pieces for token soups: the gate's own tokens, their near misses, and characters outside its alphabet. */
function soupPieces(dialect: Dialect): string[] {
  const q = QUOTES[dialect];
  const other = q === '"' ? '`' : '"';
  const names = [...hostileNames(dialect), ...bannedNamePrefixes(dialect).flatMap((p) => [p.slice(0, -1), `${p}x`, `x${p}`, p.toUpperCase()])];
  return [
    'select', 'insert into ', 'update', 'delete', 'insert', 'into', 'selectx', 'Select', 'insert  into', 'insert\tinto\n',
    ...INERT_WORDS, ...INERT_WORDS.flatMap((w) => [`${w}x`, w.slice(0, -1), w.toUpperCase(), `${w}_`, `${w}$`, `${w}1`]), ...OTHER_WORDS,
    // Bare names: keywords, their near misses (where a trie's edges would differ), plain names.
    ...dialectModule(dialect).guardRules.keywords.flatMap((k) => [k, `${k}x`, `${k}_`, k.slice(0, -1)]), ...bareNames(dialect),
    ...names.map((n) => `${q}${n}${q}`), `${q}${q}`, `${q}a${q}${q}`, `${q}a`, `${other}a${other}`, `${q}a b${q}`, `${q}é${q}`,
    '1', '1.5', '1.', '.5', '1.5.3', '12', '1e5', '0x1', '1_', '1$',
    '$1', '$', '$a', '$12', '$1a', '$1.', '?', '$$',
    ...'.,()=<>*+?'.split(''), '(*)', '<>', '(', ')',
    ' ', ' ', '\t', '\n', '\r', '\f', '\v', '\u00a0',
    ';', "'", '-', '--', '/*', '*/', '#', '@', '@@', ':', '::', '&', 'é', '[', ']', '\\', '{', '}', '!', '|', '%', '^', '~',
  ];
}

/** Random concatenations of soupPieces, mostly behind a head, with or without space between. */
function tokenSoup(pieces: readonly string[], random: Random): string {
  let sql = random() < 0.9 ? pick(['select', 'insert into ', 'update', 'delete', ' select', '\nupdate '], random) : '';
  const length = Math.floor(random() * 16);
  for (let i = 0; i < length; i++) sql += (random() < 0.6 ? pick([' ', ' ', '', '\n', '  '], random) : '') + pick(pieces, random);
  return sql + (random() < 0.2 ? pick([' ', '\n', '\r\n', '\t'], random) : '');
}

const MUTATION_CHARS = ' \t\n\r\f.,()=<>*+?"`$_aAezZ09;\'é-#@:[&';

/** Every text one character away from `sql`: each character deleted, replaced or preceded by one of MUTATION_CHARS. */
function mutations(sql: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= sql.length; i++) {
    if (i < sql.length) out.push(sql.slice(0, i) + sql.slice(i + 1));
    for (const c of MUTATION_CHARS) {
      out.push(sql.slice(0, i) + c + sql.slice(i));
      if (i < sql.length) out.push(sql.slice(0, i) + c + sql.slice(i + 1));
    }
  }
  return out;
}

/** knex-built statements over hostile table and column names. */
function knexBuilt(dialect: Dialect, random: Random, count: number): string[] {
  const k: Knex = knex({ client: CLIENTS[dialect], useNullAsDefault: true, log: { warn: () => undefined } });
  const names = [...hostileNames(dialect), 'a"b', 'a`b', 'a b', 'a;b', "a'b", 'a--b', 'é', 'public.users', 'pg_catalog.pg_class', 'mysql.user', 'main.sqlite_master', 'a$1', 'u&x'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const table = pick(names, random);
    const column = pick(names, random);
    const builders = [
      () => k(table).where(column, 1).select(pick(names, random)),
      () => k(table).insert({ [column]: 1, [pick(names, random)]: 2 }),
      () => k(table).where({ [column]: 1 }).update({ [pick(names, random)]: 3 }),
      () => k(table).where(column, '<', 5).del(),
      () => k(table).join(pick(names, random), `${table}.${column}`, 'x.id').select(column).forUpdate(),
      () => k(table).count(`${column} as n`).groupBy(column).orderBy(column, 'desc').limit(3),
      () => k(table).whereIn(column, [1, 2, 3]).first(),
    ];
    out.push(pick(builders, random)().toSQL().toNative().sql);
  }
  return out;
}

describe('classifySql fast path', () => {
  const literals = testLiterals();

  for (const dialect of DIALECTS) {
    describe(dialect, () => {
      it('answers every typical knex statement, as the full classifier does', () => {
        for (const sql of typicalStatements(dialect)) expect(agree(dialect, sql), sql).to.equal(true);
      });

      it('agrees with the full classifier on every string literal in test/ and their respellings', () => {
        let answered = 0;
        for (const sql of literals) {
          if (agree(dialect, sql)) answered++;
          let variants: string[] = [];
          try {
            variants = spellingVariants(dialect, sql, 8, 12);
          } catch {
            // Not a template.
          }
          for (const variant of variants) if (agree(dialect, variant)) answered++;
        }
        expect(answered).to.be.greaterThan(20);
      });

      it('agrees with the full classifier on knex-built statements with hostile identifiers', () => {
        let answered = 0;
        for (const sql of knexBuilt(dialect, seededRandom(11), 3000)) if (agree(dialect, sql)) answered++;
        expect(answered).to.be.greaterThan(50);
      });

      it('agrees with the full classifier on generated statements of its own alphabet', () => {
        const random = seededRandom(5);
        const bare = bareNames(dialect);
        let answered = 0;
        let withBare = 0;
        for (let i = 0; i < 40_000; i++) {
          const sql = generated(dialect, random, bare);
          if (!agree(dialect, sql)) continue;
          answered++;
          // Answered with a bare name that is no inert word: the bare-name gate at work.
          if (sql.split(/[^a-z0-9_]+/).some((w) => /^[a-z_]/.test(w) && !INERT_WORDS.includes(w) && bare.includes(w) && !['select', 'insert', 'into', 'update', 'delete'].includes(w))) withBare++;
        }
        expect(answered).to.be.greaterThan(1000);
        expect(withBare).to.be.greaterThan(100);
      });

      it('its gate accepts exactly the texts the same gate written with flat alternations accepts (test/support/fast-path-gate-v1.ts)', () => {
        const gate = fastPathGate(dialect);
        const reference = firstGate(dialect);
        let accepted = 0;
        let rejected = 0;
        const same = (sql: string): void => {
          const expected = reference.test(sql);
          expect(gate.test(sql), `${dialect} ${JSON.stringify(sql)}`).to.equal(expected);
          if (expected) accepted++;
          else rejected++;
        };
        for (const sql of literals) same(sql);
        for (const sql of knexBuilt(dialect, seededRandom(12), 2000)) same(sql);
        const random = seededRandom(6);
        const bare = bareNames(dialect);
        for (let i = 0; i < 20_000; i++) same(generated(dialect, random, bare));
        const pieces = soupPieces(dialect);
        const soups: string[] = [];
        for (let i = 0; i < 50_000; i++) soups.push(tokenSoup(pieces, random));
        for (const sql of soups) same(sql);
        // One character off an accepted text: where the two gates' edges would differ.
        const near = [...typicalStatements(dialect), ...soups.filter((sql) => reference.test(sql)).slice(0, 60)];
        for (const sql of near) for (const mutated of mutations(sql)) same(mutated);
        const q = QUOTES[dialect];
        for (const prefix of bannedNamePrefixes(dialect)) {
          for (let k = 0; k <= prefix.length; k++) {
            for (const c of ['', 'x', 'X', '_', '1', prefix.charAt(k).toUpperCase()]) {
              const name = prefix.slice(0, k) + c + prefix.slice(k + (c === '' ? 0 : 1));
              for (const n of [name, `${name}x`, name.toUpperCase()]) same(`select * from ${q}${n}${q}`);
            }
          }
        }
        expect(accepted, 'accepted texts compared').to.be.greaterThan(5000);
        expect(rejected, 'rejected texts compared').to.be.greaterThan(50_000);
      });

      it('refuses no quoted name the rules make special (every banned prefix is checked)', () => {
        const q = QUOTES[dialect];
        for (const prefix of bannedNamePrefixes(dialect)) {
          if (!/^[a-z0-9_]+$/.test(prefix)) continue;
          for (const name of [prefix, `${prefix}x`, prefix.toUpperCase()]) {
            for (const sql of [`select * from ${q}${name}${q}`, `update ${q}${name}${q} set ${q}a${q} = 1`, `insert into ${q}${name}${q} (${q}a${q}) values (1)`, `select ${q}t${q}.${q}${name}${q} from ${q}t${q}`]) {
              expect(fastClassification(sql, dialect), sql).to.equal(undefined);
            }
          }
        }
      });

      it('takes no bare name that is a keyword of the dialect or carries a banned prefix, in any position', () => {
        const q = QUOTES[dialect];
        const banned = bannedNamePrefixes(dialect).filter((p) => /^[a-z0-9_]+$/.test(p));
        const words = [...dialectModule(dialect).guardRules.keywords.filter((w) => !INERT_WORDS.includes(w)), ...banned, ...banned.map((p) => `${p}x`)];
        expect(words.length).to.be.greaterThan(100);
        for (const w of words) {
          for (const sql of [`select ${w} from ${q}t${q}`, `select * from ${w}`, `select * from ${q}t${q} where ${w} = 1`, `update ${w} set ${q}a${q} = 1`, `delete from ${q}t${q} where ${q}a${q} = ${w}`, `select ${q}t${q}.${w} from ${q}t${q}`, `select a ${w} from t`]) {
            expect(fastClassification(sql, dialect), sql).to.equal(undefined);
          }
        }
      });

      it('takes a bare lower-case name only as a name: never followed by `(`, never in another case', () => {
        for (const sql of ['select f(1)', 'select f (1)', 'select * from t where a in (select f\n(1))', 'select ID from t', 'select Id from t', 'select a$b from t', 'select a from t where b = c(1)']) {
          expect(fastClassification(sql, dialect), sql).to.equal(undefined);
        }
        // (MySQL counts `id` among its keywords, so these use other names.)
        for (const sql of ['select user_id, b from t where user_id = 5 and 7 >= 0 limit 1', 'update t set a = b where x = 1', 'delete from t where a.b = c.d']) {
          expect(agree(dialect, sql), sql).to.equal(true);
        }
      });
    });
  }

  describe('each gate rejects what it must', () => {
    const rejected: Record<Dialect, string[]> = {
      postgres: [
        'select 1; drop table "t"',
        "select * from \"t\" where \"a\" = 'x'",
        'select 1 -- x',
        'select /* x */ 1',
        'select 1 into "t"',
        'select * from "t" into "u"',
        'select "f"(1)',
        'select "f" (1)',
        'select pg_read_file(1)',
        'select user from "t"',
        'select current_user',
        'select x from "t" into y',
        'select * from "pg_class"',
        'select * from "pg_catalog"."pg_class"',
        'select "t"."lo_import" from "t"',
        'select * from "information_schema"."tables"',
        'select "a""b" from "t"',
        'select `a` from "t"',
        'select $$x$$',
        'select $1$',
        'select a$1',
        'select limit$1',
        'select "é" from "t"',
        'select u&"x" from "t"',
        'select "a" from "t" for update of "t"',
        'with "x" as (select 1) select * from "x"',
        'explain select 1',
        'insert or replace into "t" ("a") values (1)',
        'select 1 union select 2',
        'select 1::int',
        'select "a" from "t" where "b" = -1',
        'select 1e5',
        'set "a" = 1',
        '(select 1)',
        'select\u00a01',
        'select\f1',
        'SELECT 1',
        '',
        '   ',
      ],
      mysql: [
        'select 1; drop table `t`',
        'select "a" from `t`',
        'select * from `mysql`.`user`',
        'select * from `MYSQL`.`user`',
        'update `t` join `sys`.`x` set `a` = 1',
        'select @@sql_mode',
        'select 1 # x',
        'select /*!50000 1 */',
        'select 1 into outfile',
        'select `a` into `b` from `t`',
        'select load_file(1)',
        'select `load_file`(1)',
        'select * from `t` lock in share mode',
        'select $1',
        'select `a``b` from `t`',
        'select user from `t`',
        'select id from `t`',
        'select x from `t` into outfile',
      ],
      sqlite: [
        'select * from `sqlite_master`',
        'select * from `pragma_optimize`',
        'select `pragma_table_info`(1)',
        'select "a" from `t`',
        'select [a] from `t`',
        'select load_extension(1)',
        'insert or ignore into `t` (`a`) values (1)',
        'select $1',
        'attach `x` as `y`',
      ],
    };
    for (const dialect of DIALECTS) {
      it(`${dialect}: falls back on every listed text`, () => {
        for (const sql of rejected[dialect]) expect(fastClassification(sql, dialect), sql).to.equal(undefined);
      });
    }

    it('accepts the neighbours of the rejected texts (each rejection above is the gate at work, not a blanket no)', () => {
      const accepted: Array<[Dialect, string]> = [
        ['postgres', 'select * from "t" where "a" = $1'],
        ['postgres', 'select "f" from "t"'],
        ['postgres', 'select * from "pg"'],
        ['postgres', 'select "t"."lo" from "t"'],
        ['postgres', 'select "a" from "t" where "b" = 1 for update'],
        ['postgres', '  select 1.5  \n'],
        ['mysql', 'select * from `my`.`user`'],
        ['mysql', 'select `a` from `t` where `b` = ? limit ?'],
        ['sqlite', 'select * from `sqlite`'],
        ['sqlite', 'insert into `t` (`a`) values (1)'],
      ];
      for (const [dialect, sql] of accepted) expect(agree(dialect, sql), `${dialect} ${sql}`).to.equal(true);
    });
  });

  it('answers no unknown dialect, and classifySql still refuses it by name (the fast path runs before that check)', () => {
    for (const name of ['oracle', 'toString', '__proto__', 'constructor', '', 'Postgres']) {
      const dialect = name as Dialect;
      for (const sql of ['select 1', 'select * from "t"', 'select * from `t`']) {
        expect(fastClassification(sql, dialect), name).to.equal(undefined);
        expect(classifySql(sql, dialect), name).to.deep.equal({ allowedOnRuntime: false, statements: [{ kind: 'other', keyword: '', start: 0, end: sql.length, allowedOnRuntime: false, reason: `unknown dialect ${name}` }] });
      }
      // A known dialect in between must not leave its gate to the next unknown name.
      expect(fastClassification('select 1', 'postgres')).to.not.equal(undefined);
    }
    expect(classifySql(42 as unknown as string, 'postgres').statements[0]?.reason).to.equal('SQL text is not a string');
  });

  it('reports the statement span without surrounding whitespace', () => {
    const result = fastClassification('\n  update "t" set "a" = $1 \r\n', 'postgres');
    expect(result).to.deep.equal({ allowedOnRuntime: true, statements: [{ kind: 'write', keyword: 'UPDATE', start: 3, end: 26, allowedOnRuntime: true }] });
    expect(agree("postgres", "\n  update \"t\" set \"a\" = $1 \r\n")).to.equal(true);
  });
});

describe('classifySql fast path: shared verdicts', () => {
  it('answers a span with one frozen verdict, never a changed one', () => {
    const a = fastClassification('select * from "t" where "a" = $1', 'postgres');
    const b = fastClassification('select * from "u" where "b" = $1', 'postgres');
    // Same head and span: the same object, frozen all the way down.
    expect(a).to.equal(b);
    expect(Object.isFrozen(a) && Object.isFrozen(a?.statements) && Object.isFrozen(a?.statements[0])).to.equal(true);
    expect(() => {
      (a?.statements[0] as { allowedOnRuntime: boolean }).allowedOnRuntime = false;
    }).to.throw(TypeError);
    // Another head or span: its own verdict.
    expect(fastClassification('delete from "t" where "a" = $1', 'postgres')?.statements[0]).to.include({ keyword: 'DELETE', kind: 'write', end: 30 });
    expect(fastClassification(' select * from "t" where "a" = $1', 'postgres')?.statements[0]).to.include({ keyword: 'SELECT', start: 1, end: 33 });
  });
});
