// /统计 [期间=…] [单位=…] [导出]: the figures of the items due in a period, per unit and per responsible leader, as a
// card, the on-time rate chart as a picture, and with 导出 the same figures as a spreadsheet, all into the chat the
// command came from. The office sees every unit; a head, deputy or contact their own unit's.
import { unitsReached } from '../src/domain/access.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { unitIdFrom } from '../src/dispatch/handler-kit.ts';
import { MIME, storeOutput } from '../src/output/output-file.ts';
import { cjkFont } from '../src/output/pdf-font.ts';
import { parsePeriod, PERIOD_CHOICES } from '../src/output/period.ts';
import { statsCard } from '../src/output/stats-card.ts';
import { statsChartPng } from '../src/output/stats-chart.ts';
import { statsWorkbook } from '../src/output/stats-xlsx.ts';
import { computeStatistics } from '../src/output/statistics.ts';

export const stats: CommandHandler = {
  command: 'stats',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    const { all: office, units: mine } = unitsReached('stats', ctx.person.id, dir);
    if (!office && mine.length === 0) throw new Refusal('not_allowed', '只有督查室和承办单位的人员才能查看统计');
    const wanted = (cmd.lists.unit ?? []).map((u) => unitIdFrom(dir, u));
    if (!office) {
      const foreign = wanted.filter((u) => !mine.includes(u));
      if (foreign.length) throw new Refusal('not_allowed', `您只能查看本单位的统计，不能查看${foreign.map((u) => dir.unitName(u)).join('、')}`);
    }
    const period = parsePeriod(cmd.options.period, rt.clock.now(), rt.config.tz);
    if (!period) throw new Refusal('bad_syntax', `期间「${cmd.options.period}」不对，可写：${PERIOD_CHOICES}`);
    const units = wanted.length ? wanted : office ? undefined : mine;
    const figures = await computeStatistics(rt, dir, period, units);
    const exported = cmd.flags.includes('export');
    const font = cjkFont(rt.config);
    const charted = figures.byUnit.some((r) => r.rate !== undefined);
    const out = [ctx.reply({ kind: 'card', card: statsCard(figures, (id) => dir.unitName(id), { chart: charted && font !== undefined, exported }) })];
    const name = `督查统计-${period.label}${units?.length === 1 ? `-${dir.unitName(units[0]!)}` : ''}`;
    if (charted) {
      if (font) {
        const file = await storeOutput(rt.files, statsChartPng(figures, font), `${name}.png`, MIME.png);
        out.push({ kind: 'file', to: ctx.event.replyTo, file });
      } else {
        rt.log.warn({ font: rt.config.pdfFont }, '找不到中文字体，统计图表未生成');
        out.push(ctx.reply('找不到中文字体，未能生成图表（请管理员安装 fonts-noto-cjk，或用 DUCHA_PDF_FONT 指定字体文件）。'));
      }
    }
    if (exported) {
      const file = await storeOutput(rt.files, await statsWorkbook(figures), `${name}.xlsx`, MIME.xlsx);
      out.push({ kind: 'file', to: ctx.event.replyTo, file });
    }
    return out;
  },
};
