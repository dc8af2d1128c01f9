// Webhook intake benchmark: autocannon, 50 connections, against two baselines in the same run — a bare Koa
// route answering 200, and a Koa route doing a plain BullMQ queue.add — and our two routes: Feishu's events
// route taking encrypted, signed im.message.receive_v1 events (each with its own event_id), and WeCom's callback
// taking encrypted, signed text messages (each with its own MsgId), each checking, deduplicating and enqueuing. Each server runs in its own process, pinned to its own core where it can be, and is warmed up
// (WARMUP s, not counted) before the measured DURATION s; the three take turns for ROUNDS rounds; prints req/s,
// p99, server and Redis CPU per request, and the median ratio.
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { deleteKeys, REDIS_URL } from '../test/helpers/harness.ts';
import { serverCore } from './server-core.ts';
import { DEFAULT_APP_ID, messageEvent, signedRequest } from '../test/helpers/feishu-webhook.ts';
import { AES_KEY, AGENT_ID, CORP_ID, signedCallback, textXml, WECOM_TOKEN } from '../test/helpers/wecom-session.ts';
import { WecomCrypto } from '../src/platforms/wecom/crypto.ts';

const DURATION = Number(process.env.DURATION ?? 10);
const WARMUP = Number(process.env.WARMUP ?? 2);
const server = serverCore();
const CONNECTIONS = 50;
const BODIES = Number(process.env.BODIES ?? 120_000);
const TOKEN = 'bench-verification-token';
const KEY = 'bench-encrypt-key';

const env = {
  REDIS_URL,
  DIRECTORY_FILE: 'directory.example.yaml',
  FEISHU_APP_ID: DEFAULT_APP_ID,
  FEISHU_APP_SECRET: 'bench-secret',
  FEISHU_VERIFICATION_TOKEN: TOKEN,
  FEISHU_ENCRYPT_KEY: KEY,
  FEISHU_BASE_URL: 'http://127.0.0.1:9',
  WECOM_CORP_ID: CORP_ID,
  WECOM_AGENT_ID: AGENT_ID,
  WECOM_SECRET: 'bench-secret',
  WECOM_TOKEN: WECOM_TOKEN,
  WECOM_ENCODING_AES_KEY: AES_KEY,
  WECOM_BASE_URL: 'http://127.0.0.1:9',
};

console.log(`preparing ${BODIES} encrypted, signed events…`);
const requests = Array.from({ length: BODIES }, (_, i) => {
  const ev = messageEvent({ token: TOKEN, openId: 'ou_0f3a1c9e5b7d2468ace13579bdf02468', chatType: 'p2p', text: `/查看 ${i % 50 + 1}` });
  const { headers, rawBody } = signedRequest(ev, { encryptKey: KEY });
  return { headers, body: rawBody };
});

/** WeCom callbacks carry their timestamp in the signed query, checked within 5 minutes: made fresh for each run. */
function wecomRequests(n: number): { path: string; body: string }[] {
  const crypto = new WecomCrypto(WECOM_TOKEN, AES_KEY, CORP_ID);
  const base = Date.now();
  return Array.from({ length: n }, (_, i) => {
    const { query, body } = signedCallback(textXml('BenchUser', `/查看 ${(i % 50) + 1}`, `${base}${String(i).padStart(7, '0')}`), { crypto });
    return { path: `/webhooks/wecom?${query}`, body };
  });
}

