// A file a unit's contact sent (整改照片, 方案): attached to the report it answers (sent in reply to the report's card
// or to the answer to its /报送, while that report waits for signature), else kept waiting for the contact's next
// /报送 within DUCHA_ATTACH_WINDOW minutes. The signature will cover its hash with the text.
import { attachmentLine, fileWaiting, reportFull, tooManyWaiting } from '../src/chat/attachment-texts.ts';
import type { CardKey } from '../src/chat/card-key.ts';
import { check } from '../src/domain/rules.ts';
import { latestReport, noticeNumber, type Attachment } from '../src/domain/types.ts';
import { isRefusal, Refusal } from '../src/domain/refusal.ts';
import type { FileContext, FileHandler } from '../src/dispatch/handler.ts';
import { refreshAssignmentCards, sendText } from '../src/dispatch/handler-kit.ts';
import { MAX_REPORT_BYTES, MAX_REPORT_FILES } from '../src/files/limits.ts';
import { mutateAssignment } from '../src/store/apply-op.ts';
import type { Delivery } from '../src/delivery/delivery.ts';
import { relayPending } from '../src/delivery/outbox.ts';

export const attachFile: FileHandler = {
  async run(ctx) {
    const key = ctx.about;
    let note = '';
    if (key?.kind === 'sign' && key.unit !== undefined && key.n !== undefined) {
      const done = await toReport(ctx, { item: key.item, unit: key.unit, n: key.n });
      if (done.answered) return done.answered;
      note = done.note;
    }
    return waitForReport(ctx, note);
  },
};

/** Kept for the contact's next /报送: said how, or why not (over what one report may carry). */
async function waitForReport(ctx: FileContext, note: string): Promise<Delivery[]> {
  const { rt, file } = ctx;
  const now = rt.clock.now();
  const minutes = rt.config.attachWindowMinutes;
  const res = await rt.store.attachments.wait(
    ctx.person.id,
    { ...file, at: now },
    now - minutes * 60_000,
    { bytes: MAX_REPORT_BYTES, files: MAX_REPORT_FILES },
    // Past the window nothing is taken: the list goes by itself an hour after.
    minutes * 60 + 3600,
  );
  if (res.kind === 'bytes' || res.kind === 'files') return [ctx.reply(note + tooManyWaiting(file.name, res.kind, res.files, res.bytes))];
  return [ctx.reply(note + fileWaiting(file.name, file.size, minutes, res.files, res.bytes, res.kind === 'again'))];
}

type Target = Required<Pick<CardKey, 'item' | 'unit' | 'n'>>;

/**
 * Adds the file to the report of `to` if it still waits for signature and the sender is a contact of its unit. Answers
 * with what was said (the file is attached, was already, or the report is full); or a note on why the file waits
 * for the next /报送 instead.
 */
async function toReport(ctx: FileContext, to: Target): Promise<{ answered: Delivery[]; note?: undefined } | { answered?: undefined; note: string }> {
  const { rt, dir, file } = ctx;
  if (!dir.unit(to.unit)?.contacts.includes(ctx.person.id)) return { note: '' };
  // Attached by an earlier run of this job (which then stopped): what it decided to send is sent, nothing more.
  if (await rt.store.getOutcome(ctx.op.id)) {
    await relayPending(rt, ctx.op.id);
    return { answered: [] };
  }
  const current = await rt.store.getAssignment(to.item, to.unit);
  const r = current && latestReport(current.doc);
  const waiting = `（第 ${to.n} 稿报告已不在待签署状态，不能再补充附件，文件改为随下一次报送附上。）`;
  if (!current || r?.version !== to.n || r.status !== 'pending') return { note: waiting };
  const same = r.attachments?.find((x) => x.sha256 === file.sha256);
  if (same) return { answered: [ctx.reply(`文件「${file.name}」已是第 ${r.version} 稿报告的附件${same.n}，无需重复发送。`)] };
  const full = overLimit(r.attachments ?? [], file.size);
  if (full) return { answered: [ctx.reply(reportFull(file.name, r.version, full))] };
  // A number of the item's own, taken once for this file (a retry takes the same one), given back if not used.
  const n = await rt.store.attachments.number(ctx.op.id, to.item);
  try {
    await mutateAssignment(rt, ctx.op, to.item, to.unit, (item, a, now) => {
      const from = a.state;
      check('attach', ctx.person.id, item, a, dir);
      const report = latestReport(a);
      if (report?.version !== to.n || report.status !== 'pending') throw new Refusal('stale', waiting);
      const list = report.attachments ?? [];
      // Another file came in between: the report may be full now.
      if (overLimit(list, file.size)) throw new Refusal('stale', waiting);
      const att: Attachment = { n, name: file.name, sha256: file.sha256, size: file.size, mime: file.mime, by: ctx.person.id, at: now };
      report.attachments = [...list, att];
      const which = `${noticeNumber(item)}「${item.title}」${dir.unitName(a.unit)}第 ${report.version} 稿报告`;
      return {
        audits: [{ action: 'attach', unit: a.unit, from, to: a.state, detail: { version: report.version, n, sha256: file.sha256, name: file.name, size: file.size } }],
        deliveries: [
          ctx.reply(`已将「${file.name}」作为附件${n}补充到${which}，报告连同全部附件待${dir.personName(a.responsible)}签署。`),
          // The leader signs the text and every attachment: told of one added after the card reached them.
          sendText(a.responsible, `${which}补充了${attachmentLine(att)}。签署将一并确认报告全文和全部附件。`),
          ...refreshAssignmentCards(item, a),
        ],
      };
    });
    return { answered: [] };
  } catch (e) {
    // Refused, nothing was written: the number goes back. (Any other failure may follow a commit: a retry reuses it.)
    if (!isRefusal(e)) throw e;
    await rt.store.attachments.releaseNumber(ctx.op.id, to.item);
    return { note: waiting };
  }
}

/** Whether one more file of this size would take a report past what it may carry, and which limit. */
function overLimit(list: readonly Attachment[], size: number): 'files' | 'bytes' | undefined {
  if (list.length + 1 > MAX_REPORT_FILES) return 'files';
  if (list.reduce((sum, x) => sum + x.size, 0) + size > MAX_REPORT_BYTES) return 'bytes';
  return undefined;
}
