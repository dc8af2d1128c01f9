// Redis footprint benchmark: what Redis holds per command and per item, for sizing (docs/operations.md). On a
// redis-server of its own, with the service built by createApp as `npm start` builds it (web and workers in one
// process, Feishu through a local fake of its API), it takes COMMANDS chat commands (/台账 typed to the bot by the
// units' heads: each taken in, run and answered), then ITEMS key items of UNITS units each through their whole life
// (/新建, 发出, each head's 签收, each contact's /报送 with a report of REPORT_CHARS characters, 签署, 受理), by the
// same paths a webhook and a press take. After each phase, once every job is done, it prints what Redis gained by key
// class: keys and bytes (MEMORY USAGE) per command or per item, and how long each class is kept.
import { randomBytes } from 'node:crypto';
import type { Redis as RedisClient } from 'ioredis';
import { Redis } from 'ioredis';
import { createApp } from '../src/app.ts';
import type { ActionName } from '../src/chat/action-token.ts';
import { cardKey, type CardKey } from '../src/chat/card-key.ts';
import { loadConfig } from '../src/infra/config.ts';
import { intakeCommand, runAction } from '../src/dispatch/dispatch.ts';
import { silentLogger } from '../src/infra/logger.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { FakeFeishu } from '../test/helpers/fake-feishu.ts';
import { writeCityDirectory, type CityDirectory } from '../test/helpers/city-directory.ts';
import { freePort } from '../test/helpers/service-process.ts';
import { startPrivateRedis } from './private-redis.ts';

const COMMANDS = int('COMMANDS', 300);
const ITEMS = int('ITEMS', 100);
const UNITS = int('UNITS', 2);
const REPORT_CHARS = int('REPORT_CHARS', 300);
/** The office's units: items go to them in turn, so indexes grow by members, not keys, as in a real office. */
const UNIT_POOL = int('UNIT_POOL', 20);
if (UNITS > UNIT_POOL) {
  console.error(`UNITS (${UNITS}) is more than UNIT_POOL (${UNIT_POOL})`);
  process.exit(2);
}
const PREFIX = 'bench';
const CONCURRENCY = 8;

