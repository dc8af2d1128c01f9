// Statistics benchmark: ITEMS (20,000) key items × PER_ITEM (2) units over UNITS (200) heads, every one due in September
// (spread over its working days), built through the real command and press paths on a redis-server of its own, with
// RECEIVED (5,000) of them received (签收) so that the medians have something to take. It measures /统计 期间=2026-09 (the
// whole office: figures, card, chart PNG) p50/p99 over RUNS (20), the same with 导出 (the spreadsheet too), one unit's,
// and /通报 (two periods' figures and the draft), against the bound of 1 s; then where the time of the office's figures
// goes (the deadline index, the compact read of the records decoded in Redis, the counting, the chart, the spreadsheet),
// the same figures read the old way (whole records parsed in Node: fullReader) for a ratio, and how long one call of the
// read scripts holds Redis. In-process, as `npm start` builds it.
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app.ts';
import { cardKey } from '../src/chat/card-key.ts';
import { WorkCalendar } from '../src/domain/calendar.ts';
import { addDays } from '../src/domain/dates.ts';
import { runAction, runCommand } from '../src/dispatch/dispatch.ts';
import { ManualClock } from '../src/infra/clock.ts';
import { loadConfig } from '../src/infra/config.ts';
import { silentLogger } from '../src/infra/logger.ts';
import { parsePeriod } from '../src/output/period.ts';
import { cjkFont } from '../src/output/pdf-font.ts';
import { statsChartPng } from '../src/output/stats-chart.ts';
import { statsWorkbook } from '../src/output/stats-xlsx.ts';
import { compactReader, computeStatistics, fullReader, type StatReader } from '../src/output/statistics.ts';
import { STAT_CHUNK, Store } from '../src/store/store.ts';
import { Redis } from 'ioredis';
import { parseAssignmentRef } from '../src/domain/types.ts';
import { writeCityDirectory } from '../test/helpers/city-directory.ts';
import { freePort } from '../test/helpers/service-process.ts';
import { startPrivateRedis } from './private-redis.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const int = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: not a positive whole number`);
  return n;
};
const ITEMS = int('ITEMS', 20_000);
const PER_ITEM = int('PER_ITEM', 2);
const UNITS = int('UNITS', 200);
const RECEIVED = Math.min(int('RECEIVED', 5_000), ITEMS);
const RUNS = int('RUNS', 20);
const CONCURRENCY = 16;
const BOUND_MS = 1000;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function pool(n: number, each: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await each(next++);
  }));
}

