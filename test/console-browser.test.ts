// The local console as a person uses it: a real headless Chromium (Debian's, driven by playwright-core) on the page
// `npm start` serves, through the whole life of an item — 新建 → preview → 发出 → the head's 签收 → the contact's 报送 →
// the head's 签署 → the office's 受理 → 办结 — plus a press by the wrong person refused, two people side by side, a
// reload keeping the history, and a reminder arriving at the slot (the service started with DUCHA_CLOCK); and what a
// person sees when Redis goes away (on a redis-server of the test's own).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from './helpers/harness.ts';
import { freePort, processesPerTest, startService } from './helpers/service-process.ts';
import { until } from './helpers/until.ts';
import { startPrivateRedis } from '../bench/private-redis.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});
const run = processesPerTest('cbrowser');

/** Acting in the first pane as a person. */
function consoleOf(page: Page) {
  const box = () => page.getByPlaceholder('输入命令');
  return {
    /** Chooses who one is by the name the option shows. */
    async as(name: string) {
      await page.getByLabel('身份').selectOption({ label: name });
    },
    async type(text: string) {
      await box().fill(text);
      await box().press('Enter');
      // What was typed shows as the person's own message.
      await page.getByTestId('message').filter({ hasText: text.slice(0, 20) }).last().waitFor();
    },
    /** The newest card that has a button with this label, pinned to its message (it stays found once redrawn). */
    async cardWith(label: string): Promise<Locator> {
      const card = page.getByTestId('card').filter({ has: page.getByRole('button', { name: label, exact: true }) }).last();
      await card.waitFor({ timeout: 15_000 });
      const id = await page.getByTestId('message').filter({ has: card }).last().getAttribute('data-id');
      return page.locator(`[data-testid="message"][data-id="${id}"]`).getByTestId('card');
    },
    /** Presses a card's button (confirming when asked) and returns the card, redrawn in place without buttons. */
    async press(label: string, confirm = false): Promise<Locator> {
      const card = await this.cardWith(label);
      await card.getByRole('button', { name: label, exact: true }).click();
      if (confirm) await page.getByRole('button', { name: '确定', exact: true }).click();
      await card.getByRole('button').first().waitFor({ state: 'detached', timeout: 15_000 });
      return card;
    },
  };
}

