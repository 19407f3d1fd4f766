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
 * `sql` with `values` written in where the connector would write them, as its query path
 * writes them (its TextEncoder.writeParam), which is not always what its `escape` writes:
 * - a Buffer as a hex literal (`escape` decodes it as text, which a query does not);
 * - a Date as the query path's local time without padding (`'2020-1-2 3:4:5.006'`), a String
 *   object as its text (`escape` writes both as other text: JSON for the String object);
 * - a readable stream, which the query path streams as its data, and a list with a Buffer
 *   (the query path writes its bytes, `escape` decoded text): null (the guard cannot write
 *   them as the query path does), and the guard refuses the values;
 * everything else is the connector's own `escape`. A `?` without a value stays as it is,
 * and the server reports it, as it would report the connector's error.
 */
export function formatLikeConnector(sql: string, values: unknown, escape: Escape): string | null {
  const list = Array.isArray(values) ? values : [values];
  const positions = connectorPlaceholders(sql);
  let out = '';
  let from = 0;
  for (let k = 0; k < positions.length && k < list.length; k++) {
    const at = positions[k] as number;
    const value = list[k];
    // A list's Buffers the connector writes as their bytes, its `escape` as decoded text.
    if (isStream(value) || (Array.isArray(value) && value.some((item) => Buffer.isBuffer(item) || isStream(item)))) return null;
    out += sql.slice(from, at) + (Buffer.isBuffer(value) ? `X'${value.toString('hex')}'` : escape(asWritten(value)));
    from = at + 1;
  }
  return out + sql.slice(from);
}

function isStream(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { pipe?: unknown }).pipe === 'function' && typeof (value as { read?: unknown }).read === 'function';
}

/** `value` as `escape` must see it to write what the query path writes (formatLikeConnector); a list element by element. */
function asWritten(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  // `escape` quotes what toSqlString gives, as the query path quotes its local-time text.
  if (Object.prototype.toString.call(value) === '[object Date]') return { toSqlString: () => localTime(value as Date) };
  if ((value as { constructor?: unknown }).constructor === String) return String(value);
  return Array.isArray(value) ? value.map(asWritten) : value;
}

/** The connector's query-path date text (its TextEncoder.getLocalDate, without the quotes). */
function localTime(date: Date): string {
  const ms = date.getMilliseconds();
  const text = `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()} ${date.getHours()}:${date.getMinutes()}:${date.getSeconds()}`;
  return ms === 0 ? text : `${text}.${String(ms).padStart(3, '0')}`;
}
