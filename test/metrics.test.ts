// /metrics and /admin/queues: after a Feishu flow (signed webhooks in, a fake Open API that fails on cue) the counters
// say what happened and the queue gauge what the queues hold when scraped; scheduled messages are counted by tag with
// their lateness; both routes refuse without the admin's password (401) and do not exist without one set (404).
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeFeishu } from './helpers/fake-feishu.ts';
import { FeishuSession, useFakeFeishu } from './helpers/feishu-session.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { tick } from '../src/schedule/ticker.ts';

const PASSWORD = 'metrics-test-password';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ADMIN = { authorization: basic('admin', PASSWORD) };

let fake: FakeFeishu;
let s: FeishuSession | undefined;
let h: Harness | undefined;
// Each test starts a Feishu session or a harness; both are closed after it, here.
useFakeFeishu((f) => (fake = f), () => undefined);
afterEach(async () => {
  await s?.close();
  await h?.close();
  s = h = undefined;
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Reads the exposition as Prometheus would, refusing text it would refuse: a metric family described twice. */
function parse(text: string): Sample[] {
  const described = text.match(/^# TYPE \S+/gm) ?? [];
  expect(described.length).toBe(new Set(described).size);
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(l);
      if (!m) throw new Error(`not a sample: ${l}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** The value of the one sample of `name` with these labels (others may be there too); 0 when there is none. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  expect(found.length, `${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
  return found[0]?.value ?? 0;
}

async function scrape(base: string): Promise<Sample[]> {
  const res = await fetch(`${base}/metrics`, { headers: ADMIN });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

async function listening(harness: Harness): Promise<string> {
  const server = await harness.app.listen();
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('/metrics', () => {
  it('counts the webhooks, presses and deliveries of a flow, and reads the queues when scraped', async () => {
    s = await FeishuSession.start(fake, { env: { DUCHA_ADMIN_PASSWORD: PASSWORD } });
    await s.say('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=5d 类别=民生');
    // Feishu answers the next call 503 (tried again), then a rate limit (held back), then an error no retry mends.
    fake.failNext(1, '5xx', { status: 503 });
    expect((await s.press('zhang', '发出')).json.toast.type).toBe('success');
    fake.failNext(1, 'rate');
    expect((await s.press('li', '签收')).json.toast.type).toBe('success');
    // Someone else pressing the head's card is refused.
    expect((await s.press('wang', '签收', 'li')).json.toast.type).toBe('error');
    fake.failNext(1, 'error200');
    await s.say('zhang', '/帮助');
    await s.h.until('the office to be told of the message not delivered', () =>
      fake.messages.some((m) => JSON.stringify(m.content).includes('送达失败')),
    );
    expect(fake.requests.filter((r) => r.injected).map((r) => r.injected)).toEqual(['5xx', 'rate', 'error200']);

    // A path no route has, and the dashboard's pages and API: each counted under one route, never its own path.
    for (const path of ['/wp-login.php', '/webhooks/feishu/nothing']) expect((await fetch(`${s.base}${path}`, { method: 'POST' })).status).toBe(404);
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) expect((await fetch(`${s.base}${path}`, { headers: ADMIN })).status).toBe(200);

    const counts = await s.h.rt.queues.deliver.getJobCounts();
    const m = await scrape(s.base);
    expect(valueOf(m, 'ducha_http_requests_total', { platform: 'none', route: 'unmatched', method: 'POST', status: '404' })).toBe(2);
    expect(valueOf(m, 'ducha_http_requests_total', { platform: 'none', route: '/admin/queues', method: 'GET', status: '200' })).toBe(2);
    expect(new Set(m.filter((x) => x.name === 'ducha_http_requests_total').map((x) => x.labels.route))).toEqual(
      new Set(['/webhooks/feishu/events', '/webhooks/feishu/cards', 'unmatched', '/admin/queues']),
    );
    const events = { platform: 'feishu', route: '/webhooks/feishu/events', method: 'POST' };
    const cards = { platform: 'feishu', route: '/webhooks/feishu/cards', method: 'POST' };
    expect(valueOf(m, 'ducha_http_requests_total', { ...events, status: '200' })).toBe(2);
    expect(valueOf(m, 'ducha_http_requests_total', { ...cards, status: '200' })).toBe(3);
    expect(valueOf(m, 'ducha_http_request_duration_seconds_count', events)).toBe(2);
    expect(valueOf(m, 'ducha_http_request_duration_seconds_bucket', { ...cards, le: '+Inf' })).toBe(3);

    expect(valueOf(m, 'ducha_presses_total', { platform: 'feishu', outcome: 'done' })).toBe(2);
    expect(valueOf(m, 'ducha_presses_total', { platform: 'feishu', outcome: 'refused' })).toBe(1);
    expect(valueOf(m, 'ducha_presses_total', { platform: 'feishu', outcome: 'busy' })).toBe(0);
    expect(valueOf(m, 'ducha_press_answer_duration_seconds_count', { platform: 'feishu' })).toBe(3);
    // Answered well within Feishu's 3 s.
    expect(valueOf(m, 'ducha_press_answer_duration_seconds_bucket', { platform: 'feishu', le: '2' })).toBe(3);

    const delivered = (outcome: string) => valueOf(m, 'ducha_deliveries_total', { platform: 'feishu', outcome });
    expect(delivered('retried')).toBe(1);
    expect(delivered('rate_limited')).toBe(1);
    expect(delivered('failed')).toBe(1);
    expect(counts.failed).toBe(1);
    // Every job that completed was sent once (or had nothing left to send).
    expect(delivered('sent') + delivered('skipped')).toBe(counts.completed);
    expect(delivered('sent')).toBeGreaterThanOrEqual(fake.messages.length);

    for (const [state, n] of Object.entries(counts)) expect(valueOf(m, 'ducha_queue_jobs', { queue: 'deliver', state }), state).toBe(n);
    expect(valueOf(m, 'ducha_queue_jobs', { queue: 'inbound', state: 'completed' })).toBe(2);
    // The render queue (files made on the worker) is read too: nothing asked of it here.
    expect(m.filter((x) => x.name === 'ducha_queue_jobs' && x.labels.queue === 'render').map((x) => x.labels.state)).toContain('waiting');
    expect(valueOf(m, 'ducha_queue_jobs', { queue: 'render', state: 'waiting' })).toBe(0);
    expect(valueOf(m, 'ducha_outbox_entries')).toBe(0);
    expect(valueOf(m, 'ducha_redis_up')).toBe(1);
    // The process's own metrics come along.
    expect(valueOf(m, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(m.some((x) => x.name === 'nodejs_heap_size_used_bytes')).toBe(true);

    // The gauge is read when scraped: a job added now is there at the next scrape.
    expect(valueOf(m, 'ducha_queue_jobs', { queue: 'schedule', state: 'delayed' })).toBe(0);
    await s.h.rt.queues.schedule.add('follow-directory', {}, { jobId: 'metrics-test-later', delay: 3600_000 });
    expect(valueOf(await scrape(s.base), 'ducha_queue_jobs', { queue: 'schedule', state: 'delayed' })).toBe(1);
  });

  it('counts scheduled messages by tag, with how late they were queued', async () => {
    // A Monday before work: the schedule starts here.
    h = await createHarness({ now: '2026-09-28T08:00:00+08:00', env: { DUCHA_ADMIN_PASSWORD: PASSWORD } });
    await tick(h.rt);
    await h.command('zhang', '/新建 背街小巷路灯修复 单位=jtj 期限=2026-09-29 类别=重大');
    expect((await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' })).toast.type).toBe('success');
    const base = await listening(h);

    // The 09:00 slot, taken two minutes late: the head's reminder and the office's digest.
    h.clock.set('2026-09-28T09:02:00+08:00');
    await tick(h.rt);
    await h.until('the slot to be sent', () => h!.received('zhang').some((x) => x.message.kind === 'card' && x.message.card.title.startsWith('【督查日报】')));
    // The receipt chase, due at 13:00 (four working hours after 09:00), taken 30 s late.
    h.clock.set('2026-09-28T13:00:30+08:00');
    await tick(h.rt);
    await h.until('the chase to be sent', () => h!.received('li').some((x) => x.message.kind === 'card' && x.message.card.title.startsWith('【签收提醒】')));

    const m = await scrape(base);
    const sent = (tag: string) => valueOf(m, 'ducha_scheduled_messages_total', { tag });
    expect({ due: sent('到期提醒'), overdue: sent('逾期提醒'), digest: sent('督查日报'), chase: sent('签收提醒'), escalation: sent('逾期升级') }).toEqual({
      due: 1,
      overdue: 0,
      // The digest goes to the owner of the open item (no office heads in this directory), not to every clerk.
      digest: 1,
      chase: 1,
      escalation: 0,
    });
    expect(valueOf(m, 'ducha_scheduled_lateness_seconds_sum', { tag: '到期提醒' })).toBe(120);
    expect(valueOf(m, 'ducha_scheduled_lateness_seconds_sum', { tag: '督查日报' })).toBe(120);
    expect(valueOf(m, 'ducha_scheduled_lateness_seconds_bucket', { tag: '到期提醒', le: '60' })).toBe(0);
    expect(valueOf(m, 'ducha_scheduled_lateness_seconds_bucket', { tag: '到期提醒', le: '120' })).toBe(1);
    expect(valueOf(m, 'ducha_scheduled_lateness_seconds_sum', { tag: '签收提醒' })).toBe(30);
  });
});

describe('the admin routes', () => {
  it('answer 401 without the password, with a wrong one or another user, and only the admin with it', async () => {
    h = await createHarness({ env: { DUCHA_ADMIN_PASSWORD: PASSWORD } });
    const base = await listening(h);
    for (const path of ['/metrics', '/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/favicon-32x32.png']) {
      for (const authorization of [undefined, basic('admin', 'wrong'), basic('admin', `${PASSWORD}x`), basic('root', PASSWORD), basic('admin', ''), 'Bearer x']) {
        const res = await fetch(`${base}${path}`, { headers: authorization ? { authorization } : {} });
        expect(res.status, `${path} ${authorization}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="ducha admin", charset="UTF-8"');
        expect(await res.text()).toBe('需要管理员用户名（admin）和密码');
      }
      const res = await fetch(`${base}${path}`, { headers: ADMIN });
      expect(res.status, path).toBe(200);
      await res.arrayBuffer();
    }
    // The dashboard changes nothing: emptying a queue is refused.
    const empty = await fetch(`${base}/admin/queues/api/queues/deliver/empty`, { method: 'PUT', headers: ADMIN });
    expect(empty.status).toBe(405);
  });

  it('do not exist without DUCHA_ADMIN_PASSWORD', async () => {
    h = await createHarness();
    const base = await listening(h);
    for (const path of ['/metrics', '/admin/queues', '/admin/queues/api/queues']) {
      const res = await fetch(`${base}${path}`, { headers: ADMIN });
      expect(res.status, path).toBe(404);
      await res.arrayBuffer();
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('are served by a worker too, beside its health routes', async () => {
    h = await createHarness({ env: { DUCHA_ADMIN_PASSWORD: PASSWORD, DUCHA_ROLE: 'worker' } });
    const base = await listening(h);
    const m = await scrape(base);
    expect(valueOf(m, 'ducha_queue_jobs', { queue: 'inbound', state: 'waiting' })).toBe(0);
    expect((await fetch(`${base}/admin/queues`, { headers: ADMIN })).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});
