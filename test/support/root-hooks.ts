import { stopTestServers } from './servers';

// Mocha root hooks: shared set-up for the whole run (servers are started lazily by the
// integration suites that need them and stopped here once at the end).
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopTestServers();
  },
};
