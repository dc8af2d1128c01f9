// Counts and times every request for /metrics by the route it matched, never by its raw path: however many paths
// people (or scanners) try, the labels stay a handful.
import type { Middleware } from 'koa';
import type { Metrics } from '../infra/metrics.ts';

/** What a request that matched no route is counted under. */
export const UNMATCHED = 'unmatched';

/** Outermost: by the time it reads the status, errors have been turned into answers. */
export function requestMetrics(metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      // The template @koa/router matched (`/webhooks/wecom`), or one a mounted app named for itself (ctx.state.route).
      const route = (ctx.state.route as string | undefined) ?? (ctx as { _matchedRoute?: string })._matchedRoute ?? UNMATCHED;
      metrics.request(platformOf(route), route, ctx.method, ctx.status, (performance.now() - start) / 1000);
    }
  };
}

/** The platform a route is for: `/webhooks/<platform>/…`, the console's pages and API, or none (health, admin). */
export function platformOf(route: string): string {
  const m = /^\/webhooks\/([a-z]+)/.exec(route);
  if (m) return m[1]!;
  return route === '/console' || route.startsWith('/console/') ? 'console' : 'none';
}
