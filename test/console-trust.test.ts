// The console locked to its machine: where it listens (HOST, and the password it needs beyond loopback), that
// production never turns it on by itself, and that its routes refuse a foreign Host, another site's requests
// (raw, as a page elsewhere or a script would send them) and a missing or forged page token.
import { request } from 'node:http';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/infra/config.ts';
import { consoleClient } from './helpers/console-client.ts';
import { REDIS_URL } from './helpers/harness.ts';
import { processesPerTest, startService, type ServiceProcess } from './helpers/service-process.ts';
import { until } from './helpers/until.ts';

const FEISHU = { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718', FEISHU_APP_SECRET: 'secret', FEISHU_VERIFICATION_TOKEN: 'token' };
const WECOM = { WECOM_CORP_ID: 'ww1', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 's', WECOM_TOKEN: 't', WECOM_ENCODING_AES_KEY: 'a'.repeat(43) };
const PROD = { NODE_ENV: 'production' };

let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
});
const run = processesPerTest('ctrust');
const start = (env: Record<string, string> = {}) => startService('console', { REDIS_URL, DUCHA_PREFIX: run.prefix(), LOG_LEVEL: 'info', ...env }, run.track);

/** Starts a service that must refuse to start; resolves to what it printed. */
async function refusal(env: Record<string, string>): Promise<string> {
  await expect(start(env), 'start-up must fail').rejects.toThrow();
  const failed = run.procs().at(-1)!;
  expect((await failed.exited).code).toBe(1);
  return failed.out();
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request exactly as given (Host header included), to `address`:`port`. */
function raw(
  port: number,
  opts: { path: string; method?: string; headers?: Record<string, string>; body?: string; address?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: opts.address ?? '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** What a TCP connection to `address`:`port` meets: 'connected' or the error code. */
function tcp(address: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, address);
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('HOST and DUCHA_CONSOLE_PASSWORD', () => {
  it('listen on loopback with the console, on every interface with a platform, and where HOST says', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ DUCHA_CONSOLE: 'on' }).host).toBe('127.0.0.1');
    expect(loadConfig({ ...FEISHU }).host).toBe('0.0.0.0');
    expect(loadConfig({ ...WECOM }).host).toBe('0.0.0.0');
    expect(loadConfig({ DUCHA_CONSOLE: 'off' }).host).toBe('0.0.0.0');
    expect(loadConfig({ ...FEISHU, HOST: '10.1.2.3' }).host).toBe('10.1.2.3');
    for (const h of ['127.0.0.2', '::1', '[::1]', 'localhost', '0:0:0:0:0:0:0:1']) expect(loadConfig({ HOST: h }).console, h).toBe(true);
    expect(loadConfig({ HOST: '[::1]' }).host).toBe('::1');
  });

  it('refuse a console beyond loopback without a password, naming both variables', () => {
    for (const h of ['0.0.0.0', '::', '192.0.2.2', '::ffff:10.0.0.1']) {
      expect(() => loadConfig({ HOST: h }), h).toThrow(ConfigError);
      expect(() => loadConfig({ HOST: h }), h).toThrow(/HOST、DUCHA_CONSOLE_PASSWORD：本地控制台允许任何人以任何人的身份操作/);
    }
    expect(loadConfig({ HOST: '0.0.0.0', DUCHA_CONSOLE_PASSWORD: 'pw' })).toMatchObject({ host: '0.0.0.0', console: true, consolePassword: 'pw' });
    // A worker serves no console page: nothing to protect.
    expect(loadConfig({ HOST: '0.0.0.0', DUCHA_ROLE: 'worker' }).host).toBe('0.0.0.0');
    // With a platform the console is off, and HOST needs nothing.
    expect(loadConfig({ ...FEISHU, HOST: '0.0.0.0' }).consolePassword).toBeUndefined();
    expect(() => loadConfig({ HOST: 'example.com' })).toThrow(/HOST：应为本机的 IP 地址（如 127.0.0.1、0.0.0.0、::）或 localhost/);
  });

  it('with the console, 127.0.0.1 answers and another loopback address (127.0.0.2) is refused', async () => {
    const s = await start();
    expect((await fetch(`http://127.0.0.1:${s.port}/healthz`)).status).toBe(200);
    expect(await tcp('127.0.0.1', s.port)).toBe('connected');
    expect(await tcp('127.0.0.2', s.port)).toBe('ECONNREFUSED');
    expect(s.out()).toContain('"host":"127.0.0.1"');
  });

  it('with a platform, listens on every interface: 127.0.0.2 answers, /console is 404', async () => {
    const s = await start({ ...FEISHU, FEISHU_BASE_URL: 'http://127.0.0.1:9' });
    expect((await fetch(`http://127.0.0.2:${s.port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.2:${s.port}/console`)).status).toBe(404);
  });

  it('a start with HOST beyond loopback and no password fails, naming both variables', async () => {
    const out = await refusal({ HOST: '0.0.0.0' });
    expect(out).toContain('HOST、DUCHA_CONSOLE_PASSWORD');
  });

  it('with HOST and a password: reachable from elsewhere, every console route behind Basic auth, health open', async () => {
    const s = await start({ HOST: '0.0.0.0', DUCHA_CONSOLE_PASSWORD: '试用 pass' });
    const base = `http://127.0.0.2:${s.port}`;
    expect(s.out()).toContain('需输入 DUCHA_CONSOLE_PASSWORD 设置的密码');
    for (const path of ['/console', '/console/app.js', '/console/api/people', '/console/api/messages?person=zhangwei']) {
      const refused = await fetch(`${base}${path}`);
      expect(refused.status, path).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Basic realm="ducha console", charset="UTF-8"');
      expect(await refused.text()).toBe('请输入控制台密码（用户名可任意填写）');
      expect((await fetch(`${base}${path}`, { headers: { authorization: basic('x', 'wrong') } })).status, path).toBe(401);
      expect((await fetch(`${base}${path}`, { headers: { authorization: basic('x', '试用 pas') } })).status, path).toBe(401);
      expect((await fetch(`${base}${path}`, { headers: { authorization: 'Bearer pass' } })).status, path).toBe(401);
    }
    const sent = await fetch(`${base}/console/api/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ person: 'zhangwei', text: '/帮助' }),
    });
    expect(sent.status).toBe(401);
    expect(await redis.exists(`${run.prefix()}:console:msgs:zhangwei`)).toBe(0);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const api = await consoleClient(base, { authorization: basic('anyone', '试用 pass') });
    expect((await api.get('people')).status).toBe(200);
    expect((await api.post('send', { person: 'zhangwei', text: '/帮助' })).status).toBe(202);
    await until('the answer', async () => (await redis.hlen(`${run.prefix()}:console:msgs:zhangwei`)) >= 2);
  });
});

describe('under NODE_ENV=production', () => {
  it('auto means off; with no platform and no console the start-up is refused in one line naming the variables', () => {
    expect(loadConfig({ ...PROD, ...FEISHU }).console).toBe(false);
    expect(loadConfig({ ...PROD, ...FEISHU }).host).toBe('0.0.0.0');
    for (const env of [{ ...PROD }, { ...PROD, DUCHA_CONSOLE: 'auto' }, { ...PROD, DUCHA_CONSOLE: 'off' }]) {
      let message = '';
      try {
        loadConfig(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        message = (e as Error).message;
      }
      expect(message.split('\n')).toHaveLength(1);
      for (const name of ['NODE_ENV=production', 'FEISHU_APP_ID', 'FEISHU_APP_SECRET', 'WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'DUCHA_CONSOLE=on']) {
        expect(message).toContain(name);
      }
    }
  });

  it('the console only when asked for by name, and still on loopback unless HOST and the password say otherwise', () => {
    expect(loadConfig({ ...PROD, DUCHA_CONSOLE: 'on' })).toMatchObject({ console: true, host: '127.0.0.1' });
    expect(() => loadConfig({ ...PROD, DUCHA_CONSOLE: 'on', HOST: '0.0.0.0' })).toThrow(/HOST、DUCHA_CONSOLE_PASSWORD/);
    expect(() => loadConfig({ ...PROD, DUCHA_CONSOLE: 'on', ...WECOM })).toThrow(/已配置企业微信时不能设为 on/);
  });

  it('npm start with no platform stops at once with that one line', async () => {
    const out = await refusal({ ...PROD });
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toMatch(/^环境变量有误，服务未启动：生产环境（NODE_ENV=production）没有配置任何平台/);
    expect(out).toContain('DUCHA_CONSOLE=on');
  });
});

describe('the console takes no request from elsewhere', () => {
  let s: ServiceProcess;
  const history = () => redis.hlen(`${run.prefix()}:console:msgs:zhangwei`);
  const command = JSON.stringify({ person: 'zhangwei', text: '/新建 跨站请求 单位=jtj 期限=5工作日' });

  it('refuses a foreign Host (DNS rebinding), answering only the address it serves', async () => {
    s = await start();
    const host = (h: string, path = '/console') => raw(s.port, { path, headers: { host: h } });
    for (const h of [`evil.example:${s.port}`, 'evil.example', `127.0.0.1:${s.port + 1}`, `127.0.0.2:${s.port}`, `[::1]:${s.port}`, `localhost.evil.example:${s.port}`]) {
      for (const path of ['/console', '/console/app.js', '/console/api/people']) {
        const a = await host(h, path);
        expect(a.status, `${h}${path}`).toBe(403);
        expect(a.body).toBe('请用本机地址打开控制台（如 http://127.0.0.1:端口/console），不能通过其他域名访问');
        expect(a.body).not.toContain('console-token');
      }
    }
    expect((await host(`127.0.0.1:${s.port}`)).status).toBe(200);
    expect((await host(`localhost:${s.port}`)).status).toBe(200);
    expect((await host(`LOCALHOST:${s.port}`)).status).toBe(200);
    // Not the console's: webhooks and health come through proxies under any name.
    expect((await host('evil.example', '/healthz')).status).toBe(200);
  });

  it('answers [::1] and localhost when HOST=::1', async () => {
    s = await start({ HOST: '::1' });
    expect(s.base).toBe(`http://[::1]:${s.port}`);
    for (const h of [`[::1]:${s.port}`, `localhost:${s.port}`, `[0:0:0:0:0:0:0:1]:${s.port}`]) {
      expect((await raw(s.port, { address: '::1', path: '/console', headers: { host: h } })).status, h).toBe(200);
    }
    expect((await raw(s.port, { address: '::1', path: '/console', headers: { host: `127.0.0.1:${s.port}` } })).status).toBe(403);
    expect(await tcp('127.0.0.1', s.port)).toBe('ECONNREFUSED');
  });

  it('refuses another site’s requests, a missing or forged token, and any body but JSON; the page cannot be framed', async () => {
    s = await start();
    const api = await consoleClient(s.base);
    const origin = `http://127.0.0.1:${s.port}`;
    const send = (headers: Record<string, string>, body = command) => raw(s.port, { method: 'POST', path: '/console/api/send', headers, body });
    const refused: [string, Record<string, string>, number, string][] = [
      // What a form or a no-cors fetch on another site sends: text/plain, with its own Origin.
      ['a form from evil.example', { 'content-type': 'text/plain', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, 403, '控制台不接受来自其他网页的请求'],
      ['text/plain without Origin', { 'content-type': 'text/plain' }, 415, '请求格式有误（应为 JSON）'],
      ['a form body with the token', { 'content-type': 'application/x-www-form-urlencoded', 'x-console-token': api.token }, 415, '请求格式有误（应为 JSON）'],
      ['JSON from another origin, token and all', { 'content-type': 'application/json', origin: 'http://evil.example', 'x-console-token': api.token }, 403, '控制台不接受来自其他网页的请求'],
      ['JSON from another port', { 'content-type': 'application/json', origin: `http://127.0.0.1:${s.port + 1}`, 'x-console-token': api.token }, 403, '控制台不接受来自其他网页的请求'],
      ['an opaque origin', { 'content-type': 'application/json', origin: 'null', 'x-console-token': api.token }, 403, '控制台不接受来自其他网页的请求'],
      ['Sec-Fetch-Site: same-site', { 'content-type': 'application/json', 'sec-fetch-site': 'same-site', 'x-console-token': api.token }, 403, '控制台不接受来自其他网页的请求'],
      ['no token', { 'content-type': 'application/json', origin }, 403, '页面凭据无效，请刷新页面'],
      ['a forged token', { 'content-type': 'application/json', origin, 'x-console-token': `${api.token.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAA` }, 403, '页面凭据无效，请刷新页面'],
    ];
    for (const [what, headers, status, error] of refused) {
      const a = await send(headers);
      expect(a.status, what).toBe(status);
      expect(JSON.parse(a.body), what).toEqual({ error });
    }
    // The reads and the stream need the token too (the stream takes it in the address).
    for (const path of ['/console/api/people', '/console/api/messages?person=zhangwei', '/console/api/stream?person=zhangwei', '/console/api/stream?person=zhangwei&token=x.y']) {
      expect((await raw(s.port, { path })).status, path).toBe(403);
    }
    for (const path of ['/console/api/seed', '/console/api/press']) {
      expect((await raw(s.port, { method: 'POST', path, headers: { 'content-type': 'text/plain', origin: 'http://evil.example' }, body: '{}' })).status, path).toBe(403);
    }
    expect(await history()).toBe(0);

    // The page's own request, as the page sends it, does run.
    const ok = await send({ 'content-type': 'application/json; charset=utf-8', origin, 'sec-fetch-site': 'same-origin', 'x-console-token': api.token });
    expect(ok.status).toBe(202);
    expect(await history()).toBeGreaterThan(0);
    // Another page load, another token; both work.
    const other = await consoleClient(s.base);
    expect(other.token).not.toBe(api.token);
    expect((await other.get('people')).status).toBe(200);

    const page = await raw(s.port, { path: '/console' });
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['cache-control']).toBe('no-store');
    for (const path of ['/console/app.js', '/console/api/people']) expect((await raw(s.port, { path })).headers['x-frame-options'], path).toBe('DENY');
  });
});
