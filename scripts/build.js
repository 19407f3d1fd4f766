#!/usr/bin/env node
'use strict';
// Builds dist/cjs with tsc, then an ESM entry that re-exports the CommonJS build by
// name: one implementation, so `import` and `require` share errors and classes
// (no dual-package hazard), and knex can `require` knexfiles built on it.
const { execFileSync } = require('node:child_process');
const { mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const names = Object.keys(require(join(root, 'dist/cjs/index.js'))).filter((name) => name !== '__esModule').sort();
mkdirSync(join(root, 'dist/esm'), { recursive: true });
writeFileSync(join(root, 'dist/esm/index.mjs'), `export { ${names.join(', ')} } from '../cjs/index.js';\n`);
// The import condition's own declarations: ESM types for the ESM entry (no default export),
// so TypeScript under node16/nodenext sees what Node really loads.
writeFileSync(join(root, 'dist/esm/index.d.mts'), `export * from '../cjs/index.js';\n`);
console.log(`built dist/cjs and dist/esm (${names.length} exports)`);
