// Press-storm benchmark: one key item issued to every unit of a city, then every head presses 签收 at once. It
// measures what a city-wide item costs as the city grows, black-box: ducha runs as `npm start` runs it, against its
// own redis-server and a fake Feishu Open API, and is driven only by signed, encrypted webhooks. For each N in UNITS
// (default 10,500): the fan-out time from 发出 until every head has the notice card (against N/50 s, Feishu's
// per-app send limit), each press's time to its answer with CONCURRENCY (default 20) presses in flight, the presses
// not confirmed (no success answer within Feishu's 3 s), and the bytes Redis appends to its AOF per press; also the
// CPU time and Redis commands per press, to see where the time goes. A warm process is measured: an ordinary item
// for up to 10 × CONCURRENCY units goes to their deputies first and they press 签收 (WARMUP=0 skips it).
// PROFILE_DIR=dir writes a CPU profile of each ducha process there (node --cpu-prof).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DELIVER, INBOUND } from '../src/redis/queues.ts';
import { FakeFeishu, type DeliveredMessage } from '../test/helpers/fake-feishu.ts';
import { cardAction, messageEvent, randomEventId, signedRequest, type Envelope } from '../test/helpers/feishu-webhook.ts';
import { writeCityDirectory } from '../test/helpers/city-directory.ts';
import { freePort } from '../test/helpers/service-process.ts';
import { startPrivateRedis, type PrivateRedis } from './private-redis.ts';
import { serverCore } from './server-core.ts';

const UNITS = (process.env.UNITS ?? '10,500').split(',').map((s) => positiveInt(s, 'UNITS'));
const CONCURRENCY = positiveInt(process.env.CONCURRENCY ?? '20', 'CONCURRENCY');
const PROFILE_DIR = process.env.PROFILE_DIR;
const WARMUP = process.env.WARMUP !== '0';
// ducha on a core of its own; this process (the client and the fake Feishu) and its Redis on the others.
const server = serverCore();

