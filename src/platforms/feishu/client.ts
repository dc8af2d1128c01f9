// The Feishu SDK Client as we use it: our base URL, a request timeout, and a tenant token shared by every
// process through Redis (the SDK's default cache is per process, and nothing evicts a revoked token).
import * as lark from '@larksuiteoapi/node-sdk';
import type { Redis } from 'ioredis';
import type { Config } from '../../infra/config.ts';

type FeishuConfig = NonNullable<Config['feishu']>;

const TIMEOUT_MS = 10_000;

/** The name the SDK gives its tenant-token cache entry (a Symbol('tenant-access-token')). */
const TENANT_TOKEN = 'tenant-access-token';

const drop = (): void => undefined;
const QUIET = { error: drop, warn: drop, info: drop, debug: drop, trace: drop };

/**
 * replace-token: puts a new tenant token in place of the one Feishu refused, unless another process already did
 * (the cache then holds a token other than the refused one, and it is kept).
 * KEYS: 1 the tenant token
 * ARGV: 1 the refused token ('' when there was none), 2 the new token, 3 its expiry (unix ms)
 */
const REPLACE_TOKEN = `
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3]) end
return 0
`;

/**
 * A Redis-backed cache for the SDK's tokens: `set` gets an absolute expiry time in ms. Its keys are
 * `<prefix>:feishu:<namespace>:<name>` (the tenant token's namespace is the app id), listed in src/store/keys.ts.
 */
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

  /** The tenant token every process uses now (the SDK caches it under this symbol's name). */
  async peekTenantToken(appId: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(TENANT_TOKEN, appId))) ?? undefined;
  }

  /**
   * Puts a new tenant token in place of the one Feishu refused, unless another process already did
   * (compare-and-set): the cache is never left empty, so no caller fetches a token of its own meanwhile.
   */
  async replaceTenantToken(appId: string, failed: string | undefined, fresh: string, expireAtMs: number): Promise<void> {
    await this.redis.eval(REPLACE_TOKEN, 1, this.key(TENANT_TOKEN, appId), failed ?? '', fresh, Math.floor(expireAtMs));
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

/** Asks Feishu for a new tenant token directly (the SDK only fetches one when none is cached). */
export function tokenFetcher(cfg: FeishuConfig, timeoutMs = TIMEOUT_MS): () => Promise<{ token: string; expireAtMs: number }> {
  const http = withTimeout(lark.defaultHttpInstance as unknown as lark.HttpInstance, timeoutMs);
  return async () => {
    const res = (await http.post(`${cfg.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
      app_id: cfg.appId,
      app_secret: cfg.appSecret,
    })) as { code?: number; msg?: string; tenant_access_token?: string; expire?: number };
    if (!res?.tenant_access_token) throw new Error(`tenant token refused: ${res?.code ?? '?'} ${res?.msg ?? ''}`);
    // Three minutes early, as the SDK does, so a token is never used at the edge of its life. Wall time,
    // not the service clock: the token's lifetime is Feishu's, in real seconds.
    return { token: res.tenant_access_token, expireAtMs: Date.now() + (res.expire ?? 7200) * 1000 - 3 * 60_000 };
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
    // (A level of `fatal` is 0, which the SDK reads as "unset": hence a logger that drops everything.)
    logger: QUIET,
  });
}
