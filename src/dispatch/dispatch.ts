// Routes neutral events to handlers: who is asking, what they asked, then the handler; refusals become replies.
// Commands from webhooks are taken in (deduplicated, queued) and run by the inbound worker; presses run at once.
import { ACTION_HANDLERS, COMMAND_HANDLERS, FILE_HANDLER } from '../../handlers/index.ts';
import { parseCardKey } from '../chat/card-key.ts';
import { renderCard } from '../chat/cards.ts';
import type { ActionEvent, CommandEvent, FileEvent, FileHandle, ReplyTarget } from '../chat/event.ts';
import type { Card, Message } from '../chat/message.ts';
import { parseCommand, usageLine } from '../chat/parse-command.ts';
import { BUSY, INTERNAL_ERROR, NOT_IN_DIRECTORY } from '../chat/texts.ts';
import type { Directory, Person } from '../directory/directory.ts';
import { enqueueDeliveries, type Delivery } from '../delivery/delivery.ts';
import { isRefusal, Refusal, type RefusalCode } from '../domain/refusal.ts';
import { ASK_TTL_MS, NeedsReason } from './reason-ask.ts';
import type { ActionContext, CommandContext, FileContext, ReceivedFile } from './handler.ts';
import type { FetchedFile } from '../delivery/adapter.ts';
import { PermanentFailure } from '../delivery/errors.ts';
import { FILE_NOT_FOR_YOU, fileNotFetched, fileTooBig } from '../chat/attachment-texts.ts';
import { FileTooBig } from '../files/file-store.ts';
import { cleanName, fileType, unnamedFile } from '../files/file-type.ts';
import { MAX_FILE_BYTES } from '../files/limits.ts';
import { RedisHealth } from '../redis/health.ts';
import type { Runtime } from '../infra/runtime.ts';
import type { Outcome } from '../store/apply-op.ts';
import type { Actor, ItemHeader } from '../domain/types.ts';
import { isScheduledKey, renderScheduled } from '../schedule/views.ts';
import { showsEveryUnit } from '../chat/joint-cards.ts';

export interface ActionAnswer {
  toast: { type: 'success' | 'info' | 'error' | 'warning'; text: string };
  /** The card as it now stands, for the platform to show in place of the pressed one. */
  card?: Card;
}

/** Dedup keys outlive every platform's retries (Feishu: ~7 h; WeCom: minutes). */
export const SEEN_TTL_MS = 48 * 3600_000;

/**
 * Takes a command in from a webhook: queued once per platform event, however often it is delivered.
 * The dedup key is set by the same atomic add (one Redis round trip on the webhook's hot path).
 * RedisUnavailable (answered 503) at once while Redis is away, or when it does not answer in time: nothing is
 * acknowledged that was not recorded, and the platform's retry of an add that landed late adds nothing.
 */
export async function intakeCommand(rt: Runtime, event: CommandEvent): Promise<void> {
  await rt.health.bounded('intake', () =>
    rt.queues.inbound.add('command', event, {
      deduplication: { id: `${event.sender.platform}:${event.id}`, ttl: SEEN_TTL_MS },
    }),
  );
}

/**
 * Takes in a file a person sent, from a webhook: queued once per platform event, like a command; the inbound worker
 * fetches its bytes at once (a WeCom media id lives three days).
 */
export async function intakeFile(rt: Runtime, event: FileEvent): Promise<void> {
  await rt.health.bounded('intake', () =>
    rt.queues.inbound.add('file', event, {
      deduplication: { id: `${event.sender.platform}:${event.id}`, ttl: SEEN_TTL_MS },
    }),
  );
}

/** What every handler is given: the runtime, the directory, who is acting and the operation's id. */
function baseContext(rt: Runtime, dir: Directory, who: { person: Person; actor: Actor }, opId: string) {
  return { rt, dir, person: who.person, actor: who.actor, op: { id: opId, actor: who.actor } };
}

/** A reply into the chat an event came from. */
function replyIn(to: ReplyTarget): (m: Message | string) => Delivery {
  return (m) => ({ kind: 'reply', to, message: typeof m === 'string' ? { kind: 'text', text: m } : m });
}

