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
import { compactReader, computeStatistics, fullReader } from '../src/output/statistics.ts';
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

    {
      const { Redis } = await import('ioredis');
      const c = new Redis(redisServer.url);
      await c.config('SET', 'slowlog-max-len', '10000');
      await c.slowlog('RESET');
      await c.config('SET', 'slowlog-log-slower-than', '0');
      await computeStatistics(rt, rt.directory(), check.period);
      await c.config('SET', 'slowlog-log-slower-than', '10000');
      const log = (await c.slowlog('GET', 10000)) as [number, number, number, string[]][];
      const names = new Map<string, number>();
      for (const e of log) names.set(String(e[3][0]), (names.get(String(e[3][0])) ?? 0) + 1);
      console.log('slowlog', log.length, [...names]);
      c.disconnect();
    }
    const { Session } = await import('node:inspector/promises');
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    const CMD = process.env.CMD ?? '/统计 期间=2026-09';
    for (let i = 0; i < 2; i++) await runCommand(rt, { kind: 'command', id: `warm-${i}`, sender: sender('zhang'), text: CMD, replyTo: reply });
    await session.post('Profiler.start');
    const t1 = performance.now();
    for (let i = 0; i < 5; i++) await runCommand(rt, { kind: 'command', id: `p-${i}`, sender: sender('zhang'), text: CMD, replyTo: reply });
    console.log('mean', (performance.now() - t1) / 5);
    const { profile } = await session.post('Profiler.stop');
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const dt = profile.timeDeltas!;
    const counts = new Map<number, number>();
    profile.samples!.forEach((s, i) => counts.set(s, (counts.get(s) ?? 0) + (dt[i] ?? 0)));
    for (const [id, us] of counts) {
      const n = byId.get(id)!;
      const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
      self.set(k, (self.get(k) ?? 0) + us);
    }
    for (const [k, us] of [...self].sort((x, y) => y[1] - x[1]).slice(0, 40)) console.log((us / 5000).toFixed(1).padStart(8), 'ms/run', k);
    // inclusive by url
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const incl = new Map<string, number>();
    for (const [id, us] of counts) {
      const seen = new Set<string>();
      for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
        const n = byId.get(x)!;
        const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}`;
        if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + us); }
      }
    }
    console.log('--- inclusive');
    for (const [k, us] of [...incl].filter(([k]) => /ducha|src|handlers|output|store/.test(k)).sort((x, y) => y[1] - x[1]).slice(0, 40)) console.log((us / 5000).toFixed(1).padStart(8), 'ms/run', k);
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
