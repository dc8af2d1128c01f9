// Runs the service as `npm start` runs it (`node --import tsx src/main.ts`), as a separate OS process the test
// can kill like a power cut would (SIGKILL), and waits for it by polling with a bound, never by sleeping blindly.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { deleteKeys } from './harness.ts';
import { until } from './until.ts';

export interface ServiceProcess {
  /** A short name for logs ("A", "B", …). */
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  /** http://127.0.0.1:<port>, or the address HOST names when it names one (not a wildcard) */
  readonly base: string;
  /** Everything it wrote to stdout and stderr so far. */
  out(): string;
  /** Resolves once it has exited: its exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True until it has exited. */
  alive(): boolean;
  /** Sends SIGKILL (if still running) and waits for the exit. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM (the service drains, then exits 0) and waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Spawns the service on a free port (or on `env.PORT`, to start it again where a page expects it) with exactly `env`
 * (plus PATH and PORT) and returns once `/readyz` answers 200. Every process started is passed to `track` first, so that a test's clean-up can kill it even when
 * start-up itself fails.
 */
export async function startService(
  name: string,
  env: Record<string, string>,
  track: (p: ServiceProcess) => void,
  readyTimeoutMs = 20_000,
): Promise<ServiceProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const reach = !env.HOST || env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
  // Attachments go to a directory of the process's own, removed when it exits, unless the test names one.
  const ownFiles = env.DUCHA_FILES_DIR === undefined ? mkdtempSync(join(tmpdir(), 'ducha-files-')) : undefined;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', ...(ownFiles ? { DUCHA_FILES_DIR: ownFiles } : {}), ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buf = '';
  child.stdout!.on('data', (d) => (buf += String(d)));
  child.stderr!.on('data', (d) => (buf += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => {
    done = true;
    if (ownFiles) rmSync(ownFiles, { recursive: true, force: true });
  });
  const p: ServiceProcess = {
    name,
    child,
    port,
    base: `http://${reach}:${port}`,
    out: () => buf,
    exited,
    alive: () => !done,
    async kill() {
      if (!done) child.kill('SIGKILL');
      return exited;
    },
    async stop() {
      if (!done) child.kill('SIGTERM');
      return exited;
    },
  };
  track(p);
  // Its output goes with any failure to start: that is where the reason is.
  await until(`service ${name} to answer /readyz with 200`, async () => {
    if (done) throw new Error(`service ${name} exited before it was ready: ${JSON.stringify(await exited)}`);
    const res = await fetch(`${p.base}/readyz`).catch(() => undefined); // not listening yet
    await res?.arrayBuffer();
    return res?.status === 200;
  }, readyTimeoutMs).catch((e: Error) => {
    throw new Error(`${e.message}\n${buf}`);
  });
  return p;
}

/**
 * For each test of the calling file: a fresh key prefix (`<name><pid>-<random>`), the service processes it starts
 * (pass `track` to startService), killed after the test, their output printed when the test failed, and the
 * prefix's keys deleted.
 */
export function processesPerTest(name: string): { prefix(): string; track(p: ServiceProcess): void; procs(): ServiceProcess[] } {
  let prefix = '';
  let procs: ServiceProcess[] = [];
  beforeEach(({ onTestFailed }) => {
    prefix = `${name}${process.pid}-${randomBytes(3).toString('hex')}`;
    procs = [];
    onTestFailed(() => {
      for (const p of procs) console.error(`---- service ${p.name} ----\n${p.out().slice(-20_000)}`);
    });
  });
  afterEach(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await deleteKeys(prefix);
  });
  return { prefix: () => prefix, track: (p) => procs.push(p), procs: () => procs };
}
