// Only the store talks to Redis about records: no Redis command is sent from a handler, a job, the schedule or
// anywhere else under src/ but the store, the connection and queue set-up, each platform's own state, and app.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Where Redis may be called: the store, the connection (health, checks, queues), a platform's own state, the wiring. */
const ALLOWED = /^src\/(?:store\/|redis\/|platforms\/[^/]+\/|app\.ts$)/;

/** What a connection is asked to do besides commands: open, close, copy, listen, say how it is. */
const LIFECYCLE = 'connect|quit|disconnect|duplicate|on|once|off|status';

/**
 * A command sent to Redis, as written in this code base: anything done with a `.redis` member (`rt.redis.get`,
 * `this.store.redis.zrange`), a call on a connection named `redis` (`redis.smembers(…)`, or `redis.call(…)` in a Lua
 * script written inline), and a pipeline, transaction, script or script definition (`.pipeline(`, `.multi(`,
 * `.eval(`, `.evalsha(`, `.defineCommand(`), whatever the connection is called.
 */
const CALL = new RegExp(
  [String.raw`\.redis\s*\.\s*\w+`, String.raw`\bredis\s*\.\s*(?!(?:${LIFECYCLE})\b)\w+\s*\(`, String.raw`\.\s*(?:pipeline|multi|eval|evalsha|defineCommand)\s*\(`].join('|'),
);

/** The code of a file with its comments blanked (line numbers kept): a comment may name a call. */
function code(text: string): string {
  return text
    .replace(/^\s*\/\*[\s\S]*?\*\//gm, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|\s)\/\/.*$/gm, '$1');
}

/** Every Redis call in a file's text, as `line: code`. */
function redisCalls(text: string): string[] {
  return code(text)
    .split('\n')
    .flatMap((line, i) => (CALL.test(line) ? [`${i + 1}: ${line.trim()}`] : []));
}

/** Every .ts file under src/, handlers/ and jobs/, tracked or not (a new file is looked at before it is committed). */
function sourceFiles(): string[] {
  return ['src', 'handlers', 'jobs'].flatMap((dir) =>
    (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f).split('\\').join('/')),
  );
}

describe('Redis calls', () => {
  it('are found in the forms this code base writes them, and nothing else is taken for one', () => {
    for (const call of [
      'const ids = await rt.redis.smembers(store.k.itemsInStatus(only));',
      'const { redis } = rt; await redis.zcard(k.items);',
      'const done = await this.store.redis .get(k.slotDone);',
      'const pipe = conn.pipeline();',
      'await client.multi().incr(key).exec();',
      "await r.eval(\"local v = redis.call('GET', KEYS[1]) return v\", 1, key);",
      'r.defineCommand("x", { lua: X });',
      "redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])",
    ]) {
      expect(redisCalls(call), call).toHaveLength(1);
    }
    for (const other of [
      'await redis.connect();',
      'await redis.quit();',
      "const c = redis.duplicate({ maxRetriesPerRequest: null });",
      "redis.on('error', () => undefined);",
      "if (redis.status === 'ready') return;",
      "const url = 'redis://127.0.0.1:6379';",
      '// rt.redis.get(key) was here',
      '/** `redis.smembers(…)` */',
      'const store = new Store(redis, prefix);',
      'await rt.store.refsDueBy(now);',
    ]) {
      expect(redisCalls(other), other).toEqual([]);
    }
  });

  it('are made only by the store, the connection set-up, the platforms for their own state, and app.ts', () => {
    const files = sourceFiles();
    expect(files).toContain('handlers/list.ts');
    expect(files).toContain('src/schedule/ticker.ts');
    const outside = files.filter((f) => !ALLOWED.test(f)).flatMap((f) => redisCalls(readFileSync(f, 'utf8')).map((c) => `${f}:${c}`));
    expect(outside).toEqual([]);
    // The scan sees the calls where they are allowed: it would see them elsewhere.
    expect(files.filter((f) => ALLOWED.test(f)).flatMap((f) => redisCalls(readFileSync(f, 'utf8'))).length).toBeGreaterThan(50);
  });
});
