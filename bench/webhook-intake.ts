// Webhook intake benchmark: autocannon, 50 connections, against two baselines in the same run — a bare Koa
// route answering 200, and a Koa route doing a plain BullMQ queue.add — and our Feishu events route taking
// encrypted, signed im.message.receive_v1 events (each with its own event_id), checking, deduplicating and
// enqueuing them. Each server runs in its own process; prints req/s and p99 and the ratios.
import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { deleteKeys } from '../test/helpers/harness.ts';
import { messageEvent, signedRequest } from '../test/helpers/feishu-webhook.ts';

const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = 50;
const BODIES = Number(process.env.BODIES ?? 120_000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = 'bench-verification-token';
const KEY = 'bench-encrypt-key';

const env = {
  REDIS_URL,
  DIRECTORY_FILE: 'directory.example.yaml',
  FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718',
  FEISHU_APP_SECRET: 'bench-secret',
  FEISHU_VERIFICATION_TOKEN: TOKEN,
  FEISHU_ENCRYPT_KEY: KEY,
  FEISHU_BASE_URL: 'http://127.0.0.1:9',
};

console.log(`preparing ${BODIES} encrypted, signed events…`);
const requests = Array.from({ length: BODIES }, (_, i) => {
  const ev = messageEvent({ token: TOKEN, openId: 'ou_0f3a1c9e5b7d2468ace13579bdf02468', chatType: 'p2p', text: `/查看 ${i % 50 + 1}` });
  const { headers, rawBody } = signedRequest(ev, { encryptKey: KEY });
  return { headers, body: rawBody };
});

async function startServer(mode: string, prefix: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(new URL('./intake-server.ts', import.meta.url).pathname, [mode], {
    env: { ...process.env, ...env, BENCH_PREFIX: prefix },
    execArgv: ['--import', 'tsx', ...(process.env.PROFILE === mode ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [])],
    stdio: 'inherit',
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${mode} server exited ${code}`)));
  });
  return { child, port };
}

async function run(mode: string): Promise<{ rps: number; p99: number; non2xx: number; cpuUs: number }> {
  const prefix = `bench-${mode}-${process.pid}`;
  const { child, port } = await startServer(mode, prefix);
  let i = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/webhooks/feishu/events`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    // RATE=n: a fixed total rate instead of as fast as possible, to compare server CPU per request unsaturated.
    ...(process.env.RATE ? { overallRate: Number(process.env.RATE) } : {}),
    requests: [
      {
        setupRequest: (req) => {
          const r = requests[i++ % requests.length]!;
          return { ...req, method: 'POST', headers: r.headers, body: r.body };
        },
      },
    ],
  });
  if (i > requests.length) console.warn(`  (${mode}: ${i} requests > ${requests.length} bodies: the rest were duplicates)`);
  const cpu = new Promise<number>((resolve) => child.on('message', (m) => 'cpuMs' in (m as object) && resolve((m as { cpuMs: number }).cpuMs)));
  child.kill('SIGTERM');
  const cpuMs = await cpu;
  await new Promise((r) => child.once('exit', r));
  await deleteKeys(prefix);
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx + result.errors, cpuUs: (cpuMs * 1000) / result.requests.total };
}

const rows: Record<string, { rps: number; p99: number; non2xx: number; cpuUs: number }> = {};
for (const mode of ['bare', 'queue', 'ducha']) {
  rows[mode] = await run(mode);
  console.log(`${mode.padEnd(6)} ${rows[mode]!.rps.toFixed(0).padStart(7)} req/s   p99 ${String(rows[mode]!.p99).padStart(4)} ms   non-2xx ${rows[mode]!.non2xx}   server CPU ${rows[mode]!.cpuUs.toFixed(0)} µs/request`);
}
const q = rows.queue!;
const d = rows.ducha!;
console.log(`ducha / queue.add baseline: ${((d.rps / q.rps) * 100).toFixed(0)} % of req/s (target ≥ 80 %), p99 ${d.p99} ms (target < 50 ms)`);
console.log(`ducha / bare Koa: ${((d.rps / rows.bare!.rps) * 100).toFixed(0)} % of req/s`);
