'use strict';
// Tests are TypeScript run through ts-node (transpile-only; `npm run typecheck` type-checks).
module.exports = {
  require: ['ts-node/register', 'test/support/root-hooks.ts'],
  extension: ['ts'],
  spec: ['test/**/*.test.ts'],
  timeout: 60000,
  forbidOnly: Boolean(process.env.CI),
  forbidPending: Boolean(process.env.CI),
  reporter: 'spec',
};