async function main(): Promise<void> {
  const redisServer = await startPrivateRedis(await freePort());
  const city = writeCityDirectory(UNITS);
  const filesDir = mkdtempSync(join(tmpdir(), 'ducha-bench-files-'));
  const clock = new ManualClock(Date.parse('2026-08-31T09:00:00+08:00'));
  const app = await createApp({
    config: loadConfig({ REDIS_URL: redisServer.url, DUCHA_PREFIX: 'bench', DIRECTORY_FILE: city.file, LOG_LEVEL: 'silent', DUCHA_ROLE: 'web', DUCHA_FILES_DIR: filesDir }),
    log: silentLogger,
    clock,
    scheduler: false,
  });
  const cleanUp = async () => {
    await app.stop().catch(() => undefined);
    await redisServer.stop();
    city.remove();
    rmSync(filesDir, { recursive: true, force: true });
  };
  try {
    const rt = app.rt;
    const cal = WorkCalendar.loadSync();
    const days: string[] = [];
    for (let d = '2026-09-01'; d <= '2026-09-30'; d = addDays(d, 1)) if (cal.isWorkday(d)) days.push(d);
    const sender = (id: string) => ({ platform: 'feishu' as const, ids: [rt.directory().person(id)!.feishu!.open_id!] });
    const reply = { platform: 'feishu' as const, chatId: 'oc_bench', direct: true };
    console.log(`statistics benchmark: ${ITEMS} key items × ${PER_ITEM} units over ${UNITS} units (${ITEMS * PER_ITEM} assignments), all due in September`);
    const t0 = performance.now();
    await pool(ITEMS, async (i) => {
      const units = Array.from({ length: PER_ITEM }, (_, j) => `u${((i * PER_ITEM + j) % UNITS) + 1}`);
      await runCommand(rt, { kind: 'command', id: `new-${i}`, sender: sender('zhang'), text: `/新建 督查事项${i + 1} 单位=${units.join(',')} 期限=${days[i % days.length]} 类别=重大`, replyTo: reply });
    });
    const ids = await rt.store.itemIdsInStatus('draft');
    await pool(ids.ids.length, async (i) => {
      const token = rt.signer.sign({ a: 'issue', k: cardKey({ kind: 'preview', item: ids.ids[i]! }), f: 'zhang' });
      const a = await runAction(rt, { kind: 'action', id: `issue-${i}`, sender: sender('zhang'), token });
      if (a.toast.type !== 'success') throw new Error(`issue: ${a.toast.text}`);
    });
    clock.set(Date.parse('2026-09-01T11:00:00+08:00'));
    await pool(RECEIVED, async (i) => {
      const id = ids.ids[i]!;
      const { item } = (await rt.store.getItem(id))!;
      const a = item.assignments[0]!;
      const token = rt.signer.sign({ a: 'receive', k: cardKey({ kind: 'notice', item: id, unit: a.unit }), f: a.responsible });
      const r = await runAction(rt, { kind: 'action', id: `receive-${i}`, sender: sender(a.responsible), token });
      if (r.toast.type !== 'success') throw new Error(`receive: ${r.toast.text}`);
    });
    console.log(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await Promise.all([rt.queues.deliver.obliterate({ force: true }), rt.queues.inbound.obliterate({ force: true })]);

    clock.set(Date.parse('2026-10-09T12:00:00+08:00'));
    const check = await computeStatistics(rt, rt.directory(), parsePeriod('2026-09', clock.now(), 'Asia/Shanghai')!);
    console.log(`counted ${check.total.items} assignments of ${check.itemCount} items; ${check.total.overdue} overdue; median 签收 ${check.total.receiptHours} h`);
    if (check.total.items !== ITEMS * PER_ITEM) throw new Error('not every assignment was counted');

    const timed = async (label: string, text: string, as = 'zhang') => {
      const xs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await runCommand(rt, { kind: 'command', id: `q-${label}-${i}`, sender: sender(as), text, replyTo: reply });
        xs.push(performance.now() - t);
      }
      await rt.queues.deliver.obliterate({ force: true });
      const p99 = pct(xs, 99);
      console.log(`  ${label.padEnd(34)} p50 ${pct(xs, 50).toFixed(0).padStart(5)} ms  p99 ${p99.toFixed(0).padStart(5)} ms  (n=${RUNS}; bound ${BOUND_MS} ms${p99 > BOUND_MS ? ', OVER' : ''})`);
    };
    // The first /统计 of a process reads the CJK font (16 MB, fontkit) for the chart's outlines: timed apart, once.
    const first = performance.now();
    await runCommand(rt, { kind: 'command', id: 'q-first', sender: sender('zhang'), text: '/统计 期间=2026-09', replyTo: reply });
    console.log(`first /统计 of the process (the font read): ${(performance.now() - first).toFixed(0)} ms`);
    console.log(`\ncommands over ${ITEMS} items (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}):`);
    await timed('/统计 期间=2026-09 (office)', '/统计 期间=2026-09');
    await timed('/统计 期间=2026-09 导出 (office)', '/统计 期间=2026-09 导出');
    await timed('/统计 单位=u7 (office)', '/统计 期间=2026-09 单位=u7');
    await timed('/统计 (a head, own unit)', '/统计 期间=2026-09', 'h1');
    await timed('/通报 期间=2026-09', '/通报 期间=2026-09');

    // Where the time goes: the mean of RUNS of each step of the office's /统计, and the old full read beside the new.
    const mean = async (label: string, f: () => Promise<unknown> | unknown, runs = RUNS): Promise<number> => {
      const t = performance.now();
      for (let i = 0; i < runs; i++) await f();
      const ms = (performance.now() - t) / runs;
      console.log(`  ${label.padEnd(44)} mean ${ms.toFixed(0).padStart(5)} ms`);
      return ms;
    };
    const dir = rt.directory();
    const people = dir.allPeople().map((p) => p.id);
    const refs = await rt.store.dueOfPeople(people, check.period.fromMs, check.period.toMs);
    const itemIds = [...new Set(refs.map((r) => parseAssignmentRef(r).item))];
    const compact = compactReader(rt.store);
    const full = fullReader(rt.store);
    console.log(`\nthe office's /统计, step by step (load average ${loadavg()[0]!.toFixed(1)}):`);
    await mean(`deadline index (${people.length} leaders)`, () => rt.store.dueOfPeople(people, check.period.fromMs, check.period.toMs));
    await mean(`compact read of ${refs.length} assignments`, () => compact.assignments(refs));
    await mean(`compact read of ${itemIds.length} headers`, () => compact.headers(itemIds));
    const figNew = await mean('figures (computeStatistics), compact read', () => computeStatistics(rt, dir, check.period));
    const font = cjkFont(rt.config);
    let drawn = 0;
    // Each with a title of its own, so that none is the chart already kept (stats-chart.ts).
    if (font) await mean('chart PNG drawn anew', () => statsChartPng({ ...check, period: { ...check.period, label: `${check.period.label}·${drawn++}` } }, font));
    if (font) await mean('chart PNG, the same figures again (kept)', () => statsChartPng(check, font));
    await mean('spreadsheet (导出)', () => statsWorkbook(check));
    // The old way is slow: a few runs tell it.
    const oldRuns = Math.min(RUNS, 5);
    console.log(`the old way, whole records read and parsed in Node (${oldRuns} runs):`);
    await mean(`full read of ${refs.length} assignments`, () => full.assignments(refs), oldRuns);
    await mean(`full read of ${itemIds.length} headers`, () => full.headers(itemIds), oldRuns);
    const figOld = await mean('figures (computeStatistics), full read', () => computeStatistics(rt, dir, check.period, undefined, full), oldRuns);
    console.log(`  full read / compact read, figures alone: ${(figOld / figNew).toFixed(1)}×`);
    // A process's first read decodes every record in Redis; later ones only those changed since (none here).
    const fresh = async <X>(f: (read: StatReader) => Promise<X>): Promise<X> => {
      const conn = new Redis(redisServer.url);
      try {
        return await f(compactReader(new Store(conn, 'bench')));
      } finally {
        conn.disconnect();
      }
    };
    await mean('figures, first read of a process (all decoded)', () => fresh((read) => computeStatistics(rt, dir, check.period, undefined, read)), oldRuns);
    const held = async (label: string, work: () => Promise<unknown>) => {
      const calls = (await redisServer.callTimes('evalsha', work)).sort((a, b) => a - b);
      console.log(
        `Redis held by one read-script call, ${label} (${calls.length} calls of up to ${STAT_CHUNK} records): median ${pct(calls, 50)} µs, longest ${calls[calls.length - 1]} µs`,
      );
    };
    await held('first read', () => fresh((read) => computeStatistics(rt, dir, check.period, undefined, read)));
    await held('records unchanged', () => computeStatistics(rt, dir, check.period));
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
