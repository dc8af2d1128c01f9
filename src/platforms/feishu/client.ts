// The Feishu SDK Client as we use it: our base URL, a request timeout, and a tenant token shared by every
// process through Redis (the SDK's default cache is per process, and nothing evicts a revoked token).
import * as lark from '@larksuiteoapi/node-sdk';
import type { Redis } from 'ioredis';
import type { Config } from '../../config.ts';

type FeishuConfig = NonNullable<Config['feishu']>;

const TIMEOUT_MS = 10_000;

/** A Redis-backed cache for the SDK's tokens: `set` gets an absolute expiry time in ms. */
export class RedisTokenCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(key: string | symbol, namespace?: string): string {
    const name = typeof key === 'symbol' ? (key.description ?? 'token') : key;
    return `${this.prefix}:feishu:${namespace ?? 'default'}:${name}`;
  }

  async get(key: string | symbol, options?: { namespace?: string }): Promise<unknown> {
    return (await this.redis.get(this.key(key, options?.namespace))) ?? undefined;
  }

  async set(key: string | symbol, value: unknown, expire?: number, options?: { namespace?: string }): Promise<boolean> {
    const k = this.key(key, options?.namespace);
    if (expire && expire > Date.now()) await this.redis.set(k, String(value), 'PXAT', Math.floor(expire));
    else if (!expire) await this.redis.set(k, String(value));
    return true;
  }

  /** Drops every cached token of the app, after Feishu said the one we used is invalid or expired. */
  async evict(namespace: string): Promise<void> {
    const keys = await this.redis.keys(`${this.prefix}:feishu:${namespace}:*`);
    if (keys.length) await this.redis.del(...keys);
  }
}

/** The SDK's HTTP instance with a timeout on every call, so a stuck request becomes a retry, not a hang. */
function withTimeout(http: lark.HttpInstance, ms: number): lark.HttpInstance {
  return {
    request: (opts) => http.request({ timeout: ms, ...opts }),
    get: (url, opts) => http.get(url, { timeout: ms, ...opts }),
    delete: (url, opts) => http.delete(url, { timeout: ms, ...opts }),
    head: (url, opts) => http.head(url, { timeout: ms, ...opts }),
    options: (url, opts) => http.options(url, { timeout: ms, ...opts }),
    post: (url, data, opts) => http.post(url, data, { timeout: ms, ...opts }),
    put: (url, data, opts) => http.put(url, data, { timeout: ms, ...opts }),
    patch: (url, data, opts) => http.patch(url, data, { timeout: ms, ...opts }),
  };
}

export function createFeishuClient(cfg: FeishuConfig, cache: RedisTokenCache, timeoutMs = TIMEOUT_MS): lark.Client {
  return new lark.Client({
    appId: cfg.appId,
    appSecret: cfg.appSecret,
    domain: cfg.baseUrl,
    cache: cache as unknown as NonNullable<ConstructorParameters<typeof lark.Client>[0]['cache']>,
    // The default instance's interceptor already unwraps response.data, as HttpInstance promises.
    httpInstance: withTimeout(lark.defaultHttpInstance as unknown as lark.HttpInstance, timeoutMs),
    // Failures are mapped and logged by the adapter and the delivery worker; the SDK's own dumps are noise.
    loggerLevel: lark.LoggerLevel.fatal,
  });
}
