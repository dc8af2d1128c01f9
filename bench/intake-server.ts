// One server of the webhook-intake benchmark, in its own process: `bare` (Koa answering 200), `queue`
// (Koa + bodyparser + a plain BullMQ queue.add), or `ducha` / `wecom` (the service, whose Feishu or WeCom route
// the load is aimed at: verify, decrypt, dedup, enqueue).
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/infra/config.ts';
import { silentLogger } from '../src/infra/logger.ts';

const mode = process.argv[2];
const prefix = process.env.BENCH_PREFIX ?? 'bench';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function main(): Promise<void> {
  if (mode === 'ducha' || mode === 'wecom') {
    const config = loadConfig({ ...process.env, DUCHA_ROLE: 'web', DUCHA_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'silent' });
    const app = await createApp({ config, log: silentLogger });
    const server = await app.listen();
    report((server!.address() as { port: number }).port);
    return;
  }
  const app = new Koa();
  const router = new Router();
  if (mode === 'bare') {
    router.post('/webhooks/feishu/events', (ctx) => {
      ctx.body = {};
    });
  } else {
    const queue = new Queue('inbound', { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix });
    router.post('/webhooks/feishu/events', bodyParser(), async (ctx) => {
      await queue.add('command', ctx.request.body);
      ctx.body = {};
    });
  }
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1', () => report((server.address() as { port: number }).port));
}

function report(port: number): void {
  cpuAtStart = process.cpuUsage();
  process.send?.({ port });
}

// On SIGTERM: report this server's CPU time since it was ready (start-up excluded), then exit normally
// (so --cpu-prof, PROFILE=mode, can write its profile).
let cpuAtStart = process.cpuUsage();
// After the warm-up: count from here.
process.on('message', (m) => {
  if (m === 'reset') cpuAtStart = process.cpuUsage();
});
process.on('SIGTERM', () => {
  const used = process.cpuUsage(cpuAtStart);
  process.send?.({ cpuMs: (used.user + used.system) / 1000 });
  setTimeout(() => process.exit(0), 50);
});
void main();
