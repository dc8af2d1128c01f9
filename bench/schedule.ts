// Schedule benchmark: a city's open work as issued (ITEMS key items × 5 units over PEOPLE heads, default 20,000 ×
// 5 over 2,000: 100,000 assignments, no reports yet), built through the real command and press paths on a redis-server
// of its own. It measures: Redis memory per assignment for the whole record (items, assignments, indexes, schedule,
// audit), by key class; the time to build it and to rebuild the schedule from the records; /台账 and /查看 p50/p99
// over those items; then, with DUE of the assignments (default 10,000) due on the day of one reminder slot, the
// lateness from the slot to each reminder's delivery job being queued (p50/p99), and the time to send every message
// through a fake Feishu under ducha's own limits (50/s and 1000/min per app, 5/s per person) against the bound those
// limits set. In-process: the service is built by createApp as `npm start` builds it.
import { performance } from 'node:perf_hooks';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createApp, type App } from '../src/app.ts';
import { ManualClock, startedClock } from '../src/infra/clock.ts';
import { cardKey } from '../src/chat/card-key.ts';
import { loadConfig } from '../src/infra/config.ts';
import { runAction, runCommand } from '../src/dispatch/dispatch.ts';
import { createLogger, silentLogger } from '../src/infra/logger.ts';
import { rebuildSchedule } from '../src/store/rebuild-schedule.ts';
import { slotOn } from '../src/schedule/slots.ts';
import { FakeFeishu } from '../test/helpers/fake-feishu.ts';
import { writeCityDirectory } from '../test/helpers/city-directory.ts';
import { freePort } from '../test/helpers/service-process.ts';
import { startPrivateRedis } from './private-redis.ts';

const ITEMS = int(process.env.ITEMS ?? '20000', 'ITEMS');
const PEOPLE = int(process.env.PEOPLE ?? '2000', 'PEOPLE');
const DUE = int(process.env.DUE ?? '10000', 'DUE');
/** 进度= given to every item not due on the slot's day (e.g. `月`): what progress periods add. Unset: none. */
const PROGRESS = process.env.PROGRESS;
const PER_ITEM = 5;
const CONCURRENCY = 32;
const PREFIX = 'bench';
const SLOT_DAY = '2026-09-30';
const BUILD_AT = '2026-09-28T10:00:00+08:00';
const SENDS_PER_SECOND = 50;
const SENDS_PER_MINUTE = 1000;

