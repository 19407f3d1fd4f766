import type { Dialect } from '../../types';
import type { GuardGrammar } from '../guard-rules';
import { literalValue, nameOf } from '../sql-values';
import { T_OP, T_QUOTED_IDENT, T_STRING, T_WORD } from '../tokens';

/**
 * The tokens of one statement as the reader saw them (type, start, end per index), with
 * the questions the content rules ask of token i. Reused from statement to statement.
 */
export class StatementTokens {
  sql = '';
  n = 0;
  readonly types: number[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** name(i) computed for this statement (`stamps[i] === stamp`): each token's name is decoded once. */
  private readonly names: Array<string | undefined> = [];
  private readonly stamps: number[] = [];
  private stamp = 1;

  constructor(
    /** For reading literals (sql-values.ts). */
    readonly dialect: Dialect,
    readonly grammar: GuardGrammar,
  ) {}

  /** Starts over for the next statement. */
  clear(): void {
    this.n = 0;
    this.stamp++;
  }

  push(type: number, start: number, end: number): void {
    const n = this.n++;
    this.types[n] = type;
    this.starts[n] = start;
    this.ends[n] = end;
  }

  type(i: number): number {
    return i < this.n ? (this.types[i] as number) : -1;
  }

  start(i: number): number {
    return this.starts[i] as number;
  }

  isOp(i: number, ch: string): boolean {
    return i >= 0 && i < this.n && this.types[i] === T_OP && this.sql[this.starts[i] as number] === ch;
  }

  /**
   * SQLite reads a '…' string where only a name fits as that name (`stringNames`): `FROM
   * 'sqlite_master'`, `FROM 'pragma_optimize'(…)`. Such strings count as names after FROM /
   * JOIN / `,` / `.` / INTO / UPDATE / TABLE, or before `(`. MySQL "…" before `(` is a name
   * under ANSI_QUOTES and a syntax error otherwise (`doubleQuotedCallNames`): counted as a
   * name (fail closed).
   */
  stringName(i: number): boolean {
    if (i < 0 || i >= this.n || this.types[i] !== T_STRING) return false;
    const quote = this.sql[this.starts[i] as number];
    if (this.grammar.doubleQuotedCallNames && quote === '"' && this.isOp(i + 1, '(')) return true;
    if (!this.grammar.stringNames || quote !== "'") return false;
    if (this.isOp(i + 1, '(') || this.isOp(i - 1, ',') || this.isOp(i - 1, '.')) return true;
    const before = i > 0 && this.types[i - 1] === T_WORD ? this.sql.slice(this.starts[i - 1], this.ends[i - 1]).toLowerCase() : '';
    return before === 'from' || before === 'join' || before === 'into' || before === 'update' || before === 'table';
  }

  /** The (lower-case) name token i stands for; undefined for non-names and undecodable names. */
  name(i: number): string | undefined {
    if (i < 0 || i >= this.n) return undefined;
    if (this.stamps[i] === this.stamp) return this.names[i];
    const name = this.decode(i);
    this.stamps[i] = this.stamp;
    this.names[i] = name;
    return name;
  }

  private decode(i: number): string | undefined {
    const start = this.starts[i] as number;
    const end = this.ends[i] as number;
    if (this.stringName(i)) return literalValue(this.sql, T_STRING, start, end, this.dialect)?.toLowerCase();
    return nameOf(this.sql, this.types[i] as number, start, end);
  }

  isName(i: number): boolean {
    if (i < 0 || i >= this.n) return false;
    const t = this.types[i];
    return t === T_WORD || t === T_QUOTED_IDENT || this.stringName(i);
  }

  /** The lower-case word at i, if token i is an unquoted word. */
  word(i: number): string | undefined {
    return i >= 0 && i < this.n && this.types[i] === T_WORD ? this.name(i) : undefined;
  }

  /** A string literal's value the guard reads with certainty, or undefined. */
  literal(i: number): string | undefined {
    return literalValue(this.sql, this.types[i] as number, this.starts[i] as number, this.ends[i] as number, this.dialect);
  }
}