function int(name: string, fallback: number): number {
  const s = process.env[name] ?? String(fallback);
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${name}: "${s}" is not a positive whole number`);
    process.exit(2);
  }
  return n;
}

/** How long each class is kept, by the service's own rules (what PTTL cannot say for BullMQ's jobs). */
const KEPT: Record<string, { kept: string; record?: true }> = {
  'inbound dedup': { kept: '48 h (SEEN_TTL_MS)' },
  'inbound job': { kept: '3 days, at most the newest 50,000' },
  'deliver job': { kept: '3 days, at most the newest 50,000' },
  'schedule job': { kept: '3 days, at most the newest 50,000' },
  'inbound completed': { kept: 'with its jobs' },
  'deliver completed': { kept: 'with its jobs' },
  'inbound events': { kept: 'capped at about 10,000 entries' },
  'deliver events': { kept: 'capped at about 10,000 entries' },
  'schedule events': { kept: 'capped at about 10,000 entries' },
  op: { kept: '7 days (OP_TTL_SECONDS)' },
  'seq-for': { kept: '7 days' },
  item: { kept: 'for ever (the record)', record: true },
  asg: { kept: 'for ever (the record)', record: true },
  items: { kept: 'for ever (the record)', record: true },
  ledger: { kept: 'for ever (the record)', record: true },
  num: { kept: 'for ever (the record)', record: true },
  seq: { kept: 'for ever (the record)', record: true },
  'audit stream': { kept: 'for ever (the record)', record: true },
  'audit lists': { kept: 'for ever (the record)', record: true },
  card: { kept: 'for ever (where each card was sent)', record: true },
  idx: { kept: 'for ever (indexes by unit, leader, state)', record: true },
  sched: { kept: 'until received (the chase)', record: true },
};

const QUEUES = ['inbound', 'deliver', 'schedule'];
/** BullMQ's own keys of a queue; anything else under it is a job (or a dedup key). */
const QUEUE_KEYS = new Set(['wait', 'active', 'paused', 'delayed', 'prioritized', 'completed', 'failed', 'events', 'meta', 'id', 'marker', 'pc', 'limiter', 'stalled', 'stalled-check', 'metrics']);

function classOf(key: string): string {
  const rest = key.slice(PREFIX.length + 1);
  const [first, second] = rest.split(':');
  if (QUEUES.includes(first!)) {
    if (second === 'de') return `${first} dedup`;
    if (second === 'events' || second === 'completed') return `${first} ${second}`;
    return QUEUE_KEYS.has(second!) ? `${first} (queue)` : `${first} job`;
  }
  if (first === 'audit') return second === undefined ? 'audit stream' : 'audit lists';
  return first!;
}

interface Snapshot {
  usedMemory: number;
  keys: number;
  byClass: Map<string, { keys: number; bytes: number; maxTtlMs: number }>;
}

async function snapshot(redis: RedisClient): Promise<Snapshot> {
  const byClass = new Map<string, { keys: number; bytes: number; maxTtlMs: number }>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 2000);
    cursor = next;
    const pipe = redis.pipeline();
    // Rate-limit windows live a second or a minute: noise between two snapshots, not what Redis holds.
    const held = keys.filter((k) => classOf(k) !== 'rl');
    for (const k of held) pipe.memory('USAGE', k, 'SAMPLES', 0).pttl(k);
    const res = (await pipe.exec()) ?? [];
    held.forEach((k, i) => {
      const c = byClass.get(classOf(k)) ?? { keys: 0, bytes: 0, maxTtlMs: -1 };
      c.keys++;
      c.bytes += Number(res[2 * i]?.[1] ?? 0);
      c.maxTtlMs = Math.max(c.maxTtlMs, Number(res[2 * i + 1]?.[1] ?? -1));
      byClass.set(classOf(k), c);
    });
  } while (cursor !== '0');
  const usedMemory = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  return { usedMemory, keys: [...byClass.values()].reduce((n, c) => n + c.keys, 0), byClass };
}

function report(title: string, per: number, unit: string, before: Snapshot, after: Snapshot): void {
  console.log(`\n${title}`);
  console.log(`  ${'class'.padEnd(20)} ${`keys/${unit}`.padStart(10)} ${`bytes/${unit}`.padStart(12)}  kept`);
  const rows = [...after.byClass].map(([cls, a]) => {
    const b = before.byClass.get(cls) ?? { keys: 0, bytes: 0 };
    return { cls, keys: (a.keys - b.keys) / per, bytes: (a.bytes - b.bytes) / per, ttl: a.maxTtlMs };
  });
  let keys = 0;
  let bytes = 0;
  let recordBytes = 0;
  for (const r of rows.filter((x) => Math.abs(x.bytes) >= 2 || Math.abs(x.keys) >= 0.05).sort((x, y) => y.bytes - x.bytes)) {
    keys += r.keys;
    bytes += r.bytes;
    if (KEPT[r.cls]?.record) recordBytes += r.bytes;
    const kept = KEPT[r.cls]?.kept ?? (r.ttl > 0 ? `expires (≤ ${(r.ttl / 3600_000).toFixed(1)} h)` : '');
    console.log(`  ${r.cls.padEnd(20)} ${r.keys.toFixed(2).padStart(10)} ${r.bytes.toFixed(0).padStart(12)}  ${kept}`);
  }
  console.log(`  ${'all classes'.padEnd(20)} ${keys.toFixed(2).padStart(10)} ${bytes.toFixed(0).padStart(12)}  (kept for ever: ${recordBytes.toFixed(0)} B/${unit})`);
  console.log(`  INFO used_memory grew by ${((after.usedMemory - before.usedMemory) / per).toFixed(0)} B/${unit}`);
}

async function pool(n: number, each: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await each(next++);
    }),
  );
}

/** Waits until every queued job has run (delivery through the fake included), polling with a bound. */
async function settle(rt: Runtime): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const counts = await Promise.all(Object.values({ a: rt.queues.inbound, b: rt.queues.deliver, c: rt.queues.schedule }).map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed')));
    const failed = counts.reduce((n, c) => n + (c.failed ?? 0), 0);
    if (failed) throw new Error(`${failed} jobs failed`);
    if (counts.every((c) => Object.values(c).every((n) => n === 0))) return;
    if (Date.now() > deadline) throw new Error(`queues did not drain: ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  try {
    const server = await startPrivateRedis(await freePort());
    cleanups.push(() => server.stop());
    const fake = await FakeFeishu.start({ appSecret: 'bench-secret' });
    cleanups.push(() => fake.close());
    const city: CityDirectory = writeCityDirectory(Math.max(100, UNIT_POOL));
    cleanups.push(() => city.remove());
    const config = loadConfig({
      REDIS_URL: server.url,
      DUCHA_PREFIX: PREFIX,
      DIRECTORY_FILE: city.file,
      LOG_LEVEL: 'silent',
      FEISHU_APP_ID: fake.appId,
      FEISHU_APP_SECRET: fake.appSecret,
      FEISHU_VERIFICATION_TOKEN: 'bench-token',
      FEISHU_BASE_URL: fake.url,
    });
    const app = await createApp({ config, log: silentLogger, scheduler: false });
    cleanups.unshift(() => app.stop());
    const rt = app.rt;
    const redis = new Redis(server.url);
    cleanups.unshift(() => redis.quit());
    console.log(`redis footprint: ${COMMANDS} commands, then ${ITEMS} key items × ${UNITS} units through their whole life (reports of ${REPORT_CHARS} characters)`);

    const openId = (person: string) => (person === 'zhang' ? city.openIds.get('zhang')! : city.openIds.get(person)!);
    const command = (person: string, text: string) =>
      intakeCommand(rt, {
        kind: 'command',
        // Feishu's event ids are 32 hex digits: the dedup key is named by it.
        id: randomBytes(16).toString('hex'),
        sender: { platform: 'feishu', ids: [openId(person)] },
        text,
        replyTo: { platform: 'feishu', chatId: `oc_${person}`, direct: true },
      });
    const press = async (person: string, a: ActionName, k: CardKey) => {
      const token = rt.signer.sign({ a, k: cardKey(k), f: person });
      const answer = await runAction(rt, { kind: 'action', id: randomBytes(16).toString('hex'), sender: { platform: 'feishu', ids: [openId(person)] }, token });
      if (answer.toast.type !== 'success') throw new Error(`${a} ${cardKey(k)} by ${person}: ${answer.toast.text}`);
    };

    // Warm: the queues' own keys exist before anything is measured.
    for (let i = 1; i <= 3; i++) await command(`h${i}`, '/帮助');
    await settle(rt);

    // ---- commands ----
    const s0 = await snapshot(redis);
    await pool(COMMANDS, (i) => command(`h${(i % 100) + 1}`, '/台账'));
    await settle(rt);
    const s1 = await snapshot(redis);
    report(`per command (/台账 typed to the bot, taken in, run, answered; ${COMMANDS} of them):`, COMMANDS, 'cmd', s0, s1);

    // ---- items through their life ----
    const unitsOf = (i: number) => Array.from({ length: UNITS }, (_, j) => ((i * UNITS + j) % UNIT_POOL) + 1);
    await pool(ITEMS, (i) => command('zhang', `/新建 督查事项${i + 1} 单位=${unitsOf(i).map((u) => `u${u}`).join(',')} 期限=10工作日 类别=重大`));
    await settle(rt);
    const ids = await redis.zrange(`${PREFIX}:items`, '0', '-1');
    if (ids.length !== ITEMS) throw new Error(`${ids.length} items made, not ${ITEMS}`);
    const report1 = '已按要求完成全部整改，现场已逐项复核。'.repeat(Math.ceil(REPORT_CHARS / 19)).slice(0, REPORT_CHARS);
    await pool(ITEMS, (i) => press('zhang', 'issue', { kind: 'preview', item: ids[i]! }));
    // Each item's units, and the 督字 number it was given at 发出 (as a contact types it), from its own record: the
    // items were made at once, in no particular order.
    const headers = await rt.store.getHeaders(ids);
    const perUnit = async (each: (item: string, seq: string, u: number) => Promise<void>) =>
      pool(ITEMS * UNITS, (n) => {
        const h = headers[Math.floor(n / UNITS)]!;
        return each(h.id, String(h.seq), Number(h.units[n % UNITS]!.slice(1)));
      });
    await perUnit((item, _seq, u) => press(`h${u}`, 'receive', { kind: 'notice', item, unit: `u${u}` }));
    await perUnit((_item, seq, u) => command(`c${u}`, `/报送 ${seq} 办结 ${report1}`));
    await settle(rt);
    await perUnit((item, _seq, u) => press(`h${u}`, 'sign', { kind: 'sign', item, unit: `u${u}`, n: 1 }));
    await perUnit((item, _seq, u) => press('zhang', 'accept', { kind: 'review', item, unit: `u${u}`, n: 1 }));
    await settle(rt);
    const done = await rt.store.getHeaders(ids);
    if (done.some((h) => h.status !== 'completed')) throw new Error('not every item completed');
    const s2 = await snapshot(redis);
    report(`per item (${UNITS} of ${UNIT_POOL} units, created, issued, received, reported, signed, accepted: ${ITEMS} of them, ${fake.messages.length} Feishu messages in all):`, ITEMS, 'item', s1, s2);
    for (const q of QUEUES) {
      const n = await redis.xlen(`${PREFIX}:${q}:events`);
      const b = Number(await redis.memory('USAGE', `${PREFIX}:${q}:events`, 'SAMPLES', 0));
      if (n >= 1000) console.log(`\n${q} events stream: ${n} entries, ${b} B (${(b / n).toFixed(0)} B an entry; at its cap of about 10,000: ${((b / n) * 10_000 / 1e6).toFixed(1)} MB)`);
    }
  } finally {
    for (const c of cleanups) await Promise.resolve(c()).catch((e: unknown) => console.error(`clean-up: ${(e as Error).message}`));
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
