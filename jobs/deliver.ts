// The delivery worker: hands each message to the platform of the person it is for, once, and remembers
// where each card landed so it can be redrawn when its item changes.
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Person, Platform } from '../src/directory/directory.ts';
import { platformOf, type Adapters } from '../src/platforms/routing.ts';
import type { FileTarget, PlatformAdapter, SentRef } from '../src/delivery/adapter.ts';
import type { Delivery } from '../src/delivery/delivery.ts';
import { FileTooLarge, PermanentFailure, RateLimited } from '../src/delivery/errors.ts';
import { text, type Message } from '../src/chat/message.ts';
import { FILE_MISSING } from '../src/chat/attachment-texts.ts';
import { renderByKey } from '../src/dispatch/dispatch.ts';
import { isScheduledKey, renderScheduled } from '../src/schedule/views.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import type { DeliveryOutcome } from '../src/infra/metrics.ts';
import { crashTolerance, DELIVER } from '../src/redis/queues.ts';

/** `handedTo` hears each platform the delivery goes to (what /metrics counts it under). */
export async function processDelivery(
  rt: Runtime,
  adapters: Adapters,
  job: Job<Delivery & { opId?: string }>,
  handedTo: (p: Platform) => void = () => {},
): Promise<unknown> {
  const d = job.data;
  const dir = rt.directory();
  const dedupKey = job.id ?? `${job.name}-${job.timestamp}`;
  const adapterFor = (p: Platform): PlatformAdapter => {
    handedTo(p);
    const a = adapters.get(p);
    if (!a) throw new PermanentFailure(`平台 ${p} 未启用，消息无法送达`);
    return a;
  };
  const messageOf = async (viewer: string | undefined): Promise<Message | undefined> => {
    if (d.kind === 'refresh' || d.kind === 'update' || d.kind === 'file') return undefined;
    if (d.message) return d.message;
    if (d.kind === 'send' && d.readOf && d.cardKey && viewer) {
      const card = await renderScheduled(rt, d.cardKey, viewer, await readStatus(rt, adapters, d.readOf, viewer));
      return card && { kind: 'card', card };
    }
    if (!d.cardKey || !viewer) throw new PermanentFailure('delivery has neither message nor card');
    const card = await renderByKey(rt, d.cardKey, viewer);
    return card && { kind: 'card', card };
  };
  switch (d.kind) {
    case 'send': {
      const person = dir.person(d.person);
      if (!person) throw new PermanentFailure(`通讯录中没有 ${d.person}`);
      const message = await messageOf(person.id);
      if (!message) return { skipped: 'card gone' };
      const ref = await adapterFor(platformOf(person, adapters)).send(person, message, { dedupKey, urgent: d.urgent });
      // A reminder is redrawn when pressed, never refreshed: where it landed need not be kept.
      if (d.cardKey && !isScheduledKey(d.cardKey)) await rt.store.recordCardRef(d.cardKey, person.id, ref);
      if (d.about) await rt.store.attachments.recordAbout(ref.platform, ref.messageId, d.about);
      return ref;
    }
    case 'reply': {
      const message = await messageOf(d.viewer);
      if (!message) return { skipped: 'card gone' };
      const ref = await adapterFor(d.to.platform).reply(d.to, message, { dedupKey });
      if (d.cardKey && d.viewer) await rt.store.recordCardRef(d.cardKey, d.viewer, ref);
      if (d.about) await rt.store.attachments.recordAbout(ref.platform, ref.messageId, d.about);
      return ref;
    }
    case 'file': {
      let target: FileTarget;
      let adapter: PlatformAdapter;
      if (d.to) {
        target = { chat: d.to };
        adapter = adapterFor(d.to.platform);
      } else {
        const person = d.person === undefined ? undefined : dir.person(d.person);
        if (!person) throw new PermanentFailure(`通讯录中没有 ${d.person ?? '收件人'}`);
        target = { person };
        adapter = adapterFor(platformOf(person, adapters));
      }
      // What cannot be sent is said instead, where the file would have gone: never silence, never a broken file.
      const instead = (why: string) =>
        'chat' in target ? adapter.reply(target.chat, text(why), { dedupKey: `${dedupKey}.note` }) : adapter.send(target.person, text(why), { dedupKey: `${dedupKey}.note` });
      const { file } = d;
      if ((await rt.files.sizeOf(file.sha256)) === undefined) {
        rt.log.error({ file: file.sha256 }, '附件文件在文件库中找不到');
        return instead(FILE_MISSING(file.name));
      }
      try {
        return await adapter.sendFile(target, { ...file, read: () => rt.files.read(file.sha256) }, { dedupKey });
      } catch (e) {
        if (!(e instanceof FileTooLarge)) throw e;
        return instead(e.message);
      }
    }
    case 'update': {
      const person = dir.person(d.viewer);
      const card = person && (await renderByKey(rt, d.cardKey, d.viewer));
      if (!person || !card) return { skipped: 'card gone' };
      await adapterFor(d.ref.platform).update(d.ref, card, person);
      return { updated: 1 };
    }
    case 'refresh': {
      const refs = await rt.store.cardRefs<SentRef>(d.cardKey);
      let n = 0;
      let retry: unknown;
      for (const [viewer, copies] of refs) {
        const person: Person | undefined = dir.person(viewer);
        const card = person && (await renderByKey(rt, d.cardKey, viewer));
        if (!person || !card) continue;
        // Every live copy; one that can no longer be redrawn (too old, deleted) does not hold up the others.
        for (const ref of copies) {
          try {
            await adapterFor(ref.platform).update(ref, card, person);
            n++;
          } catch (e) {
            if (e instanceof PermanentFailure) rt.log.info({ card: d.cardKey, message: ref.messageId, err: e.message }, '卡片的一份副本未能更新');
            else retry ??= e;
          }
        }
      }
      // Redrawing is idempotent: a retry redraws every copy again.
      if (retry) throw retry;
      return { updated: n };
    }
  }
}

