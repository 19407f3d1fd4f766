// Rewrites the generated blocks of README.md (env table, error catalog) from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvTable } from './env-table';
import { renderErrorCatalog } from './error-catalog';

const file = join(__dirname, '../README.md');
let text = readFileSync(file, 'utf8');
for (const [name, body] of [['env-table', renderEnvTable()], ['error-codes', renderErrorCatalog()]] as const) {
  text = text.replace(new RegExp(`<!-- ${name}:start -->[\\s\\S]*?<!-- ${name}:end -->`), `<!-- ${name}:start -->\n${body}\n<!-- ${name}:end -->`);
}
writeFileSync(file, text);
