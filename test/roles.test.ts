// Web and workers apart, as processes of the service (`npm start` with DUCHA_ROLE=web and twice DUCHA_ROLE=worker) on
// one Redis: the whole flow (/新建, 发出 to a city's units, 签收, /报送, 签署, 受理) works and each message goes out once;
// a worker stopped in the middle of a fan-out, by SIGTERM (it drains: its jobs in flight finish, and it exits 0) or
// by SIGKILL (its jobs in flight are taken over by the other worker once their locks lapse), loses nothing and
// sends nothing twice.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DELIVER, INBOUND } from '../src/redis/queues.ts';
import { writeCityDirectory, type CityDirectory } from './helpers/city-directory.ts';
import { CityFlow } from './helpers/city-flow.ts';
import { FakeFeishu } from './helpers/fake-feishu.ts';
import { deleteKeys, REDIS_URL } from './helpers/harness.ts';
import { startService, type ServiceProcess } from './helpers/service-process.ts';
import { until } from './helpers/until.ts';

const UNITS = 30;
const SEND_PATH = '/open-apis/im/v1/messages';
/** A stopped or killed worker's jobs are finished by the other one; a killed one's after its locks lapse (5–9 s). */
const PICKUP_MS = 60_000;
/** main.ts exits by itself this long after SIGTERM, whatever is still running (docs/operations.md). */
const DRAIN_LIMIT_MS = 25_000;
/** How long Feishu takes to answer each send in the stop and kill tests: a worker always has sends in flight. */
const SLOW_MS = 1500;
/** Starting a process of the service (tsx compiling it) is slow on a loaded machine of 2 cores. */
const START_MS = 90_000;

let redis: Redis;
let fake: FakeFeishu;
let city: CityDirectory;
let flow: CityFlow;
let prefix = '';
let procs: ServiceProcess[] = [];
let queues: Queue[] = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  city = writeCityDirectory(UNITS);
});
afterAll(async () => {
  await redis.quit();
  city.remove();
});

beforeEach(async ({ onTestFailed }) => {
  prefix = `roles${process.pid}-${randomBytes(3).toString('hex')}`;
  procs = [];
  queues = [];
  fake = await FakeFeishu.start({ appSecret: 'test-secret' });
  flow = new CityFlow(fake, city);
  onTestFailed(() => {
    for (const p of procs) console.error(`---- service ${p.name} ----\n${p.out().slice(-20_000)}`);
  });
});

afterEach(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  await Promise.all(queues.map((q) => q.close()));
  await fake.close();
  await deleteKeys(prefix);
});

/** A process of the service in a role; workers log at info, so that their deliveries ('已送达') can be counted. */
function start(name: string, role: 'web' | 'worker'): Promise<ServiceProcess> {
  return startService(
    name,
    { REDIS_URL, DUCHA_PREFIX: prefix, DUCHA_ROLE: role, LOG_LEVEL: role === 'worker' ? 'info' : 'warn', ...flow.env() },
    (p) => procs.push(p),
    START_MS,
  );
}

function queue(name: string): Queue {
  const q = new Queue(name, { connection: { url: REDIS_URL }, prefix });
  queues.push(q);
  return q;
}