/** Who wrote; someone not in the directory is logged with their ids, so the admin can add them. */
function identifyOrLog(rt: Runtime, event: CommandEvent | FileEvent): { person: Person; actor: Actor } | undefined {
  const who = identify(rt, event.sender);
  if (!who) rt.log.warn({ event: event.id, platform: event.sender.platform, ids: event.sender.ids }, '发送者不在组织名录中');
  return who;
}

function identify(rt: Runtime, sender: CommandEvent['sender']): { person: Person; actor: Actor } | undefined {
  const person = rt.directory().findByChatId(sender.platform, ...sender.ids);
  if (!person) return undefined;
  return { person, actor: { person: person.id, platform: sender.platform, platformId: sender.ids[0] } };
}

/**
 * Runs one command and queues its replies and messages. Safe to run again for the same event. What a change
 * decided to send went with the change (the outbox); what is queued here are answers that changed nothing.
 */
export async function runCommand(rt: Runtime, event: CommandEvent): Promise<Delivery[]> {
  const opId = `cmd:${event.sender.platform}:${event.id}`;
  const reply = replyIn(event.replyTo);
  let deliveries: Delivery[];
  const who = identifyOrLog(rt, event);
  if (!who) {
    deliveries = [reply(NOT_IN_DIRECTORY)];
  } else {
    const parsed = parseCommand(event.text);
    if (!parsed.ok) {
      const hint =
        parsed.kind === 'not_command'
          ? '您好，我是督查助手。发送 /帮助 可查看全部命令。'
          : [clipRefusal(parsed.message), parsed.usage].filter(Boolean).join('\n');
      deliveries = [reply(hint)];
    } else {
      const handler = COMMAND_HANDLERS.get(parsed.command);
      if (!handler) throw new Error(`no handler for ${parsed.command}`);
      const dir = rt.directory();
      const ctx: CommandContext = {
        ...baseContext(rt, dir, who, opId),
        event,
        cmd: parsed,
        reply,
      };
      try {
        deliveries = await handler.run(ctx);
      } catch (e) {
        if (!isRefusal(e)) throw e;
        // The mistake on one line, how to write the command on the next; /帮助 <命令> gives the whole usage.
        const usage = e.code === 'bad_syntax' ? `\n${usageLine(parsed.command)}` : '';
        deliveries = [reply(`${clipRefusal(e.message)}${usage}`)];
      }
    }
  }
  // Their own job ids: a refusal whose retry succeeds (the state moved meanwhile) must not take a committed
  // delivery's id.
  await enqueueDeliveries(rt.queues.deliver, `${opId}/answer`, deliveries);
  return deliveries;
}

/**
 * Handles a file a person sent: only a unit's contact's files are kept (nobody else's is even fetched); its bytes are
 * fetched from the platform and stored under their sha256, then the file handler decides which report it goes with.
 * Safe to run again for the same event.
 */
export async function runFile(rt: Runtime, event: FileEvent, fetchFile: (h: FileHandle) => Promise<FetchedFile>): Promise<Delivery[]> {
  const opId = `file:${event.sender.platform}:${event.id}`;
  const reply = replyIn(event.replyTo);
  let deliveries: Delivery[];
  const who = identifyOrLog(rt, event);
  const dir = rt.directory();
  if (!who) {
    deliveries = [reply(NOT_IN_DIRECTORY)];
  } else if (!dir.rolesOf(who.person.id).some((r) => r.role === 'contact')) {
    deliveries = [reply(FILE_NOT_FOR_YOU)];
  } else {
    const got = await receiveBytes(rt, event, fetchFile);
    if ('refused' in got) {
      deliveries = [reply(got.refused)];
    } else {
      const about = event.inReplyTo ? await rt.store.attachments.about(event.sender.platform, event.inReplyTo) : undefined;
      const ctx: FileContext = {
        ...baseContext(rt, dir, who, opId),
        event,
        file: got,
        about: about === undefined ? undefined : parseCardKey(about),
        reply,
      };
      try {
        deliveries = await FILE_HANDLER.run(ctx);
      } catch (e) {
        if (!isRefusal(e)) throw e;
        deliveries = [reply(clipRefusal(e.message))];
      }
    }
  }
  await enqueueDeliveries(rt.queues.deliver, `${opId}/answer`, deliveries);
  return deliveries;
}

