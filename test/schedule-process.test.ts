// Scheduled messages with the service as `npm start` runs it: DUCHA_CLOCK set just before a slot shows the reminders
// going out (in the log and through the fake Feishu); a process killed mid-slot and started again, and two processes
// at once, send each reminder and digest once. The schedule is in Redis: a later DUCHA_CLOCK is like real downtime.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeFeishu } from './helpers/fake-feishu.ts';
import { buttonsOf, FEISHU_DIRECTORY, KEY, OPEN_ID, TOKEN } from './helpers/feishu-session.ts';
import { cardAction, messageEvent, signedRequest } from './helpers/feishu-webhook.ts';
import { deleteKeys, REDIS_URL } from './helpers/harness.ts';
import { startService, type ServiceProcess } from './helpers/service-process.ts';
import { until } from './helpers/until.ts';

const TEST_TIMEOUT_MS = 60_000;
/** A killed process's job is picked up 5–9 s after its lock lapses; honest slack. */
const PICKUP_MS = 25_000;

let redis: Redis;
let fake: FakeFeishu;
let prefix: string;
let procs: ServiceProcess[] = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(async ({ onTestFailed }) => {
  prefix = `sched${process.pid}-${randomBytes(3).toString('hex')}`;
  procs = [];
  fake = await FakeFeishu.start({ appSecret: 'test-secret' });
  onTestFailed(() => {
    for (const p of procs) console.error(`---- service ${p.name} ----\n${p.out()}`);
  });
});
afterEach(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  await fake.close();
  await deleteKeys(prefix);
});

function start(name: string, clock: string, extra: Record<string, string> = {}): Promise<ServiceProcess> {
  return startService(
    name,
    {
      REDIS_URL,
      DUCHA_PREFIX: prefix,
      DIRECTORY_FILE: FEISHU_DIRECTORY,
      LOG_LEVEL: 'info',
      FEISHU_APP_ID: fake.appId,
      FEISHU_APP_SECRET: fake.appSecret,
      FEISHU_VERIFICATION_TOKEN: TOKEN,
      FEISHU_ENCRYPT_KEY: KEY,
      FEISHU_BASE_URL: fake.url,
      DUCHA_CLOCK: clock,
      DUCHA_CHASE_AFTER: '200',
      ...extra,
    },
    (p) => procs.push(p),
  );
}

async function post(p: ServiceProcess, path: string, body: object): Promise<number> {
  const { headers, rawBody } = signedRequest(body, { encryptKey: KEY });
  const res = await fetch(p.base + path, { method: 'POST', headers, body: rawBody });
  await res.text();
  return res.status;
}

function titled(person: string, tag: string) {
  return fake.messages.filter((m) => m.receiveId === OPEN_ID[person] && JSON.stringify(m.content).includes(tag));
}

/** On Monday 28 September 2026 the office issues two key items due on Wednesday the 30th (one working day after Tuesday). */
async function seed(): Promise<void> {
  const a = await start('A', '2026-09-28T10:00:00+08:00');
  expect(a.out()).toContain('DUCHA_CLOCK 已设置');
  const say = (text: string) =>
    post(a, '/webhooks/feishu/events', messageEvent({ token: TOKEN, openId: OPEN_ID.zhang!, chatId: 'oc_zhang', chatType: 'p2p', text }));
  expect(await say('/新建 城区主干道积水整治 单位=jtj,gaj 期限=2026-09-30 类别=重大')).toBe(200);
  await until('the preview reaches the clerk', () => fake.messages.some((m) => buttonsOf(m.content).some((b) => b.label === '发出')));
  const preview = fake.messages.find((m) => buttonsOf(m.content).some((b) => b.label === '发出'))!;
  const value = buttonsOf(preview.content).find((b) => b.label === '发出')!.value as object;
  expect(await post(a, '/webhooks/feishu/cards', cardAction({ token: TOKEN, openId: OPEN_ID.zhang!, value, messageId: preview.messageId }))).toBe(200);
  await until('both notices are out', () => titled('li', '督查通知').length === 1 && titled('chen', '督查通知').length === 1);
  expect(await a.stop()).toEqual({ code: 0, signal: null });
}

