// The mariadb connector (knex client `mariadb`, `require('mariadb/callback')`) fills `?` on
// the client by its own reading of the text (its misc/parse.js `splitQuery`) and offers no
// `format` that shows the result (its `format` throws). That reading is not the server's:
// `/*/` closes a comment for it; `"..."` is always a string with backslash escapes for it
// (an identifier under ANSI_QUOTES); `/*! ... */` is a comment for it. A value it writes
// where the server reads a comment or a name can end that comment or name and become SQL.
// So the guard formats the text itself, the connector's way (same placeholders, the
// connector's own `escape`), judges that, and knex sends it with no values: the connector
// then sends the text as is, without reading it for placeholders.

const SLASH = 0x2f;
const STAR = 0x2a;
const BACKSLASH = 0x5c;
const HASH = 0x23;
const MINUS = 0x2d;
const LINE_FEED = 0x0a;
const DOUBLE_QUOTE = 0x22;
const QUOTE = 0x27;
const BACKTICK = 0x60;
const QUESTION = 0x3f;

const enum State {
  Normal,
  String,
  Comment,
  Escape,
  LineComment,
  Backtick,
}

/**
 * The offsets of the `?` the connector fills, read as its `splitQuery` reads them (a port,
 * state for state; on UTF-16 code units, which agree with its UTF-8 bytes on every ASCII
 * character it looks at). Not the server's reading: where they differ, the guard judges
 * the text this produces, so the difference shows instead of hiding.
 */
export function connectorPlaceholders(sql: string): number[] {
  const positions: number[] = [];
  let state = State.Normal;
  let last = 0;
  let single = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    if (state === State.Escape && !((c === QUOTE && single) || (c === DOUBLE_QUOTE && !single))) {
      state = State.String;
      last = c;
      continue;
    }
    switch (c) {
      case STAR:
        if (state === State.Normal && last === SLASH) state = State.Comment;
        break;
      case SLASH:
        if (state === State.Comment && last === STAR) {
          state = State.Normal;
          last = 0;
          continue;
        }
        break;
      case HASH:
        if (state === State.Normal) state = State.LineComment;
        break;
      case MINUS:
        if (state === State.Normal && last === MINUS && (i + 1 >= sql.length || sql.charCodeAt(i + 1) <= 0x20)) state = State.LineComment;
        break;
      case LINE_FEED:
        if (state === State.LineComment) state = State.Normal;
        break;
      case DOUBLE_QUOTE:
      case QUOTE:
        if (state === State.Normal) {
          state = State.String;
          single = c === QUOTE;
        } else if (state === State.String && single === (c === QUOTE)) {
          state = State.Normal;
        } else if (state === State.Escape) {
          state = State.String;
        }
        break;
      case BACKSLASH:
        if (state === State.String) state = State.Escape;
        break;
      case QUESTION:
        // The connector steps over the character after a placeholder unread (`push(i, ++i)`).
        if (state === State.Normal) positions.push(i++);
        break;
      case BACKTICK:
        if (state === State.Backtick) state = State.Normal;
        else if (state === State.Normal) state = State.Backtick;
        break;
    }
    last = c;
  }
  return positions;
}

/** The connector's `escape(value)`: a value as the SQL literal it writes for it. */
export type Escape = (value: unknown) => string;

/**
 * `sql` with `values` written in where the connector would write them. Buffers become hex
 * literals (the connector's `escape` decodes them as text, which a query does not);
 * everything else is the connector's own `escape`. A `?` without a value stays as it is,
 * and the server reports it, as it would report the connector's error.
 */
export function formatLikeConnector(sql: string, values: unknown, escape: Escape): string {
  const list = Array.isArray(values) ? values : [values];
  const positions = connectorPlaceholders(sql);
  let out = '';
  let from = 0;
  for (let k = 0; k < positions.length && k < list.length; k++) {
    const at = positions[k] as number;
    const value = list[k];
    out += sql.slice(from, at) + (Buffer.isBuffer(value) ? `X'${value.toString('hex')}'` : escape(value));
    from = at + 1;
  }
  return out + sql.slice(from);
}