/** The file's bytes, fetched and kept; or what to tell the sender when it cannot be kept. Transient failures throw. */
async function receiveBytes(rt: Runtime, event: FileEvent, fetchFile: (h: FileHandle) => Promise<FetchedFile>): Promise<ReceivedFile | { refused: string }> {
  const given = cleanName(event.name);
  if (event.size !== undefined && event.size > MAX_FILE_BYTES) return { refused: fileTooBig(given ?? '') };
  let fetched: FetchedFile;
  try {
    fetched = await fetchFile(event.handle);
  } catch (e) {
    if (!(e instanceof PermanentFailure)) throw e;
    rt.log.warn({ event: event.id, err: e.message }, '未能从平台取回文件');
    return { refused: fileNotFetched(given) };
  }
  let stored;
  try {
    stored = await rt.files.put(fetched.body, MAX_FILE_BYTES);
  } catch (e) {
    if (e instanceof FileTooBig) return { refused: fileTooBig(given ?? cleanName(fetched.name) ?? '') };
    throw e;
  }
  const mime = fileType(stored.head, given ?? fetched.name, fetched.mime);
  // A picture has no name of its own (WeCom's is its media id): one is made from when it came.
  const name = given ?? (event.handle.image ? undefined : cleanName(fetched.name)) ?? unnamedFile(mime, event.handle.image, rt.clock.now(), rt.config.tz);
  rt.log.info({ event: event.id, file: stored.sha256, size: stored.size, mime }, '已收下文件');
  return { sha256: stored.sha256, size: stored.size, name, mime };
}

/**
 * A refusal can quote what the user typed (a date, a unit, a key): however long that was, the refusal stays short.
 * Any directory member can send 100 K characters; the answer is not to carry them back.
 */
const REFUSAL_MAX = 300;
function clipRefusal(message: string): string {
  const chars = [...message];
  return chars.length <= REFUSAL_MAX ? message : `${chars.slice(0, REFUSAL_MAX).join('')}…（内容过长，已截断）`;
}

/** A press is answered within this, whatever happens (Feishu shows an error after 3 s). */
export const PRESS_ANSWER_MS = 1800;
const BUSY_ANSWER: ActionAnswer = { toast: { type: 'warning', text: BUSY } };
const FAILED_ANSWER: ActionAnswer = { toast: { type: 'error', text: INTERNAL_ERROR } };

/** Answers a press (below), counted for /metrics by how it was answered and how long that took. */
export async function runAction(rt: Runtime, event: ActionEvent): Promise<ActionAnswer> {
  const started = performance.now();
  const answer = await answerAction(rt, event);
  const outcome = answer === BUSY_ANSWER ? 'busy' : answer === FAILED_ANSWER ? 'failed' : answer.toast.type === 'success' ? 'done' : 'refused';
  rt.metrics.press(event.sender.platform, outcome, (performance.now() - started) / 1000);
  return answer;
}

/**
 * Applies a button press now and answers with a toast and the card as it now stands; while Redis is away (known at
 * once, or seen by the press failing or taking too long) an honest "busy" answer, as a transient outage is. A press
 * that took too long may still complete: pressing again is answered from its outcome.
 */
async function answerAction(rt: Runtime, event: ActionEvent): Promise<ActionAnswer> {
  if (rt.health.unavailable) return BUSY_ANSWER;
  let timer: NodeJS.Timeout | undefined;
  const busy = new Promise<ActionAnswer>((resolve) => {
    timer = setTimeout(() => resolve(BUSY_ANSWER), PRESS_ANSWER_MS);
  });
  const work = applyAction(rt, event).catch((err: unknown) => {
    // Said once by RedisHealth, not once per press.
    if (RedisHealth.isConnectionError(err) || rt.health.unavailable) return BUSY_ANSWER;
    rt.log.error({ err, event: event.id }, '卡片按钮处理失败');
    return FAILED_ANSWER;
  });
  try {
    return await Promise.race([work, busy]);
  } finally {
    clearTimeout(timer);
  }
}

