import { ROOT, removeTempProjects, steeringVariables, tempProject } from './hermetic';
import { stopTestReplicas } from './replicas';
import { serverProcessesStarted } from './server-process';
import { stopTestServers } from './servers';
import { serverDialects } from './dialects';

// Mocha root hooks: the whole run is hermetic. It refuses a steering variable inherited
// from the shell, runs in a throwaway project directory (so no test reads the repository's
// `.env` or depends on the working directory), fails the test that leaves process.env or
// the working directory changed, and proves that DIALECTS=sqlite started no server.
// Servers are started lazily by the suites that need them and stopped here at the end.

let origin = ROOT;
let home = ROOT;

export const mochaHooks = {
  beforeAll(): void {
    const inherited = steeringVariables();
    if (inherited.length > 0) {
      throw new Error(
        `The test process inherited ${inherited.join(', ')} from its environment. Tests pass every variable explicitly, so these would only make results depend on your shell. ` +
          `Run without them, e.g. env ${inherited.map((name) => `-u ${name}`).join(' ')} npm test`,
      );
    }
    origin = process.cwd();
    home = tempProject('knex-roles-cwd-');
    process.chdir(home);
  },

  afterEach(this: Mocha.Context): void {
    const left = steeringVariables();
    const cwd = process.cwd();
    for (const name of left) delete process.env[name];
    if (cwd !== home) process.chdir(home);
    const title = this.currentTest?.fullTitle() ?? 'a test';
    if (left.length > 0) throw new Error(`"${title}" left ${left.join(', ')} set in process.env; restore it in a finally block.`);
    if (cwd !== home) throw new Error(`"${title}" left the working directory at ${cwd}; restore it in a finally block.`);
  },

  async afterAll(): Promise<void> {
    await stopTestReplicas();
    await stopTestServers();
    process.chdir(origin);
    removeTempProjects();
    if (serverDialects().length === 0 && serverProcessesStarted() > 0) {
      throw new Error(`DIALECTS=${process.env['DIALECTS'] ?? ''} names no server dialect, yet ${serverProcessesStarted()} server processes were started.`);
    }
  },
};
