// A Redis failover under the service: a master, a replica and three sentinels of the test's own (child processes),
// the service (`npm start` as a process) connected through the sentinels only. A fan-out of notices is in flight and
// heads are pressing 签收 when the master is killed (SIGKILL); the sentinels promote the replica, and without a restart
// every press is answered (系统繁忙 meanwhile, then done), every notice arrives once, and every press answered done is
// in the records read back from the promoted replica.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DELIVER, INBOUND, SCHEDULE } from '../src/redis/queues.ts';
import { writeCityDirectory, type CityDirectory } from './helpers/city-directory.ts';
import { CityFlow, type Toast } from './helpers/city-flow.ts';
import { FakeFeishu } from './helpers/fake-feishu.ts';
import { MASTER_NAME, SentinelCluster } from './helpers/sentinel-cluster.ts';
import { startService, type ServiceProcess } from './helpers/service-process.ts';
import { until } from './helpers/until.ts';

/** Units of the item: one notice each. */
const UNITS = 24;
/** Heads who press 签收 while the master is gone. */
const PRESSERS = 6;

let cluster: SentinelCluster | undefined;
let fake: FakeFeishu;
let city: CityDirectory;
let flow: CityFlow;
let procs: ServiceProcess[] = [];
let client: Redis | undefined;
let queues: Queue[] = [];
let prefix = '';

beforeEach(async ({ onTestFailed }) => {
  prefix = `sentinel${process.pid}-${randomBytes(3).toString('hex')}`;
  procs = [];
  queues = [];
  fake = await FakeFeishu.start({ appSecret: 'test-secret' });
  city = writeCityDirectory(UNITS);
  flow = new CityFlow(fake, city);
  onTestFailed(() => {
    for (const p of procs) console.error(`---- service ${p.name} ----\n${p.out().slice(-20_000)}`);
    if (cluster) console.error(cluster.output());
  });
});

afterEach(async () => {
  // Everything this test started goes, whatever happened: the service, the test's clients, Redis and the sentinels, the temp dirs.
  await Promise.all(procs.map((p) => p.kill()));
  await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
  client?.disconnect();
  client = undefined;
  await cluster?.close();
  cluster = undefined;
  await fake.close();
  city.remove();
});

function queue(name: string): Queue {
  const q = new Queue(name, { connection: client!, prefix });
  queues.push(q);
  return q;
}

describe('Redis Sentinel', () => {
  it(
    'a failover during a fan-out and presses: every press answered (busy, then done) and recorded, every notice sent once, no restart',
    async () => {
      cluster = await SentinelCluster.start();
      const firstMaster = cluster.redisPorts[0]!;
      expect(await cluster.masterPort()).toBe(firstMaster);
      // Nothing but the sentinels: REDIS_URL points where no Redis is, so a connection that ignored Sentinel would fail.
      const svc = await startService(
        'S',
        {
          REDIS_URL: 'redis://127.0.0.1:1',
          REDIS_SENTINELS: cluster.sentinelsEnv,
          REDIS_SENTINEL_NAME: MASTER_NAME,
          DUCHA_PREFIX: prefix,
          LOG_LEVEL: 'warn',
          ...flow.env(),
        },
        (p) => procs.push(p),
        90_000,
      );

      await flow.draft(svc.base, '汛期城区排涝隐患排查', UNITS);
      // Feishu answers each send a little late, so that the fan-out is still going when the master dies.
      fake.failRandomly(1, ['slow'], 1, { slowMs: 250 });
      const issued = await flow.post(svc.base, '/webhooks/feishu/cards', flow.pressOf('zhang', '发出'));
      expect(issued.json.toast.type).toBe('success');
      await until('the first notices to arrive', () => flow.noticed(UNITS) >= PRESSERS, 20_000);

      const presses = Array.from({ length: PRESSERS }, (_, i) => ({ head: city.head(i + 1), unit: city.units[i]!, press: flow.pressOf(city.head(i + 1), '签收') }));
      await cluster.kill(firstMaster);
      const killedAt = Date.now();
      expect(flow.noticed(UNITS)).toBeLessThan(UNITS);

      // The heads press while the master is gone, and again while answered 系统繁忙, until answered.
      const answers = await Promise.all(presses.map((p) => flow.pressUntilAnswered(() => svc.base, p.press, 45_000)));
      for (const [i, a] of answers.entries()) {
        const last = a.at(-1) as Toast;
        expect(last, presses[i]!.head).toMatchObject({ type: 'success' });
        expect(last.content).toContain('签收');
        // Before it: only 系统繁忙 (or no answer at all).
        for (const earlier of a.slice(0, -1)) {
          if (typeof earlier !== 'string') expect(earlier).toEqual({ type: 'warning', content: '系统繁忙，请稍后再试' });
        }
      }
      // The first presses were made with no master: they were answered busy.
      expect(answers.some((a) => a.length > 1)).toBe(true);

      // The sentinels promoted the replica.
      const newMaster = await until('the replica to be promoted', async () => {
        const p = await cluster!.masterPort();
        return p !== undefined && p !== firstMaster ? p : undefined;
      }, 30_000);
      expect(newMaster).toBe(cluster.redisPorts[1]);
      const failoverMs = Date.now() - killedAt;

      // Queued work finishes: every notice arrives, the queues and the outbox drain.
      client = cluster.client();
      await until('every head to have the notice', () => flow.noticed(UNITS) === UNITS, 45_000, 100);
      await until(
        'the queues and the outbox to be empty',
        async () => {
          const counts = await Promise.all([queue(DELIVER), queue(INBOUND), queue(SCHEDULE)].map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
          return counts.every((c) => Object.values(c).every((n) => n === 0)) && (await client!.hlen(`${prefix}:outbox`)) === 0;
        },
        45_000,
        200,
      );
      flow.expectEachNoticeOnce(UNITS);
      expect(await queue(DELIVER).getJobCounts('failed')).toEqual({ failed: 0 });

      // Every press answered done is in the records on the promoted replica; the others' notices are still to sign for.
      const ids = await client.zrange(`${prefix}:items`, '0', '-1');
      expect(ids).toHaveLength(1);
      const id = ids[0]!;
      expect(await client.hget(`${prefix}:item:${id}`, 'status')).toBe('open');
      for (let i = 0; i < UNITS; i++) {
        const state = JSON.parse((await client.hget(`${prefix}:asg:${id}:${city.units[i]}`, 'doc'))!).state;
        expect(state, city.units[i]).toBe(i < PRESSERS ? 'received' : 'issued');
      }
      // Each press's redrawn card and nothing more: no head got a second message.
      for (const p of presses) expect(flow.sentTo(p.head)).toHaveLength(1);

      // The same process throughout, ready again.
      expect(svc.alive()).toBe(true);
      await until('ready again', async () => (await fetch(`${svc.base}/readyz`)).status === 200, 10_000, 100);
      console.info(`failover: replica promoted ${failoverMs} ms after the master was killed; presses answered after ${answers.map((a) => a.length).join(',')} tries`);
    },
    240_000,
  );
});
