// The /统计 chart: each unit's on-time rate as a bar, highest first, with the office's rate marked as a line, drawn on
// the server (ECharts' SVG renderer, no DOM), its text drawn as outlines of the CJK font of pdf-font.ts
// (text-outlines.ts), and turned into a PNG by resvg.
import { createHash } from 'node:crypto';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { fontFamilyOf, type CjkFont } from './pdf-font.ts';
import { outlineText } from './text-outlines.ts';
import { formatRate, type Statistics } from './statistics.ts';

const WIDTH = 900;
/** Units shown: a chart of a whole city's 500 units would be unreadable; the card and the export list them all. */
export const CHART_MAX_UNITS = 30;

/** The chart as SVG text (the units with something decided; at most CHART_MAX_UNITS). */
export function statsChartSvg(stats: Statistics, font: CjkFont): string {
  const rows = stats.byUnit.filter((r) => r.rate !== undefined).slice(0, CHART_MAX_UNITS);
  const family = `${fontFamilyOf(font)}, sans-serif`;
  const height = Math.max(280, 140 + rows.length * 34);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  const avg = stats.total.rate === undefined ? undefined : Math.round(stats.total.rate * 1000) / 10;
  // Highest at the top: a category axis draws its first value at the bottom.
  const shown = [...rows].reverse();
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: family },
    title: {
      text: `按期办结率（${stats.period.label}）`,
      // The rate is over the assignments decided (completed, or open past the deadline): say so, or 1 of 3 reads as 33%.
      subtext: `全室 ${formatRate(stats.total.rate)}：已到期 ${stats.total.completed + stats.total.overdue} 项次中按期 ${stats.total.on_time}、延期后按期 ${stats.total.extended_on_time}${stats.total.open ? `（另有 ${stats.total.open} 项次未到期，不计入）` : ''}`,
      left: 'center',
      textStyle: { fontFamily: family, fontSize: 20, fontWeight: 'normal' },
      subtextStyle: { fontFamily: family, fontSize: 13, color: '#555' },
    },
    grid: { left: 24, right: 70, top: 100, bottom: 40, containLabel: true },
    xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%', fontFamily: family } },
    yAxis: { type: 'category', data: shown.map((r) => r.name), axisLabel: { fontFamily: family, fontSize: 13 } },
    series: [
      {
        type: 'bar',
        barMaxWidth: 22,
        data: shown.map((r) => {
          const v = Math.round((r.rate ?? 0) * 1000) / 10;
          return { value: v, itemStyle: { color: avg !== undefined && v < avg ? '#e8684a' : '#3d7de8' } };
        }),
        label: { show: true, position: 'right', formatter: '{c}%', fontFamily: family },
        ...(avg !== undefined
          ? {
              markLine: {
                symbol: 'none',
                silent: true,
                lineStyle: { color: '#333', type: 'dashed', width: 1.5 },
                label: { formatter: `全室平均 ${avg}%`, position: 'end', fontFamily: family },
                data: [{ xAxis: avg }],
              },
            }
          : {}),
      },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/**
 * The last charts drawn, by what they show (the period, the office's figures, each shown unit's name and rate) and the
 * font: drawing a chart of 30 units (ECharts, then resvg at 1800 px, most of it the PNG's compression) takes a few
 * hundred ms, and the same figures asked again (another clerk, the same period, 导出 after the card) draw the same
 * picture. A few charts of ~200 KB each.
 */
const drawn = new Map<string, Buffer>();
const DRAWN_KEPT = 8;

/** The chart as a PNG: its text already outlines, so the renderer loads no font (nor any of the machine's). */
export function statsChartPng(stats: Statistics, font: CjkFont): Buffer {
  const { total } = stats;
  const shown = stats.byUnit.filter((r) => r.rate !== undefined).slice(0, CHART_MAX_UNITS);
  const key = createHash('sha256')
    .update(JSON.stringify([font.path, font.family, stats.period.label, total.rate, total.items, total.on_time, total.extended_on_time, shown.map((r) => [r.name, r.rate])]))
    .digest('hex');
  let png = drawn.get(key);
  if (!png) {
    const resvg = new Resvg(outlineText(statsChartSvg(stats, font), font), { font: { loadSystemFonts: false }, fitTo: { mode: 'width', value: WIDTH * 2 } });
    png = resvg.render().asPng();
    if (drawn.size >= DRAWN_KEPT) drawn.delete(drawn.keys().next().value!);
  }
  drawn.delete(key);
  drawn.set(key, png);
  return png;
}
