import { stopTestReplicas } from './replicas';
import { stopTestServers } from './servers';

// Mocha root hooks: shared set-up for the whole run (servers are started lazily by the
// integration suites that need them and stopped here once at the end; replicas first).
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopTestReplicas();
    await stopTestServers();
  },
};
