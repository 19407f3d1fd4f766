import type { Dialect } from '../types';
import { dialectModule } from '../dialects/registry';
import type { Classification, ClassifiedStatement } from './classify';
import { ContentWatch } from './content/content-watch';
import type { Lexer, LexerOptions } from './lexer';
import { StatementReader } from './statement-reader';
import { ERROR_FATAL, T_EOF, T_ERROR, T_SEMICOLON } from './tokens';

/**
 * One reading of the input: lexes it with one set of options, splits it into statements
 * and has the reader classify each from its head, while the content watch judges what each
 * contains, from the same tokens.
 */
export class Reading {
  readonly lx: Lexer;
  private readonly reader: StatementReader;
  private readonly content: ContentWatch;
  private sql: string;
  /** After run(): some statement is refused for what it does, or for text no server reads. */
  refusesSomething = false;

  constructor(sql: string, dialect: Dialect, options: LexerOptions | undefined, alternative: boolean) {
    this.sql = sql;
    const module = dialectModule(dialect);
    this.lx = module.lexer(sql, options);
    this.content = new ContentWatch(dialect, module.guardRules, options);
    this.reader = new StatementReader(this.lx, dialect, module.statementHeads(), module.guardRules, alternative, options, this.content);
    this.reset(sql);
  }

  /** Reuses this reading (and its lexer) for new text: saves allocations per call. */
  reset(sql: string): this {
    this.sql = sql;
    this.refusesSomething = false;
    this.lx.reset(sql);
    this.reader.reset(sql);
    this.content.reset(sql);
    return this;
  }

  run(): Classification {
    const { lx, reader, content } = this;
    const statements: ClassifiedStatement[] = [];
    let allowedOnRuntime = true;
    let t = reader.pull();
    let resumedAt = 0;
    for (;;) {
      if (t === T_EOF) break;
      if (t === T_SEMICOLON) {
        resumedAt = lx.end;
        t = reader.pull();
        continue;
      }
      const last = t === T_ERROR && lx.start < resumedAt ? statements[statements.length - 1] : undefined;
      if (last !== undefined) {
        // An error that began before this point (a MySQL executable comment left open around
        // the statements already read): the last statement is the one it leaves unfinished.
        last.kind = 'other';
        last.keyword = '';
        last.end = this.sql.length;
        last.allowedOnRuntime = false;
        last.reason = lx.error;
        allowedOnRuntime = false;
        if (!(reader.alternative && lx.errorKind === ERROR_FATAL)) this.refusesSomething = true;
        break;
      }
      const start = lx.start;
      reader.begin();
      if (t !== T_ERROR) reader.head(0);
      content.flush();
      let end = reader.lastEnd;
      if (lx.type === T_ERROR) {
        end = this.sql.length;
        reader.set('other', '', false, lx.error);
        // Under an alternative reading the server rejects this statement's text outright,
        // so it never runs: reported as refused, but no reason to refuse the input.
        if (!(reader.alternative && lx.errorKind === ERROR_FATAL)) this.refusesSomething = true;
      } else if (!reader.allowed) {
        this.refusesSomething = true;
      }
      const statement: ClassifiedStatement = { kind: reader.kind, keyword: reader.keyword, start, end, allowedOnRuntime: reader.allowed };
      if (reader.reason !== undefined) statement.reason = reader.reason;
      statements.push(statement);
      if (!reader.allowed) allowedOnRuntime = false;
      if (lx.type !== T_SEMICOLON) break;
      resumedAt = lx.end;
      t = reader.pull();
    }
    if (content.refusals.length > 0 && this.applyContent(statements)) allowedOnRuntime = false;
    return { allowedOnRuntime, statements };
  }

  /**
   * What statements contain (refused functions, catalog writes), over the head's verdict:
   * also over a refusal by the head (CREATE TEMPORARY TABLE … AS SELECT pg_read_file(…)), so
   * letting the head's keyword through with dangerouslyAllow does not let the call through.
   * Unlexable text keeps its own refusal.
   */
  private applyContent(statements: ClassifiedStatement[]): boolean {
    let refused = false;
    for (const refusal of this.content.refusals) {
      const statement = statements.find((st) => st.start <= refusal.at && refusal.at < st.end);
      if (statement === undefined || (!statement.allowedOnRuntime && statement.keyword === '')) continue;
      statement.kind = refusal.kind;
      statement.keyword = refusal.keyword;
      statement.allowedOnRuntime = false;
      statement.reason = refusal.reason;
      refused = true;
      this.refusesSomething = true;
    }
    return refused;
  }
}
