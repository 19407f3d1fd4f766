import type { Dialect } from '../types';
import type { Classification, ClassifiedStatement, StatementKind } from './classify';
import { dialectModule, dialectModules } from '../dialects/registry';

/**
 * The fast path in front of the full classifier (classify.ts): one native regex match that
 * recognizes the plain statements knex builds (`select … from "t" where "id" = $1`) and
 * answers "allowed: one read or write". It never refuses: whatever it does not recognize
 * goes to the full classifier, so it can only be wrong by letting through what the full
 * classifier would refuse; test/unit/classify.fast-path.test.ts checks it never does.
 *
 * What it accepts, and why that is safe:
 * - one statement headed by SELECT, INSERT INTO, UPDATE or DELETE (no `;`: one statement);
 * - only ASCII letters, digits, `_`, space/tab/CR/LF and `.,()=<>*+?`: no strings, comments,
 *   escapes, variables (`@`), casts (`:`), so every lexing setting (standard strings,
 *   backslashes, ANSI_QUOTES, client encoding) reads the text the same way;
 * - keywords only from INERT_WORDS (lower case, as knex writes them), a whitelist of keywords
 *   that name nothing; INTO only after INSERT;
 * - bare names (`where id = 5`, lower case) that are none of the dialect's keywords
 *   (lib/dialects/<d>/keywords.ts, so no word the classifier acts on) and carry none of the
 *   banned prefixes below, with no `(` after them: the same name quoted, held to the same rules;
 * - quoted identifiers in the dialect's own quote (pg `"…"`, MySQL and SQLite `` `…` ``) of
 *   letters, digits and `_`, not followed by `(` (no calls of quoted names), and without any
 *   substring of the content prefilter (content/rules.ts, built from each dialect's
 *   guard-rules.ts: refused functions, catalog schemas, `pg_`, `sqlite_`…), so no system
 *   catalog or refused function can be named;
 * - numbers, and on PostgreSQL `$n` parameters.
 */

/**
 * Keywords that name no object and call nothing. A whitelist: adding a word needs a reason it
 * is inert wherever it can stand. INTO is left out (pg `SELECT … INTO t` creates a table;
 * MySQL INTO OUTFILE), so are WITH, UNION, LOCK, INTO-like clause words and every function
 * name but the five aggregates.
 */
export const INERT_WORDS: readonly string[] = [
  'select', 'from', 'where', 'and', 'or', 'not', 'is', 'null', 'in', 'as', 'on', 'inner', 'left', 'right', 'outer',
  'join', 'cross', 'order', 'by', 'asc', 'desc', 'limit', 'offset', 'group', 'having', 'distinct', 'values', 'set',
  'returning', 'conflict', 'do', 'nothing', 'update', 'excluded', 'duplicate', 'key', 'for', 'skip', 'locked',
  'nowait', 'share', 'true', 'false', 'default', 'between', 'like', 'exists', 'count', 'sum', 'min', 'max', 'avg',
];



/** Characters that continue a word on some dialect (pg and MySQL names may contain `$`). */
const WORD_CHAR = '[A-Za-z0-9_$]';
const WS = '[ \\t\\r\\n]';
/** Between names, words and numbers: whitespace and the inert operators (one regex loop step per name or word, not per character run). */
const SEP = '[ \\t\\r\\n.,()=<>*+?]*';

/**
 * Name prefixes a quoted name may not start with (any case): every name or prefix of the
 * dialect's guard rules (refused functions, catalog schemas, bare-name prefixes) and its
 * prefilter words, which also cover the catalog tables (`pg_`, `sqlite_`): every word the
 * content prefilter (content/rules.ts) is built from.
 * The judge compares names exactly or by prefix, so a prefix check covers it.
 */
export function bannedNamePrefixes(dialect: Dialect): string[] {
  const rules = dialectModule(dialect).guardRules;
  const all = [...rules.functions.keys(), ...rules.functionPrefixes.map(([p]) => p), ...rules.bareNamePrefixes, ...rules.catalogSchemas, ...rules.prefilterWords].map((w) => w.toLowerCase());
  return [...new Set(all)].filter((w, _, list) => !list.some((other) => other !== w && w.startsWith(other)));
}

