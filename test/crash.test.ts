// Crashes: the service runs as separate OS processes (`node --import tsx src/main.ts`, as `npm start` runs it),
// driven by signed, encrypted Feishu webhooks and answered through a fake Open API; the test kills them with
// SIGKILL between the commit of an operation and the relay of what it decided (DUCHA_FAULT=after-commit), between
// queuing those deliveries and clearing the outbox (after-enqueue), or while a message is in flight, then starts another process and checks that every message arrives, once;
// and between deciding 发出 and its commit (before-commit), then checks that the year's 督字 numbers have no gap.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveryJobId } from '../src/delivery/delivery.ts';
import { DELIVER, INBOUND } from '../src/redis/queues.ts';
import { FakeFeishu, type DeliveredMessage } from './helpers/fake-feishu.ts';
import { buttonsOf, FEISHU_DIRECTORY, KEY, OPEN_ID, TOKEN } from './helpers/feishu-session.ts';
import { cardAction, messageEvent, randomEventId, signedRequest, type Envelope, type CardActionEvent } from './helpers/feishu-webhook.ts';
import { deleteKeys, REDIS_URL } from './helpers/harness.ts';
import { startService, type ServiceProcess } from './helpers/service-process.ts';
import { until } from './helpers/until.ts';

/** Long enough for a few process start-ups and, in the last test, two lapsed locks (5–9 s each). */
const TEST_TIMEOUT_MS = 60_000;
/** A killed process's job is picked up 5–9 s later (lock 5 s, stall check every 2 s); this bound is honest slack. */
const PICKUP_MS = 20_000;
const SEND_PATH = '/open-apis/im/v1/messages';

let redis: Redis;
let fake: FakeFeishu;
let prefix: string;
let procs: ServiceProcess[] = [];
let queues = new Map<string, Queue>();

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
});

beforeEach(async ({ onTestFailed }) => {
  prefix = `crash${process.pid}-${randomBytes(3).toString('hex')}`;
  procs = [];
  queues = new Map();
  fake = await FakeFeishu.start({ appSecret: 'test-secret' });
  // What each process wrote, for the report of a failed test (the children log at warn).
  onTestFailed(() => {
    for (const p of procs) console.error(`---- service ${p.name} (port ${p.port}) ----\n${p.out()}`);
  });
});

afterEach(async () => {
  // Every child is killed, even when the test failed half-way; then the keys go.
  await Promise.all(procs.map((p) => p.kill()));
  await Promise.all([...queues.values()].map((q) => q.close()));
  await fake.close();
  await deleteKeys(prefix);
});

// ---- the service as processes ----

function start(name: string, extra: Record<string, string> = {}): Promise<ServiceProcess> {
  return startService(
    name,
    {
      REDIS_URL,
      DUCHA_PREFIX: prefix,
      DIRECTORY_FILE: FEISHU_DIRECTORY,
      LOG_LEVEL: 'warn',
      FEISHU_APP_ID: fake.appId,
      FEISHU_APP_SECRET: fake.appSecret,
      FEISHU_VERIFICATION_TOKEN: TOKEN,
      FEISHU_ENCRYPT_KEY: KEY,
      FEISHU_BASE_URL: fake.url,
      ...extra,
    },
    (p) => procs.push(p),
  );
}

