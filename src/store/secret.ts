// The key that signs card-button payloads: DUCHA_SECRET, or one generated once and kept in Redis for every process.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export async function loadSecret(redis: Redis, key: string, configured?: string): Promise<string> {
  if (configured) return configured;
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  const s = await redis.get(key);
  if (!s) throw new Error('could not read the action-signing secret from Redis');
  return s;
}