/** No delivery waiting or running. */
async function idle(): Promise<boolean> {
  const [waiting, active] = await Promise.all([redis.llen(`${prefix}:deliver:wait`), redis.llen(`${prefix}:deliver:active`)]);
  return waiting + active === 0;
}

/** Three seconds before Tuesday's 09:00 slot, in the service's own time. */
const BEFORE_SLOT = '2026-09-29T08:59:57+08:00';

describe('DUCHA_CLOCK and the reminder slot, as npm start runs', () => {
  it(
    'a minute (here: seconds) before a slot: the reminders go out at the slot, in the log and through Feishu',
    async () => {
      await seed();
      const b = await start('B', BEFORE_SLOT);
      expect(b.out()).toMatch(/DUCHA_CLOCK 已设置：业务时间从 2026年9月29日 08:59 开始走/);
      expect(titled('li', '【到期提醒】')).toHaveLength(0);
      await until('the heads get their reminders', () => titled('li', '【到期提醒】').length === 1 && titled('chen', '【到期提醒】').length === 1, 15_000);
      await until('the slot is logged', () => /"msg":"本轮提醒已完成"/.test(b.out()));
      expect(b.out()).toMatch(/"slot":"2026-09-29","late":false,"reminders":2,"people":2/);
      expect(JSON.stringify(titled('li', '【到期提醒】')[0]!.content)).toContain('还有 1 个工作日');
      await until('the office gets its digest', () => titled('zhang', '【督查日报】').length === 1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a process killed mid-slot and started again: each reminder and digest goes out once',
    async () => {
      await seed();
      const b = await start('B', BEFORE_SLOT, { DUCHA_FAULT: 'mid-slot' });
      expect(await b.exited).toEqual({ code: null, signal: 'SIGKILL' });
      // Killed after queuing the reminders, before the digest: the digest is not out.
      expect(titled('zhang', '【督查日报】')).toHaveLength(0);
      // Started again a little later in the service's time (the clock starts where it is told): the slot job is
      // picked up where the dead process left it.
      await start('C', '2026-09-29T09:00:10+08:00');
      await until('the digest goes out', () => titled('zhang', '【督查日报】').length === 1, PICKUP_MS);
      await until('the reminders are out', () => titled('li', '【到期提醒】').length >= 1 && titled('chen', '【到期提醒】').length >= 1, PICKUP_MS);
      await until('nothing left to send', idle);
      expect(titled('li', '【到期提醒】')).toHaveLength(1);
      expect(titled('chen', '【到期提醒】')).toHaveLength(1);
      expect(titled('zhang', '【督查日报】')).toHaveLength(1);
      // Taken on time (the dead process began it at the slot): not marked as sent late.
      expect(JSON.stringify(titled('li', '【到期提醒】')[0]!.content)).not.toContain('补发');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'two processes at once: each reminder goes out once',
    async () => {
      await seed();
      await Promise.all([start('B', BEFORE_SLOT), start('C', BEFORE_SLOT)]);
      await until('the reminders and digest are out', () => titled('li', '【到期提醒】').length >= 1 && titled('chen', '【到期提醒】').length >= 1 && titled('zhang', '【督查日报】').length >= 1, 15_000);
      await until('nothing left to send', idle);
      expect(titled('li', '【到期提醒】')).toHaveLength(1);
      expect(titled('chen', '【到期提醒】')).toHaveLength(1);
      expect(titled('zhang', '【督查日报】')).toHaveLength(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'started again with a later DUCHA_CLOCK, past the slot: sent once, marked （补发）',
    async () => {
      await seed();
      await start('B', '2026-09-29T11:00:00+08:00');
      await until('the late reminder goes out', () => titled('li', '【到期提醒】').length === 1, 15_000);
      expect(JSON.stringify(titled('li', '【到期提醒】')[0]!.content)).toContain('（补发）');
    },
    TEST_TIMEOUT_MS,
  );
});
