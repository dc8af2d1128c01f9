// A throwaway redis-server for one benchmark run: its own port and directory, nothing persisted but an append-only
// file that is never rewritten, so INFO's aof_current_size grows by exactly the bytes the workload made Redis write,
// with no other client's traffic mixed in.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  url: string;
  /** Bytes written to the append-only file since the server started. */
  aofBytes(): Promise<number>;
  /** CPU time the server has used, user and system, in ms. */
  cpuMs(): Promise<number>;
  /** How many times each command was called since the server started (INFO commandstats), by lower-case name. */
  commandCalls(): Promise<Map<string, number>>;
  /**
   * Runs `work` with every command logged (SLOWLOG at 0 µs, kept up to `max`; the commands a script calls are logged
   * too), and gives how long Redis spent on each call of `command` (lower case, e.g. evalsha) during it, in µs: what one
   * call holds the server for.
   */
  callTimes(command: string, work: () => Promise<unknown>, max?: number): Promise<number[]>;
  /** Stops the server and removes its directory; safe to call more than once. */
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 10_000;

export async function startPrivateRedis(port: number, bin = '/usr/bin/redis-server'): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'ducha-bench-redis-'));
  // appendfsync no: the file's size is what is measured, not how often it reaches the disk. No rewrites, so the
  // file only grows; no RDB snapshots, so nothing else is written.
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'yes', '--appendfsync', 'no', '--auto-aof-rewrite-percentage', '0',
    '--maxmemory-policy', 'noeviction', '--logfile', '',
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  child.once('error', (e) => {
    output += `\n${e.message}`;
  });

  let stopped: Promise<void> | undefined;
  let client: Redis | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      client?.disconnect();
      if (!gone && child.pid !== undefined) {
        child.kill('SIGTERM');
        const killed = await Promise.race([exited.then(() => true), delay(5000, undefined, { ref: false }).then(() => false)]);
        if (!killed) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      rmSync(dir, { recursive: true, force: true });
    })());

  try {
    client = await connectWhenUp(port, () => gone);
  } catch (e) {
    await stop();
    throw new Error(`redis-server on port ${port} did not start: ${(e as Error).message}\n${output.trim()}`);
  }
  const c = client;
  const field = async (section: string, name: string): Promise<number> => {
    const m = new RegExp(`^${name}:([0-9.]+)`, 'm').exec(await c.info(section));
    if (!m) throw new Error(`INFO ${section} has no ${name}`);
    return Number(m[1]);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    aofBytes: () => field('persistence', 'aof_current_size'),
    cpuMs: async () => ((await field('cpu', 'used_cpu_user')) + (await field('cpu', 'used_cpu_sys'))) * 1000,
    commandCalls: async () => {
      const calls = new Map<string, number>();
      for (const m of (await c.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
      return calls;
    },
    callTimes: async (command, work, max = 1_000_000) => {
      const [was] = (await c.config('GET', 'slowlog-log-slower-than')).slice(1) as string[];
      await c.config('SET', 'slowlog-max-len', String(max));
      await c.slowlog('RESET');
      await c.config('SET', 'slowlog-log-slower-than', '0');
      try {
        await work();
      } finally {
        await c.config('SET', 'slowlog-log-slower-than', was ?? '10000');
      }
      const log = (await c.slowlog('GET', max)) as [number, number, number, string[]][];
      return log.filter((e) => String(e[3][0]).toLowerCase() === command).map((e) => Number(e[2]));
    },
    stop,
  };
}

/** Polls until the server answers PING (bounded), giving up at once if it exited. */
async function connectWhenUp(port: number, exited: () => boolean): Promise<Redis> {
  const until = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (exited()) throw new Error('it exited');
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return client;
    } catch {
      // not listening yet
    }
    client.disconnect();
    if (Date.now() > until) throw new Error(`no answer within ${READY_WITHIN_MS} ms`);
    await delay(20);
  }
}