/** Feishu shows an error to a user whose press is not answered within 3 s. */
const ANSWER_LIMIT_MS = 3000;
/** Feishu's per-app send limit, which ducha keeps to: the fan-out cannot beat N/50 s. */
const SENDS_PER_SECOND = 50;
/** A press still unanswered after this is given up (it has long failed already): the run must end. */
const GIVE_UP_MS = 60_000;
const TOKEN = 'bench-verification-token';
const KEY = 'bench-encrypt-key';
const APP_SECRET = 'bench-app-secret';
const PREFIX = 'bench';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function positiveInt(s: string, name: string): number {
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${name}: "${s}" is not a positive whole number`);
    process.exit(2);
  }
  return n;
}

// ---- clean-up: everything started is stopped, in reverse order, on success, failure or Ctrl-C --------------------

const cleanups: (() => Promise<unknown> | unknown)[] = [];

async function cleanUp(): Promise<void> {
  for (let fn = cleanups.pop(); fn; fn = cleanups.pop()) {
    try {
      await fn();
    } catch (e) {
      console.error(`clean-up: ${(e as Error).message}`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

// ---- the city ---------------------------------------------------------------------------------------------------

interface City {
  file: string;
  units: string[];
  clerkOpenId: string;
  /** Each unit's head's and first deputy's open_id, by unit id. */
  heads: Map<string, string>;
  deputies: Map<string, string>;
}

/** A directory of one clerk and N units (u1…, named 第1局…), each with a head, a deputy and a contact on Feishu. */
function writeCity(n: number, dir: string): City {
  const c = writeCityDirectory(n, dir);
  const idOf = (person: string) => c.openIds.get(person)!;
  return {
    file: c.file,
    units: c.units,
    clerkOpenId: idOf('zhang'),
    heads: new Map(c.units.map((u, i) => [u, idOf(c.head(i + 1))])),
    deputies: new Map(c.units.map((u, i) => [u, idOf(`d${i + 1}`)])),
  };
}

// ---- ducha, as `npm start` runs it ------------------------------------------------------------------------------

interface Ducha {
  base: string;
  /** CPU time used so far (user + system), ms; NaN where /proc is not there. */
  cpuMs(): number;
  /** Its log lines at warn or above: how many, and the first few. */
  warnings: { count: number; first: string[] };
  stop(): Promise<void>;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

function processCpuMs(pid: number | undefined): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

async function startDucha(redisUrl: string, directoryFile: string, fake: FakeFeishu): Promise<Ducha> {
  const port = await freePort();
  // Nothing of the caller's own ducha, Feishu or WeCom settings leaks in: this run is configured here alone.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DUCHA_|FEISHU_|WECOM_)/.test(k)));
  const env = {
    ...inherited,
    PORT: String(port),
    REDIS_URL: redisUrl,
    DUCHA_PREFIX: PREFIX,
    DUCHA_ROLE: 'all',
    DIRECTORY_FILE: directoryFile,
    FEISHU_APP_ID: fake.appId,
    FEISHU_APP_SECRET: fake.appSecret,
    FEISHU_VERIFICATION_TOKEN: TOKEN,
    FEISHU_ENCRYPT_KEY: KEY,
    FEISHU_BASE_URL: fake.url,
    FEISHU_MODE: 'webhook',
    LOG_LEVEL: 'warn',
  };
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  const nodeArgs = [...profile, '--import', 'tsx', 'src/main.ts'];
  const [command, args] = server.command(nodeArgs);
  const child: ChildProcess = spawn(command, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  // Its output is read as it comes (a full pipe would stall it): the tail to show if it fails to start, and the
  // JSON log lines at warn (40) or above to count.
  const tail: string[] = [];
  const warnings = { count: 0, first: [] as string[] };
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      let entry: { level?: unknown; msg?: unknown; err?: unknown } | undefined;
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        entry = undefined;
      }
      if (entry === undefined || (typeof entry.level === 'number' && entry.level >= 40)) {
        warnings.count++;
        if (warnings.first.length < 2) {
          const err = entry?.err as { message?: string } | string | undefined;
          const why = typeof err === 'string' ? err : err?.message;
          warnings.first.push(entry ? `${String(entry.msg)}${why ? `: ${why}` : ''}` : line.slice(0, 200));
        }
      }
    }
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (exitCode !== undefined) return;
      // SIGTERM lets it drain and exit normally (and write its CPU profile); a stuck one is killed.
      child.kill('SIGTERM');
      if (!(await Promise.race([exited.then(() => true), delay(30_000, undefined, { ref: false }).then(() => false)]))) {
        child.kill('SIGKILL');
        await exited;
      }
    })());

  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`ducha exited (code ${exitCode}) before it was ready:\n${tail.join('\n')}`);
    }
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`ducha not ready within 30 s:\n${tail.join('\n')}`);
    }
    await delay(50);
  }
  return { base, cpuMs: () => processCpuMs(child.pid), warnings, stop };
}

// ---- webhooks in ---------------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  /** From just before the request is written until its whole answer has been read. */
  ms: number;
  body?: { toast?: { type?: string; content?: string } };
  error?: string;
}

/** Posts a webhook as Feishu sends it: encrypted, signed now (the signature's timestamp must be fresh). */
function postWebhook(agent: http.Agent, base: string, path: string, envelope: Envelope<object>): Promise<Answer> {
  const { headers, rawBody } = signedRequest(envelope, { encryptKey: KEY });
  return new Promise((resolve) => {
    const t0 = performance.now();
    const done = (a: Omit<Answer, 'ms'>) => resolve({ ...a, ms: performance.now() - t0 });
    const options = { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(rawBody) } };
    const req = http.request(`${base}${path}`, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          done({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Answer['body']) : undefined });
        } catch {
          done({ status: res.statusCode ?? 0, error: `answer is not JSON: ${text.slice(0, 80)}` });
        }
      });
      res.on('error', (e) => done({ status: 0, error: e.message }));
    });
    req.setTimeout(GIVE_UP_MS, () => req.destroy(new Error(`no answer in ${GIVE_UP_MS / 1000} s`)));
    req.on('error', (e) => done({ status: 0, error: e.message }));
    req.end(rawBody);
  });
}

// ---- waiting ---------------------------------------------------------------------------------------------------------

/** Polls `check` every `everyMs` until it gives a value, or fails after `timeoutMs` naming `what`. */
async function until<T>(what: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}`);
    await delay(everyMs);
  }
}

