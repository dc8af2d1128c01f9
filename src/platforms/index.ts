// Turns the configured platforms on: their adapters for the delivery worker, their webhook routes, and
// (Feishu in websocket mode) the long connection.
import type Router from '@koa/router';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { Runtime } from '../runtime.ts';
import type { Adapters } from '../../jobs/deliver.ts';
import { FeishuAdapter } from './feishu/adapter.ts';
import { createFeishuClient, RedisTokenCache, tokenFetcher } from './feishu/client.ts';
import { startFeishuLongConnection } from './feishu/long-connection.ts';
import { feishuRouter } from './feishu/receiver.ts';

export interface Platforms {
  adapters: Adapters;
  routes(rt: Runtime): Router[];
  /** Starts what listens without HTTP (the Feishu long connection); returns how to stop it. */
  connect(rt: Runtime): () => void;
}

/** `timeoutMs` bounds each platform API call (tests shorten it). */
export function createPlatforms(config: Config, redis: Redis, timeoutMs?: number): Platforms {
  const adapters: Adapters = new Map();
  const feishu = config.feishu;
  if (feishu) {
    const tokens = new RedisTokenCache(redis, config.prefix);
    adapters.set('feishu', new FeishuAdapter(
        createFeishuClient(feishu, tokens, timeoutMs),
        tokens,
        feishu.appId,
        redis,
        config.prefix,
        tokenFetcher(feishu, timeoutMs),
      ));
  }
  return {
    adapters,
    routes: (rt) => (feishu && feishu.mode === 'webhook' ? [feishuRouter(rt, feishu)] : []),
    connect(rt) {
      if (feishu?.mode !== 'websocket') return () => undefined;
      const conn = startFeishuLongConnection(rt, feishu);
      return () => conn.close();
    },
  };
}
