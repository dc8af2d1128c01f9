// The local console as a person uses it: a real headless Chromium (Debian's, driven by playwright-core) on the page
// `npm start` serves, through the whole life of an item — 新建 → preview → 发出 → the head's 签收 → the contact's 报送 →
// the head's 签署 → the office's 受理 → 办结 — plus a press by the wrong person refused, two people side by side, a
// reload keeping the history, and a reminder arriving at the slot (the service started with DUCHA_CLOCK); and what a
// person sees when Redis goes away (on a redis-server of the test's own).
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useChromium } from './helpers/chromium.ts';
import { REDIS_URL } from './helpers/harness.ts';
import { freePort, processesPerTest, startService } from './helpers/service-process.ts';
import { until } from './helpers/until.ts';
import { startPrivateRedis } from '../bench/private-redis.ts';

const browser = useChromium();
const run = processesPerTest('cbrowser');

/** Acting in the first pane as a person. */
function consoleOf(page: Page) {
  const box = () => page.getByTestId('pane').first().getByPlaceholder('输入命令');
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
    const page = await browser().newPage({ viewport: { width: 1280, height: 800 } });
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

  it('tells the contact what to send at 签收, and asks the leader for a reason in the dialog before 退回修改', async () => {
    const s = await startService('console', { REDIS_URL, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'info' }, run.track);
    const page = await browser().newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${s.base}/console`);
    const c = consoleOf(page);
    const shot = async (name: string) => {
      if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/${name}.png` });
    };
    await c.type('/新建 城区主干道积水整治 单位=jtj 期限=5工作日 类别=民生 要求="汛期前完成排查整改"');
    await c.press('发出');
    await c.as('李明');
    await c.press('签收');

    // The contact: what the unit must do, and the exact line to send.
    await c.as('赵磊');
    const brief = page.getByTestId('card').filter({ hasText: '请报送办理情况' });
    await brief.waitFor();
    const read = (await brief.textContent())!;
    expect(read).toContain('李明已于');
    expect(read).toContain('/报送 1 <办理情况>');
    expect(read).toContain('/报送 1 办结 <办结报告>');
    await shot('contact-card');
    await c.type('/报送 1 已完成排查，整改方案：分三批推进。');

    await c.as('李明');
    const toSign = await c.cardWith('退回修改');
    await toSign.getByRole('button', { name: '退回修改', exact: true }).click();
    const box = page.getByLabel('退回理由');
    await box.waitFor();
    // 确定 with nothing typed: the dialog stays, says what is missing, and nothing is sent.
    await page.getByRole('button', { name: '确定', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: '请填写退回理由' }).waitFor();
    await shot('reason-missing');
    expect(await box.isVisible()).toBe(true);
    expect(await toSign.getByRole('button', { name: '退回修改', exact: true }).count()).toBe(1);
    await box.fill('数据不全，请补充各区县明细');
    expect(await page.getByRole('alert').filter({ hasText: '请填写退回理由' }).isVisible()).toBe(false);
    await shot('reason-dialog');
    await page.getByRole('button', { name: '确定', exact: true }).click();
    await toSign.getByRole('button').first().waitFor({ state: 'detached', timeout: 15_000 });
    expect(await toSign.textContent()).toContain('退回联络员修改。退回理由：数据不全，请补充各区县明细');

    await c.as('赵磊');
    await page.getByTestId('message').filter({ hasText: '退回理由：数据不全，请补充各区县明细' }).first().waitFor();
    await shot('contact-told');
    await page.close();
  }, 120_000);

  it('says 系统繁忙，请稍后再试 at once when Redis is gone, and keeps what was typed', async () => {
    const redis = await startPrivateRedis(await freePort());
    try {
      const s = await startService('console', { REDIS_URL: redis.url, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'info' }, run.track);
      const page = await browser().newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${s.base}/console`);
      await consoleOf(page).type('/台账');
      await redis.stop();
      await until('the service knows', () => s.out().includes('Redis 连接中断'), 10_000);
      const box = page.getByTestId('pane').first().getByPlaceholder('输入命令');
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

  it('shows 连接已断开，正在重连 while the service is down (or a proxy answers for it), says why a send failed, and recovers when it is back', async () => {
    const env = { REDIS_URL, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'info' };
    const s = await startService('console', env, run.track);
    const page = await browser().newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${s.base}/console`);
    const c = consoleOf(page);
    await c.type('/台账');
    await page.getByTestId('message').filter({ hasText: '台账中没有' }).waitFor();
    const banner = page.getByRole('alert').filter({ hasText: '连接已断开，正在重连' });
    expect(await banner.count()).toBe(0);

    // The service stops: the page says so, and keeps saying so.
    expect((await s.stop()).code).toBe(0);
    await banner.waitFor({ timeout: 10_000 });
    const box = page.getByTestId('pane').first().getByPlaceholder('输入命令');
    await box.fill('/帮助');
    await box.press('Enter');
    await page.getByRole('status').filter({ hasText: '无法连接服务，请检查服务是否在运行' }).waitFor({ timeout: 5_000 });
    expect(await box.inputValue()).toBe('/帮助');
    expect(await englishOn(page)).toEqual([]);
    expect(await banner.isVisible()).toBe(true);
    await shot(page, 'console-disconnected');

    // A proxy in front would answer 502 for the stream meanwhile: the browser then gives up on it, and the page
    // itself must try again.
    let proxied = 0;
    await page.route('**/console/api/stream?**', (route) => {
      proxied++;
      return route.fulfill({ status: 502, contentType: 'text/html', body: 'Bad Gateway' });
    });
    await until('the stream answered 502', () => proxied > 0, 15_000);

    // Back on the same address: the banner goes by itself, the history is there, and the send that failed works.
    await startService('console', { ...env, PORT: String(s.port) }, run.track);
    await page.unroute('**/console/api/stream?**');
    await page.locator('#offline').waitFor({ state: 'hidden', timeout: 20_000 });
    expect(await page.getByTestId('message').filter({ hasText: '台账中没有' }).count()).toBe(1);
    await box.press('Enter');
    await page.getByTestId('message').filter({ hasText: '督查机器人命令' }).waitFor({ timeout: 15_000 });
    await shot(page, 'console-reconnected');
    await page.close();
  }, 90_000);

  it('is a product’s face: / leads to it, it has an icon, 身份 grouped by unit with the office first, two panes alike, no English', async () => {
    const s = await startService('console', { REDIS_URL, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'info' }, run.track);
    const page = await browser().newPage({ viewport: { width: 1280, height: 800 } });
    const landed = await page.goto(`${s.base}/`);
    expect(new URL(page.url()).pathname).toBe('/console');
    expect(landed!.request().redirectedFrom()?.url()).toBe(`${s.base}/`);
    expect((await landed!.request().redirectedFrom()!.response())!.status()).toBe(302);
    await page.getByText('以督查室张伟的身份输入').filter({ visible: true }).first().waitFor();

    // The icon the page links to loads as an image under the page's own rules (CSP).
    const icon = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]')!;
      const img = new Image();
      img.src = link.href;
      await img.decode();
      return { href: link.getAttribute('href'), type: link.type, width: img.naturalWidth };
    });
    expect(icon).toEqual({ href: '/console/favicon.svg', type: 'image/svg+xml', width: 64 });

    // 身份: the office first, the leaders who instruct items (批办领导), then each unit, its head first.
    const groups = await page.locator('#person optgroup').evaluateAll((gs) =>
      gs.map((g) => ({ label: (g as HTMLOptGroupElement).label, people: [...g.querySelectorAll('option')].map((o) => o.textContent) })),
    );
    expect(groups.map((g) => g.label)).toEqual(['督查室', '批办领导', '市交通运输局', '市公安局', '市教育局', '市卫生健康委员会', '市住房和城乡建设局', '市生态环境局', '市自然资源和规划局', '市人力资源和社会保障局', '东城区人民政府', '西湖区人民政府', '示例县人民政府']);
    expect(groups[0]!.people).toEqual(['张伟', '陈静', '刘洋']);
    expect(groups[1]!.people).toEqual(['孙建华']);
    expect(groups[2]!.people).toEqual(['李明', '王建国', '孙丽', '赵磊']);
    expect(await englishOn(page)).toEqual([]);

    // Example items, and the two panes side by side: the same buttons in each, and words to open and close alike.
    await page.getByRole('button', { name: '生成示例事项' }).click();
    await page.getByRole('status').filter({ hasText: '已生成 4 件示例事项' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: '并排查看' }).click();
    await page.getByLabel('对照人员').selectOption({ label: '李明' });
    await page.getByTestId('pane').nth(1).getByTestId('card').filter({ hasText: '城区主干道路面破损修复' }).first().waitFor();
    const panes = page.getByTestId('pane');
    for (const i of [0, 1]) {
      expect(await panes.nth(i).locator('form').getByRole('button').allTextContents()).toEqual(['附文件', '发送']);
      expect(await panes.nth(i).getByRole('textbox').getAttribute('placeholder')).toContain('Enter 发送');
    }
    expect(await page.getByRole('button', { name: '提交' }).count()).toBe(0);
    // One box on the page is the 输入命令 one (the first pane's), as before.
    expect(await page.getByPlaceholder('输入命令').count()).toBe(1);
    expect(await page.getByRole('button', { name: '关闭并排' }).count()).toBe(1);
    expect(await englishOn(page)).toEqual([]);
    await shot(page, 'console-face');
    await page.getByRole('button', { name: '关闭并排' }).click();
    expect(await page.getByRole('button', { name: '并排查看' }).isVisible()).toBe(true);
    await page.close();
  }, 90_000);
});

/** Words of Latin letters a person can see on the page (text, placeholders, list labels), but the keys Enter and Shift. */
async function englishOn(page: Page): Promise<string[]> {
  const seen = await page.evaluate(() => [
    document.body.innerText,
    document.title,
    ...[...document.querySelectorAll('textarea')].filter((t) => t.offsetParent !== null).map((t) => t.placeholder),
    ...[...document.querySelectorAll('optgroup')].map((g) => g.label),
  ]);
  return seen.join('\n').match(/[A-Za-z]{2,}/g)?.filter((w) => w !== 'Enter' && w !== 'Shift') ?? [];
}

/** Saves a screenshot to look at, when SCREENSHOTS names a folder. */
async function shot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/${name}.png` });
}