/** Reads how much work ducha's queues still hold (read-only: it adds nothing to the AOF). */
class QueueWatch {
  private readonly connection: Redis;
  private readonly queues: Queue[];
  constructor(url: string) {
    this.connection = new Redis(url, { maxRetriesPerRequest: null });
    this.queues = [INBOUND, DELIVER].map((name) => new Queue(name, { connection: this.connection, prefix: PREFIX }));
  }
  async pending(): Promise<number> {
    const counts = await Promise.all(
      this.queues.map((q) => q.getJobCountByTypes('active', 'wait', 'delayed', 'prioritized', 'waiting-children')),
    );
    return counts.reduce((a, b) => a + b, 0);
  }
  async failedDeliveries(): Promise<number> {
    return this.queues[1]!.getJobCountByTypes('failed');
  }
  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
    this.connection.disconnect();
  }
}

/** Until ducha is idle: nothing queued or running, and nothing new reached the fake for half a second. */
async function settle(queues: QueueWatch, fake: FakeFeishu, timeoutMs: number): Promise<void> {
  let activity = -1;
  let quietSince = Date.now();
  await until('the queues to drain', timeoutMs, async () => {
    const now = fake.messages.length + fake.patches.length;
    if (now !== activity) [activity, quietSince] = [now, Date.now()];
    return (await queues.pending()) === 0 && Date.now() - quietSince >= 500 ? true : undefined;
  }, 100);
}

// ---- one city --------------------------------------------------------------------------------------------------------

interface Row {
  units: number;
  fanOutS: number;
  boundS: number;
  /** The 发出 press's own answer. */
  issueMs: number;
  latencies: number[];
  notConfirmed: number;
  /** What the unconfirmed presses got, the commonest first. */
  failures: string[];
  pressWallS: number;
  aofPerPress: number;
  /** ducha's CPU time per press until everything a press caused was done (its card updates too). */
  duchaCpuMsPerPress: number;
  /** … of it, while the presses were being answered. */
  duchaCpuAnsweringMsPerPress: number;
  /** This process's own (the presses' client and the fake Open API), on the same cores, while answering. */
  benchCpuMsPerPress: number;
  /** Redis commands per press while answering, and the commonest of them. */
  redisCallsPerPress: number;
  topCalls: string[];
  redisCpuMsPerPress: number;
  /** AOF bytes a second written while nothing happens (BullMQ's upkeep), to read the per-press figure against. */
  idleAofPerS: number;
  failedDeliveries: number;
  warnings: Ducha['warnings'];
}

/** A card's buttons (card JSON 2.0: a `button` element anywhere, its payload in `behaviors[0].value`). */
function buttonsOf(card: unknown): { label: string; value: unknown }[] {
  const out: { label: string; value: unknown }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as { tag?: unknown; text?: { content?: unknown }; behaviors?: { value?: unknown }[] };
      if (o.tag === 'button') out.push({ label: String(o.text?.content ?? ''), value: o.behaviors?.[0]?.value });
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  return out;
}

/** How ducha is driven: webhooks to it, cards read back from the fake. */
interface Driver {
  fake: FakeFeishu;
  city: City;
  post(path: string, envelope: Envelope<object>): Promise<Answer>;
}

interface Issued {
  /** From the 发出 request until the last recipient had their notice card, s. */
  fanOutS: number;
  issueMs: number;
  /** Each recipient's notice card, by open_id. */
  notices: Map<string, DeliveredMessage>;
}

let itemCount = 0;

/**
 * The clerk drafts an item for `units` (key: for the heads; otherwise for the deputies) and issues it from its
 * preview card; returns once every recipient has their notice card (a 签收 button).
 */
