// The local console as a platform, below the page: when it is on (DUCHA_CONSOLE), what its routes answer, that a
// command typed there is taken in like a chat message and answered through the delivery queue, that a press is
// checked server-side, that each delivery shows once however often its job runs, and that the history expires.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/infra/clock.ts';
import { ConfigError, loadConfig } from '../src/infra/config.ts';
import { ConsoleAdapter } from '../src/platforms/console/adapter.ts';
import { ConsoleHistory, HISTORY_MAX, HISTORY_TTL_SECONDS, type ConsoleMessage } from '../src/platforms/console/history.ts';
import { consoleClient } from './helpers/console-client.ts';
import { REDIS_URL } from './helpers/harness.ts';
import { processesPerTest, startService } from './helpers/service-process.ts';
import { until } from './helpers/until.ts';

const FEISHU = { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718', FEISHU_APP_SECRET: 'secret', FEISHU_VERIFICATION_TOKEN: 'token' };
const WECOM = { WECOM_CORP_ID: 'ww1', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 's', WECOM_TOKEN: 't', WECOM_ENCODING_AES_KEY: 'a'.repeat(43) };

describe('DUCHA_CONSOLE', () => {
  it('auto: on with no platform, off with Feishu or WeCom', () => {
    expect(loadConfig({}).console).toBe(true);
    expect(loadConfig({ DUCHA_CONSOLE: 'auto', ...FEISHU }).console).toBe(false);
    expect(loadConfig({ ...WECOM }).console).toBe(false);
    expect(loadConfig({ DUCHA_CONSOLE: 'off' }).console).toBe(false);
    expect(loadConfig({ DUCHA_CONSOLE: 'on' }).console).toBe(true);
  });

  it('on with a platform configured refuses to start, saying why', () => {
    expect(() => loadConfig({ DUCHA_CONSOLE: 'on', ...FEISHU })).toThrow(ConfigError);
    expect(() => loadConfig({ DUCHA_CONSOLE: 'on', ...FEISHU })).toThrow(/DUCHA_CONSOLE：已配置飞书时不能设为 on。本地控制台允许任何人以任何人的身份操作/);
    expect(() => loadConfig({ DUCHA_CONSOLE: 'on', ...WECOM })).toThrow(/已配置企业微信时不能设为 on/);
    expect(() => loadConfig({ DUCHA_CONSOLE: 'yes' })).toThrow(/DUCHA_CONSOLE：只能是 auto、on 或 off/);
  });
});

let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
});
const run = processesPerTest('console');

const start = (env: Record<string, string> = {}) =>
  startService('console', { REDIS_URL, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'info', ...env }, run.track);

describe('the console history', () => {
  it('shows a delivery once however often its job runs, keeps order, redraws in place, expires, and keeps the latest', async () => {
    const prefix = run.prefix();
    const history = new ConsoleHistory(redis, prefix);
    const adapter = new ConsoleAdapter(history, systemClock);
    const li = { id: 'liming', name: '李明', prefer: 'feishu' as const };
    const card = { title: '督查通知', color: 'red' as const, fields: [], buttons: [{ text: '签收', style: 'primary' as const, token: 't' }] };
    const first = await adapter.send(li, { kind: 'card', card }, { dedupKey: 'd-1' });
    const again = await adapter.send(li, { kind: 'card', card }, { dedupKey: 'd-1' });
    expect(again.messageId).toBe(first.messageId);
    await adapter.send(li, { kind: 'text', text: '第二条' }, { dedupKey: 'd-2', urgent: true });
    let list = await history.list('liming');
    expect(list.map((m) => m.kind)).toEqual(['card', 'text']);
    expect(list[1]).toMatchObject({ from: 'bot', text: '第二条', urgent: true });
    expect(list[0]!.seq).toBeLessThan(list[1]!.seq);

    await adapter.update(first, { ...card, buttons: [], note: '已由李明签收' }, li);
    list = await history.list('liming');
    expect(list[0]).toMatchObject({ id: first.messageId, kind: 'card', card: { buttons: [], note: '已由李明签收' } });
    expect(list).toHaveLength(2);

    const ttl = await redis.ttl(`${prefix}:console:msgs:liming`);
    expect(ttl).toBeGreaterThan(HISTORY_TTL_SECONDS - 10);
    expect(ttl).toBeLessThanOrEqual(HISTORY_TTL_SECONDS);

    for (let i = 0; i < HISTORY_MAX + 5; i++) await adapter.send(li, { kind: 'text', text: `第 ${i} 条` }, { dedupKey: `many-${i}` });
    list = await history.list('liming');
    expect(list).toHaveLength(HISTORY_MAX);
    expect((list.at(-1) as Extract<ConsoleMessage, { kind: 'text' }>).text).toBe(`第 ${HISTORY_MAX + 4} 条`);
    expect(await redis.hlen(`${prefix}:console:msgs:liming`)).toBe(HISTORY_MAX);
  });
});