function isSkipped(res: unknown): boolean {
  return typeof res === 'object' && res !== null && 'skipped' in res;
}

/** Whether a person has opened a card sent earlier (any copy of it), where their platform can tell; never a guess. */
async function readStatus(rt: Runtime, adapters: Adapters, cardKey: string, person: string): Promise<'read' | 'unread' | undefined> {
  const copies = (await rt.store.cardRefs<SentRef>(cardKey)).get(person) ?? [];
  const p = rt.directory().person(person);
  let answer: 'read' | 'unread' | undefined;
  for (const ref of copies) {
    const adapter = adapters.get(ref.platform);
    if (!p || !adapter?.readStatus) continue;
    const s = await adapter.readStatus(ref, p).catch(() => undefined);
    if (s === 'read') return 'read';
    answer ??= s;
  }
  return answer;
}

export function startDeliveryWorker(rt: Runtime, adapters: Adapters, concurrency = 8): Worker {
  const worker: Worker = new Worker(
    DELIVER,
    async (job: Job, token?: string) => {
      const log = rt.log.child({ job: job.id, kind: job.name, op: job.data?.opId });
      // A redraw of copies on several platforms is counted under the first.
      let platform: string | undefined;
      const count = (outcome: DeliveryOutcome) => rt.metrics.delivery(platform ?? 'none', outcome);
      try {
        const res = await processDelivery(rt, adapters, job, (p) => (platform ??= p));
        count(isSkipped(res) ? 'skipped' : 'sent');
        log.info({ attempt: job.attemptsMade + 1 }, '已送达');
        return res;
      } catch (e) {
        count(e instanceof RateLimited ? 'rate_limited' : e instanceof PermanentFailure || job.attemptsMade + 1 >= (job.opts.attempts ?? 1) ? 'failed' : 'retried');
        if (e instanceof RateLimited) {
          if (e.scope === 'recipient') {
            // Only this recipient is over their limit: this message waits, the others go on.
            log.info({ retryAfterMs: e.retryAfterMs }, '接收人消息频率受限，消息稍后发送');
            await job.moveToDelayed(Date.now() + e.retryAfterMs, token);
            throw new DelayedError();
          }
          log.warn({ retryAfterMs: e.retryAfterMs }, '平台限流，放慢发送队列');
          await worker.rateLimit(e.retryAfterMs);
          throw Worker.RateLimitError();
        }
        if (e instanceof PermanentFailure) {
          log.error({ err: e.message }, '消息发送失败，不再重试');
          throw new UnrecoverableError(e.message);
        }
        log.warn({ err: (e as Error).message, attempt: job.attemptsMade + 1 }, '消息发送失败，将重试');
        throw e;
      }
    },
    {
      connection: rt.workerConnection(),
      prefix: rt.config.prefix,
      concurrency,
      ...crashTolerance(DELIVER),
      // Feishu allows 50 messages a second per app; this holds across every worker process.
      limiter: { max: 50, duration: 1000 },
    },
  );
  worker.on('failed', async (job, err) => {
    // Reported once the job is given up for good (its last attempt, a permanent failure, or one crash too
    // many), not on each retry.
    if (!job || (await job.getState().catch(() => 'unknown')) !== 'failed') return;
    await reportUndelivered(rt, job as Job<Delivery & { opId?: string; undeliverable?: boolean }>, err.message).catch((e: unknown) =>
      rt.log.error({ err: e, job: job.id }, '未能把送达失败告知督查室'),
    );
  });
  return worker;
}

/** Tells the office, in chat, that a message could not be delivered to whom (but never about such a notice). */
export async function reportUndelivered(rt: Runtime, job: Job<Delivery & { opId?: string; undeliverable?: boolean }>, reason: string): Promise<void> {
  const d = job.data;
  if (d.undeliverable || d.kind === 'refresh' || d.kind === 'update') return;
  const dir = rt.directory();
  const whom = d.kind === 'send' || (d.kind === 'file' && d.person) ? dir.personName(d.person!) : '会话';
  const what =
    d.kind === 'file'
      ? `文件「${d.file.name}」`
      : d.message?.kind === 'text'
        ? `「${d.message.text.slice(0, 40)}${d.message.text.length > 40 ? '…' : ''}」`
        : d.cardKey
          ? '一张卡片'
          : '一条消息';
  const text = `【送达失败】发给${whom}的${what}未能送达。原因：${reason}。请核实其账号或电话联系。`;
  rt.log.error({ job: job.id, whom, reason }, '消息无法送达，已告知督查室');
  await rt.queues.deliver.addBulk(
    dir.office.map((p) => ({
      name: 'send',
      data: { kind: 'send', person: p, message: { kind: 'text', text }, undeliverable: true },
      opts: { jobId: `u-${String(job.id)}-${p}`.replace(/:/g, '_'), attempts: 3 },
    })),
  );
}