async function startServer(mode: string, prefix: string): Promise<{ child: ChildProcess; port: number }> {
  const script = new URL('./intake-server.ts', import.meta.url).pathname;
  const nodeArgs = ['--import', 'tsx', ...(process.env.PROFILE === mode ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), ...(process.env.TRACE_GC === mode ? ['--trace-gc'] : []), script, mode];
  const [command, args] = server.command(nodeArgs);
  const child = spawn(command, args, {
    env: { ...process.env, ...env, BENCH_PREFIX: prefix },
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${mode} server exited ${code}`)));
  });
  return { child, port };
}

// Redis's own CPU time (INFO cpu), so the work each server leaves to Redis shows too.
const redis = new Redis(REDIS_URL);
async function redisCpuMs(): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(info.match(new RegExp(`^${name}:([0-9.]+)`, 'm'))?.[1] ?? 0);
  return (field('used_cpu_sys') + field('used_cpu_user')) * 1000;
}

async function run(mode: string): Promise<Row> {
  const prefix = `bench-${mode}-${process.pid}`;
  const { child, port } = await startServer(mode, prefix);
  let i = 0;
  const wecom = mode === 'wecom' ? wecomRequests(BODIES) : [];
  const load = (duration: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}/webhooks/feishu/events`,
      method: 'POST',
      connections: CONNECTIONS,
      duration,
      // RATE=n: a fixed total rate instead of as fast as possible, to compare server CPU per request unsaturated.
      ...(process.env.RATE ? { overallRate: Number(process.env.RATE) } : {}),
      requests: [
        {
          setupRequest: (req) => {
            if (mode === 'wecom') {
              const w = wecom[i++ % wecom.length]!;
              return { ...req, method: 'POST', path: w.path, headers: { 'content-type': 'text/xml' }, body: w.body };
            }
            const r = requests[i++ % requests.length]!;
            return { ...req, method: 'POST', headers: r.headers, body: r.body };
          },
        },
      ],
    });
  // Warm-up, not counted: every server's code is compiled and its connections made before the measured run, so
  // what is measured is the steady state, not the first second of a cold process.
  if (WARMUP > 0) await load(WARMUP);
  child.send('reset');
  const redisAtStart = await redisCpuMs();
  const result = await load(DURATION);
  const redisMs = (await redisCpuMs()) - redisAtStart;
  const bodies = mode === 'wecom' ? wecom.length : requests.length;
  if (i > bodies) console.warn(`  (${mode}: ${i} requests > ${bodies} bodies: the rest were duplicates)`);
  const cpu = new Promise<number>((resolve) => child.on('message', (m) => 'cpuMs' in (m as object) && resolve((m as { cpuMs: number }).cpuMs)));
  child.kill('SIGTERM');
  const cpuMs = await cpu;
  await new Promise((r) => child.once('exit', r));
  await deleteKeys(prefix);
  const n = result.requests.total;
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx + result.errors, cpuUs: (cpuMs * 1000) / n, redisUs: (redisMs * 1000) / n };
}

type Row = { rps: number; p99: number; non2xx: number; cpuUs: number; redisUs: number };
// This kind of machine's speed swings by a third from one second to the next: five rounds, and the median.
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
// MODES=queue,ducha runs only those servers (for experiments); the ratio needs queue and ducha.
const MODES = (process.env.MODES ?? 'bare,queue,ducha,wecom').split(',');
const all: Record<string, Row[]> = Object.fromEntries(MODES.map((m) => [m, []]));
const ratios: number[] = [];
const wecomRatios: number[] = [];
// The servers take turns, round after round, so a machine that slows down mid-run hits all alike;
// each round's ratio compares servers measured minutes apart at most.
for (let round = 1; round <= ROUNDS; round++) {
  const rows: Record<string, Row> = {};
  for (const mode of MODES) {
    rows[mode] = await run(mode);
    all[mode]!.push(rows[mode]!);
    const r = rows[mode]!;
    console.log(
      `round ${round}  ${mode.padEnd(6)} ${r.rps.toFixed(0).padStart(7)} req/s   p99 ${String(r.p99).padStart(4)} ms   non-2xx ${r.non2xx}   server CPU ${r.cpuUs.toFixed(0)} µs/request   Redis CPU ${r.redisUs.toFixed(0)} µs/request`,
    );
  }
  if (rows.ducha && rows.queue) ratios.push(rows.ducha.rps / rows.queue.rps);
  if (rows.wecom && rows.queue) wecomRatios.push(rows.wecom.rps / rows.queue.rps);
}
console.log('median of the rounds:');
for (const mode of MODES) {
  const rs = all[mode]!;
  console.log(
    `  ${mode.padEnd(6)} ${median(rs.map((r) => r.rps)).toFixed(0).padStart(7)} req/s   p99 ${median(rs.map((r) => r.p99))} ms   server CPU ${median(rs.map((r) => r.cpuUs)).toFixed(0)} µs/request   Redis CPU ${median(rs.map((r) => r.redisUs)).toFixed(0)} µs/request`,
  );
}
const p99 = all.ducha ? median(all.ducha.map((r) => r.p99)) : NaN;
if (ratios.length > 0) console.log(
  `ducha / queue.add baseline: ${(median(ratios) * 100).toFixed(0)} % of req/s (rounds: ${ratios.map((x) => (x * 100).toFixed(0)).join(', ')} %; target ≥ 80 %), p99 ${p99} ms (target < 50 ms)`,
);
const wecomP99 = all.wecom ? median(all.wecom.map((r) => r.p99)) : NaN;
if (wecomRatios.length > 0) console.log(
  `WeCom route / queue.add baseline: ${(median(wecomRatios) * 100).toFixed(0)} % of req/s (rounds: ${wecomRatios.map((x) => (x * 100).toFixed(0)).join(', ')} %; target ≥ 80 %), p99 ${wecomP99} ms (target < 50 ms)`,
);
await redis.quit();
