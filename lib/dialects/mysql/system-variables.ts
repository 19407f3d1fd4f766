import { refusedSettingKeyword, refusedSettingOf, type GuardRules } from '../../guard/guard-rules';
import type { CurrentReading } from '../../guard/lexing-settings';
import { T_NUMBER, T_STRING, T_WORD } from '../../guard/tokens';
import type { ContentRefusal } from '../../guard/content/judge';
import type { StatementTokens } from '../../guard/content/statement-tokens';

const GLOBAL_SCOPES = new Set(['global', 'persist', 'persist_only']);
const SESSION_SCOPES = new Set(['session', 'local']);

/**
 * MySQL: a system variable assigned inside another statement, `SELECT @@x := 1` or
 * `SELECT … INTO @a, @@x` (`@@session.x`, `@@global.x`), is judged like `SET @@x = …`
 * (set-mysql.ts): a global scope is refused; so is a refused setting
 * (guard-rules.ts) whatever the value; a lexing setting (sql_mode, the connection
 * character set) only takes one literal value that keeps how text is read, and INTO gives
 * it a value the guard cannot see, so that is refused. Reading `@@x` is untouched.
 */
export function systemVariableAssignment(tk: StatementTokens, rules: GuardRules, current: CurrentReading): ContentRefusal | undefined {
  for (let i = 0; i < tk.n; i++) {
    if (tk.word(i) === 'into') {
      const refusal = intoList(tk, rules, current, i + 1);
      if (refusal !== undefined) return refusal;
      continue;
    }
    if (!isSystemVariable(tk, i)) continue;
    const name = nameAfter(tk, i + 2);
    if (name === undefined || !tk.isOp(name.next, ':') || !tk.isOp(name.next + 1, '=')) continue;
    const refusal = judge(tk, rules, current, i, name.scope, name.name, name.next + 2);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

/** `@@` (also with space or a comment between: fail closed, as set-mysql.ts reads it). */
function isSystemVariable(tk: StatementTokens, i: number): boolean {
  return tk.isOp(i, '@') && tk.isOp(i + 1, '@');
}

/** `[scope.]name` at k: the scope ('' if none), the name, and the index after it. */
function nameAfter(tk: StatementTokens, k: number): { scope: string; name: string | undefined; next: number } | undefined {
  let scope = '';
  const first = tk.word(k);
  if (first !== undefined && (GLOBAL_SCOPES.has(first) || SESSION_SCOPES.has(first)) && tk.isOp(k + 1, '.')) {
    scope = first;
    k += 2;
  }
  if (!tk.isName(k)) return undefined;
  return { scope, name: tk.name(k), next: k + 1 };
}

/** The targets of an INTO list starting at k: `@user`, `@@[scope.]system`, local names, separated by `,`. */
function intoList(tk: StatementTokens, rules: GuardRules, current: CurrentReading, k: number): ContentRefusal | undefined {
  for (;;) {
    if (isSystemVariable(tk, k)) {
      const name = nameAfter(tk, k + 2);
      if (name === undefined) return undefined;
      const refusal = judge(tk, rules, current, k, name.scope, name.name, -1);
      if (refusal !== undefined) return refusal;
      k = name.next;
    } else if (tk.isOp(k, '@') && tk.isName(k + 1)) {
      k += 2;
    } else if (tk.isName(k)) {
      k += 1;
    } else {
      return undefined;
    }
    if (!tk.isOp(k, ',')) return undefined;
    k++;
  }
}

/** Assigning system variable `name` at token `at`; `value`: index of a `:=` value, -1 when unknown (INTO). */
function judge(tk: StatementTokens, rules: GuardRules, current: CurrentReading, at: number, scope: string, name: string | undefined, value: number): ContentRefusal | undefined {
  const start = tk.start(at);
  if (GLOBAL_SCOPES.has(scope)) return { at: start, kind: 'other', keyword: `SET ${scope.toUpperCase()}`, reason: 'changes server-wide settings' };
  if (name === undefined) return { at: start, kind: 'other', keyword: '', reason: 'a quoted name the guard cannot decode' };
  const refused = refusedSettingOf(rules, name);
  if (refused !== undefined) return { at: start, kind: refused.kind, keyword: refusedSettingKeyword(name, refused), reason: refused.reason };
  const keepsReading = rules.lexingSettings.get(name);
  if (keepsReading === undefined) return undefined;
  const literal = value >= 0 && value < tk.n && isLiteral(tk.type(value)) ? tk.literal(value) : undefined;
  // The value must be the whole assignment: the select item ends after it.
  const after = value + 1;
  const whole = after >= tk.n || tk.isOp(after, ',') || tk.word(after) === 'from' || tk.word(after) === 'into';
  if (literal !== undefined && whole && keepsReading(literal, current)) return undefined;
  return { at: start, kind: 'session', keyword: `SET ${name.toUpperCase()}`, reason: `changes how the server reads SQL text (${name}); only values that keep it are allowed` };
}

function isLiteral(type: number): boolean {
  return type === T_STRING || type === T_NUMBER || type === T_WORD;
}