async function issueItem(d: Driver, title: string, units: string[], key: boolean): Promise<Issued> {
  const { fake, city } = d;
  // ducha answers into the chat the command came from; a chat per item tells the previews apart.
  const chat = `oc_bench_clerk_${++itemCount}`;
  const command = messageEvent({
    token: TOKEN,
    openId: city.clerkOpenId,
    chatId: chat,
    chatType: 'p2p',
    text: `/新建 ${title} 单位=${units.join(',')} 期限=10工作日${key ? ' 类别=重大' : ''}`,
  });
  const taken = await d.post('/webhooks/feishu/events', command);
  if (taken.status !== 200) throw new Error(`the /新建 webhook was answered ${taken.status} ${taken.error ?? JSON.stringify(taken.body)}`);
  const preview = await until(`the preview card of ${title}`, 60_000, () =>
    fake.messages.find((m) => m.chatId === chat && buttonsOf(m.content).some((b) => b.label === '发出')),
  );
  const issueValue = buttonsOf(preview.content).find((b) => b.label === '发出')!.value;
  if (!issueValue || typeof issueValue !== 'object') throw new Error('the 发出 button carries no value');

  const recipients = new Set(units.map((u) => (key ? city.heads : city.deputies).get(u)!));
  const notices = new Map<string, DeliveredMessage>();
  let scanned = fake.messages.length;
  const start = performance.now();
  const issued = await d.post(
    '/webhooks/feishu/cards',
    cardAction({ token: TOKEN, openId: city.clerkOpenId, value: issueValue, messageId: preview.messageId, chatId: preview.chatId }),
  );
  if (issued.status !== 200 || issued.body?.toast?.type !== 'success') {
    throw new Error(`发出 was not confirmed: ${issued.status} ${issued.error ?? JSON.stringify(issued.body?.toast)}`);
  }
  await until(`every notice card of ${title}`, (units.length / SENDS_PER_SECOND) * 3000 + 60_000, () => {
    // Only what came since the last look: the list grows by N.
    for (; scanned < fake.messages.length; scanned++) {
      const m = fake.messages[scanned]!;
      const isNotice = m.msgType === 'interactive' && recipients.has(m.receiveId) && !notices.has(m.receiveId);
      if (isNotice && buttonsOf(m.content).some((b) => b.label === '签收')) notices.set(m.receiveId, m);
    }
    return notices.size === recipients.size ? true : undefined;
  });
  return { fanOutS: (performance.now() - start) / 1000, issueMs: issued.ms, notices };
}

/** Each recipient presses 签收 on their own card, CONCURRENCY at a time: a press starts as soon as one is answered. */
async function pressAll(d: Driver, notices: Map<string, DeliveredMessage>): Promise<Answer[]> {
  const presses = [...notices].map(([openId, card]) => {
    const value = buttonsOf(card.content).find((b) => b.label === '签收')!.value as object;
    return { openId, card, value };
  });
  const answers: Answer[] = [];
  let next = 0;
  const lane = async () => {
    while (next < presses.length) {
      const p = presses[next++]!;
      // Each press its own event, as Feishu sends it.
      const ev = cardAction({
        token: TOKEN,
        openId: p.openId,
        value: p.value,
        messageId: p.card.messageId,
        chatId: p.card.chatId,
        eventId: randomEventId(),
      });
      answers.push(await d.post('/webhooks/feishu/cards', ev));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, presses.length) }, lane));
  return answers;
}