function int(s: string, name: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${name}: "${s}" is not a positive whole number`);
    process.exit(2);
  }
  return n;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function pool<T>(n: number, each: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await each(next++);
    }),
  );
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
async function cleanUp(): Promise<void> {
  for (let fn = cleanups.pop(); fn; fn = cleanups.pop()) await Promise.resolve(fn()).catch((e: unknown) => console.error(`clean-up: ${(e as Error).message}`));
}

/** Memory of every key under the prefix, by class, from MEMORY USAGE (all samples). */
async function memoryByClass(redis: Redis): Promise<Map<string, { keys: number; bytes: number }>> {
  const out = new Map<string, { keys: number; bytes: number }>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 2000);
    cursor = next;
    const pipe = redis.pipeline();
    for (const k of keys) pipe.memory('USAGE', k, 'SAMPLES', 0);
    const res = (await pipe.exec()) ?? [];
    keys.forEach((k, i) => {
      const rest = k.slice(PREFIX.length + 1);
      const cls = rest.startsWith('idx:') ? `idx:${rest.split(':')[1]}` : rest.split(':')[0]!;
      const c = out.get(cls) ?? { keys: 0, bytes: 0 };
      c.keys++;
      c.bytes += Number(res[i]?.[1] ?? 0);
      out.set(cls, c);
    });
  } while (cursor !== '0');
  return out;
}

function config(redisUrl: string, directory: string, extra: Record<string, string>) {
  return loadConfig({
    REDIS_URL: redisUrl,
    DUCHA_PREFIX: PREFIX,
    DIRECTORY_FILE: directory,
    LOG_LEVEL: 'silent',
    // The chase is not measured here: far enough that none falls due.
    DUCHA_CHASE_AFTER: '200',
    ...extra,
  });
}

async function main(): Promise<void> {
  const redisServer = await startPrivateRedis(await freePort());
  cleanups.push(() => redisServer.stop());
  const city = writeCityDirectory(PEOPLE);
  cleanups.push(() => city.remove());
  const redis = new Redis(redisServer.url);
  cleanups.push(() => redis.quit());
  console.log(`schedule benchmark: ${ITEMS} key items × ${PER_ITEM} units over ${PEOPLE} heads (${ITEMS * PER_ITEM} assignments), ${DUE} due in one slot${PROGRESS ? `, 进度=${PROGRESS} on the others` : ''}`);

  // ---- build, as the office would: /新建 then 发出, through the command and press paths ----
  const clock = new ManualClock(Date.parse(BUILD_AT));
  let app: App = await createApp({ config: config(redisServer.url, city.file, { DUCHA_ROLE: 'web' }), log: silentLogger, clock, scheduler: false });
  let rt = app.rt;
  const baseline = Number((await redis.info('memory')).match(/used_memory:(\d+)/)![1]);
  const dueItems = Math.ceil(DUE / PER_ITEM);
  const zhang = rt.directory().person('zhang')!;
  const sender = { platform: 'feishu' as const, ids: [zhang.feishu!.open_id!] };
  const built = performance.now();
  await pool(ITEMS, async (i) => {
    const units = Array.from({ length: PER_ITEM }, (_, j) => `u${((i * PER_ITEM + j) % PEOPLE) + 1}`);
    const due = i < dueItems ? SLOT_DAY : '2026-12-31';
    const every = PROGRESS && due !== SLOT_DAY ? ` 进度=${PROGRESS}` : '';
    const text = `/新建 督查事项${i + 1} 单位=${units.join(',')} 期限=${due} 类别=重大${every}`;
    await runCommand(rt, { kind: 'command', id: `new-${i}`, sender, text, replyTo: { platform: 'feishu', chatId: 'oc_zhang', direct: true } });
  });
  const ids = await redis.zrange(`${PREFIX}:items`, '0', '-1');
  await pool(ids.length, async (i) => {
    const token = rt.signer.sign({ a: 'issue', k: cardKey({ kind: 'preview', item: ids[i]! }), f: 'zhang' });
    const a = await runAction(rt, { kind: 'action', id: `issue-${i}`, sender, token });
    if (a.toast.type !== 'success') throw new Error(`issue ${ids[i]}: ${a.toast.text}`);
  });
  const buildMs = performance.now() - built;
  const assignments = ids.length * PER_ITEM;
  console.log(`built ${ids.length} items, ${assignments} assignments in ${(buildMs / 1000).toFixed(1)} s (${((buildMs / ids.length) * 1000).toFixed(0)} µs per item, created and issued)`);

  // ---- memory ----
  // The queues hold the notices and previews nobody sent (no worker ran): not part of the record.
  await Promise.all([rt.queues.deliver.obliterate({ force: true }), rt.queues.inbound.obliterate({ force: true })]);
  const classes = await memoryByClass(redis);
  const record = ['item', 'asg', 'items', 'ledger', 'num', 'idx:unit', 'idx:person', 'idx:state', 'idx:due', 'idx:items', 'sched', 'audit', 'seq'];
  let recordBytes = 0;
  console.log('\nmemory by key class (MEMORY USAGE):');
  for (const [cls, c] of [...classes].sort((a, b) => b[1].bytes - a[1].bytes)) {
    const inRecord = record.includes(cls);
    if (inRecord) recordBytes += c.bytes;
    console.log(`  ${cls.padEnd(12)} ${String(c.keys).padStart(7)} keys ${(c.bytes / 1e6).toFixed(1).padStart(7)} MB  ${(c.bytes / assignments).toFixed(0).padStart(5)} B/assignment${inRecord ? '' : '  (not part of the record)'}`);
  }
  const used = Number((await redis.info('memory')).match(/used_memory:(\d+)/)![1]);
  console.log(`whole record (items, assignments, indexes, schedule, audit): ${(recordBytes / assignments).toFixed(0)} B per assignment (target ≤ 2048)`);
  console.log(`used_memory growth, everything (incl. op outcomes kept 7 days): ${((used - baseline) / assignments).toFixed(0)} B per assignment`);

  // ---- rebuild ----
  const rebuilt = await rebuildSchedule(redis, rt.store);
  console.log(`\nschedule rebuilt from the records: ${rebuilt.open} open assignments, ${rebuilt.chases} chases in ${rebuilt.ms} ms`);

  // ---- /台账 and /查看 ----
  const timed = async (n: number, text: (i: number) => string, as = sender): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await runCommand(rt, { kind: 'command', id: `q-${text(i)}-${i}-${Math.random()}`, sender: as, text: text(i), replyTo: { platform: 'feishu', chatId: 'oc_zhang', direct: true } });
      out.push(performance.now() - t);
    }
    return out;
  };
  const head = rt.directory().person('h1')!;
  const headSender = { platform: 'feishu' as const, ids: [head.feishu!.open_id!] };
  const report = (label: string, xs: number[]) => console.log(`  ${label.padEnd(28)} p50 ${pct(xs, 50).toFixed(1)} ms  p99 ${pct(xs, 99).toFixed(1)} ms  (n=${xs.length}; target p99 ≤ 200 ms)`);
  console.log(`\ncommands over ${ids.length} items:`);
  report('/台账 (office, all)', await timed(200, () => '/台账'));
  report('/台账 逾期 (office)', await timed(100, () => '/台账 逾期'));
  report('/台账 单位=u7 (office)', await timed(100, () => '/台账 单位=u7'));
  report('/台账 (a head, own unit)', await timed(100, () => '/台账', headSender));
  report('/查看 <no> (office)', await timed(200, (i) => `/查看 ${1 + ((i * 7919) % ids.length)}`));
  // Their answers (nobody sent them) are not to compete with the slot's reminders below.
  await Promise.all([rt.queues.deliver.obliterate({ force: true }), rt.queues.inbound.obliterate({ force: true })]);
  await app.stop();

  // ---- one slot: lateness and sending through Feishu ----
  const fake = await FakeFeishu.start({ appSecret: 'bench-secret' });
  cleanups.push(() => fake.close());
  const slot = slotOn(SLOT_DAY, { tz: 'Asia/Shanghai', remindAt: 9 * 60, remindBefore: [3, 1] });
  const LEAD_MS = 2000;
  const domain = startedClock(slot.at - LEAD_MS);
  const slotWall = Date.now() + LEAD_MS;
  app = await createApp({
    config: config(redisServer.url, city.file, {
      DUCHA_ROLE: 'all',
      FEISHU_APP_ID: fake.appId,
      FEISHU_APP_SECRET: fake.appSecret,
      FEISHU_VERIFICATION_TOKEN: 'bench-token',
      FEISHU_BASE_URL: fake.url,
    }),
    // BENCH_LOG=info shows the service's own log of the slot (how long each part took), on stdout.
    log: process.env.BENCH_LOG ? createLogger(process.env.BENCH_LOG) : silentLogger,
    clock: domain,
  });
  cleanups.push(() => app.stop());
  rt = app.rt;
  const expected = Math.min(PEOPLE, DUE);
  const reminders = () => fake.messages.filter((m) => JSON.stringify(m.content).includes('【到期提醒】')).length;
  const giveUp = Date.now() + 10 * 60_000;
  let lastSeen = 0;
  while (reminders() < expected) {
    if (Date.now() > giveUp) throw new Error(`only ${reminders()} of ${expected} reminders arrived`);
    await new Promise((r) => setTimeout(r, 50));
    if (reminders() !== lastSeen) lastSeen = reminders();
  }
  const doneWall = Date.now();
  const jobs: Job[] = await rt.queues.deliver.getJobs(['completed', 'waiting', 'active', 'delayed'], 0, -1);
  const slotJobs = jobs.filter((j) => typeof j.data?.opId === 'string' && j.data.opId.startsWith(`slot:${SLOT_DAY}:`));
  const lateness = slotJobs.map((j) => j.timestamp - slotWall);
  const sent = fake.messages.filter((m) => m.msgType === 'interactive').length;
  // The earliest all could be sent from the slot: 50 a second, at most 1000 in a calendar minute (ducha's windows).
  const bound = boundMs(sent, slotWall);
  const took = doneWall - slotWall;
  console.log(`\nslot ${SLOT_DAY} 09:00: ${DUE} assignments due, ${slotJobs.length} reminders (one per person), ${sent} cards sent in all`);
  console.log(`  slot → delivery job queued: p50 ${pct(lateness, 50)} ms, p99 ${pct(lateness, 99)} ms, max ${Math.max(...lateness)} ms (target p99 ≤ 2000 ms)`);
  console.log(`  all sent through Feishu in ${(took / 1000).toFixed(1)} s; bound under 50/s and 1000/min: ${(bound / 1000).toFixed(1)} s → ${(took / bound).toFixed(3)}× (target ≤ 1.05×)`);
  const times = fake.messages.map((m) => m.at).sort((a, b) => a - b);
  const gaps = times.slice(1).map((t, i) => ({ at: times[i]! - slotWall, gap: t - times[i]! })).filter((g) => g.gap > 1500);
  console.log(`  first sent at +${((times[0]! - slotWall) / 1000).toFixed(2)} s; pauses over 1.5 s: ${gaps.map((g) => `${(g.gap / 1000).toFixed(1)} s at +${(g.at / 1000).toFixed(1)} s`).join(', ') || 'none'}`);
  console.log(`  (under 50/s alone the bound would be ${(sent / SENDS_PER_SECOND).toFixed(1)} s; Feishu's 1000 a minute per app is what holds it back)`);
}

/** The earliest time (ms after start) n messages can all be sent at 50 a second and 1000 per calendar minute. */
function boundMs(n: number, startWall: number): number {
  let t = startWall;
  let minute = Math.floor(t / 60_000);
  let inMinute = 0;
  for (let i = 0; i < n; i++) {
    if (Math.floor(t / 60_000) !== minute) {
      minute = Math.floor(t / 60_000);
      inMinute = 0;
    }
    if (inMinute >= SENDS_PER_MINUTE) {
      t = (minute + 1) * 60_000;
      minute++;
      inMinute = 0;
    }
    inMinute++;
    t += 1000 / SENDS_PER_SECOND;
  }
  return t - startWall;
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => void cleanUp().then(() => process.exit()));
