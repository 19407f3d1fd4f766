import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A database server we started, with its log file, stopped by signal. */
export interface ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves when the process has exited (immediately if it already has). */
  exited(): Promise<void>;
  /** Graceful stop with `signal`, SIGKILL after `graceMillis`. */
  stop(signal: NodeJS.Signals, graceMillis?: number): Promise<void>;
}

let started = 0;

/** How many server (and server tool) processes this test process has started. */
export function serverProcessesStarted(): number {
  return started;
}

/** Starts `command` with stdout and stderr appended to `logFile`. */
export function startServer(name: string, command: string, args: string[], logFile: string, options: SpawnOptions = {}): ServerProcess {
  started += 1;
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { ...options, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd); // the child holds its own copy
  }
  let done = child.exitCode !== null || child.signalCode !== null;
  const exit = new Promise<void>((resolve) => {
    if (done) resolve();
    child.once('exit', () => {
      done = true;
      resolve();
    });
    child.once('error', () => {
      done = true;
      resolve();
    });
  });
  return {
    name,
    child,
    logFile,
    exited: () => exit,
    async stop(signal, graceMillis = 15_000) {
      if (done) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMillis);
      await exit;
      clearTimeout(timer);
    },
  };
}

/**
 * The last `lines` lines of a log for error messages, preceded by earlier lines that look
 * like errors (tools such as mariadb-install-db end with pages of boilerplate).
 */
export function logTail(file: string, lines = 25): string {
  let all: string[];
  try {
    all = readFileSync(file, 'utf8').trimEnd().split('\n');
  } catch {
    return '(no log written)';
  }
  const tail = all.slice(-lines);
  const earlier = all.slice(0, -lines).filter((line) => /\berror\b|fatal|panic|abort/i.test(line)).slice(-10);
  return [...earlier, ...(earlier.length > 0 ? ['…'] : []), ...tail].join('\n');
}

/**
 * Polls `probe` until it resolves, the process exits, or `timeoutMillis` passes; on failure
 * throws an Error naming what failed, with the last lines of the server log.
 */
export async function waitUntilReady(server: ServerProcess, probe: () => Promise<void>, timeoutMillis: number): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  let exited = false;
  void server.exited().then(() => (exited = true));
  let lastError: unknown;
  for (;;) {
    if (exited) {
      const status = server.child.exitCode ?? server.child.signalCode;
      throw new Error(`${server.name} exited during start-up (status ${String(status)}). Last lines of ${server.logFile}:\n${logTail(server.logFile)}`);
    }
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      await server.stop('SIGKILL');
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`${server.name} was not ready after ${timeoutMillis} ms (last attempt: ${reason}). Last lines of ${server.logFile}:\n${logTail(server.logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The first existing path among `candidates`, then `names` looked up on PATH. */
export function findExecutable(candidates: readonly string[], names: readonly string[]): string | undefined {
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}
