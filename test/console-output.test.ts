// The office's output in the local console, as the clerk uses it, in headless Chromium against `npm start`: after
// 生成示例事项 and a 受理, `/统计` shows its chart inline as a picture that has loaded and is not blank, `/台账 导出`
// answers 正在生成… and then offers the .xlsx as a download (read back with exceljs), and `/归档 <no>` offers the
// PDF (its first bytes, and its Chinese text found by pdftotext). SCREENSHOT=<path> keeps a picture of the page.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { useChromium } from './helpers/chromium.ts';
import { REDIS_URL } from './helpers/harness.ts';
import { decodePng } from './helpers/png.ts';
import { processesPerTest, startService } from './helpers/service-process.ts';

const browser = useChromium();
const run = processesPerTest('coutput');
const work = mkdtempSync(join(tmpdir(), 'ducha-console-output-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function type(page: Page, text: string): Promise<void> {
  const box = page.getByTestId('pane').first().getByPlaceholder('输入命令');
  await box.fill(text);
  await box.press('Enter');
  await page.getByTestId('message').filter({ hasText: text.slice(0, 20) }).last().waitFor();
}

/** The newest file message whose name ends so, once it has come. */
async function fileMessage(page: Page, ending: string): Promise<Locator> {
  const file = page.getByTestId('file').filter({ hasText: ending }).last();
  await file.waitFor({ timeout: 30_000 });
  return file;
}

/** Clicks the file's link as a person does: the name the browser offered, where it was saved, and its bytes. */
async function download(page: Page, file: Locator): Promise<{ name: string; path: string; bytes: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), file.getByRole('link').click()]);
  const path = join(work, `${Date.now()}-${dl.suggestedFilename()}`);
  await dl.saveAs(path);
  return { name: dl.suggestedFilename(), path, bytes: readFileSync(path) };
}

describe('the office output in the console', () => {
  it('the clerk gets the ledger as .xlsx, the statistics chart inline, and the archive PDF as downloads', async () => {
    const s = await startService('console', { REDIS_URL, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'info', DUCHA_CLOCK: '2026-09-01T10:00:00+08:00' }, run.track);
    const page = await browser().newPage({ viewport: { width: 1280, height: 1120 } });
    await page.goto(`${s.base}/console`);
    await page.getByText('以督查室张伟的身份输入').filter({ visible: true }).first().waitFor();

    // Example items in different stages; the clerk accepts the one already signed, so one is completed on time.
    await page.getByRole('button', { name: '生成示例事项' }).click();
    await page.getByText('已生成 4 件示例事项').waitFor({ timeout: 30_000 });
    const toAccept = page.getByTestId('card').filter({ has: page.getByRole('button', { name: '受理', exact: true }) }).last();
    await toAccept.waitFor({ timeout: 15_000 });
    await toAccept.getByRole('button', { name: '受理', exact: true }).click();
    await page.getByRole('button', { name: '确定', exact: true }).click();
    await toAccept.getByRole('button', { name: '受理', exact: true }).waitFor({ state: 'detached', timeout: 15_000 });

    // The statistics: a card, and the chart shown in the page as a picture that has loaded.
    await type(page, '/统计 期间=本年');
    const chartMsg = await fileMessage(page, '.png');
    const img = chartMsg.locator('img');
    await img.waitFor();
    await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle(), { timeout: 15_000 });
    expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(300);
    // Drawn large enough for the chart's words to be read, and offered under its name.
    expect(await img.evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThanOrEqual(600);
    expect(await chartMsg.getByRole('link').textContent()).toBe('下载');
    // Its bytes, as the page fetches them: a PNG that is not one colour.
    const b64 = await page.evaluate(async (url) => {
      const buf = new Uint8Array(await (await fetch(url)).arrayBuffer());
      let s = '';
      for (const c of buf) s += String.fromCharCode(c);
      return btoa(s);
    }, (await img.getAttribute('src'))!);
    const px = decodePng(Buffer.from(b64, 'base64'));
    const colours = new Set<string>();
    for (let i = 0; i < px.data.length; i += px.channels * 7) colours.add(px.data.subarray(i, i + 3).toString('hex'));
    expect(colours.size).toBeGreaterThan(10);
    await page.getByTestId('card').filter({ hasText: '按期' }).last().waitFor();

    // The ledger: said at once, made on the worker, offered as a download.
    await type(page, '/台账 导出');
    await page.getByTestId('message').filter({ hasText: '正在生成台账表格' }).waitFor({ timeout: 15_000 });
    const ledgerMsg = await fileMessage(page, '.xlsx');
    // The file as a clerk reads it: its name, its kind in Chinese and its size, and a 下载 button.
    expect(await ledgerMsg.textContent()).toMatch(/^XLS督查台账-20260901-\d{4}\.xlsxExcel 表格 · \d+ KB下载$/);
    const ledger = await download(page, ledgerMsg);
    expect(ledger.name).toMatch(/\.xlsx$/);
    expect(ledger.bytes.subarray(0, 2).toString()).toBe('PK');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(ledger.bytes as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('台账')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 3)).toEqual(['编号', '标题', '来源']);
    // The three issued examples (the draft is not in the ledger), one row each.
    expect(ws.actualRowCount).toBe(4);
    const titles = [2, 3, 4].map((r) => String(ws.getRow(r).getCell(2).value));
    expect(titles.every((t) => t.startsWith('（示例）'))).toBe(true);
    expect([2, 3, 4].map((r) => ws.getRow(r).getCell(1).value).sort()).toEqual(['督字〔2026〕1号', '督字〔2026〕2号', '督字〔2026〕3号']);

    // The archive of the item completed: a PDF offered as a download, with its Chinese text in it.
    await type(page, '/归档 2');
    await page.getByTestId('message').filter({ hasText: '的归档记录（PDF），生成后发到本会话' }).waitFor({ timeout: 15_000 });
    const archiveMsg = await fileMessage(page, '.pdf');
    expect(await archiveMsg.textContent()).toMatch(/^PDF督字〔2026〕2号归档记录\.pdfPDF 文件 · \d+ KB下载$/);
    const archive = await download(page, archiveMsg);
    expect(archive.name).toBe('督字〔2026〕2号归档记录.pdf');
    expect(archive.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-layout', archive.path, '-'], { encoding: 'utf8' });
    for (const want of ['督查事项归档记录', '督字〔2026〕2号', '（示例）', '受理：张伟', '核验结果']) expect(text, want).toContain(want);

    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT });

    // On a phone's width the chart shrinks to the pane, and the file rows stay inside it.
    await page.setViewportSize({ width: 390, height: 844 });
    const inside = await page.evaluate(() => {
      const log = document.querySelector('#pane-main .log')!.getBoundingClientRect();
      return [...document.querySelectorAll('#pane-main [data-testid="file"]')].map((f) => f.getBoundingClientRect().right <= log.right);
    });
    expect(inside).toEqual([true, true, true]);
    expect(await img.evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThan(200);
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT.replace(/\.png$/, '-phone.png') });
    await page.close();
  }, 120_000);
});
