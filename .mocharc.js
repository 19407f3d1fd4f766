'use strict';
// Tests are TypeScript run through ts-node (transpile-only; `npm run typecheck` type-checks).
// No `spec` here: `npm test` names test/**, and `npx mocha test/unit/x.test.ts` runs just that file.
module.exports = {
  require: ['ts-node/register', 'test/support/root-hooks.ts'],
  extension: ['ts'],
  timeout: 60000,
  forbidOnly: Boolean(process.env.CI),
  forbidPending: Boolean(process.env.CI),
  reporter: 'spec',
};