describe('the console routes', () => {
  it('answer 404 when a platform is configured (auto), and a start with DUCHA_CONSOLE=on and Feishu fails', async () => {
    const s = await start({ ...FEISHU, FEISHU_BASE_URL: 'http://127.0.0.1:9' });
    expect((await fetch(`${s.base}/console`)).status).toBe(404);
    expect((await fetch(`${s.base}/`, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${s.base}/console/favicon.svg`)).status).toBe(404);
    expect((await fetch(`${s.base}/console/api/people`)).status).toBe(404);
    await s.stop();
    await expect(start({ ...FEISHU, DUCHA_CONSOLE: 'on' }), 'start-up must fail').rejects.toThrow();
    const failed = run.procs().at(-1)!;
    expect((await failed.exited).code).toBe(1);
    expect(failed.out()).toContain('DUCHA_CONSOLE：已配置飞书时不能设为 on');
  });

  it('serve the page, take a command in and answer it through the queue, live, and check a press server-side', async () => {
    const s = await start();
    expect(s.out()).toContain('本地控制台已启用');
    const page = await fetch(`${s.base}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    for (const asset of ['app.js', 'app.css']) expect((await fetch(`${s.base}/console/${asset}`)).status).toBe(200);
    // `/` leads to the console; the icon is an SVG.
    const root = await fetch(`${s.base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console');
    const icon = await fetch(`${s.base}/console/favicon.svg`);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(await icon.text()).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);

    const api = await consoleClient(s.base);
    const people = (await (await api.get('people')).json()) as { people: { id: string; name: string; role: string; group: string }[]; guide: string[] };
    expect(people.people[0]).toEqual({ id: 'zhangwei', name: '张伟', role: '督查室', group: '督查室' });
    expect(people.people).toContainEqual({ id: 'liming', name: '李明', role: '市交通运输局 一把手', group: '市交通运输局' });
    // Grouped: the office, then each unit in the directory's order, each group together.
    const groups = people.people.map((p) => p.group).filter((g, i, all) => g !== all[i - 1]);
    expect(groups).toEqual(['督查室', '批办领导', '市交通运输局', '市公安局', '市教育局', '市卫生健康委员会', '市住房和城乡建设局', '市生态环境局', '市自然资源和规划局', '市人力资源和社会保障局', '东城区人民政府', '西湖区人民政府', '示例县人民政府']);
    expect(people.guide).toHaveLength(3);
    expect(people.guide[0]).toContain('张伟');

    // A live stream for the clerk, read as the page reads it.
    const abort = new AbortController();
    const { res: stream, events } = await api.stream('zhangwei', abort.signal);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');

    const post = api.post;
    expect((await post('send', { person: 'zhangwei', text: '/新建 城区主干道积水整治 单位=jtj 期限=5工作日 类别=民生' })).status).toBe(202);
    const messages = async (person: string) =>
      ((await (await api.get(`messages?person=${person}`)).json()) as { messages: ConsoleMessage[] }).messages;
    await until('the preview card', async () => (await messages('zhangwei')).some((m) => m.kind === 'card'));
    const [typed, preview] = await messages('zhangwei');
    expect(typed).toMatchObject({ from: 'me', kind: 'text', text: '/新建 城区主干道积水整治 单位=jtj 期限=5工作日 类别=民生' });
    expect(preview).toMatchObject({ from: 'bot', kind: 'card' });
    await until('both pushed live', () => events.join('').split('event: message').length - 1 >= 2);
    const card = (preview as Extract<ConsoleMessage, { kind: 'card' }>).card;
    const issue = card.buttons.find((b) => b.text === '发出')!;

    // The head may not press the clerk's card: refused server-side, nothing changes.
    const wrong = (await (await post('press', { person: 'liming', token: issue.token })).json()) as { toast: { kind: string; text: string } };
    expect(wrong.toast).toEqual({ kind: 'error', text: '这张卡片是发给张伟的，您不能代为操作' });
    expect(await messages('liming')).toEqual([]);

    const ok = (await (await post('press', { person: 'zhangwei', token: issue.token, messageId: preview!.id })).json()) as { toast: { kind: string } };
    expect(ok.toast.kind).toBe('success');
    await until('the notice reaches the head', async () => (await messages('liming')).some((m) => m.kind === 'card'));
    const redrawn = (await messages('zhangwei')).find((m) => m.id === preview!.id) as Extract<ConsoleMessage, { kind: 'card' }>;
    expect(redrawn.card.buttons).toEqual([]);
    expect(redrawn.card.note).toContain('张伟');
    await until('the redraw pushed live', () => events.join('').includes('event: update'));
    abort.abort();

    // Bad input: a clear answer in Chinese, and nothing done.
    const bad = async (path: string, body: unknown) => ((await (await post(path, body)).json()) as { error: string }).error;
    expect(await bad('send', { person: 'nobody', text: '/帮助' })).toBe('组织名录中没有「nobody」这个人');
    expect(await bad('send', { person: 'zhangwei', text: '  ' })).toBe('请输入命令，例如 /帮助');
    expect(await bad('send', { person: 'zhangwei', text: '字'.repeat(20_001) })).toBe('内容太长：最多 20000 个字');
    expect(await bad('press', { person: 'zhangwei' })).toBe('按钮数据缺失');
    const notJson = await fetch(`${s.base}/console/api/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-console-token': api.token },
      body: 'x',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toBe('请求格式有误（应为 JSON）');
    expect((await api.get('messages')).status).toBe(400);
    // SIGTERM with a page still open: the stream ends and the service drains.
    expect((await s.stop()).code).toBe(0);
  });

  it('works with web and worker in separate processes: the answers of the worker reach the page the web process holds open', async () => {
    const web = await start({ DUCHA_ROLE: 'web' });
    await startService('worker', { REDIS_URL, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'info', DUCHA_ROLE: 'worker' }, run.track);
    const abort = new AbortController();
    const api = await consoleClient(web.base);
    const { events } = await api.stream('zhangwei', abort.signal);
    const sent = await api.post('send', { person: 'zhangwei', text: '/帮助' });
    expect(sent.status).toBe(202);
    await until('the help text pushed live', () => events.join('').includes('督查机器人命令'));
    abort.abort();
  });

  it('seeds example items in four stages, each waiting in the right console, each fitting its unit and the month', async () => {
    // December: nothing about the flood season (汛期).
    const s = await start({ DUCHA_CLOCK: '2026-12-15T10:00:00+08:00' });
    const api = await consoleClient(s.base);
    const seeded = (await (await api.post('seed', {})).json()) as { text: string };
    expect(seeded.text).toMatch(/已生成 4 件示例事项：\n督字〔2026〕1号 待李明签署\n督字〔2026〕2号 已签署，待督查室受理\n督字〔2026〕3号 已发出，待签收\n草稿4 草稿，待发出/);
    const buttons = async (person: string) =>
      ((await (await api.get(`messages?person=${person}`)).json()) as { messages: ConsoleMessage[] }).messages.flatMap((m) =>
        m.kind === 'card' ? m.card.buttons.map((b) => b.text) : [],
      );
    await until('each console has its card', async () =>
      (await buttons('liming')).includes('签署') && (await buttons('zhangwei')).includes('受理') && (await buttons('zhangwei')).includes('发出'),
    );
    // The ordinary item went to the first deputy of the third unit, who has not received it yet.
    await until('the deputy has the notice', async () => (await buttons('linzhiqiang')).includes('签收'));
    const everything = async (person: string) => JSON.stringify(await (await api.get(`messages?person=${person}`)).json());
    // The transport bureau's item is about roads.
    expect(await everything('liming')).toContain('城区主干道路面破损修复');
    for (const person of ['zhangwei', 'liming', 'zhaolei', 'zhouhongwei', 'linzhiqiang']) expect(await everything(person)).not.toMatch(/汛/);
  });
});