async function post(p: ServiceProcess, path: string, body: object): Promise<{ status: number; json: any }> {
  const { headers, rawBody } = signedRequest(body, { encryptKey: KEY });
  const res = await fetch(p.base + path, { method: 'POST', headers, body: rawBody });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** A person types to the bot in their direct chat (the command is taken in and queued; its answers come later). */
async function say(p: ServiceProcess, person: string, text: string): Promise<void> {
  const ev = messageEvent({ token: TOKEN, openId: OPEN_ID[person]!, chatId: `oc_${person}`, chatType: 'p2p', text });
  const res = await post(p, '/webhooks/feishu/events', ev);
  expect(res.status).toBe(200);
}

// ---- what reached Feishu ----

/** The cards that reached a person (by open_id) or their direct chat, with a button of that label. */
function cardsTo(person: string, label: string): DeliveredMessage[] {
  return fake.messages.filter(
    (m) =>
      m.msgType === 'interactive' &&
      (m.receiveId === OPEN_ID[person] || m.receiveId === `oc_${person}`) &&
      buttonsOf(m.content).some((b) => b.label === label),
  );
}

/** Everything sent to a person by open_id (what they see from the bot directly, not replies in their chat). */
function sentTo(person: string): DeliveredMessage[] {
  return fake.messages.filter((m) => m.receiveId === OPEN_ID[person]);
}

function textsTo(person: string, containing: string): DeliveredMessage[] {
  return fake.messages.filter(
    (m) => m.msgType === 'text' && (m.receiveId === OPEN_ID[person] || m.receiveId === `oc_${person}`) && JSON.stringify(m.content).includes(containing),
  );
}

/** The press Feishu would post for `person` pressing `label` on the last card `of` received; built once, so it can be retried as is. */
function pressOf(person: string, label: string, of = person): { eventId: string; envelope: Envelope<CardActionEvent> } {
  const cards = cardsTo(of, label);
  const m = cards[cards.length - 1];
  if (!m) throw new Error(`${of} has no card with ${label}`);
  const value = buttonsOf(m.content).find((b) => b.label === label)!.value as object;
  const eventId = randomEventId();
  return { eventId, envelope: cardAction({ token: TOKEN, openId: OPEN_ID[person]!, value, messageId: m.messageId, eventId }) };
}

// ---- what is in Redis ----

/** A BullMQ queue of the service, read under the test's prefix (one per name per test). */
function queue(name: string): Queue {
  let q = queues.get(name);
  if (!q) {
    q = new Queue(name, { connection: { url: REDIS_URL }, prefix });
    queues.set(name, q);
  }
  return q;
}

async function onlyItemId(): Promise<string> {
  const ids = await redis.zrange(`${prefix}:items`, '0', '-1');
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** Nothing left to do: no job waiting, running or delayed in either queue, and the outbox empty. */
async function settled(): Promise<boolean> {
  const counts = await Promise.all(
    [queue(DELIVER), queue(INBOUND)].map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')),
  );
  const busy = counts.some((c) => Object.values(c).some((n) => n > 0));
  return !busy && (await redis.hlen(`${prefix}:outbox`)) === 0;
}

async function outboxOf(eventId: string): Promise<{ kind: string; person?: string; cardKey?: string }[] | undefined> {
  const raw = await redis.hget(`${prefix}:outbox`, `act:feishu:${eventId}`);
  return raw ? (JSON.parse(raw) as { d: { kind: string; person?: string; cardKey?: string }[] }).d : undefined;
}

/** A press posted to a process that kills itself right after the commit: no answer, and the process is gone by SIGKILL. */
async function pressAndDie(p: ServiceProcess, envelope: object): Promise<void> {
  await expect(post(p, '/webhooks/feishu/cards', envelope)).rejects.toThrow();
  expect(await p.exited).toEqual({ code: null, signal: 'SIGKILL' });
}

describe('a process killed between the commit and the relay', () => {
  it.each([
    { fault: 'after-commit', when: 'right after the 发出 commit' },
    { fault: 'after-enqueue', when: 'after 发出 queued its notices, before the outbox was cleared' },
  ] as const)(
    'killed $when, restarted: every notice arrives once',
    async ({ fault }) => {
      const a = await start('A');
      await say(a, 'zhang', '/新建 城区主干道积水整治 单位=jtj,gaj 期限=5d 类别=重大');
      await until('the preview card reaches the clerk', () => cardsTo('zhang', '发出').length === 1);
      const id = await onlyItemId();
      expect(await redis.hget(`${prefix}:item:${id}`, 'status')).toBe('draft');
      expect(await a.stop()).toEqual({ code: 0, signal: null });

      const issue = pressOf('zhang', '发出');
      const b = await start('B', { DUCHA_FAULT: fault });
      await pressAndDie(b, issue.envelope);

      // Committed, and not sent: the item is open, nobody has the notice, and the outbox holds what to send
      // (after-enqueue: the jobs are queued too, with the ids a relay gives them again).
      expect(await redis.hget(`${prefix}:item:${id}`, 'status')).toBe('open');
      const pending = await outboxOf(issue.eventId);
      expect(pending?.filter((d) => d.kind === 'send').map((d) => d.person).sort()).toEqual(['chen', 'li']);
      const jobs = await queue(DELIVER).getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      if (fault === 'after-commit') {
        expect(cardsTo('li', '签收')).toHaveLength(0);
        expect(cardsTo('chen', '签收')).toHaveLength(0);
        expect(sentTo('li')).toHaveLength(0);
        expect(sentTo('chen')).toHaveLength(0);
        expect(jobs).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
      } else {
        // Every delivery is queued under the id a relay gives it again (B's own worker may have begun one).
        const ids = pending!.map((_, i) => deliveryJobId(`act:feishu:${issue.eventId}`, i));
        for (const jobId of ids) expect(await queue(DELIVER).getJob(jobId), jobId).toBeTruthy();
      }

      const c = await start('C');
      await until('each head has the notice', () => cardsTo('li', '签收').length >= 1 && cardsTo('chen', '签收').length >= 1, PICKUP_MS);
      await until('nothing left to send', settled, PICKUP_MS);
      expect(cardsTo('li', '签收')).toHaveLength(1);
      expect(cardsTo('chen', '签收')).toHaveLength(1);
      expect(sentTo('li')).toHaveLength(1);
      expect(sentTo('chen')).toHaveLength(1);
      expect(JSON.stringify(cardsTo('li', '签收')[0]!.content)).toContain('1号');
      // The restarted process's sweep is what relayed it.
      expect(c.out()).toContain('发件箱：已补发中断的操作留下的消息');
      // The preview was redrawn as issued (no 发出 any more).
      const preview = cardsTo('zhang', '发出')[0]!;
      await until('the preview is redrawn without buttons', () => buttonsOf(fake.contentOf(preview.messageId)).length === 0);

      // Feishu retries the press it never got an answer to: the same event id.
      const retried = await post(c, '/webhooks/feishu/cards', issue.envelope);
      expect(retried.status).toBe(200);
      expect(retried.json.toast.type).toBe('success');
      expect(retried.json.toast.content).toContain('已发出');
      await until('nothing left to send', settled, PICKUP_MS);
      expect(cardsTo('li', '签收')).toHaveLength(1);
      expect(cardsTo('chen', '签收')).toHaveLength(1);
      expect(sentTo('li')).toHaveLength(1);
      expect(sentTo('chen')).toHaveLength(1);
      expect(fake.messages.filter((m) => m.receiveId === 'oc_zhang' && m.msgType === 'interactive')).toHaveLength(1);
      expect(await queue(DELIVER).getJobCounts('failed')).toEqual({ failed: 0 });
      expect(await redis.hget(`${prefix}:item:${id}`, 'status')).toBe('open');
      expect(textsTo('zhang', '送达失败')).toHaveLength(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'killed right after the 签署 commit, restarted: the review card and the contact’s text arrive once',
    async () => {
      const p = await start('P');
      await say(p, 'zhang', '/新建 城区主干道积水整治 单位=jtj 期限=5d 类别=重大');
      await until('the preview card reaches the clerk', () => cardsTo('zhang', '发出').length === 1);
      const id = await onlyItemId();
      // The year's first 督字 number, given at 发出 below.
      const no = '1';
      const issued = await post(p, '/webhooks/feishu/cards', pressOf('zhang', '发出').envelope);
      expect(issued.json.toast.type).toBe('success');
      await until('the head has the notice', () => cardsTo('li', '签收').length === 1);
      const received = await post(p, '/webhooks/feishu/cards', pressOf('li', '签收').envelope);
      expect(received.json.toast.type).toBe('success');
      await say(p, 'zhao', `/报送 ${no} 已完成整改`);
      await until('the head has the report to sign', () => cardsTo('li', '签署').length === 1);
      await until('nothing left to send', settled);
      expect(await p.stop()).toEqual({ code: 0, signal: null });
      expect(JSON.parse((await redis.hget(`${prefix}:asg:${id}:jtj`, 'doc'))!).state).toBe('awaiting_signature');

      const sign = pressOf('li', '签署');
      const q = await start('Q', { DUCHA_FAULT: 'after-commit' });
      await pressAndDie(q, sign.envelope);

      expect(JSON.parse((await redis.hget(`${prefix}:asg:${id}:jtj`, 'doc'))!).state).toBe('signed');
      expect(cardsTo('zhang', '受理')).toHaveLength(0);
      expect(cardsTo('qian', '受理')).toHaveLength(0);
      expect(textsTo('zhao', '已由李明签署')).toHaveLength(0);
      const pending = await outboxOf(sign.eventId);
      expect(pending?.filter((d) => d.kind === 'send').map((d) => d.person).sort()).toEqual(['zhang', 'zhao']);

      const r = await start('R');
      await until(
        'the item\'s owner has the review card and the contact the text',
        () => cardsTo('zhang', '受理').length >= 1 && textsTo('zhao', '已由李明签署').length >= 1,
        PICKUP_MS,
      );
      await until('nothing left to send', settled, PICKUP_MS);
      const once = () => {
        expect(cardsTo('zhang', '受理')).toHaveLength(1);
        // The item's owner only (督查员: the clerk who drafted it), not every clerk.
        expect(cardsTo('qian', '受理')).toHaveLength(0);
        expect(cardsTo('zhang', '受理')[0]!.receiveId).toBe(OPEN_ID.zhang);
        const told = textsTo('zhao', '已由李明签署');
        expect(told).toHaveLength(1);
        expect(JSON.stringify(told[0]!.content)).toContain('已由李明签署');
        expect(cardsTo('li', '签署')).toHaveLength(1);
      };
      once();
      expect(r.out()).toContain('发件箱：已补发中断的操作留下的消息');

      const retried = await post(r, '/webhooks/feishu/cards', sign.envelope);
      expect(retried.status).toBe(200);
      expect(retried.json.toast.type).toBe('success');
      expect(retried.json.toast.content).toContain('已签署');
      await until('nothing left to send', settled, PICKUP_MS);
      once();
      expect(await queue(DELIVER).getJobCounts('failed')).toEqual({ failed: 0 });
      expect(textsTo('zhang', '送达失败')).toHaveLength(0);
      expect(textsTo('qian', '送达失败')).toHaveLength(0);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('督字 numbers when a process dies at 发出', () => {
  /** The press Feishu would post for a fresh press of 发出 on a draft's preview card (its title given). */
  function issuePress(title: string): { eventId: string; envelope: Envelope<CardActionEvent> } {
    const m = cardsTo('zhang', '发出').find((c) => JSON.stringify(c.content).includes(title));
    if (!m) throw new Error(`no preview of ${title}`);
    const value = buttonsOf(m.content).find((b) => b.label === '发出')!.value as object;
    const eventId = randomEventId();
    return { eventId, envelope: cardAction({ token: TOKEN, openId: OPEN_ID.zhang!, value, messageId: m.messageId, eventId }) };
  }
  const statusOf = async (id: string) => redis.hget(`${prefix}:item:${id}`, 'status');
  const numberOf = async (id: string) => redis.hmget(`${prefix}:item:${id}`, 'year', 'seq');

  it(
    'killed after deciding 发出 and before its commit, or right after it: the year\'s numbers are 1, 2, 3 with no gap',
    async () => {
      const a = await start('A');
      for (const t of ['甲事项', '乙事项', '丙事项']) await say(a, 'zhang', `/新建 ${t} 单位=jtj 期限=5d 类别=重大`);
      await until('three previews reach the clerk', () => cardsTo('zhang', '发出').length === 3);
      await until('nothing left to send', settled);
      expect(await a.stop()).toEqual({ code: 0, signal: null });
      const ids = await redis.zrange(`${prefix}:items`, '0', '-1');
      const idOf = async (title: string) => {
        for (const id of ids) if (JSON.parse((await redis.hget(`${prefix}:item:${id}`, 'doc'))!).title === title) return id;
        throw new Error(`no item ${title}`);
      };
      const [jia, yi, bing] = [await idOf('甲事项'), await idOf('乙事项'), await idOf('丙事项')];

      // 甲: the process dies once 发出 is decided, before the step that would number and issue it. Nothing is taken.
      const first = issuePress('甲事项');
      await pressAndDie(await start('B', { DUCHA_FAULT: 'before-commit' }), first.envelope);
      expect(await statusOf(jia)).toBe('draft');
      expect(await redis.get(`${prefix}:seq:2026`)).toBeNull();
      expect(await redis.exists(`${prefix}:num:2026`)).toBe(0);

      // 乙: the process dies right after the commit: the number and the issue were one step, both done.
      await pressAndDie(await start('C', { DUCHA_FAULT: 'after-commit' }), issuePress('乙事项').envelope);
      expect(await statusOf(yi)).toBe('open');
      expect(await numberOf(yi)).toEqual(['2026', '1']);
      expect(await redis.get(`${prefix}:seq:2026`)).toBe('1');

      // The clerk presses 发出 on 甲 again (a press of its own), then on 丙.
      const d = await start('D');
      const again = await post(d, '/webhooks/feishu/cards', issuePress('甲事项').envelope);
      expect(again.json.toast).toMatchObject({ type: 'success', content: '已发出督字〔2026〕2号，督查单已直送 1 位负责领导' });
      const third = await post(d, '/webhooks/feishu/cards', issuePress('丙事项').envelope);
      expect(third.json.toast.content).toContain('已发出督字〔2026〕3号');
      // Feishu's late retry of the press that died is told it is done, and takes no number.
      const late = await post(d, '/webhooks/feishu/cards', first.envelope);
      expect(late.json.toast).toMatchObject({ type: 'info', content: '督字〔2026〕2号已经发出' });

      expect(await numberOf(jia)).toEqual(['2026', '2']);
      expect(await numberOf(bing)).toEqual(['2026', '3']);
      expect(await redis.get(`${prefix}:seq:2026`)).toBe('3');
      expect(await redis.hgetall(`${prefix}:num:2026`)).toEqual({ '1': yi, '2': jia, '3': bing });
      expect(await redis.zrange(`${prefix}:ledger`, '0', '-1', 'WITHSCORES')).toEqual([yi, '2026000001', jia, '2026000002', bing, '2026000003']);
      // Each head's notice, once each, under its number (乙's relayed by D's outbox sweep).
      await until('the three notices arrive', () => cardsTo('li', '签收').length >= 3, PICKUP_MS);
      await until('nothing left to send', settled, PICKUP_MS);
      const notices = cardsTo('li', '签收').map((m) => /督字〔2026〕(\d+)号/.exec(JSON.stringify(m.content))?.[1]);
      expect(notices.sort()).toEqual(['1', '2', '3']);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('a message in flight when its process dies', () => {
  it(
    'survives two crashes during one delivery, arrives once, and the office is told of no failure',
    async () => {
      const a = await start('A');
      await say(a, 'zhang', '/新建 城区主干道积水整治 单位=jtj 期限=5d 类别=重大');
      await until('the preview card reaches the clerk', () => cardsTo('zhang', '发出').length === 1);
      await until('nothing left to send', settled);
      // From now on Feishu takes every API request (the send is done, and recorded) but holds its answer.
      fake.failRandomly(1, ['slow'], 1, { slowMs: 10 * 60_000 });
      const noticeSends = () => fake.requests.filter((r) => r.method === 'POST' && r.path === SEND_PATH && r.query.receive_id_type === 'open_id');

      const issued = await post(a, '/webhooks/feishu/cards', pressOf('zhang', '发出').envelope);
      expect(issued.json.toast.type).toBe('success');
      await until('Feishu has the notice send', () => noticeSends().length >= 1);
      await a.kill();
      // Feishu did its part: the head has the notice; only its answer was lost with the process.
      expect(sentTo('li')).toHaveLength(1);
      const uuid = sentTo('li')[0]!.uuid!;
      expect(uuid).toBeTruthy();
      // The adapter sends each message with its delivery job's id as the uuid.
      const job = async () => {
        const j = await queue(DELIVER).getJob(uuid);
        if (!j) throw new Error(`no delivery job has the id ${uuid}, the uuid the notice was sent with`);
        return j;
      };
      expect(await (await job()).getState()).toBe('active');

      const b = await start('B');
      await until('another process sends it again', () => noticeSends().length >= 2, PICKUP_MS);
      await b.kill();
      // The second send carried the same uuid: Feishu answered it from its record and showed nothing new.
      expect(noticeSends()[1]!.status).toBe(200);
      expect(sentTo('li')).toHaveLength(1);

      fake.clearFailures();
      const c = await start('C');
      let state = '';
      await until('the delivery is finished', async () => ['completed', 'failed'].includes((state = await (await job()).getState())), PICKUP_MS);
      expect(state, (await job()).failedReason).toBe('completed');
      await until('nothing left to send', settled, PICKUP_MS);
      expect(noticeSends().length).toBeGreaterThanOrEqual(3);
      expect(sentTo('li')).toHaveLength(1);
      expect(cardsTo('li', '签收')).toHaveLength(1);
      expect(fake.messages.filter((m) => JSON.stringify(m.content).includes('送达失败'))).toHaveLength(0);
      expect(textsTo('zhang', '送达失败')).toHaveLength(0);
      expect(textsTo('qian', '送达失败')).toHaveLength(0);
      expect(await queue(DELIVER).getJobCounts('failed')).toEqual({ failed: 0 });
      const done = await job();
      // Started three times (A, B, C), put back twice by the stall check, finished once: no attempt was spent on a crash.
      expect(done.attemptsStarted).toBe(3);
      expect(done.stalledCounter).toBe(2);
      expect(done.attemptsMade).toBe(1);
      expect(c.out()).not.toContain('undeliverable');
    },
    TEST_TIMEOUT_MS,
  );
});
