// Another site against the console, in a real headless Chromium: a page on another origin tries what any page
// the user visits could (a text/plain form post, a no-cors fetch, a JSON fetch, reading the console, framing it),
// and a name that resolves to this machine (DNS rebinding) asks for the console. Nothing runs, nothing is read, the
// frame stays empty; the console itself still works in the same browser.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from './helpers/harness.ts';
import { until } from './helpers/until.ts';
import { freePort, processesPerTest, startService } from './helpers/service-process.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let browser: Browser;
let redis: Redis;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`);
  // evil.example resolves to this machine, as an attacker's name does after a DNS rebinding.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--host-resolver-rules=MAP evil.example 127.0.0.1'] });
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await browser?.close();
  await redis?.quit();
});
const run = processesPerTest('ccross');

/** The attacker's page: every way a page can send to or read from another origin without its cooperation. */
function attackPage(console: string): string {
  const command = JSON.stringify({ person: 'zhangwei', text: '/新建 跨站请求 单位=jtj 期限=5工作日' });
  // A text/plain form whose one field makes the body valid JSON: {"person":…,"x":"="}.
  const field = command.slice(0, -1) + ',"x":"';
  return `<!doctype html><meta charset="utf-8"><title>evil</title>
<iframe name="sink" id="sink"></iframe>
<form id="form" method="POST" action="${console}/console/api/send" enctype="text/plain" target="sink"><input name='${field}' value='"}'></form>
<iframe id="framed" src="${console}/console" onload="window.framedLoaded = true"></iframe>
<script>
window.results = {};
const attempt = async (name, f) => { try { results[name] = await f(); } catch (e) { results[name] = 'error: ' + e.message; } };
window.done = (async () => {
  const url = '${console}/console/api/send';
  const body = ${JSON.stringify(command)};
  await attempt('noCors', async () => (await fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body })).type);
  await attempt('json', async () => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status);
  await attempt('read', async () => (await fetch('${console}/console/api/people')).status);
  await attempt('page', async () => (await fetch('${console}/console')).text());
  await new Promise((resolve) => { document.getElementById('sink').onload = resolve; document.getElementById('form').submit(); });
  results.form = 'submitted';
  return results;
})();
</script>`;
}

describe('the console against another site, in Chromium', () => {
  let attacker: Server | undefined;
  afterAll(() => attacker?.close());

  it('runs nothing from another origin, lets it read nothing, refuses to be framed or served under a foreign name', async () => {
    const s = await startService('console', { REDIS_URL, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'info' }, run.track);
    const consoleOrigin = `http://127.0.0.1:${s.port}`;
    const attackPort = await freePort();
    attacker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(attackPage(consoleOrigin));
    });
    await new Promise<void>((resolve) => attacker!.listen(attackPort, '127.0.0.1', resolve));

    const context = await browser.newContext();
    const page = await context.newPage();
    const messages: string[] = [];
    page.on('console', (m) => messages.push(m.text()));
    await page.goto(`http://evil.example:${attackPort}/`);
    const results = (await page.evaluate(() => (window as unknown as { done: Promise<Record<string, unknown>> }).done)) as Record<string, unknown>;

    // The no-cors post and the form did reach the service (so they were refused there, not by the browser)…
    // (A request's log line is written after its answer: wait for both lines, bounded.)
    const sendLines = () => s.out().split('\n').filter((l) => l.includes('"method":"POST","path":"/console/api/send"'));
    await until('both posts are in the log', () => sendLines().length >= 2);
    const posts = sendLines();
    for (const l of posts) expect(l).toContain('"status":403');
    // …and ran nothing: no message in the clerk's console, no draft.
    expect(await redis.exists(`${run.prefix()}:console:msgs:zhangwei`)).toBe(0);
    expect(results.noCors).toBe('opaque');
    // The JSON post and the reads are stopped by the browser (no CORS), the post before it is even sent.
    expect(results.json).toMatch(/^error: /);
    expect(results.read).toMatch(/^error: /);
    expect(results.page).toMatch(/^error: /);
    expect(results.form).toBe('submitted');

    // The frame shows nothing of the console: the browser refused it (frame-ancestors 'none', X-Frame-Options).
    await page.waitForFunction(() => (window as unknown as { framedLoaded?: boolean }).framedLoaded === true);
    const framed = page.frames().find((f) => f !== page.mainFrame() && f.name() !== 'sink')!;
    expect(framed).toBeDefined();
    expect(await framed.locator('#person').count()).toBe(0);
    expect(messages.some((m) => m.includes("frame-ancestors 'none'"))).toBe(true);

    // DNS rebinding: the attacker's name, the console's port. The service refuses the foreign Host.
    const rebound = await page.goto(`http://evil.example:${s.port}/console`);
    expect(rebound!.status()).toBe(403);
    expect(await page.locator('body').textContent()).toContain('请用本机地址打开控制台');
    expect(await page.locator('meta[name="console-token"]').count()).toBe(0);

    // The console itself works in the same browser, with no policy violation on its page.
    messages.length = 0;
    await page.goto(`${consoleOrigin}/console`);
    await page.getByPlaceholder('输入命令').fill('/帮助');
    await page.getByPlaceholder('输入命令').press('Enter');
    await page.getByTestId('message').filter({ hasText: '督查机器人命令' }).first().waitFor({ timeout: 15_000 });
    expect(messages.filter((m) => /Content Security Policy|Refused to/i.test(m))).toEqual([]);
    const history = Object.values(await redis.hgetall(`${run.prefix()}:console:msgs:zhangwei`)).join('\n');
    expect(history).not.toContain('跨站请求');
    await context.close();
  }, 60_000);
});
