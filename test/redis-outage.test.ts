// When Redis goes away: a press is answered within 2 s (an honest 系统繁忙), /readyz fails within 1 s, and the
// outage is logged once as JSON when it starts and once when it ends, with how long it lasted. A webhook that would
// have to record something is answered 503 within 2 s (at once while Redis is known to be away), and its retry is
// taken once Redis is back. On a redis-server of the test's own, frozen (SIGSTOP: connected, not answering) or killed
// and started again on the same port; never the shared one.
import { spawn, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.ts';
import { FakeFeishu } from './helpers/fake-feishu.ts';
import { cardAction, messageEvent, randomChatId, randomEventId } from './helpers/feishu-webhook.ts';
import { buttonsOf, FeishuSession, OPEN_ID, TOKEN } from './helpers/feishu-session.ts';
import { freePort } from './helpers/service-process.ts';
import { until } from './helpers/until.ts';
import { consoleClient } from './helpers/console-client.ts';
import { runAction } from '../src/dispatch/dispatch.ts';
import type { Logger } from '../src/infra/logger.ts';
import { RedisHealth } from '../src/redis/health.ts';

let h: Harness | undefined;
let server: ChildProcess | undefined;

afterEach(async () => {
  // The service first, while its Redis is there to say goodbye to; then the Redis. (A test that failed may leave
  // the service half stopped: bounded.)
  if (h) await Promise.race([h.app.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 8000))]);
  h = undefined;
  if (server?.pid && server.exitCode === null) {
    server.kill('SIGCONT');
    server.kill('SIGKILL');
  }
});

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  await until('redis-server answers', async () => (await probe.ping().catch(() => '')) === 'PONG', 10_000);
  probe.disconnect();
  return child;
}

type Line = { msg: string; downMs?: number; level: number };

/** A logger whose lines the test reads. */
function recordingLog(): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  return { lines, log: pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) })) };
}

/**
 * Counts the connection failures each kind of connection (the store's, the queues', the workers') reports to the
 * service's Redis health: `retried()` once each has failed at least twice, its loss and a reconnect attempt.
 */
function countLosses(h: Harness): { retried(): boolean } {
  const failures = new Map<string, number>();
  const lost = h.rt.health.lost.bind(h.rt.health);
  vi.spyOn(h.rt.health, 'lost').mockImplementation((err, source, silent) => {
    failures.set(source, (failures.get(source) ?? 0) + 1);
    lost(err, source, silent);
  });
  return { retried: () => ['store', 'queues', 'worker'].every((s) => (failures.get(s) ?? 0) >= 2) };
}

/** What it answered, and how long it took. */
async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; res: T }> {
  const t = Date.now();
  const res = await f();
  return { ms: Date.now() - t, res };
}