async function runCity(n: number): Promise<Row> {
  const say = (s: string) => console.error(`[N=${n}] ${s}`);
  const tmp = mkdtempSync(join(os.tmpdir(), 'ducha-press-storm-'));
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
  const city = writeCity(n, tmp);
  const redis: PrivateRedis = await startPrivateRedis(await freePort());
  cleanups.push(() => redis.stop());
  const fake = await FakeFeishu.start({ appSecret: APP_SECRET });
  cleanups.push(() => fake.close());
  const t0 = performance.now();
  const ducha = await startDucha(redis.url, city.file, fake);
  cleanups.push(() => ducha.stop());
  say(`ducha ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const queues = new QueueWatch(redis.url);
  cleanups.push(() => queues.close());
  // Keep-alive, one socket per press in flight, as Feishu's gateway would hold its connections open.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  cleanups.push(() => agent.destroy());
  const d: Driver = { fake, city, post: (path, envelope) => postWebhook(agent, ducha.base, path, envelope) };

  if (WARMUP) {
    // The same path once through, on another item and other people, so that what is measured is a warm process
    // (a cold one's first presses wait on compilation, and at 20 in flight they alone would set the p99).
    const units = city.units.slice(0, Math.min(n, 10 * CONCURRENCY));
    const warm = await issueItem(d, '预热事项', units, false);
    await pressAll(d, warm.notices);
    await settle(queues, fake, 120_000);
    say(`warmed up: ${units.length} deputies pressed 签收 on another item`);
  }

  const { fanOutS, issueMs, notices } = await issueItem(d, '全市安全生产大检查', city.units, true);
  const boundS = n / SENDS_PER_SECOND;
  say(`fan-out ${fanOutS.toFixed(2)} s (发出 answered in ${issueMs.toFixed(0)} ms)`);

  await settle(queues, fake, 120_000);
  // The fan-out's per-recipient rate counters live 2 s; their expiry is written to the AOF too, and is not a press's.
  await delay(2500);
  const idleFrom = await redis.aofBytes();
  await delay(2000);
  const aofBefore = await redis.aofBytes();
  const idleAofPerS = (aofBefore - idleFrom) / 2;
  const [duchaCpuBefore, redisCpuBefore] = [ducha.cpuMs(), await redis.cpuMs()];
  const benchCpuBefore = process.cpuUsage();
  const callsBefore = await redis.commandCalls();

  const pressStart = performance.now();
  const answers = await pressAll(d, notices);
  const pressWallS = (performance.now() - pressStart) / 1000;
  const duchaCpuAnswering = ducha.cpuMs() - duchaCpuBefore;
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const callsAfter = await redis.commandCalls();
  // What ducha asked of Redis while answering (a retried read-modify-write shows here as more calls per press).
  const calls = [...callsAfter]
    .map(([name, count]): [string, number] => [name, count - (callsBefore.get(name) ?? 0) - (name === 'info' ? 1 : 0)])
    .filter(([, count]) => count > 0)
    .sort((x, y) => y[1] - x[1]);
  say(`${n} presses answered in ${pressWallS.toFixed(2)} s; waiting for the card updates to go out`);

  await settle(queues, fake, 300_000);
  const aofAfter = await redis.aofBytes();
  const [duchaCpuAfter, redisCpuAfter] = [ducha.cpuMs(), await redis.cpuMs()];

  // An answer that came after 3 s is not confirmed (Feishu has shown the user an error), but its time is kept:
  // waiting for it, rather than cutting it off, shows how late the service really is.
  const unconfirmed = answers.filter((a) => !(a.status === 200 && a.body?.toast?.type === 'success' && a.ms <= ANSWER_LIMIT_MS));
  const failures = new Map<string, { count: number; maxMs: number }>();
  for (const a of unconfirmed) {
    const what = a.error ?? (a.status !== 200 ? `HTTP ${a.status}` : `${a.body?.toast?.type ?? 'no toast'}「${a.body?.toast?.content ?? ''}」`);
    const why = a.status === 200 && a.body?.toast?.type === 'success' ? `answered after ${ANSWER_LIMIT_MS / 1000} s: ${what}` : what;
    const f = failures.get(why) ?? { count: 0, maxMs: 0 };
    failures.set(why, { count: f.count + 1, maxMs: Math.max(f.maxMs, a.ms) });
  }
  const row: Row = {
    units: n,
    fanOutS,
    boundS,
    issueMs,
    latencies: answers.map((a) => a.ms),
    notConfirmed: unconfirmed.length,
    failures: [...failures]
      .sort((x, y) => y[1].count - x[1].count)
      .slice(0, 3)
      .map(([why, f]) => `${f.count}× ${why} (slowest ${(f.maxMs / 1000).toFixed(1)} s)`),
    pressWallS,
    aofPerPress: (aofAfter - aofBefore) / n,
    duchaCpuMsPerPress: (duchaCpuAfter - duchaCpuBefore) / n,
    duchaCpuAnsweringMsPerPress: duchaCpuAnswering / n,
    benchCpuMsPerPress: (benchCpu.user + benchCpu.system) / 1000 / n,
    redisCallsPerPress: calls.reduce((sum, [, count]) => sum + count, 0) / n,
    topCalls: calls.slice(0, 4).map(([name, count]) => `${name} ${(count / n).toFixed(1)}`),
    redisCpuMsPerPress: (redisCpuAfter - redisCpuBefore) / n,
    idleAofPerS,
    failedDeliveries: await queues.failedDeliveries(),
    warnings: { count: ducha.warnings.count, first: [...ducha.warnings.first] },
  };
  await cleanUp();
  return row;
}

// ---- the report --------------------------------------------------------------------------------------------------------

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function report(rows: Row[]): void {
  const rev = spawnSync('git', ['describe', '--always', '--dirty'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || 'unknown';
  console.log(`\npress storm: ${server.cores} cores (ducha on ${server.core === 'none' ? 'any' : `core ${server.core}`}), code at ${rev}, concurrency ${CONCURRENCY}, press answer limit ${ANSWER_LIMIT_MS / 1000} s, warm-up ${WARMUP ? 'on' : 'off'}\n`);
  console.log('| units | conc. | fan-out s (bound, ratio) | press→answer p50 / p95 / p99 / max ms | not confirmed | AOF bytes/press | CPU ms/press: ducha answering / all, Redis | presses/s |');
  console.log('|---:|---:|---|---|---|---:|---|---:|');
  for (const r of rows) {
    const s = [...r.latencies].sort((a, b) => a - b);
    const ms = [50, 95, 99, 100].map((p) => percentile(s, p).toFixed(0)).join(' / ');
    console.log(
      `| ${r.units} | ${CONCURRENCY} | ${r.fanOutS.toFixed(2)} (${r.boundS.toFixed(2)}, ${(r.fanOutS / r.boundS).toFixed(2)}×) | ${ms} | ${r.notConfirmed} of ${r.units} | ${r.aofPerPress.toFixed(0)} | ${r.duchaCpuAnsweringMsPerPress.toFixed(1)} / ${r.duchaCpuMsPerPress.toFixed(1)}, ${r.redisCpuMsPerPress.toFixed(2)} | ${(r.units / r.pressWallS).toFixed(0)} |`,
    );
  }
  console.log('');
  for (const r of rows) {
    const notes = [
      `发出 answered in ${r.issueMs.toFixed(0)} ms`,
      `AOF growth while idle ${r.idleAofPerS.toFixed(0)} B/s`,
      `Redis commands while answering ${r.redisCallsPerPress.toFixed(1)}/press (${r.topCalls.join(', ')})`,
      `this process (client, fake Feishu) used ${r.benchCpuMsPerPress.toFixed(1)} ms CPU/press`,
    ];
    if (r.failedDeliveries) notes.push(`${r.failedDeliveries} deliveries failed for good`);
    if (r.warnings.count) notes.push(`ducha logged ${r.warnings.count} warnings/errors, first: ${r.warnings.first.join(' | ')}`);
    if (r.failures.length) notes.push(`not confirmed: ${r.failures.join(' | ')}`);
    console.log(`- N=${r.units}: ${notes.join('; ')}`);
  }
  if (rows.length > 1) {
    const bySize = [...rows].sort((a, b) => a.units - b.units);
    const [small, large] = [bySize[0]!, bySize[bySize.length - 1]!];
    console.log(
      `\nAOF bytes per press at ${large.units} units / at ${small.units} units: ${(large.aofPerPress / small.aofPerPress).toFixed(2)}× ` +
        `(${large.aofPerPress.toFixed(0)} / ${small.aofPerPress.toFixed(0)} B)`,
    );
  }
}

const rows: Row[] = [];
try {
  for (const n of UNITS) rows.push(await runCity(n));
} catch (e) {
  console.error(`press storm could not be run: ${(e as Error).message}`);
  await cleanUp();
  if (rows.length) report(rows);
  process.exit(1);
}
report(rows);
