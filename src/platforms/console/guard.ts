// What keeps the console to the machine and the page it serves: only a Host naming the address the request came
// in on, the password when one is set, no framing, and an API that takes no cross-site request (own origin, JSON,
// the page's token). The console lets anyone act as anyone, so whatever fails here is refused before any route.
import type { Context, Middleware } from 'koa';
import { BasicAuth } from '../../http/basic-auth.ts';
import { isLoopback, plainAddress } from '../../infra/loopback-address.ts';
import type { PageTokens } from './page-token.ts';

/** The page's header carrying its token; EventSource cannot set headers, so the stream takes `?token=` instead. */
export const TOKEN_HEADER = 'x-console-token';

const HEADERS: Record<string, string> = {
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Host, password and the headers every console answer carries (page, assets and API alike). */
export function consoleGuard(password: string | undefined): Middleware {
  const auth = password === undefined ? undefined : new BasicAuth(password);
  return async (ctx, next) => {
    ctx.set(HEADERS);
    // DNS rebinding: a name the attacker controls resolving to this machine. Only addresses, never a name, pass.
    if (!hostServed(ctx)) {
      ctx.status = 403;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = '请用本机地址打开控制台（如 http://127.0.0.1:端口/console），不能通过其他域名访问';
      return;
    }
    if (auth && !auth.allows(ctx.get('authorization'))) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Basic realm="ducha console", charset="UTF-8"');
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = '请输入控制台密码（用户名可任意填写）';
      return;
    }
    await next();
  };
}

/** The API only: asked by the page itself, never by another site's page (CSRF). Throws a 403 or 415 in Chinese. */
export function apiGuard(tokens: () => Promise<PageTokens>): Middleware {
  return async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    const site = ctx.get('sec-fetch-site');
    const origin = ctx.get('origin');
    if ((site && site !== 'same-origin') || (origin && origin !== `http://${ctx.get('host')}`)) {
      ctx.throw(403, '控制台不接受来自其他网页的请求');
    }
    // A form or a no-cors fetch can only send text/plain, form or multipart bodies: JSON needs the page's own script.
    if (ctx.method === 'POST' && !ctx.is('application/json')) ctx.throw(415, '请求格式有误（应为 JSON）');
    const token = ctx.get(TOKEN_HEADER) || (ctx.method === 'GET' ? ctx.query.token : undefined);
    if (!(await tokens()).valid(token)) ctx.throw(403, '页面凭据无效，请刷新页面');
    await next();
  };
}

/** The Host header names the address and port this request came in on (or localhost, when that is loopback). */
function hostServed(ctx: Context): boolean {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(ctx.get('host'));
  const socket = ctx.req.socket;
  if (!m || !socket.localAddress) return false;
  if ((m[2] === undefined ? 80 : Number(m[2])) !== socket.localPort) return false;
  const named = plainAddress(m[1]!);
  const local = plainAddress(socket.localAddress);
  return named === local || (named === 'localhost' && isLoopback(local));
}