describe('a Redis outage', () => {
  it('answers a press within 2 s and /readyz within 1 s, and logs the outage once, then its end once', async () => {
    const port = await freePort();
    server = await startRedis(port);
    const lines: { msg: string; downMs?: number; level: number }[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }));
    h = await createHarness({ env: { REDIS_URL: `redis://127.0.0.1:${port}` }, log });
    const http = await h.app.listen();
    const base = `http://127.0.0.1:${(http!.address() as { port: number }).port}`;
    await h.command('zhang', '/新建 断线测试 单位=jtj 期限=5工作日 类别=重大');
    const preview = h.lastCard('zhang', '发出');
    const token = preview.buttons.find((b) => b.text === '发出')!.token;
    const zhang = h.rt.directory().person('zhang')!;

    server.kill('SIGSTOP');
    let t = Date.now();
    const answer = await runAction(h.rt, { kind: 'action', id: 'press-during-outage', sender: { platform: 'feishu', ids: [zhang.feishu!.open_id!] }, token });
    expect(Date.now() - t).toBeLessThan(2000);
    expect(answer.toast).toEqual({ type: 'warning', text: '系统繁忙，请稍后再试' });
    t = Date.now();
    const ready = await fetch(`${base}/readyz`);
    expect(Date.now() - t).toBeLessThan(1000);
    expect(ready.status).toBe(503);

    // Now gone for real: killed, then started again on the same port.
    const losses = countLosses(h);
    const killed = Date.now();
    server.kill('SIGCONT');
    server.kill('SIGKILL');
    await until('the outage is logged', () => lines.some((l) => l.msg.startsWith('Redis 连接中断')), 10_000);
    const logged = Date.now();
    // Workers and connections keep trying: once each has failed again, still one line.
    await until('every connection to fail to reconnect', () => losses.retried(), 10_000);
    const restarted = Date.now();
    server = await startRedis(port);
    await until('the end of the outage is logged', () => lines.some((l) => l.msg.startsWith('Redis 连接已恢复')), 15_000);
    const ended = Date.now();
    await until('ready again', async () => (await fetch(`${base}/readyz`)).status === 200, 15_000);
    expect(lines.filter((l) => l.msg.startsWith('Redis 连接中断'))).toHaveLength(1);
    const back = lines.filter((l) => l.msg.startsWith('Redis 连接已恢复'));
    expect(back).toHaveLength(1);
    // How long it lasted: from before the outage was logged until after Redis was started again.
    expect(back[0]!.downMs).toBeGreaterThanOrEqual(restarted - logged);
    expect(back[0]!.downMs).toBeLessThanOrEqual(ended - killed);
    expect(lines.filter((l) => l.msg === '队列工作进程出错')).toHaveLength(0);
    // Stopping right after, while connections may still wait to reconnect, finishes.
    const t0 = Date.now();
    await h.app.stop();
    h = undefined;
    expect(Date.now() - t0).toBeLessThan(5000);
  }, 60_000);

  it('stops within seconds when told to while Redis is gone (SIGTERM during an outage)', async () => {
    const port = await freePort();
    server = await startRedis(port);
    const lines: { msg: string }[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }));
    h = await createHarness({ env: { REDIS_URL: `redis://127.0.0.1:${port}` }, log });
    await h.command('zhang', '/新建 断线时停止 单位=jtj 期限=5工作日 类别=重大');
    const losses = countLosses(h);
    server.kill('SIGKILL');
    await until('the outage is logged', () => lines.some((l) => l.msg.startsWith('Redis 连接中断')), 10_000);
    // Every connection is now waiting to reconnect: each must end when closed, not wait for a socket long gone.
    await until('every connection to fail to reconnect', () => losses.retried(), 10_000);
    const t0 = Date.now();
    const stopped = await Promise.race([h.app.stop().then(() => 'stopped', () => 'stopped with an error'), new Promise((r) => setTimeout(() => r('hung'), 10_000))]);
    h = undefined;
    expect(stopped).toMatch(/^stopped/);
    expect(Date.now() - t0).toBeLessThan(5000);
  }, 60_000);
});

