// Turns the configured platforms on: their adapters for the delivery worker, their webhook routes, and
// (Feishu in websocket mode) the long connection. A platform's code (and its SDK) loads only when it is on.
import type Router from '@koa/router';
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../infra/clock.ts';
import type { Config } from '../infra/config.ts';
import type { Logger } from '../infra/logger.ts';
import type { Runtime } from '../infra/runtime.ts';
import type { FileStore } from '../files/file-store.ts';
import type { Adapters } from './routing.ts';

export interface Platforms {
  adapters: Adapters;
  routes(rt: Runtime): Router[];
  /** Starts what listens without HTTP (the Feishu long connection); returns how to stop it. */
  connect(rt: Runtime): () => void;
  /** Ends the streams held open to pages (the console's live updates), so the web server can close. */
  closeStreams(): void;
}

/**
 * `redis`: the connection each platform keeps its own state on (tokens, rate windows, the console's history; their
 * keys are listed in src/store/keys.ts), handed over by app.ts. `timeoutMs` bounds each platform API call (tests
 * shorten it); `clock` times the console's messages (the domain's).
 */
export async function createPlatforms(
  config: Config,
  redis: Redis,
  log: Logger,
  timeoutMs?: number,
  clock: Clock = systemClock,
  files?: FileStore,
): Promise<Platforms> {
  const adapters: Adapters = new Map();
  const routes: ((rt: Runtime) => Router)[] = [];
  const connections: ((rt: Runtime) => () => void)[] = [];
  const feishu = config.feishu;
  if (feishu) {
    const [{ FeishuAdapter }, { createFeishuClient, RedisTokenCache, tokenFetcher }, { feishuRouter }, { startFeishuLongConnection }] =
      await Promise.all([
        import('./feishu/adapter.ts'),
        import('./feishu/client.ts'),
        import('./feishu/receiver.ts'),
        import('./feishu/long-connection.ts'),
      ]);
    const tokens = new RedisTokenCache(redis, config.prefix);
    adapters.set(
      'feishu',
      new FeishuAdapter(
        createFeishuClient(feishu, tokens, timeoutMs),
        tokens,
        feishu.appId,
        redis,
        config.prefix,
        tokenFetcher(feishu, timeoutMs),
        Date.now,
        // Files take longer than messages: a test's short timeout is kept, production's is a couple of minutes.
        { baseUrl: feishu.baseUrl, timeoutMs: timeoutMs === undefined ? 120_000 : Math.max(timeoutMs, 5000) },
      ),
    );
    if (feishu.mode === 'webhook') routes.push((rt) => feishuRouter(rt, feishu));
    else
      connections.push((rt) => {
        const conn = startFeishuLongConnection(rt, feishu);
        return () => conn.close();
      });
  }
  const wecom = config.wecom;
  if (wecom) {
    const [{ WecomAdapter }, { wecomRouter }] = await Promise.all([import('./wecom/adapter.ts'), import('./wecom/receiver.ts')]);
    adapters.set('wecom', new WecomAdapter(wecom, redis, config.prefix, log, timeoutMs));
    routes.push((rt) => wecomRouter(rt, wecom));
  }
  let closeStreams = () => {};
  if (config.console) {
    // The local console: a platform like the others, on only where none of them is (see config.ts).
    const [{ ConsoleAdapter }, { consoleRouter }, { ConsoleStreams }, { ConsoleHistory }] = await Promise.all([
      import('./console/adapter.ts'),
      import('./console/routes.ts'),
      import('./console/streams.ts'),
      import('./console/history.ts'),
    ]);
    const history = new ConsoleHistory(redis, config.prefix);
    adapters.set('console', new ConsoleAdapter(history, clock, files));
    let streams: InstanceType<typeof ConsoleStreams> | undefined;
    routes.push((rt) => consoleRouter(rt, history, (streams ??= new ConsoleStreams(redis, history.channel, log))));
    closeStreams = () => streams?.close();
  }
  return {
    closeStreams: () => closeStreams(),
    adapters,
    routes: (rt) => routes.map((r) => r(rt)),
    connect(rt) {
      const stops = connections.map((c) => c(rt));
      return () => stops.forEach((s) => s());
    },
  };
}
