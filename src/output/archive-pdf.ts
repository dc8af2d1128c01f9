// /归档: an item's archive record as a PDF: the notice as issued, per unit the reports with their signatures (who,
// when, platform, the hashes of the text and attachments), acceptance, extensions with the original deadline, urges,
// summons, visits, the instructing leader's review, the audit timeline and the /核验 result with the chain's head.
// Drawn with pdfkit in the CJK font of DUCHA_PDF_FONT, embedded as a subset (only the glyphs used), so a record stays
// small.
import { jointState } from '../domain/joint.ts';
import PDFDocument from 'pdfkit';
import type { Directory } from '../directory/directory.ts';
import { categoryLabel } from '../domain/categories.ts';
import { formatDate, formatDateTime } from '../domain/dates.ts';
import { originalDeadline, timeliness, TIMELINESS_LABELS } from '../domain/on-time.ts';
import { STATE_LABELS } from '../domain/rules.ts';
import { noticeNumber, ownerOf, type Assignment, type Item, type Report } from '../domain/types.ts';
import { ACTION_LABELS, ITEM_STATUS_LABELS } from '../chat/texts.ts';
import { formatSize } from '../files/limits.ts';
import type { AuditRecord } from '../store/store.ts';
import type { Verification } from '../store/verify-item.ts';
import { SOURCE_LABELS } from './ledger-rows.ts';
import { useCjkFont } from './pdf-font.ts';

export interface ArchiveInput {
  item: Item;
  audit: readonly AuditRecord[];
  verification?: Verification;
  dir: Directory;
  tz: string;
  now: number;
  font: { path: string; postscriptName?: string };
}

const PLATFORM_LABELS: Record<string, string> = { feishu: '飞书', wecom: '企业微信', console: '本地控制台', system: '系统', test: '测试' };
const REPORT_STATUS: Record<Report['status'], string> = {
  pending: '待签署',
  signed: '已签署，待受理',
  sent_back: '负责领导退回修改',
  superseded: '已被新稿取代',
  accepted: '已受理',
  returned: '督查室退回',
};

