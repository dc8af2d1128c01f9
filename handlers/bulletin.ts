// /通报 [期间=…] [导出]: the draft of the period's 督查通报 as text the office edits and sends on (split into parts where
// long), and with 导出 also as a PDF, into the chat the command came from. The office's alone.
import { requireAccess } from '../src/domain/access.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { bulletinPdf } from '../src/output/bulletin-pdf.ts';
import { bulletinText } from '../src/output/bulletin.ts';
import { MIME, storeOutput } from '../src/output/output-file.ts';
import { cjkFont } from '../src/output/pdf-font.ts';
import { nextPeriod, parsePeriod, PERIOD_CHOICES } from '../src/output/period.ts';
import { computeStatistics, issuedIn } from '../src/output/statistics.ts';

export const bulletin: CommandHandler = {
  command: 'bulletin',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    requireAccess('bulletin', ctx.person.id, dir, '生成督查通报');
    const tz = rt.config.tz;
    const period = parsePeriod(cmd.options.period, rt.clock.now(), tz);
    if (!period) throw new Refusal('bad_syntax', `期间「${cmd.options.period}」不对，可写：${PERIOD_CHOICES}`);
    const after = nextPeriod(period, tz);
    const [stats, next, issued] = await Promise.all([
      computeStatistics(rt, dir, period),
      computeStatistics(rt, dir, after),
      issuedIn(rt.store, period),
    ]);
    const text = bulletinText({ stats, next, issued, nextPeriod: after, tz }, dir);
    const out = [ctx.reply(`【通报草稿】以下为${period.label}督查通报草稿，请核对修改后再印发。\n\n${text}`)];
    if (cmd.flags.includes('export')) {
      const font = cjkFont(rt.config);
      if (!font) {
        rt.log.warn({ font: rt.config.pdfFont }, '找不到中文字体，通报 PDF 未生成');
        out.push(ctx.reply('找不到中文字体，未能生成 PDF（请管理员安装 fonts-noto-cjk，或用 DUCHA_PDF_FONT 指定字体文件）。'));
      } else {
        const pdf = await bulletinPdf(text, font, { title: `督查通报（${period.label}）`, at: stats.at });
        out.push({ kind: 'file', to: ctx.event.replyTo, file: await storeOutput(rt.files, pdf, `督查通报-${period.label}.pdf`, MIME.pdf) });
      }
    }
    return out;
  },
};
