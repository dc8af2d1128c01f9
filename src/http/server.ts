// The Koa web server: health routes, request logging and counting, the operators' routes, and the platform webhook
// routes the adapters add.
import Koa, { type Middleware } from 'koa';
import Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../infra/logger.ts';
import type { Metrics } from '../infra/metrics.ts';
import { RedisUnavailable } from '../redis/health.ts';
import { requestMetrics } from './request-metrics.ts';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

const READY_CHECK_MS = 800;

/** `metrics`: what counts every request; `admin`: the operators' routes (src/http/admin.ts), mounted before the others. */
export function createServer(log: Logger, checks: ReadinessCheck[], routers: Router[] = [], ops: { metrics?: Metrics; admin?: Middleware[] } = {}): Koa {
  const app = new Koa();
  // What Koa itself reports (a mounted app's errors, a broken response stream): logged, not printed as a stack; what
  // Koa would not print (a 404, an error meant for the client) is not logged either.
  app.on('error', (err: { status?: number; expose?: boolean }) => {
    if (err.status !== 404 && !err.expose) log.error({ err }, '请求处理出错');
  });
  if (ops.metrics) app.use(requestMetrics(ops.metrics));
  // One log line per request, and errors caught once, here: clients see a status, the log sees the cause.
  let seq = 0;
  const boot = randomUUID().slice(0, 8);
  // This runs on every webhook: it only names the request; a handler that logs makes its own child logger
  // from ctx.state.reqId, and the request line is built only when info is on.
  app.use(async (ctx, next) => {
    const start = performance.now();
    const id = (ctx.headers['x-request-id'] as string | undefined) || `${boot}-${++seq}`;
    ctx.state.reqId = id;
    try {
      await next();
    } catch (err) {
      const e = err as { status?: number; expose?: boolean; message?: string };
      ctx.status = e.status && e.status >= 400 && e.status < 600 ? e.status : 500;
      ctx.body = { error: e.expose ? e.message : ctx.status >= 500 ? 'internal error' : 'bad request' };
      // Redis being away is said once, by RedisHealth; each request it turns away is its own request line (503).
      if (!(err instanceof RedisUnavailable)) log.error({ req: id, err }, '请求处理出错');
    } finally {
      if (log.isLevelEnabled('info') && ctx.path !== '/healthz') {
        const ms = Math.round((performance.now() - start) * 10) / 10;
        log.info({ req: id, method: ctx.method, path: ctx.path, status: ctx.status, ms }, '请求');
      }
    }
  });
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/readyz', async (ctx) => {
    const results: Record<string, boolean> = {};
    await Promise.all(
      checks.map(async (c) => {
        try {
          // A check that does not answer within READY_CHECK_MS counts as failed: /readyz answers within a second.
          results[c.name] = await Promise.race([c.check(), new Promise<boolean>((r) => setTimeout(() => r(false), READY_CHECK_MS).unref())]);
        } catch {
          results[c.name] = false;
        }
      }),
    );
    const ok = Object.values(results).every(Boolean);
    ctx.status = ok ? 200 : 503;
    ctx.body = { ok, checks: results };
  });
  for (const m of ops.admin ?? []) app.use(m);
  for (const r of routers) app.use(r.routes());
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