async function applyAction(rt: Runtime, event: ActionEvent): Promise<ActionAnswer> {
  const who = identify(rt, event.sender);
  if (!who) return { toast: { type: 'error', text: NOT_IN_DIRECTORY } };
  const payload = rt.signer.verify(event.token);
  const key = payload && parseCardKey(payload.k);
  if (!payload || !key) {
    rt.log.warn({ event: event.id }, '卡片按钮签名无效，已拒绝');
    return { toast: { type: 'error', text: '按钮数据无效或已被篡改，操作未执行' } };
  }
  const handler = ACTION_HANDLERS.get(payload.a);
  const dir = rt.directory();
  const opId = `act:${event.sender.platform}:${event.id}`;
  let answer: ActionAnswer;
  let view: Outcome['view'];
  try {
    if (!handler) throw new Refusal('bad_payload', '不认识的操作');
    // Checked server-side: a card's buttons are for the one person it was sent to.
    if (payload.f !== who.person.id) {
      const name = dir.personName(payload.f);
      throw new Refusal('not_for_you', `这张卡片是发给${name === payload.f ? '他人' : name}的，您不能代为操作`);
    }
    const ctx: ActionContext = { ...baseContext(rt, dir, who, opId), event, payload, key, input: event.input };
    const outcome = await handler.run(ctx);
    view = outcome.view;
    answer = { toast: { type: 'success', text: outcome.toast ?? '已完成' } };
  } catch (e) {
    if (!isRefusal(e)) throw e;
    // The card could not take the reason: the press waits for the person's /退回, which completes it.
    if (e instanceof NeedsReason) await rt.store.saveReasonAsk(who.person.id, key.item, e.ask.unit, { ...e.ask, at: rt.clock.now() }, ASK_TTL_MS);
    answer = { toast: { type: toastType(e.code), text: e.message } };
    if (e.code === 'not_for_you') return answer;
  }
  try {
    // The card pressed: a reminder listing several items is redrawn whole, any other card from the record it shows.
    const card = await renderByKey(rt, payload.v ?? payload.k, who.person.id, view);
    if (card) answer.card = card;
  } catch (e) {
    // A signed key naming what does not exist (a unit not on the item): the toast already says so.
    rt.log.warn({ err: (e as Error).message, key: payload.k }, '卡片无法绘制');
  }
  return answer;
}

function toastType(code: RefusalCode): ActionAnswer['toast']['type'] {
  if (code === 'wrong_state' || code === 'stale') return 'info';
  return code === 'needs_reason' ? 'warning' : 'error';
}

/**
 * Draws a card by key for one person from the current record; undefined when it no longer exists. `view`: the
 * records as an operation of this process just committed them, used instead of reading them again.
 */
export async function renderByKey(rt: Runtime, key: string, viewer: string, view?: Outcome['view']): Promise<Card | undefined> {
  if (isScheduledKey(key)) return renderScheduled(rt, key, viewer);
  const k = parseCardKey(key);
  if (!k) return undefined;
  const base = { dir: rt.directory(), tz: rt.config.tz, now: rt.clock.now(), signer: rt.signer };
  // A follow-up item (续办) names the item it follows, by number.
  const withFollows = async (item: ItemHeader) => {
    const follows = item.follows ? (await rt.store.getHeader(item.follows))?.doc : undefined;
    return follows ? { ...base, follows } : base;
  };
  if (view?.item.id === k.item) {
    const one = k.unit && !showsEveryUnit(k, view.item);
    const as = one ? view.assignments.filter((a) => a.unit === k.unit) : view.assignments;
    if (as.length === (one ? 1 : view.item.units.length)) return renderCard(k, viewer, { ...(await withFollows(view.item)), item: view.item, assignments: as });
  }
  // A unit's card reads the item's header and that unit's record; only the preview reads every unit's.
  const [header, assignments] = await Promise.all([
    rt.store.getHeader(k.item),
    k.unit ? rt.store.getAssignment(k.item, k.unit).then((a) => (a ? [a.doc] : [])) : undefined,
  ]);
  if (!header) return undefined;
  // A joint item's cards about reports to or from its lead unit list every 配合 unit (joint-cards.ts).
  const one = assignments && !showsEveryUnit(k, header.doc);
  const as = one ? assignments : (await rt.store.getAssignments(k.item, header.doc.units)).map((a) => a.doc);
  return renderCard(k, viewer, { ...(await withFollows(header.doc)), item: header.doc, assignments: as });
}
