// The office's files, timed: `/台账 导出` of ASSIGNMENTS assignments (ITEMS items of UNITS units, written straight into
// Redis in the store's layout under a prefix of the bench's own, each with a signed and accepted report, an extension and
// an urge), rendered by the render worker's own function from the store to the .xlsx bytes: its time and the process's
// peak RSS (sampled every 20 ms) against 10 s and 300 MB. Then `/归档` of one item of ARCHIVE_UNITS units, each with two
// reports, a summons and a visit: the time of each of RUNS renders (the first parses the font) against 2 s.
// The export is rendered in a process of its own, so that its RSS is the render's and not the seeding's.
// Run: npm run bench:output (needs Redis at REDIS_URL and fonts-noto-cjk).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/infra/config.ts';
import { keys } from '../src/store/keys.ts';
import { Store } from '../src/store/store.ts';
import { DirectorySource } from '../src/directory/directory-source.ts';
import { WorkCalendar } from '../src/domain/calendar.ts';
import { textHash } from '../src/store/audit-chain.ts';
import { dateInTz, endOfDay } from '../src/domain/dates.ts';
import type { Assignment, Item, ItemHeader, Report } from '../src/domain/types.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { silentLogger } from '../src/infra/logger.ts';
import { renderLedger } from '../jobs/render.ts';
import { archivePdf } from '../src/output/archive-pdf.ts';
import { pdfFont } from '../src/output/pdf-font.ts';
import { writeCityDirectory } from '../test/helpers/city-directory.ts';

const UNITS = int('UNITS', 2);
const ASSIGNMENTS = int('ASSIGNMENTS', 20_000);
const ITEMS = Math.ceil(ASSIGNMENTS / UNITS);
const ARCHIVE_UNITS = int('ARCHIVE_UNITS', 50);
const RUNS = int('RUNS', 3);
const TZ = 'Asia/Shanghai';
const NOW = Date.parse('2026-11-20T10:00:00+08:00');

function int(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
  return n;
}

// The render process is given the seeding process's directory and prefix.
const child = process.argv[2] === 'render';
const city = child ? undefined : writeCityDirectory(Math.max(ARCHIVE_UNITS, 20));
const config = loadConfig({
  ...process.env,
  ...(city ? { DIRECTORY_FILE: city.file, DUCHA_PREFIX: `bench-out-${randomBytes(3).toString('hex')}` } : {}),
  LOG_LEVEL: 'silent',
});
const redis = new Redis(config.redisUrl);
const k = keys(config.prefix);
const source = await DirectorySource.open(config.directoryFile, silentLogger);
const dir = source.current();
const unitIds = dir.allUnits().map((u) => u.id);

function report(version: number, by: string, signer: string, at: number, final: boolean, status: Report['status']): Report {
  const text = `第${version}稿：已按督查要求完成整改，涉及点位 ${version * 7} 处，群众反映的问题已逐一回访。`.repeat(3);
  const hash = textHash(text);
  return { version, text, hash, final, by, at, status, signature: { by: signer, at: at + 3600_000, platform: 'feishu', version, hash, text }, reviewedBy: dir.office[0], reviewedAt: at + 7200_000 };
}

function assignment(unit: string, i: number, due: string, completed: boolean): Assignment {
  const u = dir.unit(unit)!;
  const issued = NOW - 40 * 86400_000;
  return {
    unit,
    lead: true,
    responsible: u.head,
    state: completed ? 'completed' : i % 3 === 0 ? 'received' : 'signed',
    due,
    dueAt: endOfDay(due, TZ),
    receivedAt: issued + 3600_000,
    ...(completed ? { completedAt: issued + 20 * 86400_000 } : {}),
    reports: [report(1, u.contacts[0]!, u.head, issued + 10 * 86400_000, completed, completed ? 'accepted' : 'signed')],
    summons: [],
    visits: [],
    extensions: i % 5 === 0 ? [{ id: 1, to: due, reason: '汛期施工受限', by: u.head, at: issued + 86400_000, status: 'approved', decidedBy: dir.office[0], decidedAt: issued + 2 * 86400_000, oldDue: dateInTz(issued + 10 * 86400_000, TZ) }] : [],
    urges: i % 4 === 0 ? [issued + 5 * 86400_000] : [],
  };
}

function header(n: number, units: string[], due: string): ItemHeader {
  const at = NOW - 40 * 86400_000;
  return { id: `d${n}`, draft: n, year: 2026, seq: n, title: `第${n}项 城区道路积水点整治与长效管理`, req: '汛前完成', category: n % 2 ? 'public' : undefined, status: 'open', createdBy: dir.office[0]!, createdAt: at, issuedBy: dir.office[0]!, issuedAt: at, due, dueAt: endOfDay(due, TZ), units, lead: units[0]!, source: 'document', sourceRef: `市政办〔2026〕${n}号` };
}

