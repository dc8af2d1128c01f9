// When Redis goes away: a press is answered within 2 s (an honest 系统繁忙), /readyz fails within 1 s, and the
// outage is logged once as JSON when it starts and once when it ends, with how long it lasted. On a redis-server of
// the test's own, frozen (SIGSTOP) and then killed and started again on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.ts';
import { freePort, until } from './helpers/service-process.ts';
import { runAction } from '../src/dispatch.ts';

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
    server.kill('SIGCONT');
    server.kill('SIGKILL');
    await until('the outage is logged', () => lines.some((l) => l.msg.startsWith('Redis 连接中断')), 10_000);
    // Workers and connections keep trying for a while: still one line.
    await new Promise((r) => setTimeout(r, 1500));
    server = await startRedis(port);
    await until('the end of the outage is logged', () => lines.some((l) => l.msg.startsWith('Redis 连接已恢复')), 15_000);
    await until('ready again', async () => (await fetch(`${base}/readyz`)).status === 200, 15_000);
    expect(lines.filter((l) => l.msg.startsWith('Redis 连接中断'))).toHaveLength(1);
    const back = lines.filter((l) => l.msg.startsWith('Redis 连接已恢复'));
    expect(back).toHaveLength(1);
    expect(back[0]!.downMs).toBeGreaterThan(1000);
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
    server.kill('SIGKILL');
    await until('the outage is logged', () => lines.some((l) => l.msg.startsWith('Redis 连接中断')), 10_000);
    // Every connection is now waiting to reconnect: each must end when closed, not wait for a socket long gone.
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    const stopped = await Promise.race([h.app.stop().then(() => 'stopped', () => 'stopped with an error'), new Promise((r) => setTimeout(() => r('hung'), 10_000))]);
    h = undefined;
    expect(stopped).toMatch(/^stopped/);
    expect(Date.now() - t0).toBeLessThan(5000);
  }, 60_000);
});
