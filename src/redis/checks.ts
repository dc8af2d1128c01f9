// Start-up check of the Redis settings ducha depends on: warns when nothing is persisted, refuses a key-evicting maxmemory-policy.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisSettings {
  appendonly: string;
  save: string;
  maxmemoryPolicy: string;
  /** Bytes as Redis reports it ("0" = no limit); only used in the messages. */
  maxmemory?: string;
}

/** The pure decision: what to warn about and what must stop the service. */
export function judgeRedisSettings(settings: RedisSettings): { warn?: string; error?: string } {
  const out: { warn?: string; error?: string } = {};
  const appendonly = settings.appendonly.trim().toLowerCase();
  const save = settings.save.trim();
  if (appendonly !== 'yes' && save === '') {
    out.warn =
      'Redis 未开启任何持久化（appendonly no 且 save 为空）：Redis 重启后所有督办事项、提醒和队列任务都会丢失；' +
      '请开启 appendonly yes 或配置 save';
  }
  const policy = settings.maxmemoryPolicy.trim().toLowerCase();
  if (policy !== 'noeviction') {
    const limit = settings.maxmemory !== undefined ? `（maxmemory ${settings.maxmemory}）` : '';
    out.error =
      `Redis 的 maxmemory-policy 为 ${settings.maxmemoryPolicy}${limit}，内存满时会淘汰键，` +
      'BullMQ 队列和督办记录可能被删除；请改为 maxmemory-policy noeviction 后再启动';
  }
  return out;
}

async function configGet(redis: Redis, name: string): Promise<string> {
  const reply: unknown = await redis.config('GET', name);
  if (Array.isArray(reply)) {
    // RESP2: [name, value, ...]
    for (let i = 0; i + 1 < reply.length; i += 2) {
      if (String(reply[i]).toLowerCase() === name) return String(reply[i + 1]);
    }
  } else if (reply && typeof reply === 'object') {
    // RESP3: { name: value }
    const v = (reply as Record<string, unknown>)[name];
    if (v !== undefined) return String(v);
  }
  throw new Error(`CONFIG GET ${name} 没有返回该设置`);
}

/** Reads the settings with CONFIG GET; warns or throws as judgeRedisSettings says. Managed Redis without CONFIG: warns and goes on. */
export async function checkRedisPersistence(redis: Redis, log: Logger): Promise<void> {
  let settings: RedisSettings;
  try {
    settings = {
      appendonly: await configGet(redis, 'appendonly'),
      save: await configGet(redis, 'save'),
      maxmemoryPolicy: await configGet(redis, 'maxmemory-policy'),
      maxmemory: await configGet(redis, 'maxmemory'),
    };
  } catch (err) {
    log.warn(
      { err: err instanceof Error ? err.message : String(err) },
      '无法读取 Redis 设置（CONFIG GET 不可用，托管 Redis 常见），未能检查 appendonly、save、maxmemory-policy：' +
        '请自行确认已开启持久化且 maxmemory-policy 为 noeviction',
    );
    return;
  }
  const verdict = judgeRedisSettings(settings);
  if (verdict.error) throw new Error(verdict.error);
  if (verdict.warn) {
    log.warn({ appendonly: settings.appendonly, save: settings.save }, verdict.warn);
  }
}