async function seed(): Promise<void> {
  for (let from = 1; from <= ITEMS; from += 500) {
    const pipe = redis.pipeline();
    for (let n = from; n < Math.min(from + 500, ITEMS + 1); n++) {
      const units = Array.from({ length: UNITS }, (_, j) => unitIds[(n + j) % unitIds.length]!);
      const due = dateInTz(NOW + ((n % 30) - 15) * 86400_000, TZ);
      const h = header(n, units, due);
      pipe.hset(k.item(h.id), { v: '1', doc: JSON.stringify(h), status: 'open', year: '2026', seq: String(n) });
      pipe.zadd(k.ledger, 2026e6 + n, h.id);
      units.forEach((u, j) => pipe.hset(k.assignment(h.id, u), { v: '1', doc: JSON.stringify(assignment(u, n + j, due, (n + j) % 2 === 0)) }));
    }
    await pipe.exec();
  }
}

async function clean(): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${config.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (found.length) await redis.unlink(...found);
  } while (cursor !== '0');
}

/** The render alone, in a process of its own (as the worker's): its time and peak RSS, as one JSON line. */
async function renderHere(): Promise<void> {
  const calendar = await WorkCalendar.load(config.calendarFile);
  const store = new Store(redis, config.prefix);
  const rt = { config: { ...config, tz: TZ }, store, calendar, directory: () => dir, clock: { now: () => NOW }, log: silentLogger } as unknown as Runtime;
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const phases: Record<string, number> = {};
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const made = await renderLedger(rt, { kind: 'ledger', person: dir.office[0]!, to: { platform: 'console', chatId: 'x', direct: true }, filter: { units: [] } }, phases);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (!('bytes' in made)) throw new Error(`no file: ${made.text}`);
  console.log(JSON.stringify({ ms, cpuMs, base, peak, bytes: made.bytes.length, phases }));
}

if (process.argv[2] === 'render') {
  try {
    await renderHere();
  } finally {
    redis.disconnect();
    await source.close();
  }
  process.exit(0);
}

try {
  await seed();
  const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, 'render'], {
    env: { ...process.env, DIRECTORY_FILE: city!.file, DUCHA_PREFIX: config.prefix },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`render process failed: ${run.stderr}`);
  const r = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { ms: number; cpuMs: number; base: number; peak: number; bytes: number; phases: Record<string, number> };
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  const phases = Object.entries(r.phases).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`).join(', ');
  console.log(`/台账 导出: ${ASSIGNMENTS} assignments (${ITEMS} items × ${UNITS} units) → ${(r.bytes / 1024 / 1024).toFixed(1)} MB .xlsx in ${(r.ms / 1000).toFixed(2)} s (limit 10 s; CPU ${(r.cpuMs / 1000).toFixed(2)} s; ${phases}); peak RSS of the rendering process ${mb(r.peak)} MB (limit 300 MB; ${mb(r.base)} MB before)`);

  // The archive of one item of ARCHIVE_UNITS units.
  const units = unitIds.slice(0, ARCHIVE_UNITS);
  const due = '2026-11-30';
  const item: Item = {
    ...header(ITEMS + 1, units, due),
    assignments: units.map((u, i) => {
      const a = assignment(u, i, due, i % 2 === 0);
      const head = dir.unit(u)!.head;
      a.reports = [report(1, dir.unit(u)!.contacts[0]!, head, NOW - 9 * 86400_000, false, 'superseded'), ...a.reports];
      a.summons = [{ id: 1, at: NOW - 3 * 86400_000, place: '市委督查室第一会议室', by: dir.office[0]!, createdAt: NOW - 5 * 86400_000, confirmedAt: NOW - 4 * 86400_000, confirmedBy: head, outcome: '已听取汇报，要求月底前完成' }];
      a.visits = [{ id: 1, on: '2026-11-10', by: dir.office[0]!, note: '现场查看三处积水点', createdAt: NOW - 10 * 86400_000 }];
      return a;
    }),
  };
  const audit = units.flatMap((u, i) =>
    ['receive', 'submit', 'sign', 'submit', 'sign', 'accept', 'urge', 'summon', 'confirm_summons', 'onsite'].map((action, j) => ({
      id: `${i}-${j}`, at: NOW - (20 - j) * 86400_000, actor: dir.unit(u)!.head, platform: 'feishu', action, item: item.id, unit: u,
    })),
  );
  const font = pdfFont(config);
  if (!font.ok) throw new Error(font.problem);
  const times: number[] = [];
  const cpus: number[] = [];
  let size = 0;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const pdf = await archivePdf({ item, audit, verification: { entries: audit.length, head: 'f'.repeat(64), records: units.length + 1, reports: units.length * 2, signatures: units.length * 2, attachments: 0, problems: [] }, dir, tz: TZ, now: NOW, font });
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpus.push((used.user + used.system) / 1000);
    size = pdf.length;
  }
  console.log(`/归档: an item of ${ARCHIVE_UNITS} units (${audit.length} audit entries) → ${(size / 1024).toFixed(0)} KB PDF; renders ${times.map((t, i) => `${(t / 1000).toFixed(2)} s (CPU ${(cpus[i]! / 1000).toFixed(2)} s)`).join(', ')} (the first parses the font; limit 2 s)`);
} finally {
  await clean();
  redis.disconnect();
  await source.close();
  city?.remove();
}
