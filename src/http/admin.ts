// The operators' routes: /metrics (Prometheus text) and /admin/queues (the bull-board dashboard of the four queues),
// both behind HTTP Basic auth as admin:DUCHA_ADMIN_PASSWORD. Without the password they do not exist (404), and the
// dashboard's code is not even loaded.
import Router from '@koa/router';
import type { Queue } from 'bullmq';
import type { Context, Middleware } from 'koa';
import type { Metrics } from '../infra/metrics.ts';
import { BasicAuth } from './basic-auth.ts';

export const ADMIN_USER = 'admin';
export const DASHBOARD_PATH = '/admin/queues';

/** What each queue holds, shown under its name on the dashboard. */
const DESCRIPTIONS: Record<string, string> = {
  inbound: '收到的命令：由工作进程执行',
  deliver: '待发送的消息和待更新的卡片',
  schedule: '定时任务：提醒、签收催办、按名录更换负责领导',
  render: '待生成的文件：台账导出、归档记录',
};

/**
 * The page loads only what ducha serves: the dashboard's link to a web font (Google Fonts) is refused by the
 * browser at once, online or not, so the page never waits on it and tells no one who opened it. The text is then
 * in the system's sans-serif font. Styles inline (React sets them); no script but the dashboard's own files.
 */
const DASHBOARD_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The middleware to mount in order (none when no password is set): `/metrics`, then the dashboard. */
export async function adminRoutes(password: string | undefined, metrics: Metrics, queues: Queue[]): Promise<Middleware[]> {
  if (password === undefined) return [];
  const auth = new BasicAuth(password, ADMIN_USER);
  const guard: Middleware = async (ctx, next) => {
    if (auth.allows(ctx.get('authorization'))) return next();
    ctx.status = 401;
    ctx.set('WWW-Authenticate', 'Basic realm="ducha admin", charset="UTF-8"');
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = '需要管理员用户名（admin）和密码';
  };

  const router = new Router();
  router.get('/metrics', guard, async (ctx) => {
    const { contentType, text } = await metrics.exposition();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = contentType;
    ctx.body = text;
  });

  const board = await dashboard(queues);
  // koa-mount's own rule for what is under its path: the path itself, or it and a slash.
  const under = (ctx: Context) => ctx.path === DASHBOARD_PATH || ctx.path.startsWith(`${DASHBOARD_PATH}/`);
  const mounted: Middleware = async (ctx, next) => {
    if (!under(ctx)) return next();
    // Counted as one route, whatever page, asset or API call of the dashboard it was.
    ctx.state.route = DASHBOARD_PATH;
    ctx.set(DASHBOARD_HEADERS);
    return guard(ctx, () => board(ctx, next));
  };
  // The router's middleware expects the context it adds itself (params): the same function, typed for Koa.
  return [router.routes() as Middleware, mounted];
}

/**
 * bull-board on the queues, read-only: a job's fixed id is what makes queuing it again harmless, so removing or
 * cleaning jobs (or pausing a queue) is left out; a delivery given up for good is already told to the office.
 * Its Koa adapter returns a mounted Koa app (koa-mount), used as middleware.
 */
async function dashboard(queues: Queue[]): Promise<Middleware> {
  const [{ createBullBoard }, { BullMQAdapter }, { KoaAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/koa'),
  ]);
  const serverAdapter = new KoaAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true, description: DESCRIPTIONS[q.name] ?? '' })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'ducha 队列', locale: { lng: 'zh-CN' }, hideDocsLink: true } },
  });
  return serverAdapter.registerPlugin() as Middleware;
}
