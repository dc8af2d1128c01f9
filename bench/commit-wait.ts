// What REDIS_WAIT_MS costs a press: the same presses (签收 on a key item's notices) with a commit that waits for one
// replica (WAIT 1 <ms>) and without, alternating in the same run, on a master and a replica of the bench's own
// (redis-server children, on loopback). The service runs in this process (the test harness: the real app with
// recording platform adapters). Reports each mode's median and 95th percentile time to answer one press at a time,
// and presses per second with CONCURRENCY in flight, and the ratios with against without.
// `npm run bench:wait`; UNITS (default 60), ROUNDS (default 3), WAIT_MS (default 100), CONCURRENCY (default 10).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { writeCityDirectory } from '../test/helpers/city-directory.ts';
import { createHarness, type Harness } from '../test/helpers/harness.ts';
import { freePort } from '../test/helpers/service-process.ts';
import { until } from '../test/helpers/until.ts';

const UNITS = Number(process.env.UNITS ?? 60);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const WAIT_MS = Number(process.env.WAIT_MS ?? 100);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);

const dir = mkdtempSync(join(tmpdir(), 'ducha-bench-wait-'));
const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];

async function redisServer(port: number, extra: string[] = []): Promise<void> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `d${port}.rdb`, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', ...extra], { stdio: 'ignore' });
  children.push(child);
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  await until(`redis-server on ${port}`, async () => (await probe.ping().catch(() => '')) === 'PONG', 10_000);
  if (extra.includes('--replicaof')) await until('the replica in sync', async () => /master_link_status:up/.test(await probe.info('replication')), 10_000);
  probe.disconnect();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

interface Run {
  sequential: number[];
  perSecond: number;
  /** WAIT commands the master ran during the run. */
  waits: number;
}

/** How many WAIT commands the master has run (INFO commandstats). */
async function waitCalls(url: string): Promise<number> {
  const r = new Redis(url);
  try {
    return Number(/cmdstat_wait:calls=(\d+)/.exec(await r.info('commandstats'))?.[1] ?? 0);
  } finally {
    r.disconnect();
  }
}

async function run(masterUrl: string, city: ReturnType<typeof writeCityDirectory>, waitMs: number): Promise<Run> {
  const waitsBefore = await waitCalls(masterUrl);
  const h: Harness = await createHarness({ env: { REDIS_URL: masterUrl, REDIS_WAIT_MS: String(waitMs) }, directory: city.file });
  try {
    await h.command('zhang', `/新建 排水设施汛前检修 单位=${city.units.join(',')} 期限=5d 类别=重大`);
    const issued = await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    if (issued.toast.type !== 'success') throw new Error(`发出 answered ${JSON.stringify(issued.toast)}`);
    const cards = await until(
      'every head to have the notice',
      () => {
        try {
          return city.units.map((_, i) => h.lastCard(city.head(i + 1), '签收'));
        } catch {
          return undefined;
        }
      },
      60_000,
    );
    const press = async (i: number) => {
      const t = performance.now();
      const a = await h.press(city.head(i + 1), { card: cards[i]!, label: '签收' });
      if (a.toast.type !== 'success') throw new Error(`签收 answered ${JSON.stringify(a.toast)}`);
      return performance.now() - t;
    };
    const half = Math.floor(UNITS / 2);
    const sequential: number[] = [];
    for (let i = 0; i < half; i++) sequential.push(await press(i));
    let next = half;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < UNITS) await press(next++);
      }),
    );
    const perSecond = ((UNITS - half) * 1000) / (performance.now() - t);
    return { sequential, perSecond, waits: (await waitCalls(masterUrl)) - waitsBefore };
  } finally {
    await h.close();
  }
}

try {
  const [master, replica] = [await freePort(), await freePort()];
  await redisServer(master);
  await redisServer(replica, ['--replicaof', '127.0.0.1', String(master)]);
  const city = writeCityDirectory(UNITS);
  cleanups.push(() => city.remove());
  const url = `redis://127.0.0.1:${master}`;
  const results = new Map<number, Run[]>([
    [0, []],
    [WAIT_MS, []],
  ]);
  // A first round of each to warm up, not counted; then the modes alternate, so that load from elsewhere falls on both.
  await run(url, city, 0);
  await run(url, city, WAIT_MS);
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of r % 2 ? [WAIT_MS, 0] : [0, WAIT_MS]) results.get(mode)!.push(await run(url, city, mode));
  }
  const summary = (mode: number) => {
    const runs = results.get(mode)!;
    const seq = runs.flatMap((x) => x.sequential);
    return { median: median(seq), p95: p95(seq), perSecond: median(runs.map((x) => x.perSecond)), waits: runs.reduce((n, x) => n + x.waits, 0) / runs.length };
  };
  const off = summary(0);
  const on = summary(WAIT_MS);
  const f = (n: number) => n.toFixed(2);
  console.log(`presses of 签收 on a key item of ${UNITS} units, ${ROUNDS} rounds per mode, master and one replica on loopback`);
  console.log(`without WAIT:           one at a time median ${f(off.median)} ms, p95 ${f(off.p95)} ms; ${f(off.perSecond)} presses/s with ${CONCURRENCY} in flight`);
  console.log(`REDIS_WAIT_MS=${WAIT_MS} (WAIT 1): one at a time median ${f(on.median)} ms, p95 ${f(on.p95)} ms; ${f(on.perSecond)} presses/s with ${CONCURRENCY} in flight`);
  console.log(`WAIT commands per run: ${off.waits} without, ${on.waits} with (${UNITS} presses, the /新建 and the 发出 each run)`);
  console.log(`ratio with/without: median ×${f(on.median / off.median)}, p95 ×${f(on.p95 / off.p95)}, throughput ×${f(on.perSecond / off.perSecond)}`);
} finally {
  for (const c of children) c.kill('SIGKILL');
  for (const c of cleanups) c();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
