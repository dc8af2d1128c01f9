// Attachments in the local console, as a person uses it, in headless Chromium against `npm start`: the contact
// attaches a picture and a document (附文件), reports; the head sees them listed on the card to sign, asks for the
// picture (/附件) and sees it in the page; the document comes as a download link; the files are served only to the
// page (its token) and never as something the browser would run.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useChromium } from './helpers/chromium.ts';
import { REDIS_URL } from './helpers/harness.ts';
import { processesPerTest, startService } from './helpers/service-process.ts';

const browser = useChromium();
const run = processesPerTest('cfiles');

async function type(page: Page, text: string): Promise<void> {
  const box = page.getByPlaceholder('输入命令');
  await box.fill(text);
  await box.press('Enter');
  await page.getByTestId('message').filter({ hasText: text.slice(0, 20) }).last().waitFor();
}

async function as(page: Page, name: string): Promise<void> {
  await page.getByLabel('身份').selectOption({ label: name });
}

async function press(page: Page, label: string, confirm = false): Promise<void> {
  const card = page.getByTestId('card').filter({ has: page.getByRole('button', { name: label, exact: true }) }).last();
  await card.waitFor({ timeout: 15_000 });
  await card.getByRole('button', { name: label, exact: true }).click();
  if (confirm) await page.getByRole('button', { name: '确定', exact: true }).click();
  await card.getByRole('button', { name: label, exact: true }).waitFor({ state: 'detached', timeout: 15_000 });
}

describe('attachments in the console', () => {
  it('a contact attaches a picture and a document; the head sees the picture in the page and gets the document as a download', async () => {
    const s = await startService('console', { REDIS_URL, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'info', DUCHA_CLOCK: '2026-09-29T10:00:00+08:00' }, run.track);
    const page = await browser().newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${s.base}/console`);
    await page.getByText('以督查室张伟的身份输入').filter({ visible: true }).first().waitFor();
    // A real picture to attach: a corner of the page itself.
    const photo = await page.screenshot({ clip: { x: 0, y: 0, width: 240, height: 60 } });

    await type(page, '/新建 城区主干道积水整治 单位=jtj 期限=5工作日 类别=民生');
    await press(page, '发出');
    await as(page, '李明');
    await press(page, '签收');

    await as(page, '赵磊');
    const input = page.locator('#pane-main .attach-input');
    await input.setInputFiles({ name: '整改后路面.png', mimeType: 'image/png', buffer: photo });
    await page.getByText('已收到文件「整改后路面.png」').waitFor();
    await input.setInputFiles({ name: '整改方案.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n整改方案：分三批推进。\n') });
    await page.getByText('现有待附文件 2 个').waitFor();
    // What the contact sent shows as their own, the picture drawn.
    expect(await page.getByTestId('file').count()).toBe(2);
    await type(page, '/报送 1 已完成排查，照片和方案见附件。');
    await page.getByText('附件 2 个）送李明签署').waitFor();

    await as(page, '李明');
    const card = page.getByTestId('card').filter({ has: page.getByRole('button', { name: '签署', exact: true }) }).last();
    await card.waitFor();
    expect(await card.textContent()).toContain('附件1 整改后路面.png');
    expect(await card.textContent()).toContain('附件2 整改方案.pdf');
    await type(page, '/附件 1 1');
    const shown = page.getByTestId('file').filter({ hasText: '整改后路面.png' }).last();
    await shown.waitFor();
    const img = shown.locator('img');
    await img.waitFor();
    await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle());
    expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(240);
    await type(page, '/附件 1 2');
    const link = page.getByTestId('file').filter({ hasText: '整改方案.pdf' }).last().getByRole('link');
    await link.waitFor();
    expect(await link.getAttribute('download')).toBe('整改方案.pdf');
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT });

    // What the page's links fetch: the picture inline as a picture, the document as a download, never to be run.
    const href = (await link.getAttribute('href'))!;
    const served = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), csp: res.headers.get('content-security-policy'), body: await res.text() };
    }, href);
    expect(served).toMatchObject({ status: 200, type: 'application/octet-stream', csp: "default-src 'none'; sandbox" });
    expect(served.disposition).toContain(`attachment; filename="____.pdf"; filename*=UTF-8''${encodeURIComponent('整改方案.pdf')}`);
    expect(served.body).toContain('整改方案：分三批推进。');
    const picture = await page.evaluate(async (url) => (await fetch(url)).headers.get('content-disposition'), (await img.getAttribute('src'))!);
    expect(picture).toMatch(/^inline; /);

    // Without the page's token, or for someone whose message it is not, nothing is served.
    const refused = await page.evaluate(async (url) => {
      const noToken = await fetch(url.replace(/&token=[^&]*/, ''));
      const other = await fetch(url.replace(/person=[^&]*/, 'person=zhangwei'));
      return [noToken.status, other.status];
    }, href);
    expect(refused).toEqual([403, 404]);

    // Signed: the signature covers both files, and /核验 says so.
    await press(page, '签署', true);
    await as(page, '张伟');
    await type(page, '/核验 1');
    await page.getByText('附件 2 个：文件库中的文件与其哈希一致').waitFor();
    await page.close();
  }, 120_000);
});
