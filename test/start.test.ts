// `npm start` as a user runs it: ready with the example directory and no platform, says what is off,
// refuses bad config and bad directories with a message naming the problem, drains on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL } from './helpers/harness.ts';
import { freePort } from './helpers/service-process.ts';
import { until } from './helpers/until.ts';

interface Started {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

const running: { child: ChildProcess; prefix: string; filesDir: string }[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await deleteKeys(r.prefix);
    rmSync(r.filesDir, { recursive: true, force: true });
  }
});

function start(env: Record<string, string>): Started {
  const prefix = env.DUCHA_PREFIX ?? `start-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  // Exactly what a user types: npm start (which must pass SIGTERM on to the service).
  const filesDir = mkdtempSync(join(tmpdir(), 'ducha-files-'));
  const child = spawn('npm', ['start', '--silent'], {
    env: { PATH: process.env.PATH ?? '', REDIS_URL, DUCHA_PREFIX: prefix, DUCHA_FILES_DIR: filesDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buf = '';
  child.stdout!.on('data', (d) => (buf += String(d)));
  child.stderr!.on('data', (d) => (buf += String(d)));
  running.push({ child, prefix, filesDir });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => buf, exited };
}

/** The first answer /readyz gives, waiting (bounded) while nothing listens yet. */
async function pollReady(port: number, bound = 15_000): Promise<{ status: number; body: unknown }> {
  return until('an answer from /readyz', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    return res && { status: res.status, body: (await res.json()) as unknown };
  }, bound);
}

describe('npm start', () => {
  it('starts with the example directory and no platform, is ready, logs JSON lines, and drains on SIGTERM', async () => {
    const port = await freePort();
    const s = start({ PORT: String(port) });
    const ready = await pollReady(port);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ ok: true, checks: { redis: true, workers: true } });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const lines = s
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    const summary = lines.find((l) => l.msg.includes('飞书未启用'));
    // The calendar package ends with 2026: from 60 days before 2027 (and through it) start-up says so, once.
    if (new Date() >= new Date('2026-11-02T00:00:00+08:00')) {
      expect(lines.filter((l) => l.msg.startsWith('节假日日历缺少'))).toHaveLength(1);
    }
    expect(summary?.msg).toContain('FEISHU_APP_ID');
    expect(summary?.msg).toContain('WECOM_CORP_ID');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.out()).toContain('已停止');
    // One language for operators: every line the process wrote, start to stop, is JSON with a Chinese message.
    for (const line of s.out().trim().split('\n')) expect((JSON.parse(line) as { msg: string }).msg, line).toMatch(/\p{Script=Han}/u);
  });

  it('runs web and worker roles as separate processes', async () => {
    const port = await freePort();
    const prefix = `roles-${process.pid}`;
    const web = start({ PORT: String(port), DUCHA_ROLE: 'web', DUCHA_PREFIX: prefix });
    const ready = await pollReady(port);
    expect(ready.body).toEqual({ ok: true, checks: { redis: true } });
    // A worker answers /healthz and /readyz on its own PORT (for its orchestrator), and nothing else.
    const workerPort = await freePort();
    const worker = start({ PORT: String(workerPort), DUCHA_ROLE: 'worker', DUCHA_PREFIX: prefix });
    const workerReady = await pollReady(workerPort);
    expect(workerReady.body).toEqual({ ok: true, checks: { redis: true, workers: true } });
    expect(worker.out()).toContain('"role":"worker"');
    expect((await fetch(`http://127.0.0.1:${workerPort}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${workerPort}/console`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/console`)).status).toBe(200);
    worker.child.kill('SIGTERM');
    web.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await web.exited).toBe(0);
  });

  it('refuses a bad variable, naming it', async () => {
    const s = start({ PORT: 'abc', DUCHA_ROLE: 'both' });
    expect(await s.exited).toBe(1);
    expect(s.out()).toContain('PORT');
    expect(s.out()).toContain('DUCHA_ROLE');
    expect(s.out()).toContain('只能是 all、web 或 worker');
  });

  it('refuses a bad directory file, naming the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ducha-dir-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'issuer: 测试',
        'office: [a]',
        'units:',
        '  - id: u1',
        '    name: 单位一',
        '    head: nobody',
        'people:',
        '  - { id: a, name: 甲, feishu: { open_id: ou_1 } }',
        '',
      ].join('\n'),
    );
    const s = start({ DIRECTORY_FILE: file, PORT: String(await freePort()) });
    expect(await s.exited).toBe(1);
    expect(s.out()).toContain('第 6 行');
    expect(s.out()).toContain('nobody');
  });

  it.each([
    ['nothing listens on the port', 'redis://:s3cret@127.0.0.1:1', /无法连接 Redis（REDIS_URL=redis:\/\/:\*\*\*@127\.0\.0\.1:1）：连接被拒绝/],
    ['the host does not exist', 'redis://no-such-host.invalid:6379', /无法连接 Redis（REDIS_URL=redis:\/\/no-such-host\.invalid:6379）：找不到该主机名/],
    ['the scheme is wrong', 'http://127.0.0.1:6379', /REDIS_URL：应以 redis:\/\/ 或 rediss:\/\/ 开头/],
  ])('says in one line that Redis cannot be reached when %s, password hidden, no stack', async (_what, url, message) => {
    const s = start({ REDIS_URL: url, PORT: String(await freePort()) });
    expect(await s.exited).toBe(1);
    const out = s.out();
    expect(out).toMatch(message);
    expect(out).not.toContain('s3cret');
    expect(out).not.toMatch(/\n\s+at /);
    expect(out).not.toContain('Unhandled error event');
  });

  it('says in one line that the attachments directory cannot be used, naming DUCHA_FILES_DIR', async () => {
    // A plain file where the directory should be: neither made nor written, whoever runs the test.
    const dir = mkdtempSync(join(tmpdir(), 'ducha-notdir-'));
    const file = join(dir, 'files');
    writeFileSync(file, '');
    try {
      const s = start({ DUCHA_FILES_DIR: file, PORT: String(await freePort()) });
      expect(await s.exited).toBe(1);
      expect(s.out()).toContain(`附件目录不可用（DUCHA_FILES_DIR=${file}）`);
      expect(s.out()).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says in one line that the port is taken, naming PORT', async () => {
    const port = await freePort();
    const taken = createServer().listen(port, '0.0.0.0');
    await new Promise((r) => taken.once('listening', r));
    try {
      const s = start({ PORT: String(port) });
      expect(await s.exited).toBe(1);
      expect(s.out()).toContain(`端口 ${port} 已被占用（PORT=${port}）`);
      expect(s.out()).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });

  it('says once, at start-up, who in the directory no platform switched on can reach', async () => {
    const port = await freePort();
    const s = start({
      PORT: String(port),
      FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718',
      FEISHU_APP_SECRET: 'x',
      FEISHU_VERIFICATION_TOKEN: 't',
      FEISHU_BASE_URL: 'http://127.0.0.1:9',
    });
    expect((await pollReady(port)).status).toBe(200);
    const warned = s
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string; people?: string[] })
      .filter((l) => l.msg.includes('在已启用的平台上没有账号'));
    s.child.kill('SIGTERM');
    await s.exited;
    expect(warned).toHaveLength(1);
    expect(warned[0]!.level).toBe(40);
    // The example's WeCom-only people, and nobody who has a Feishu id.
    expect(warned[0]!.people).toEqual(expect.arrayContaining(['liuyang', 'zhouhongwei', 'wugang', 'zhengxiaoyan']));
    expect(warned[0]!.people).not.toContain('chenjing');
    expect(warned[0]!.msg).toContain('刘洋（liuyang）');
  });
});
