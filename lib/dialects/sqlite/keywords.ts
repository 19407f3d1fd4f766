/**
 * SQLite's keywords, as its tokenizer knows them (the 147 words of src/tokenize.c's keyword
 * hash in the SQLite that better-sqlite3 12 bundles; https://sqlite.org/lang_keywords.html).
 * Lower case. The guard's fast path (lib/guard/fast-path.ts) takes a bare name only when it
 * is none of these: a keyword may change what the statement does (INTO, a function that needs
 * no parentheses such as CURRENT_USER), so a text with one goes to the full classifier.
 */
export const SQLITE_KEYWORDS: readonly string[] = (
  'abort action add after all alter always analyze and as asc attach autoincrement before begin ' +
  'between by cascade case cast check collate column commit conflict constraint create cross ' +
  'current current_date current_time current_timestamp database default deferrable deferred delete ' +
  'desc detach distinct do drop each else end escape except exclude exclusive exists explain fail ' +
  'filter first following for foreign from full generated glob group groups having if ignore ' +
  'immediate in index indexed initially inner insert instead intersect into is isnull join key last ' +
  'left like limit match materialized natural no not nothing notnull null nulls of offset on or ' +
  'order others outer over partition plan pragma preceding primary query raise range recursive ' +
  'references regexp reindex release rename replace restrict returning right rollback row rows ' +
  'savepoint select set table temp temporary then ties to transaction trigger unbounded union ' +
  'unique update using vacuum values view virtual when where window with without'
).split(' ');