describe('Feishu webhooks while Redis is gone', () => {
  let fake: FakeFeishu;
  beforeAll(async () => {
    fake = await FakeFeishu.start({ appSecret: 'test-secret' });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  /** The service on a Redis of its own, with a preview waiting for zhang's 发出. */
  async function session(): Promise<{ s: FeishuSession; lines: Line[]; port: number; redis: ChildProcess }> {
    const port = await freePort();
    const redis = (server = await startRedis(port));
    const { log, lines } = recordingLog();
    const s = await FeishuSession.start(fake, { env: { REDIS_URL: `redis://127.0.0.1:${port}` }, log });
    h = s.h;
    await s.say('zhang', '/新建 断线测试 单位=jtj 期限=5工作日 类别=重大');
    return { s, lines, port, redis };
  }

  /** zhang writes to the bot (not a command: the answer is the one-line hint), each time in a chat of its own. */
  function message(text: string) {
    const chatId = randomChatId();
    return { chatId, ev: messageEvent({ token: TOKEN, openId: OPEN_ID.zhang!, chatId, text, eventId: randomEventId() }) };
  }
  const answersIn = (chatId: string) => fake.messages.filter((m) => m.receiveId === chatId);

  /** zhang presses 发出 on the preview, as Feishu sends it: answered within 2 s, 系统繁忙 as a passing outage is. */
  async function expectBusyPress(s: FeishuSession): Promise<void> {
    const card = s.lastCard('zhang', '发出');
    const value = buttonsOf(card.content).find((b) => b.label === '发出')!.value as object;
    const ev = cardAction({ token: TOKEN, openId: OPEN_ID.zhang!, value, messageId: card.messageId });
    const pressed = await timed(() => s.post('/webhooks/feishu/cards', ev));
    expect(pressed.ms).toBeLessThan(2000);
    expect(pressed.res.status).toBe(200);
    expect(pressed.res.json.toast).toEqual({ type: 'warning', content: '系统繁忙，请稍后再试' });
  }

  it('stopped: a message is answered 503 at once and a press 系统繁忙; the retry is taken once Redis is back, once', async () => {
    const { s, lines, port, redis } = await session();
    redis.kill('SIGKILL');
    await until('the outage is known', () => lines.some((l) => l.msg.startsWith('Redis 连接中断')), 10_000);
    const m = message('你好');
    const refused = await timed(() => s.post('/webhooks/feishu/events', m.ev));
    expect(refused.res.status).toBe(503);
    // At once: not after the wait for a silent Redis (1.5 s), nor after ioredis's retries (26 s).
    expect(refused.ms).toBeLessThan(1000);
    await expectBusyPress(s);
    // Neither was logged as a fault of its own: the outage is its one line.
    expect(lines.filter((l) => l.msg === '卡片按钮处理失败' || l.msg === '请求处理出错')).toEqual([]);

    server = await startRedis(port);
    // Feishu retries a 503: the same event, until it is taken.
    await until('the retry is taken', async () => (await s.post('/webhooks/feishu/events', m.ev)).status === 200, 20_000);
    await until('the retry is answered', () => answersIn(m.chatId).length > 0, 10_000);
    expect((await s.post('/webhooks/feishu/events', m.ev)).status).toBe(200);
    await h!.settle();
    expect(answersIn(m.chatId)).toHaveLength(1);
  }, 60_000);

  it('hung: a message is answered 503 within 2 s, the next ones at once; each is taken once when Redis answers again', async () => {
    const { s, lines, redis } = await session();
    redis.kill('SIGSTOP');
    const first = message('第一条');
    const waited = await timed(() => s.post('/webhooks/feishu/events', first.ev));
    expect(waited.res.status).toBe(503);
    expect(waited.ms).toBeLessThan(2000);
    // Now known: the next is not kept waiting.
    const second = message('第二条');
    const refused = await timed(() => s.post('/webhooks/feishu/events', second.ev));
    expect(refused.res.status).toBe(503);
    expect(refused.ms).toBeLessThan(1000);
    await expectBusyPress(s);
    expect(lines.filter((l) => l.msg.startsWith('Redis 没有应答'))).toHaveLength(1);

    redis.kill('SIGCONT');
    // The first one's add was sent before the 503 and lands now; its retry adds nothing. The second's retry adds it.
    await until('the end of the outage is logged', () => lines.some((l) => l.msg.startsWith('Redis 连接已恢复')), 10_000);
    for (const m of [first, second]) expect((await s.post('/webhooks/feishu/events', m.ev)).status).toBe(200);
    await until('both are answered', () => answersIn(first.chatId).length > 0 && answersIn(second.chatId).length > 0, 10_000);
    await h!.settle();
    expect(answersIn(first.chatId)).toHaveLength(1);
    expect(answersIn(second.chatId)).toHaveLength(1);
  }, 60_000);
});

describe('what counts as Redis being away', () => {
  it('includes a command ioredis gave up on after its reconnect attempts (a press then says 系统繁忙)', async () => {
    // Nothing listens there: the command fails as it does in an outage, after the connection's attempts.
    const r = new Redis(await freePort(), '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => 1000 });
    r.on('error', () => undefined);
    const err = await r.ping().then(() => undefined, (e: unknown) => e);
    r.disconnect();
    expect(String(err)).toMatch(/max retries per request/);
    expect(RedisHealth.isConnectionError(err)).toBe(true);
    expect(RedisHealth.isConnectionError(new Error('ERR unknown command'))).toBe(false);
  });
});

describe('the console while Redis is gone', () => {
  it('answers what is typed 503, 系统繁忙，请稍后再试, at once', async () => {
    const port = await freePort();
    const redis = (server = await startRedis(port));
    const { log, lines } = recordingLog();
    h = await createHarness({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, DUCHA_CONSOLE: 'on' }, log });
    const http = await h.app.listen();
    const base = `http://127.0.0.1:${(http!.address() as { port: number }).port}`;
    // The page (and its token) was loaded before Redis went away, as a person's open console was.
    const page = await consoleClient(base);
    redis.kill('SIGKILL');
    await until('the outage is known', () => lines.some((l) => l.msg.startsWith('Redis 连接中断')), 10_000);
    const sent = await timed(() => page.post('send', { person: 'zhang', text: '/帮助' }));
    expect(sent.ms).toBeLessThan(1000);
    expect(sent.res.status).toBe(503);
    expect(await sent.res.json()).toEqual({ error: '系统繁忙，请稍后再试' });
  }, 30_000);
});
