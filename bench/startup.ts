// Start-up benchmark: time from spawn to /readyz 200 for `npm start` (example directory, no platform),
// against a baseline in the same run: a bare Koa server started through npm and tsx the same way, answering 200.
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteKeys } from '../test/helpers/harness.ts';

const RUNS = Number(process.env.RUNS ?? 5);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function timeToReady(cmd: string[], path: string, env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  // Its own process group, so the whole tree (npm, node) is stopped afterwards.
  const child = spawn(cmd[0]!, cmd.slice(1), { env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: 'ignore', detached: true });
  try {
    const until = Date.now() + 20_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        if (res.status === 200) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error(`${cmd.join(' ')} not ready in 20 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    const exited = new Promise((r) => child.on('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ducha-bench-'));
const bare = join(dir, 'bare.ts');
writeFileSync(
  bare,
  `import Koa from '${join(process.cwd(), 'node_modules/koa/dist/koa.mjs')}';\n` +
    `const app = new Koa(); app.use((ctx) => { ctx.body = 'ok'; }); app.listen(Number(process.env.PORT));\n`,
);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base: number[] = [];
const ours: number[] = [];
const withFeishu: number[] = [];
const feishuEnv = {
  FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718',
  FEISHU_APP_SECRET: 'bench',
  FEISHU_VERIFICATION_TOKEN: 'bench',
  FEISHU_BASE_URL: 'http://127.0.0.1:9',
};
for (let i = 0; i < RUNS; i++) {
  base.push(await timeToReady(['npm', 'exec', '--', 'node', '--import', 'tsx', bare], '/', {}));
  ours.push(await timeToReady(['npm', 'start', '--silent'], '/readyz', { DUCHA_PREFIX: `bench-start-${i}` }));
  withFeishu.push(await timeToReady(['npm', 'start', '--silent'], '/readyz', { DUCHA_PREFIX: `bench-start-f${i}`, ...feishuEnv }));
}
for (let i = 0; i < RUNS; i++) for (const p of [`bench-start-${i}`, `bench-start-f${i}`]) await deleteKeys(p);
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
console.log(`bare Koa (npm, tsx)     : ${fmt(base)}`);
console.log(`ducha npm start → ready : ${fmt(ours)}`);
console.log(`… with Feishu (webhook) : ${fmt(withFeishu)}`);
console.log(`ratio (median)          : ${(median(ours) / median(base)).toFixed(2)}× (with Feishu ${(median(withFeishu) / median(base)).toFixed(2)}×)`);