function gateFor(dialect: Dialect): RegExp {
  const rules = dialectModule(dialect).guardRules;
  const { quote: q, dollarParams } = rules.grammar.plain;
  const prefixes = bannedNamePrefixes(dialect);
  // Case-insensitive by character classes: the gate itself is case-sensitive (see below).
  const banned = alternation(prefixes, true);
  const name = `${q}(?!${banned})[A-Za-z0-9_]+${q}(?!${q})`;
  // A bare name: lower case, not one of the dialect's keywords (none can then change what the
  // statement does: INTO, CURRENT_USER and every other word the classifier acts on is a
  // keyword), not starting with a banned prefix (catalogs, refused functions). A bare name
  // means what the same name quoted does, so it is held to the same rules (no `(` after it).
  const lowerPrefixes = prefixes.filter((p) => /^[a-z0-9_]+$/.test(p));
  const keywords = alternation([...new Set(rules.keywords)], false);
  const bare = `${lowerPrefixes.length === 0 ? '' : `(?!${alternation(lowerPrefixes, false)})`}(?!${keywords}(?!${WORD_CHAR}))[a-z_][a-z0-9_]*(?!${WORD_CHAR})`;
  const word = `${alternation(INERT_WORDS, false)}(?!${WORD_CHAR})`;
  const number = `[0-9]+(?:\\.[0-9]+)?(?![A-Za-z0-9_$.])`;
  const param = dollarParams ? `|\\$[0-9]+(?!${WORD_CHAR})` : '';
  const head = `(?:select|update|delete)(?!${WORD_CHAR})|insert${WS}+into${WS}+${name}`;
  // After a quoted name no `(` may follow (no call of a quoted name; the INSERT target's
  // column list is the one exception): its separator is whitespace, then optionally an
  // operator other than `(` and anything after it. Cheaper than a lookahead per name.
  const afterName = `${WS}*(?:[.,)=<>*+?]${SEP})?`;
  // No `i` flag: knex writes keywords in lower case, and a case-sensitive match is about a
  // fifth faster here; upper-case SQL goes to the full classifier.
  // Inert words before bare names: they are most of a typical statement's words, and a bare
  // name costs its keyword and prefix tests.
  return new RegExp(`^${WS}*(?:${head})${SEP}(?:${name}${afterName}|(?:${word}|${number}${param})${SEP}|${bare}${afterName})*$`);
}

/**
 * `words` as one group matching exactly them, written as a trie (`s(?:e(?:lect|t)|um)`):
 * the regex engine tries alternatives one after another, so sharing each prefix once means
 * a name or word is compared against a few first letters instead of every word in turn
 * (the same set of strings, so the gate accepts the same texts; order only changes speed).
 */
function alternation(words: readonly string[], anyCase: boolean): string {
  const byFirst = new Map<string, string[]>();
  let empty = false;
  for (const word of words) {
    if (word === '') empty = true;
    else {
      const first = anyCase ? word.charAt(0).toLowerCase() : word.charAt(0);
      byFirst.set(first, [...(byFirst.get(first) ?? []), word.slice(1)]);
    }
  }
  const branches = [...byFirst].map(([first, rests]) => literal(first, anyCase) + (rests.length === 1 ? [...(rests[0] as string)].map((c) => literal(c, anyCase)).join('') : alternation(rests, anyCase)));
  return `(?:${branches.join('|')})${empty ? '?' : ''}`;
}

/** One character as a pattern: itself (escaped), or both its cases. */
function literal(c: string, anyCase: boolean): string {
  if (anyCase && /[a-z]/i.test(c)) return `[${c.toLowerCase()}${c.toUpperCase()}]`;
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const GATES: Partial<Record<Dialect, RegExp>> = {};

/** The dialect's gate, built on first use (exported for the test that it accepts what its flat form does). */
export function fastPathGate(dialect: Dialect): RegExp {
  return (GATES[dialect] ??= gateFor(dialect));
}

// The last dialect's gate: a program uses one dialect, and comparing its name to the last
// one's is cheaper than looking the gate up by name on every call.
let lastDialect: Dialect | undefined;
let lastGate: RegExp = /(?!)/;

const READ: StatementKind = 'read';
const WRITE: StatementKind = 'write';

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * The verdict for `sql` when it is one plain statement the fast path recognizes (identical
 * to the full classifier's), otherwise undefined: classify it in full.
 */
export function fastClassification(sql: string, dialect: Dialect): Classification | undefined {
  if (dialect !== lastDialect) {
    // Not a dialect (a caller without types): no answer, the full classifier refuses it.
    if (!dialectModules().some((module) => module.name === dialect)) return undefined;
    lastGate = fastPathGate(dialect);
    lastDialect = dialect;
  }
  if (!lastGate.test(sql)) return undefined;
  let start = 0;
  while (isSpace(sql.charCodeAt(start))) start++;
  let end = sql.length;
  while (isSpace(sql.charCodeAt(end - 1))) end--;
  // The gate matched one of four lower-case heads; their first letters differ.
  const first = sql.charCodeAt(start);
  const span = start * 8192 + end;
  const verdicts = first === 0x73 ? SELECTS : first === 0x69 ? INSERTS : first === 0x75 ? UPDATES : DELETES;
  let verdict = verdicts.get(span);
  if (verdict === undefined) {
    const kind = first === 0x73 ? READ : WRITE;
    const keyword = first === 0x73 ? 'SELECT' : first === 0x69 ? 'INSERT' : first === 0x75 ? 'UPDATE' : 'DELETE';
    verdict = Object.freeze({ allowedOnRuntime: true, statements: Object.freeze([Object.freeze({ kind, keyword, start, end, allowedOnRuntime: true })]) as ClassifiedStatement[] });
    verdicts.set(span, verdict);
  }
  return verdict;
}

// The fast path's verdicts, frozen and shared, by head and span (start * 8192 + end; a text is
// at most FAST_PATH_MAX_SQL long): a verdict is only ever read, and the spans of knex's
// statements recur, so an answer costs a lookup instead of three new objects. At most 4096²
// spans per head, in practice a few hundred (one per statement length).
const SELECTS = new Map<number, Classification>();
const INSERTS = new Map<number, Classification>();
const UPDATES = new Map<number, Classification>();
const DELETES = new Map<number, Classification>();