/** The PDF's bytes. */
export async function archivePdf(input: ArchiveInput): Promise<Buffer> {
  const { item, dir, tz } = input;
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 60, right: 60 },
    compress: true,
    info: { Title: `${noticeNumber(item)} ${item.title} 归档记录`, Author: dir.issuer, Creator: 'ducha 督查' },
    bufferPages: true,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  useCjkFont(doc, input.font);

  const name = (id: string) => (id === 'system' ? '系统' : dir.personName(id));
  const at = (ms: number | undefined) => (ms === undefined ? '—' : formatDateTime(ms, tz));
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const heading = (t: string) => {
    doc.moveDown(0.6).fontSize(13).fillColor('#1f3864').text(t, { width }).moveDown(0.2).fillColor('black').fontSize(10);
  };
  const sub = (t: string) => doc.moveDown(0.3).fontSize(11).fillColor('#333333').text(t, { width }).fillColor('black').fontSize(10);
  const field = (label: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    doc.fontSize(10).fillColor('#555555').text(`${label}：`, { continued: true, width }).fillColor('black').text(value);
  };
  const line = (t: string, opts: { indent?: number; color?: string; size?: number } = {}) =>
    doc
      .fontSize(opts.size ?? 10)
      .fillColor(opts.color ?? 'black')
      .text(t, { width: width - (opts.indent ?? 0), indent: 0, ...(opts.indent ? { align: 'left' } : {}) })
      .fillColor('black');

  // Title block.
  doc.fontSize(11).fillColor('#555555').text(dir.issuer, { align: 'center', width });
  doc.moveDown(0.2).fontSize(18).fillColor('black').text('督查事项归档记录', { align: 'center', width });
  doc.moveDown(0.2).fontSize(12).text(`${noticeNumber(item)}　${item.title}`, { align: 'center', width });
  doc.moveDown(0.2).fontSize(9).fillColor('#777777').text(`生成时间：${at(input.now)}　　事项状态：${ITEM_STATUS_LABELS[item.status]}`, { align: 'center', width });
  doc.fillColor('black');

  // 一、the notice as issued.
  heading('一、督查单（下发内容）');
  field('编号', noticeNumber(item));
  field('标题', item.title);
  field('任务来源', item.source ? SOURCE_LABELS[item.source] : undefined);
  field('批办领导', item.instructedBy ? name(item.instructedBy) : undefined);
  field('文号', item.sourceRef);
  field('类别', categoryLabel(item.category));
  field('督查要求', item.req ?? '（无）');
  field('办结时限', `${formatDate(item.due)}${item.dueNote ? `（${item.dueNote}）` : ''}`);
  field('承办单位', item.units.map((u) => `${dir.unitName(u)}${item.units.length > 1 && u === item.lead ? '（牵头）' : ''}`).join('、'));
  field('督查员', name(ownerOf(item)));
  field('起草', `${name(item.createdBy)} ${at(item.createdAt)}`);
  field('发出', item.issuedBy ? `${name(item.issuedBy)} ${at(item.issuedAt)}` : '未发出');
  for (const m of item.amendments ?? []) {
    const what = [
      m.title && `标题「${m.title.from}」→「${m.title.to}」`,
      m.req && `要求「${m.req.from ?? '无'}」→「${m.req.to ?? '无'}」`,
      m.due && `时限 ${formatDate(m.due.from)} → ${formatDate(m.due.to)}`,
    ].filter(Boolean);
    field(`更正${m.n}`, `${at(m.at)} ${name(m.by)}：${what.join('；')}。理由：${m.reason}`);
  }
  if (item.status === 'withdrawn') field('撤回', `${item.withdrawnBy ? name(item.withdrawnBy) : ''} ${at(item.withdrawnAt)}。理由：${item.withdrawReason ?? ''}`);
  if (item.completedAt !== undefined) field('办结', at(item.completedAt));

  // 二、each unit.
  heading('二、各单位办理情况');
  item.assignments.forEach((a, i) => unitSection(a, i));

  // 三、the instructing leader's review, when the record has one.
  const review = (item as unknown as { review?: Record<string, unknown> }).review;
  if (review && typeof review === 'object') {
    heading('三、批办领导审阅');
    const by = typeof review.by === 'string' ? name(review.by) : item.instructedBy ? name(item.instructedBy) : '';
    const when = typeof review.at === 'number' ? at(review.at) : '';
    const what = ['text', 'comment', 'instruction', 'outcome'].map((k) => review[k]).find((v): v is string => typeof v === 'string');
    line(`${by} ${when}${what ? `：${what}` : ''}`.trim());
  }

  // 四、the audit trail.
  heading(`${review ? '四' : '三'}、办理记录（审计日志，共 ${input.audit.length} 条）`);
  for (const e of input.audit) {
    const unit = e.unit ? `【${dir.unitName(e.unit)}】` : '';
    const move = e.from || e.to ? `（${stateWord(e.from)} → ${stateWord(e.to)}）` : '';
    line(`${at(e.at)}　${name(e.actor)}（${PLATFORM_LABELS[e.platform] ?? e.platform}）${unit}${ACTION_LABELS[e.action] ?? e.action}${move}`, { size: 9 });
  }

  // 五、/核验.
  heading(`${review ? '五' : '四'}、核验结果`);
  const v = input.verification;
  if (!v) line('无法核验：没有找到该事项的记录。');
  else {
    line(v.problems.length === 0 ? '结论：记录完整，未发现事后改动。' : `结论：发现 ${v.problems.length} 处问题，记录在写入后被改动过。`, {
      color: v.problems.length === 0 ? '#1e6b30' : '#b00020',
    });
    line(`办理记录 ${v.entries} 条，记录 ${v.records} 份，报告 ${v.reports} 稿，签署 ${v.signatures} 次，附件 ${v.attachments} 个。`);
    for (const p of v.problems.slice(0, 50)) line(`· ${p}`, { color: '#b00020' });
    if (v.problems.length > 50) line(`· ……另有 ${v.problems.length - 50} 处`);
    if (v.head) {
      field('链尾校验码', '');
      doc.fontSize(8).text(v.head, { width });
      doc.fontSize(10);
    }
  }

  // Page numbers.
  const range = doc.bufferedPageRange();
  for (let p = range.start; p < range.start + range.count; p++) {
    doc.switchToPage(p);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.fontSize(8).fillColor('#777777').text(`${noticeNumber(item)} 归档记录　第 ${p + 1} 页，共 ${range.count} 页`, doc.page.margins.left, doc.page.height - 36, { width, align: 'center' });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);

  function stateWord(s: string | undefined): string {
    if (!s) return '—';
    return (STATE_LABELS as Record<string, string>)[s] ?? (ITEM_STATUS_LABELS as Record<string, string>)[s] ?? s;
  }

  function unitSection(a: Assignment, i: number): void {
    sub(`（${i + 1}）${dir.unitName(a.unit)}${item.units.length > 1 ? (a.lead ? '（牵头）' : '（配合）') : ''}`);
    field('负责领导', a.responsibleName ?? name(a.responsible));
    field('办理状态', item.status === 'withdrawn' ? '已撤回' : (jointState(item, a) ?? STATE_LABELS[a.state]));
    field('签收', a.receivedAt === undefined ? '未签收' : at(a.receivedAt));
    const original = originalDeadline(a, tz);
    field('原定期限', formatDate(original.due));
    if (original.due !== a.due) field('现行期限', formatDate(a.due));
    if (item.status !== 'withdrawn') field('办结情况', TIMELINESS_LABELS[timeliness(a, input.now, tz)]);
    for (const r of a.reports) {
      line(`第 ${r.version} 稿${r.final ? '（办结报告）' : '（进展报告）'}　${name(r.by)} 报送于 ${at(r.at)}　${REPORT_STATUS[r.status]}`, { color: '#1f3864' });
      line(r.text, { indent: 12 });
      line(`正文 SHA-256：${r.hash}`, { size: 7, color: '#555555' });
      for (const f of r.attachments ?? []) line(`附件${f.n}「${f.name}」${formatSize(f.size)}　SHA-256：${f.sha256}`, { size: 7, color: '#555555' });
      const s = r.signature;
      if (s) {
        line(`签署：${name(s.by)}　${at(s.at)}　经${PLATFORM_LABELS[s.platform] ?? s.platform}　签署文本 SHA-256：${s.hash}`, { size: 8 });
        if (s.attachments?.length) line(`签署时的附件哈希：${s.attachments.join('、')}`, { size: 7, color: '#555555' });
      }
      if (r.reviewedBy) line(`${r.status === 'accepted' ? '受理' : '审核'}：${name(r.reviewedBy)} ${at(r.reviewedAt)}`, { size: 8 });
      if (r.returnReason) line(`退回理由：${r.returnReason}`, { size: 8 });
    }
    for (const e of a.extensions) {
      const decided = e.status === 'pending' ? '待审批' : `${e.status === 'approved' ? '同意' : '不同意'}（${e.decidedBy ? name(e.decidedBy) : ''} ${at(e.decidedAt)}）`;
      line(
        `延期申请：${name(e.by)} ${at(e.at)} 申请延至 ${formatDate(e.to)}，理由：${e.reason}；${decided}${e.oldDue ? `，原期限 ${formatDate(e.oldDue)}` : ''}${e.refuseReason ? `，不同意理由：${e.refuseReason}` : ''}`,
        { size: 9 },
      );
    }
    if (a.urges.length) line(`催办 ${a.urges.length} 次：${a.urges.map((u) => at(u)).join('、')}`, { size: 9 });
    for (const s of a.summons) {
      line(
        `约谈：${at(s.at)} 于 ${s.place}（${name(s.by)} 安排${s.confirmedAt ? `，${name(s.confirmedBy ?? '')} ${at(s.confirmedAt)} 确认出席` : '，未确认'}${s.outcome ? `；结果：${s.outcome}` : ''}${s.replacedBy !== undefined ? '；已被新的约谈替换' : ''}）`,
        { size: 9 },
      );
    }
    for (const v of a.visits) line(`坐地督查：${formatDate(v.on)}（${name(v.by)}）${v.note ? `：${v.note}` : ''}${v.replacedBy !== undefined ? '（已被替换）' : ''}`, { size: 9 });
  }
}
