// Runs the real service (store, queues, workers) on real Redis under a fresh key prefix, with recording adapters.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createApp, type App } from '../../src/app.ts';
import { ManualClock } from '../../src/infra/clock.ts';
import { loadConfig } from '../../src/infra/config.ts';
import type { Card, Message } from '../../src/chat/message.ts';
import type { ActionInput, CommandEvent } from '../../src/chat/event.ts';
import { runAction, runCommand, runFile, type ActionAnswer } from '../../src/dispatch/dispatch.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { RecordingAdapter, type Sent } from './recording-adapter.ts';
import { until } from './until.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const FIXTURE_DIRECTORY = 'test/fixtures/directory.yaml';

export interface Harness {
  app: App;
  rt: Runtime;
  /** A connection of the test's own to the service's Redis, to look at records as stored or change them by hand. */
  redis: Redis;
  prefix: string;
  /** The test's own attachments directory (DUCHA_FILES_DIR), removed by close(). */
  filesDir: string;
  clock: ManualClock;
  feishu: RecordingAdapter;
  wecom: RecordingAdapter;
  /** The neutral event of a command typed by a person in their direct chat with the bot. */
  commandEvent(person: string, text: string, eventId?: string): CommandEvent;
  /** A command typed by a person in a direct chat with the bot, run through the neutral entry point. */
  command(person: string, text: string, eventId?: string): Promise<void>;
  /**
   * A person sends the bot a file in their direct chat (its bytes offered by their platform's recording adapter),
   * run through the neutral entry point; `inReplyTo`: the bot's message it answers.
   */
  sendFile(person: string, file: { bytes: Buffer; name?: string; image?: boolean; inReplyTo?: string; eventId?: string }): Promise<void>;
  /**
   * A press of a button (by its label, on the given card; `reason`: what was typed in its text box), or of a raw
   * token (`input`: what was typed with it). Without a reason the press is as from a platform that carries no text.
   */
  press(person: string, target: { card: Card; label: string; reason?: string } | string, eventId?: string, input?: ActionInput): Promise<ActionAnswer>;
  /** Everything that reached a person (directly or as replies in their direct chat), in order. */
  received(person: string): Sent[];
  lastCard(person: string, withButton?: string): Card;
  lastText(person: string): string;
  /** Waits (bounded) until every queued delivery has been handled. */
  settle(): Promise<void>;
  /**
   * Every message and redrawn card that showed a person an item's internal id (`d7`) instead of its number: what people
   * read names items by 督字〔2026〕7号, 7号 or 草稿7 only. Button tokens (signed payloads) are not read by people.
   */
  shownInternalIds(): string[];
  /** Polls (bounded) until the condition holds, settling the queues between looks. */
  until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

/** An item's internal id as it would show in a text: `d7`, not inside a word, a number or a hash (`10d`, `draft7`, `d1e9…`). */
const INTERNAL_ID = /(?<![A-Za-z0-9])d\d+(?![A-Za-z0-9])/;

export interface HarnessOptions {
  now?: string;
  env?: Record<string, string>;
  /** `recording` (default): recording adapters for both platforms; `configured`: the real adapters the env turns on. */
  platforms?: 'recording' | 'configured';
  directory?: string;
  platformTimeoutMs?: number;
  /** Runs before the service starts, on the test's prefix: records an earlier version left, say. */
  before?: (redis: Redis, prefix: string) => Promise<void>;
  /** Let the service look at the clock for reminders and chases (off unless a test is about them). */
  scheduler?: boolean;
  /** Where the service logs (default: nowhere). */
  log?: import('../../src/infra/logger.ts').Logger;
}

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const prefix = `t${process.pid}-${++counter}-${randomBytes(3).toString('hex')}`;
  const filesDir = mkdtempSync(join(tmpdir(), 'ducha-files-'));
  const config = loadConfig({
    DUCHA_FILES_DIR: filesDir,
    REDIS_URL,
    DUCHA_PREFIX: prefix,
    DIRECTORY_FILE: opts.directory ?? FIXTURE_DIRECTORY,
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  if (opts.before) {
    const r = new Redis(REDIS_URL);
    try {
      await opts.before(r, prefix);
    } finally {
      r.disconnect();
    }
  }
  const clock = new ManualClock(Date.parse(opts.now ?? '2026-09-28T09:00:00+08:00'));
  const feishu = new RecordingAdapter('feishu');
  const wecom = new RecordingAdapter('wecom');
  const built = await createApp({
    config,
    log: opts.log ?? silentLogger,
    clock,
    adapters:
      opts.platforms === 'configured'
        ? undefined
        : new Map([
            ['feishu', feishu],
            ['wecom', wecom],
          ]),
    retryDelayMs: 20,
    platformTimeoutMs: opts.platformTimeoutMs,
    scheduler: opts.scheduler ?? false,
  });
  // A test that stops only the app (to restart one) leaves no attachments directory behind either.
  const app: App = {
    ...built,
    async stop() {
      try {
        await built.stop();
      } finally {
        rmSync(filesDir, { recursive: true, force: true });
      }
    },
  };
  const rt = app.rt;
  const redis = new Redis(REDIS_URL);
  const all = () => [...feishu.sent, ...wecom.sent];
  let eventSeq = 0;

  const senderOf = (person: string) => {
    const p = rt.directory().person(person);
    if (!p) throw new Error(`no person ${person} in the test directory`);
    const id = p.prefer === 'feishu' ? (p.feishu?.open_id ?? p.feishu?.user_id) : p.wecom?.userid;
    return { platform: p.prefer, ids: [id!] };
  };

  const h: Harness = {
    app,
    rt,
    redis,
    prefix,
    filesDir,
    clock,
    feishu,
    wecom,
    commandEvent(person, text, eventId) {
      const sender = senderOf(person);
      return {
        kind: 'command',
        id: eventId ?? `ev-${++eventSeq}`,
        sender,
        text,
        replyTo: { platform: sender.platform, chatId: `p2p-${person}`, direct: true },
      };
    },
    async command(person, text, eventId) {
      await runCommand(rt, h.commandEvent(person, text, eventId));
      await h.settle();
    },
    async sendFile(person, file) {
      const sender = senderOf(person);
      const adapter = sender.platform === 'feishu' ? feishu : wecom;
      const id = file.eventId ?? `file-${++eventSeq}`;
      adapter.offer(id, file.bytes);
      await runFile(
        rt,
        {
          kind: 'file',
          id,
          sender,
          handle: { platform: sender.platform, key: id, image: file.image ?? false },
          ...(file.name ? { name: file.name } : {}),
          replyTo: { platform: sender.platform, chatId: `p2p-${person}`, direct: true },
          ...(file.inReplyTo ? { inReplyTo: file.inReplyTo } : {}),
        },
        (handle) => adapter.fetchFile(handle),
      );
      await h.settle();
    },
    async press(person, target, eventId, input) {
      let token: string;
      if (typeof target === 'string') token = target;
      else {
        const b = target.card.buttons.find((x) => x.text === target.label);
        if (!b) throw new Error(`no button ${target.label} on card ${target.card.title}`);
        token = b.token;
        if (target.reason !== undefined) input = { reason: target.reason };
      }
      const answer = await runAction(rt, { kind: 'action', id: eventId ?? `press-${++eventSeq}`, sender: senderOf(person), token, ...(input ? { input } : {}) });
      await h.settle();
      return answer;
    },
    received(person) {
      return all().filter((s) => s.person === person || s.to?.chatId === `p2p-${person}`);
    },
    lastCard(person, withButton) {
      const cards = h
        .received(person)
        .map((s) => s.message)
        .filter((m): m is Extract<Message, { kind: 'card' }> => m.kind === 'card')
        .map((m) => m.card)
        .filter((c) => !withButton || c.buttons.some((b) => b.text === withButton));
      const c = cards[cards.length - 1];
      if (!c) throw new Error(`${person} has received no card${withButton ? ` with ${withButton}` : ''}`);
      return c;
    },
    lastText(person) {
      const texts = h
        .received(person)
        .map((s) => s.message)
        .filter((m): m is Extract<Message, { kind: 'text' }> => m.kind === 'text');
      const t = texts[texts.length - 1];
      if (!t) throw new Error(`${person} has received no text`);
      return t.text;
    },
    shownInternalIds() {
      const shown = [...all().map((x) => x.message), ...[...feishu.updates, ...wecom.updates].map((u) => ({ kind: 'card' as const, card: u.card }))];
      return shown.flatMap((m) => {
        const text = m.kind === 'text' ? m.text : JSON.stringify({ ...m.card, buttons: m.card.buttons.map((b) => b.text) });
        return INTERNAL_ID.test(text) ? [text] : [];
      });
    },
    async settle() {
      let counts: Record<string, number>[] = [];
      await until('the queues to drain', async () => {
        counts = await Promise.all(
          [rt.queues.deliver, rt.queues.inbound, rt.queues.schedule, rt.queues.render].map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')),
        );
        return counts.every((c) => Object.values(c).every((n) => n === 0));
      }, 10_000, 10).catch((e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(counts)}`);
      });
    },
    async until(what, cond, timeoutMs = 10_000) {
      await until(what, async () => {
        await h.settle();
        return cond();
      }, timeoutMs, 10);
    },
    async close() {
      await app.stop();
      redis.disconnect();
      await deleteKeys(prefix);
    },
  };
  return h;
}

/** Removes every key under a prefix (each test cleans up after itself). */
export async function deleteKeys(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/**
 * Every record the service keeps under a prefix (items, assignments, indexes, audit streams, outbox, outcomes,
 * card references), as stored: what a refused operation must leave exactly as it was. The queues' own keys are
 * left out (a refusal's reply is queued).
 */
export async function recordsOf(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let cursor = '0';
  const found: string[] = [];
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys.filter((k) => !k.startsWith(`${prefix}:deliver:`) && !k.startsWith(`${prefix}:inbound:`)));
  }
  while (cursor !== '0');
  for (const key of found.sort()) {
    const type = await redis.type(key);
    if (type === 'hash') out[key] = await redis.hgetall(key);
    else if (type === 'zset') out[key] = await redis.zrange(key, '0', '-1', 'WITHSCORES');
    else if (type === 'set') out[key] = (await redis.smembers(key)).sort();
    else if (type === 'string') out[key] = await redis.get(key);
    else if (type === 'stream') out[key] = await redis.xrange(key, '-', '+');
    else out[key] = type;
  }
  return out;
}
