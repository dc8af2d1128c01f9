// The render worker: makes the file a command asked for (the ledger as .xlsx, an item's archive as PDF), keeps it in
// the file store, and sends it back into the chat the command came from as an ordinary file delivery. The delivery's
// job id is fixed by the render job's, so a render tried again (a crash, a failure) sends the file once.
import { Worker, type Job } from 'bullmq';
import type { Delivery } from '../src/delivery/delivery.ts';
import { enqueueDeliveries } from '../src/delivery/delivery.ts';
import { dateInTz, formatDateTime } from '../src/domain/dates.ts';
import { noticeNumber } from '../src/domain/types.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { archivePdf } from '../src/output/archive-pdf.ts';
import { statHeader, statView } from '../src/domain/stat-view.ts';
import { ledgerRow } from '../src/output/ledger-rows.ts';
import { selectLedger } from '../src/output/ledger-select.ts';
import { ledgerWorkbook } from '../src/output/ledger-xlsx.ts';
import { PDF_FONT_MISSING, pdfFont } from '../src/output/pdf-font.ts';
import { StatsCounter } from '../src/output/statistics.ts';
import type { RenderRequest } from '../src/output/render-request.ts';
import { crashTolerance, RENDER } from '../src/redis/queues.ts';
import { verifyItem } from '../src/store/verify-item.ts';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const PDF_MIME = 'application/pdf';

/** A file made, or what to say instead. */
type Made = { bytes: Buffer; name: string; mime: string } | { text: string };

/** The ledger's matching rows as an .xlsx; `phases` hears how long reading, the rows and the workbook took. */
export async function renderLedger(rt: Runtime, req: Extract<RenderRequest, { kind: 'ledger' }>, phases: Record<string, number> = {}): Promise<Made> {
  const dir = rt.directory();
  const now = rt.clock.now();
  let t = performance.now();
  const lap = (name: string) => {
    const next = performance.now();
    phases[name] = next - t;
    t = next;
  };
  const ctx = { dir, calendar: rt.calendar, tz: rt.config.tz, now, soonDays: Math.max(...rt.config.remindBefore, 1), counted: new Map<string, number | undefined>() };
  // The second sheet's figures: the statistics' own counting of the same assignments, as their rows go by.
  const counter = new StatsCounter({ now, tz: rt.config.tz, calendar: rt.calendar, workHours: rt.config.workHours, dir });
  let count = 0;
  async function* rows() {
    for await (const { item, assignments } of selectLedger(rt.store, req.filter, now)) {
      const header = statHeader(item);
      for (const a of assignments) {
        count++;
        counter.add(header, statView(a));
        yield ledgerRow(item, a, ctx);
      }
    }
  }
  const bytes = await ledgerWorkbook(rows(), {
    tz: rt.config.tz,
    title: `督查台账（${formatDateTime(now, rt.config.tz)}）`,
    creator: dir.issuer,
    figures: () => counter.result(),
  });
  lap('read, rows and xlsx');
  if (count === 0) return { text: req.filter.instructedBy ? '台账中没有您批办的符合条件的督查事项，未生成表格。' : '台账中没有符合条件的督查事项，未生成表格。' };
  const stamp = formatDateTime(now, rt.config.tz).slice(-5).replace(':', '');
  return { bytes, name: `督查台账-${dateInTz(now, rt.config.tz).replace(/-/g, '')}-${stamp}.xlsx`, mime: XLSX_MIME };
}

/** An item's archive record as a PDF (a unit's people get their unit's part). */
export async function renderArchive(rt: Runtime, req: Extract<RenderRequest, { kind: 'archive' }>): Promise<Made> {
  const font = pdfFont(rt.config);
  if (!font.ok) {
    rt.log.error(`归档无法生成：${font.problem}`);
    return { text: PDF_FONT_MISSING };
  }
  const dir = rt.directory();
  const found = await rt.store.getItem(req.itemId);
  if (!found) return { text: '没有这个督查事项' };
  const [audit, verification] = await Promise.all([
    rt.store.audit(req.itemId, 100_000),
    verifyItem(rt.store, req.itemId, dir, rt.config.tz, rt.files),
  ]);
  const only = req.units && new Set(req.units);
  const item = only ? { ...found.item, assignments: found.item.assignments.filter((a) => only.has(a.unit)) } : found.item;
  const bytes = await archivePdf({
    item,
    audit: only ? audit.filter((e) => !e.unit || only.has(e.unit)) : audit,
    verification,
    dir,
    tz: rt.config.tz,
    now: rt.clock.now(),
    font,
  });
  return { bytes, name: `${noticeNumber(item)}归档记录.pdf`, mime: PDF_MIME };
}

export async function processRender(rt: Runtime, job: Job<RenderRequest>): Promise<unknown> {
  const req = job.data;
  const made = req.kind === 'ledger' ? await renderLedger(rt, req) : await renderArchive(rt, req);
  let delivery: Delivery;
  if ('text' in made) delivery = { kind: 'reply', to: req.to, message: { kind: 'text', text: made.text } };
  else {
    const stored = await rt.files.putBytes(made.bytes);
    delivery = { kind: 'file', to: req.to, file: { sha256: stored.sha256, name: made.name, mime: made.mime, size: stored.size } };
  }
  await enqueueDeliveries(rt.queues.deliver, `render:${job.id ?? job.name}`, [delivery]);
  return 'file' in delivery ? { file: delivery.file } : { said: made };
}

/** One at a time: a render is CPU work, and the deliveries and commands share the process. */
export function startRenderWorker(rt: Runtime, concurrency = 1): Worker {
  const worker = new Worker(
    RENDER,
    async (job: Job<RenderRequest>) => {
      const started = performance.now();
      const res = await processRender(rt, job);
      rt.log.info({ job: job.id, kind: job.data.kind, ms: Math.round(performance.now() - started) }, '文件已生成');
      return res;
    },
    { connection: rt.workerConnection(), prefix: rt.config.prefix, concurrency, ...crashTolerance(RENDER) },
  );
  worker.on('failed', (job, err) => {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    rt.log.error({ job: job.id, err: err.message }, '文件生成失败');
    const req = job.data;
    const what = req.kind === 'ledger' ? '台账表格' : '归档记录';
    void enqueueDeliveries(rt.queues.deliver, `render-failed:${job.id}`, [
      { kind: 'reply', to: req.to, message: { kind: 'text', text: `${what}生成失败，请稍后再试；仍不行请联系系统管理员。` } },
    ]).catch((e: unknown) => rt.log.error({ err: e }, '未能告知文件生成失败'));
  });
  return worker;
}