describe('the console in a browser', () => {
  it('runs the whole life of an item, refuses the wrong person, shows two people side by side, and a reminder', async () => {
    // A Tuesday, 30 s before the 09:00 reminder slot.
    const s = await startService(
      'console',
      { REDIS_URL, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'info', DUCHA_CLOCK: '2026-09-29T08:59:30+08:00' },
      run.track,
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${s.base}/console`);
    const c = consoleOf(page);

    // An empty console says what to try first, with the example directory's people.
    await page.getByText('以督查室张伟的身份输入').filter({ visible: true }).first().waitFor();
    expect(await page.getByLabel('身份').inputValue()).toBe('zhangwei');

    // An item due tomorrow, for the reminder at 09:00, left unreceived.
    await c.type('/新建 背街小巷路灯修复 单位=gaj 期限=1工作日 类别=紧急');
    await c.press('发出');

    // 新建 → preview → 发出.
    await c.type('/新建 城区主干道积水整治 单位=jtj 期限=5工作日 类别=民生 要求="汛期前完成排查整改"');
    const preview = await c.cardWith('发出');
    expect(await preview.textContent()).toContain('预览');
    // A draft's reference; the 督字 number comes at 发出, and the card pressed shows it.
    expect(await preview.textContent()).toContain('草稿2');
    expect(await preview.textContent()).toContain('草稿保留 7 天');
    expect(await (await c.press('发出')).textContent()).toContain('督字〔2026〕2号');

    // The head receives it in person.
    await c.as('李明');
    const notice = await c.cardWith('签收');
    expect(await notice.textContent()).toContain('城区主干道积水整治');

    // Somebody else pressing the head's button (from the page itself, with its token) is refused, server-side,
    // and nothing changes.
    const refused = await page.evaluate(async (base) => {
      const headers = { 'content-type': 'application/json', 'x-console-token': document.querySelector<HTMLMetaElement>('meta[name="console-token"]')!.content };
      const { messages } = (await (await fetch(`${base}/console/api/messages?person=liming`, { headers })).json()) as {
        messages: { kind: string; card?: { buttons: { text: string; token: string }[] } }[];
      };
      const token = messages.flatMap((m) => m.card?.buttons ?? []).find((b) => b.text === '签收')!.token;
      const res = await fetch(`${base}/console/api/press`, { method: 'POST', headers, body: JSON.stringify({ person: 'wangjianguo', token }) });
      return (await res.json()) as { toast: { kind: string; text: string } };
    }, s.base);
    expect(refused.toast).toEqual({ kind: 'error', text: '这张卡片是发给李明的，您不能代为操作' });
    expect(await notice.getByRole('button', { name: '签收', exact: true }).count()).toBe(1);

    expect(await (await c.press('签收')).textContent()).toContain('已由李明于');
    expect(await notice.textContent()).toContain('已由李明于');

    // The contact reports; the head signs (after confirming); the office accepts (after confirming).
    await c.as('赵磊');
    await c.type('/报送 2 办结 已完成全部 12 处积水点整治：排水管网疏通 3.2 公里。');
    await page.getByText('送李明签署').first().waitFor();

    await c.as('李明');
    const toSign = await c.cardWith('签署');
    expect(await toSign.textContent()).toContain('排水管网疏通 3.2 公里');
    // The confirmation names the version; cancelling it changes nothing.
    await toSign.getByRole('button', { name: '签署', exact: true }).click();
    await page.getByText('第 1 稿').last().waitFor();
    await page.getByRole('button', { name: '取消', exact: true }).last().click();
    expect(await toSign.getByRole('button', { name: '签署', exact: true }).count()).toBe(1);
    await c.press('签署', true);

    await c.as('张伟');
    expect(await (await c.press('受理', true)).textContent()).toContain('受理');
    await c.type('/查看 2');
    await page.getByTestId('message').filter({ hasText: '状态：已办结' }).waitFor();

    // A reload shows the history.
    await page.reload();
    await page.getByTestId('message').filter({ hasText: '状态：已办结' }).waitFor();
    expect(await page.getByLabel('身份').inputValue()).toBe('zhangwei');

    // The office and a head side by side.
    await page.getByRole('button', { name: '并排查看' }).click();
    await page.getByLabel('对照人员').selectOption('liming');
    await page.getByTestId('pane').nth(1).getByText('已由李明于').first().waitFor();
    expect(await page.getByTestId('pane').count()).toBe(2);

    // At 09:00 in the service's time, the head of the other unit is reminded of the item due tomorrow.
    await c.as('周宏伟');
    const reminder = page.getByTestId('card').filter({ hasText: '【到期提醒】' });
    await reminder.first().waitFor({ timeout: 60_000 });
    expect(await reminder.first().textContent()).toContain('背街小巷路灯修复');
    expect(await reminder.first().getByRole('button', { name: /签收/ }).count()).toBe(1);
    await page.close();
  }, 120_000);

  it('says 系统繁忙，请稍后再试 at once when Redis is gone, and keeps what was typed', async () => {
    const redis = await startPrivateRedis(await freePort());
    try {
      const s = await startService('console', { REDIS_URL: redis.url, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'info' }, run.track);
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${s.base}/console`);
      await consoleOf(page).type('/台账');
      await redis.stop();
      await until('the service knows', () => s.out().includes('Redis 连接中断'), 10_000);
      const box = page.getByPlaceholder('输入命令');
      await box.fill('/帮助');
      const t = Date.now();
      await box.press('Enter');
      await page.getByRole('status').filter({ hasText: '系统繁忙，请稍后再试' }).waitFor({ timeout: 5_000 });
      expect(Date.now() - t).toBeLessThan(2000);
      expect(await box.inputValue()).toBe('/帮助');
      if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT });
      await page.close();
    } finally {
      await redis.stop();
    }
  }, 60_000);
});