async function settled(): Promise<boolean> {
  const counts = await Promise.all([queue(DELIVER), queue(INBOUND)].map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
  return counts.every((c) => Object.values(c).every((n) => n === 0)) && (await redis.hlen(`${prefix}:outbox`)) === 0;
}

/** The sends that reached Feishu's send endpoint (a repeated send of one message counts again). */
const sends = () => fake.requests.filter((r) => r.method === 'POST' && r.path === SEND_PATH && r.status === 200);
/** Messages delivered through the send endpoint (not replies): each under a uuid of its own. */
const sentMessages = () => fake.messages.filter((m) => m.replyTo === undefined);
const deliveredBy = (p: ServiceProcess) => p.out().split('\n').filter((l) => l.includes('"msg":"已送达"')).length;

/** Web and two workers started at once; the web one first answers, taking commands in with no worker yet. */
async function webAndTwoWorkers(): Promise<[ServiceProcess, ServiceProcess, ServiceProcess]> {
  return Promise.all([start('W', 'web'), start('K1', 'worker'), start('K2', 'worker')]);
}

/** Drafts and issues a key item to every unit of the city; Feishu answers each send after `slowMs`. */
async function issueToCity(web: ServiceProcess, slowMs: number): Promise<void> {
  await flow.draft(web.base, '城区内涝点位排查整改', UNITS);
  if (slowMs > 0) fake.failRandomly(1, ['slow'], 1, { slowMs });
  const issued = await flow.post(web.base, '/webhooks/feishu/cards', flow.pressOf('zhang', '发出'));
  expect(issued.json.toast).toMatchObject({ type: 'success' });
  expect(issued.json.toast.content).toContain(`督查单已直送 ${UNITS} 位负责领导`);
}

describe('DUCHA_ROLE=web and two DUCHA_ROLE=worker processes', () => {
  it(
    'the whole flow works: the web process only takes requests in, the workers share the work, each message goes out once',
    async () => {
      const web = await start('W', 'web');
      // The web process serves no worker: /readyz checks Redis only, and a command waits in the queue.
      expect((await (await fetch(`${web.base}/readyz`)).json()).checks).toEqual({ redis: true });
      await flow.say(web.base, 'zhang', `/新建 城区内涝点位排查整改 单位=${city.units.join(',')} 期限=5d 类别=重大`);
      await until('the command to wait in the inbound queue', async () => (await queue(INBOUND).getJobCounts('waiting')).waiting === 1);
      expect(fake.messages).toHaveLength(0);
      const [k1, k2] = await Promise.all([start('K1', 'worker'), start('K2', 'worker')]);
      await until('the preview card reaches the clerk', () => flow.cardsTo('zhang', '发出').length === 1, 15_000);

      fake.failRandomly(1, ['slow'], 1, { slowMs: 150 });
      const issued = await flow.post(web.base, '/webhooks/feishu/cards', flow.pressOf('zhang', '发出'));
      expect(issued.json.toast).toMatchObject({ type: 'success' });
      await until('every head to have the notice', () => flow.noticed(UNITS) === UNITS, PICKUP_MS, 100);
      fake.clearFailures();
      // Both workers took part in the fan-out.
      expect(deliveredBy(k1)).toBeGreaterThan(0);
      expect(deliveredBy(k2)).toBeGreaterThan(0);

      for (const i of [1, 2, 3]) {
        const res = await flow.post(web.base, '/webhooks/feishu/cards', flow.pressOf(city.head(i), '签收'));
        expect(res.json.toast).toMatchObject({ type: 'success' });
      }
      await flow.say(web.base, city.contact(1), '/报送 1 办结 已完成排查，整改到位');
      await until('the head has the report to sign', () => flow.cardsTo(city.head(1), '签署').length === 1, 15_000);
      const signed = await flow.post(web.base, '/webhooks/feishu/cards', flow.pressOf(city.head(1), '签署'));
      expect(signed.json.toast).toMatchObject({ type: 'success' });
      await until('the office has the report to review', () => flow.cardsTo('zhang', '受理').length === 1, 15_000);
      const accepted = await flow.post(web.base, '/webhooks/feishu/cards', flow.pressOf('zhang', '受理'));
      expect(accepted.json.toast).toMatchObject({ type: 'success' });
      await until('nothing left to send', settled, PICKUP_MS, 100);

      const id = (await redis.zrange(`${prefix}:items`, '0', '-1'))[0]!;
      const stateOf = async (unit: string) => JSON.parse((await redis.hget(`${prefix}:asg:${id}:${unit}`, 'doc'))!).state;
      expect(await stateOf('u1')).toBe('completed');
      expect(await stateOf('u2')).toBe('received');
      expect(await stateOf('u4')).toBe('issued');
      // Once each: the notices, the report to sign, the report to review; and on the wire, no send was repeated.
      for (let i = 1; i <= UNITS; i++) expect(flow.cardsTo(city.head(i), '签收'), city.head(i)).toHaveLength(1);
      expect(flow.cardsTo(city.head(1), '签署')).toHaveLength(1);
      expect(flow.cardsTo('zhang', '受理')).toHaveLength(1);
      expect(sends()).toHaveLength(sentMessages().length);
      expect(await queue(DELIVER).getJobCounts('failed')).toEqual({ failed: 0 });
    },
    240_000,
  );

  it(
    'a worker stopped by SIGTERM in the middle of a fan-out finishes its jobs in flight, exits 0 within the bound, and nothing is lost or sent twice',
    async () => {
      const [web, k1] = await webAndTwoWorkers();
      await issueToCity(web, SLOW_MS);
      await until('K1 to be sending', () => deliveredBy(k1) >= 1, 20_000);
      const stoppedAt = Date.now();
      expect(await k1.stop()).toEqual({ code: 0, signal: null });
      const drainMs = Date.now() - stoppedAt;
      expect(drainMs).toBeLessThan(DRAIN_LIMIT_MS);
      // Its jobs in flight were finished while it drained, not left for the other worker.
      const out = k1.out();
      const stopping = out.indexOf('正在停止');
      expect(stopping).toBeGreaterThan(0);
      expect(out.slice(stopping)).toContain('"msg":"已送达"');
      expect(out.slice(stopping)).toContain('已停止');

      await until('every head to have the notice', () => flow.noticed(UNITS) === UNITS, PICKUP_MS, 100);
      await until('nothing left to send', settled, PICKUP_MS, 100);
      flow.expectEachNoticeOnce(UNITS);
      // Drained, not cut off: no message had to be sent a second time.
      expect(sends()).toHaveLength(sentMessages().length);
      expect(await queue(DELIVER).getJobCounts('failed')).toEqual({ failed: 0 });
      console.info(`SIGTERM drain: worker exited ${drainMs} ms after SIGTERM (Feishu answering each send after ${SLOW_MS} ms)`);
    },
    240_000,
  );

  it(
    'a worker killed (SIGKILL) in the middle of a fan-out: the other worker takes its jobs over, every notice arrives once',
    async () => {
      const [web, k1, k2] = await webAndTwoWorkers();
      // Feishu holds each answer 4 s: once 15 sends have reached it, each worker (8 at once) has at least 7 in flight.
      await issueToCity(web, 4000);
      await until('both workers to have sends in flight', () => sends().length >= 15, 20_000);
      const killedAt = Date.now();
      expect(await k1.kill()).toEqual({ code: null, signal: 'SIGKILL' });
      expect(flow.noticed(UNITS)).toBeLessThan(UNITS);

      await until('every head to have the notice', () => flow.noticed(UNITS) === UNITS, PICKUP_MS, 100);
      await until('nothing left to send', settled, PICKUP_MS, 100);
      const recoveredMs = Date.now() - killedAt;
      flow.expectEachNoticeOnce(UNITS);
      expect(await queue(DELIVER).getJobCounts('failed')).toEqual({ failed: 0 });
      expect(fake.messages.filter((m) => JSON.stringify(m.content).includes('送达失败'))).toHaveLength(0);
      expect(k2.alive()).toBe(true);
      // Sends K1 had made when it died were made again by K2 under the same uuid, and shown once.
      expect(sends().length).toBeGreaterThan(sentMessages().length);
      console.info(`SIGKILL: all ${UNITS} notices delivered once, ${recoveredMs} ms after the kill; ${sends().length - sentMessages().length} sends repeated under their uuid`);
    },
    240_000,
  );
});
