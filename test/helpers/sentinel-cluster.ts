// A Redis master, one replica and three sentinels as child processes of the test (redis-server, and
// `redis-server --sentinel` with a config file written into a temp dir), on free ports; for the failover test.
// Every process is killed and the temp dir removed by close(), also when starting failed half-way.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './service-process.ts';
import { until } from './until.ts';

export const MASTER_NAME = 'duchamaster';
/** Sentinel declares the master down after this long without an answer. */
const DOWN_AFTER_MS = 1000;
const FAILOVER_TIMEOUT_MS = 3000;

interface Node {
  port: number;
  child: ChildProcess;
  out: string;
}

export class SentinelCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'ducha-sentinel-'));
  private nodes: Node[] = [];
  redisPorts: number[] = [];
  sentinelPorts: number[] = [];

  /** `REDIS_SENTINELS` for the service. */
  get sentinelsEnv(): string {
    return this.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',');
  }

  /** Starts master and replica, waits for the replica to be in sync, then the sentinels, and waits until they know each other and the replica. */
  static async start(): Promise<SentinelCluster> {
    const c = new SentinelCluster();
    try {
      const [master, replica] = [await freePort(), await freePort()];
      c.redisPorts = [master, replica];
      await c.spawnRedis(master);
      await c.spawnRedis(replica, ['--replicaof', '127.0.0.1', String(master)]);
      await until('the replica to be in sync', async () => /master_link_status:up/.test(await c.info(replica, 'replication')), 10_000);
      for (let i = 0; i < 3; i++) {
        const port = await freePort();
        c.sentinelPorts.push(port);
        const file = join(c.dir, `sentinel-${port}.conf`);
        writeFileSync(
          file,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${c.dir}`,
            `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master} 2`,
            `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
            `sentinel failover-timeout ${MASTER_NAME} ${FAILOVER_TIMEOUT_MS}`,
            `sentinel parallel-syncs ${MASTER_NAME} 1`,
            '',
          ].join('\n'),
        );
        c.spawn(port, [file, '--sentinel']);
      }
      // Sentinels find each other and the replica through the master (hello messages every 2 s).
      await until(
        'the sentinels to know each other and the replica',
        async () => {
          for (const port of c.sentinelPorts) {
            const s = await c.sentinelCommand(port, ['SENTINEL', 'MASTER', MASTER_NAME]).catch(() => undefined);
            if (!Array.isArray(s)) return false;
            const fields = toMap(s);
            if (fields['num-other-sentinels'] !== '2' || fields['num-slaves'] !== '1') return false;
          }
          return true;
        },
        20_000,
        100,
      );
      return c;
    } catch (e) {
      await c.close();
      throw e;
    }
  }

  private spawn(port: number, args: string[]): Node {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const node: Node = { port, child, out: '' };
    child.stdout!.on('data', (d) => (node.out += String(d)));
    child.stderr!.on('data', (d) => (node.out += String(d)));
    this.nodes.push(node);
    return node;
  }

  private async spawnRedis(port: number, extra: string[] = []): Promise<void> {
    this.spawn(port, [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir, '--dbfilename', `dump-${port}.rdb`,
      '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', ...extra,
    ]);
    await until(`redis-server on ${port} to answer`, async () => (await this.command(port, ['PING']).catch(() => '')) === 'PONG', 10_000, 50);
  }

  /** One command on a short-lived connection that does not retry. */
  async command(port: number, args: string[]): Promise<unknown> {
    const r = new Redis(port, '127.0.0.1', { protocol: 2, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1000 });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return await r.call(args[0]!, ...args.slice(1));
    } finally {
      r.disconnect();
    }
  }

  private sentinelCommand(port: number, args: string[]): Promise<unknown> {
    return this.command(port, args);
  }

  async info(port: number, section: string): Promise<string> {
    return String(await this.command(port, ['INFO', section]));
  }

  /** The master's port as the sentinels say (a majority of them agreeing). */
  async masterPort(): Promise<number | undefined> {
    const votes = new Map<number, number>();
    for (const port of this.sentinelPorts) {
      const a = await this.sentinelCommand(port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME]).catch(() => undefined);
      if (Array.isArray(a)) votes.set(Number(a[1]), (votes.get(Number(a[1])) ?? 0) + 1);
    }
    for (const [p, n] of votes) if (n >= 2) return p;
    return undefined;
  }

  /** Kills a redis-server (SIGKILL) and waits for it to be gone. */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    if (!node || node.child.exitCode !== null || node.child.signalCode !== null) return;
    const gone = new Promise((r) => node.child.once('exit', r));
    node.child.kill('SIGKILL');
    await gone;
  }

  /** A client of the test's own that finds the master through the sentinels. */
  client(): Redis {
    return new Redis({ sentinels: this.sentinelPorts.map((port) => ({ host: '127.0.0.1', port })), name: MASTER_NAME, failoverDetector: true, maxRetriesPerRequest: 3 });
  }

  /** What the servers wrote, for a failed test's report. */
  output(): string {
    return this.nodes.map((n) => `---- redis ${n.port} ----\n${n.out.slice(-4000)}`).join('\n');
  }

  async close(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        if (n.child.exitCode !== null || n.child.signalCode !== null) return;
        const gone = new Promise((r) => n.child.once('exit', r));
        n.child.kill('SIGKILL');
        await gone;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function toMap(flat: unknown[]): Record<string, string> {
  const m: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) m[String(flat[i])] = String(flat[i + 1]);
  return m;
}
