// The Koa web server: health routes, request logging, and the platform webhook routes the adapters add.
import Koa from 'koa';
import Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import type { Logger } from './logger.ts';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

export function createServer(log: Logger, checks: ReadinessCheck[], routers: Router[] = []): Koa {
  const app = new Koa();
  app.proxy = true;
  // One log line per request, and errors caught once, here: clients see a status, the log sees the cause.
  app.use(async (ctx, next) => {
    const start = process.hrtime.bigint();
    const id = ctx.get('x-request-id') || randomUUID();
    ctx.state.log = log.child({ req: id });
    try {
      await next();
    } catch (err) {
      const e = err as { status?: number; expose?: boolean; message?: string };
      ctx.status = e.status && e.status >= 400 && e.status < 600 ? e.status : 500;
      ctx.body = { error: e.expose ? e.message : ctx.status >= 500 ? 'internal error' : 'bad request' };
      (ctx.state.log as Logger).error({ err }, 'request failed');
    } finally {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (ctx.path !== '/healthz') {
        (ctx.state.log as Logger).info({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request');
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
          results[c.name] = await c.check();
        } catch {
          results[c.name] = false;
        }
      }),
    );
    const ok = Object.values(results).every(Boolean);
    ctx.status = ok ? 200 : 503;
    ctx.body = { ok, checks: results };
  });
  app.use(router.routes()).use(router.allowedMethods());
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  return app;
}
