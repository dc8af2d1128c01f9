// The queue dashboard (/admin/queues) as an operator opens it: headless Chromium against `npm start`, with the
// admin's password, lists the four queues, in Chinese, loading nothing from anywhere but ducha itself (its web font
// is refused by the page's policy, so it looks the same on a machine with no internet).
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { useChromium } from './helpers/chromium.ts';
import { REDIS_URL } from './helpers/harness.ts';
import { processesPerTest, startService } from './helpers/service-process.ts';

const PASSWORD = 'dashboard-test-password';

const browser = useChromium();
const run = processesPerTest('admin');

describe('the queue dashboard in a browser', () => {
  it('lists the inbound, delivery and schedule queues, read-only, with nothing loaded from elsewhere', async () => {
    const s = await startService('web', { REDIS_URL, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'error', DUCHA_ADMIN_PASSWORD: PASSWORD }, run.track);
    // A job waiting in the schedule queue (due in an hour), to see on its page.
    const queue = new Queue('schedule', { connection: { url: REDIS_URL }, prefix: run.prefix() });
    await queue.add('slot', { date: '2026-12-07' }, { jobId: 'slot-2026-12-07', delay: 3600_000 });
    await queue.close();

    const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, httpCredentials: { username: 'admin', password: PASSWORD } });
    const page = await context.newPage();
    // Everything the page fetched, and what the browser refused to fetch (with why).
    const fetched: string[] = [];
    const refused: string[] = [];
    page.on('requestfinished', (r) => fetched.push(r.url()));
    page.on('requestfailed', (r) => refused.push(`${r.url()} ${r.failure()?.errorText}`));

    const res = await page.goto(`${s.base}/admin/queues`);
    expect(res?.status()).toBe(200);
    // The menu names the four queues, each a link to its page.
    const menu = page.locator('a[href^="/admin/queues/queue/"]');
    await menu.nth(3).waitFor({ timeout: 15_000 });
    expect(new Set(await menu.allInnerTexts())).toEqual(new Set(['inbound', 'deliver', 'schedule', 'render']));
    // In Chinese (its zh-CN strings), under the title ducha gives it.
    expect(await page.title()).toBe('ducha 队列');
    await page.getByText('已完成').first().waitFor();
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT });

    // A queue's page says what it holds and shows its jobs, with no button that changes anything.
    await page.locator('a[href="/admin/queues/queue/schedule"]').first().click();
    await page.getByText('定时任务：提醒、签收催办、按名录更换负责领导').waitFor();
    await page.locator('a[href$="status=delayed"]').first().click();
    await page.getByText('slot-2026-12-07').first().waitFor();
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT.replace(/\.png$/, '-queue.png') });
    const actions = /^(提升|清理|重试|复制|暂停|清空|彻底删除|添加作业|提升全部|清理全部|全部暂停)/;
    expect(await page.getByRole('button', { name: actions }).count()).toBe(0);

    // Nothing from elsewhere: the web font it links is refused by the page's policy, before any connection.
    expect(fetched.filter((u) => !u.startsWith(s.base))).toEqual([]);
    expect(refused.filter((r) => !r.startsWith(s.base))).toEqual([expect.stringMatching(/^https:\/\/fonts\.googleapis\.com\/.* csp$/)]);
    await context.close();
  });
});
