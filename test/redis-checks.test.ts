// Tests the Redis settings check: the pure judgement, then the real local Redis (no persistence, noeviction) which must warn, not throw.
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRedisPersistence, judgeRedisSettings } from '../src/redis/checks.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function capturingLogger(): { log: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const log = pino({ level: 'debug' }, stream);
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines };
}

describe('judgeRedisSettings', () => {
  it('is quiet with AOF on and noeviction', () => {
    expect(judgeRedisSettings({ appendonly: 'yes', save: '', maxmemoryPolicy: 'noeviction' })).toEqual({});
  });

  it('is quiet with RDB snapshots only', () => {
    expect(judgeRedisSettings({ appendonly: 'no', save: '3600 1 300 100 60 10000', maxmemoryPolicy: 'noeviction' })).toEqual(
      {},
    );
  });

  it('warns when nothing is persisted, naming the settings', () => {
    const v = judgeRedisSettings({ appendonly: 'no', save: '', maxmemoryPolicy: 'noeviction' });
    expect(v.error).toBeUndefined();
    expect(v.warn).toContain('appendonly');
    expect(v.warn).toContain('save');
    expect(v.warn).toMatch(/持久化/);
  });

  it.each(['allkeys-lru', 'volatile-lru', 'allkeys-random', 'volatile-random', 'volatile-ttl', 'allkeys-lfu', 'volatile-lfu'])(
    'refuses maxmemory-policy %s',
    (policy) => {
      const v = judgeRedisSettings({ appendonly: 'yes', save: '', maxmemoryPolicy: policy });
      expect(v.error).toContain(policy);
      expect(v.error).toContain('noeviction');
      expect(v.error).toMatch(/淘汰/);
    },
  );

  it('can both warn and refuse', () => {
    const v = judgeRedisSettings({ appendonly: 'no', save: '', maxmemoryPolicy: 'allkeys-lru' });
    expect(v.warn).toBeDefined();
    expect(v.error).toContain('allkeys-lru');
  });
});

describe('checkRedisPersistence', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('against the local Redis (save "", appendonly no, noeviction): warns once, does not throw', async () => {
    const [, appendonly] = (await redis.config('GET', 'appendonly')) as string[];
    const [, save] = (await redis.config('GET', 'save')) as string[];
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    // CI's Redis has no persistence, so it must warn; a developer's persistent Redis must not.
    const { log, lines } = capturingLogger();
    await expect(checkRedisPersistence(redis, log)).resolves.toBeUndefined();
    expect(policy).toBe('noeviction');
    const warns = lines().filter((l) => l.level === 40);
    if (appendonly === 'no' && save === '') {
      expect(warns).toHaveLength(1);
      expect(String(warns[0]!.msg)).toContain('appendonly');
      expect(String(warns[0]!.msg)).toContain('save');
    } else {
      expect(warns).toHaveLength(0);
    }
  });

  it('warns and goes on when CONFIG is not permitted (managed Redis)', async () => {
    const denied = {
      config: () => Promise.reject(new Error("ERR unknown command 'CONFIG'")),
    } as unknown as Redis;
    const { log, lines } = capturingLogger();
    await expect(checkRedisPersistence(denied, log)).resolves.toBeUndefined();
    const warns = lines().filter((l) => l.level === 40);
    expect(warns).toHaveLength(1);
    expect(String(warns[0]!.msg)).toContain('maxmemory-policy');
  });

  it('throws when the policy would evict keys', async () => {
    const values: Record<string, string> = {
      appendonly: 'yes',
      save: '',
      'maxmemory-policy': 'allkeys-lru',
      maxmemory: '104857600',
    };
    const evicting = {
      config: (_sub: string, name: string) => Promise.resolve([name, values[name]]),
    } as unknown as Redis;
    const { log } = capturingLogger();
    await expect(checkRedisPersistence(evicting, log)).rejects.toThrow(/allkeys-lru/);
  });
});
