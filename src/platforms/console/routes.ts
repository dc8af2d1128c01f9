// The local console's web side: the page and its assets (`/` leads to it), the people one can act as, grouped by unit
// (with a three-line guide), a person's history, their live stream (Server-Sent Events), a file in it, and what a
// person does: type a command (taken in exactly as a chat message is), attach a file (taken in as a chat platform's
// file message is), press a card button (applied at once, like a chat platform's press), and seed a few example items.
// Every answer a person reads is in Chinese. All of it behind guard.ts.
import Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Context } from 'koa';
import type { CommandEvent, FileEvent } from '../../chat/event.ts';
import type { Directory, Person } from '../../directory/directory.ts';
import { INTERNAL_ERROR } from '../../chat/texts.ts';
import { intakeCommand, intakeFile, runAction } from '../../dispatch/dispatch.ts';
import { fileTooBig } from '../../chat/attachment-texts.ts';
import { cleanName, fileType, isPicture } from '../../files/file-type.ts';
import { MAX_FILE_BYTES } from '../../files/limits.ts';
import { contentDisposition } from '../../http/content-disposition.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { BodyError, readRawBody } from '../../http/raw-body.ts';
import { apiGuard, consoleGuard } from './guard.ts';
import type { ConsoleHistory } from './history.ts';
import { PageTokens } from './page-token.ts';
import { exampleTopics } from './examples.ts';
import { seedExamples } from './seed.ts';
import type { ConsoleStreams } from './streams.ts';

/** A command longer than this is refused (a long report fits many times over). */
export const MAX_COMMAND_CHARS = 20_000;
const BODY_LIMIT = 256 * 1024;
/** An upload comes as base64 in JSON (the API takes JSON only): a whole attachment, and a third more. */
const UPLOAD_LIMIT = Math.ceil((MAX_FILE_BYTES * 4) / 3) + 64 * 1024;
/** Shown in the page rather than downloaded: pictures a browser draws and cannot run. */
const SHOWN_INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Where the page carries its token (see page-token.ts); filled in each time the page is served. */
const TOKEN_SLOT = '<meta name="console-token" content="">';

const ASSETS: Record<string, { file: string; type: string }> = {
  '/console': { file: 'page.html', type: 'text/html; charset=utf-8' },
  '/console/app.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
  '/console/app.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
  '/console/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

export function consoleRouter(rt: Runtime, history: ConsoleHistory, streams: ConsoleStreams): Router {
  const router = new Router();
  const cache = new Map<string, Buffer>();
  // The key is the service's signing secret (one for every web process), read once it has been read well.
  let tokens: Promise<PageTokens> | undefined;
  const pageTokens = () =>
    (tokens ??= rt.store.signingSecret(rt.config.secret).then(
      (s) => new PageTokens(s),
      (err: unknown) => {
        tokens = undefined;
        throw err;
      },
    ));

  // Whoever opens the address the start-up line gives lands on the console (only while it is on: else `/` is 404).
  router.get('/', (ctx) => ctx.redirect('/console'));

  for (const [path, asset] of Object.entries(ASSETS)) {
    router.get(path, async (ctx) => {
      let body = cache.get(asset.file);
      if (!body) cache.set(asset.file, (body = await readFile(new URL(`./assets/${asset.file}`, import.meta.url))));
      ctx.type = asset.type;
      if (asset.file === 'page.html') {
        // Each page its own token, and never from a cache.
        ctx.set('Cache-Control', 'no-store');
        ctx.body = body.toString('utf8').replace(TOKEN_SLOT, `<meta name="console-token" content="${(await pageTokens()).issue()}">`);
        return;
      }
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = body;
    });
  }

  router.get('/console/api/people', (ctx) => {
    const dir = rt.directory();
    ctx.body = { issuer: dir.issuer, tz: rt.config.tz, people: peopleOf(dir), guide: guideLines(dir) };
  });

  router.get('/console/api/messages', async (ctx) => {
    const person = personOf(ctx, rt, String(ctx.query.person ?? ''));
    ctx.body = { messages: await history.list(person.id) };
  });

  router.get('/console/api/stream', async (ctx) => {
    const person = personOf(ctx, rt, String(ctx.query.person ?? ''));
    await streams.whenReady();
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    // Written directly, not as Koa's body: a page closed is the normal end of a stream, not an error to report.
    ctx.respond = false;
    ctx.status = 200;
    ctx.res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    streams.attach(person.id, ctx.res);
  });

  router.post('/console/api/send', async (ctx) => {
    const body = await jsonBody(ctx);
    const person = personOf(ctx, rt, String(body.person ?? ''));
    const text = typeof body.text === 'string' ? body.text.trim() : '';
    if (!text) ctx.throw(400, '请输入命令，例如 /帮助');
    if ([...text].length > MAX_COMMAND_CHARS) ctx.throw(400, `内容太长：最多 ${MAX_COMMAND_CHARS} 个字`);
    const id = randomUUID();
    // What the person typed shows at once; the answer follows through the same queue as a chat message's.
    await rt.health.bounded('console', () => history.add(person.id, { kind: 'text', text }, { from: 'me', dedupKey: `in:${id}`, at: rt.clock.now() }));
    const event: CommandEvent = {
      kind: 'command',
      id,
      sender: { platform: 'console', ids: [person.id] },
      text,
      replyTo: { platform: 'console', chatId: person.id, direct: true },
    };
    await intakeCommand(rt, event);
    ctx.status = 202;
    ctx.body = { ok: true };
  });

  router.post('/console/api/press', async (ctx) => {
    const body = await jsonBody(ctx);
    const person = personOf(ctx, rt, String(body.person ?? ''));
    const token = typeof body.token === 'string' ? body.token : '';
    if (!token) ctx.throw(400, '按钮数据缺失');
    // The dialog's text box (a reason): handed on as typed; the handler says what is missing or too long.
    const given = body.input && typeof body.input === 'object' ? (body.input as Record<string, unknown>) : undefined;
    const input = given ? { reason: typeof given.reason === 'string' ? given.reason.slice(0, MAX_COMMAND_CHARS) : '' } : undefined;
    const answer = await runAction(rt, { kind: 'action', id: randomUUID(), sender: { platform: 'console', ids: [person.id] }, token, ...(input ? { input } : {}) });
    // The card pressed shows the result in place at once (its other copies are redrawn by the delivery worker).
    if (answer.card && typeof body.messageId === 'string') await history.redraw(person.id, body.messageId, answer.card);
    ctx.body = { toast: { kind: answer.toast.type, text: answer.toast.text } };
  });

  // A file a person attaches in the console: kept at once (the page sends it as base64), shown in their history, and
  // taken in as a chat platform's file message is (a contact's becomes an attachment of their next /报送).
  router.post('/console/api/upload', async (ctx) => {
    const body = await jsonBody(ctx, UPLOAD_LIMIT);
    const person = personOf(ctx, rt, String(body.person ?? ''));
    const given = cleanName(typeof body.name === 'string' ? body.name : undefined);
    if (!given) return ctx.throw(400, '文件名缺失');
    const name = given;
    const bytes = typeof body.data === 'string' ? Buffer.from(body.data, 'base64') : Buffer.alloc(0);
    if (bytes.length === 0) ctx.throw(400, `文件「${name}」是空的`);
    if (bytes.length > MAX_FILE_BYTES) ctx.throw(413, fileTooBig(name));
    const stored = await rt.files.putBytes(bytes, MAX_FILE_BYTES);
    const mime = fileType(stored.head, name);
    const id = randomUUID();
    await rt.health.bounded('console', () =>
      history.add(person.id, { kind: 'file', file: { sha256: stored.sha256, name, mime, size: stored.size } }, { from: 'me', dedupKey: `in:${id}`, at: rt.clock.now() }),
    );
    const event: FileEvent = {
      kind: 'file',
      id,
      sender: { platform: 'console', ids: [person.id] },
      handle: { platform: 'console', key: stored.sha256, image: isPicture(mime) },
      name,
      size: stored.size,
      replyTo: { platform: 'console', chatId: person.id, direct: true },
    };
    await intakeFile(rt, event);
    ctx.status = 202;
    ctx.body = { ok: true };
  });

  // A file in a person's console, by its message: a picture is shown in the page, anything else is downloaded (never
  // served as something the browser would run: an uploaded page must not run on the console's origin).
  router.get('/console/api/file', async (ctx) => {
    const person = personOf(ctx, rt, String(ctx.query.person ?? ''));
    const m = await history.get(person.id, String(ctx.query.message ?? ''));
    if (m?.kind !== 'file') return ctx.throw(404, '没有这个文件（消息可能已过期）');
    const { file } = m;
    const size = await rt.files.sizeOf(file.sha256);
    if (size === undefined) return ctx.throw(404, `文件「${file.name}」在文件库中找不到`);
    const inline = SHOWN_INLINE.has(file.mime);
    ctx.set('Content-Type', inline ? file.mime : 'application/octet-stream');
    ctx.set('Content-Disposition', contentDisposition(file.name, inline));
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    ctx.length = size;
    ctx.body = rt.files.stream(file.sha256);
  });

  router.post('/console/api/seed', async (ctx) => {
    ctx.body = { text: await seedExamples(rt) };
  });

  const api = new Router();
  api.use(consoleGuard(rt.config.consolePassword));
  // Errors as JSON in Chinese, for the page to show.
  api.use('/console/api', async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = err as { status?: number; expose?: boolean; message?: string };
      // Exposed: a refusal (4xx), or Redis away for a moment (503, 系统繁忙，请稍后再试).
      if (e.status && e.expose) {
        ctx.status = e.status;
        ctx.body = { error: e.message };
        return;
      }
      // Anything else is logged with its cause; the page says so in Chinese.
      rt.log.error({ req: ctx.state.reqId as unknown, err }, '本地控制台请求处理出错');
      ctx.status = 500;
      ctx.body = { error: INTERNAL_ERROR };
    }
  });
  api.use('/console/api', apiGuard(pageTokens));
  api.use(router.routes());
  return api;
}

/**
 * Everyone in the directory, in the groups 身份 shows: the office first, then each unit (head, deputies, contacts),
 * then anyone else the file lists. A person with roles in several units is listed once, under the first.
 */
function peopleOf(dir: Directory): { id: string; name: string; role: string; group: string }[] {
  const out: { id: string; name: string; role: string; group: string }[] = [];
  const seen = new Set<string>();
  const add = (id: string, group: string, role: string) => {
    const p = dir.person(id);
    if (!p || seen.has(id)) return;
    seen.add(id);
    out.push({ id, name: p.name, role, group });
  };
  for (const id of dir.office) add(id, '督查室', '督查室');
  for (const id of dir.leaders) add(id, '批办领导', '批办领导');
  for (const u of dir.allUnits()) {
    add(u.head, u.name, `${u.name} 一把手`);
    for (const d of u.deputies) add(d, u.name, `${u.name} 班子成员`);
    for (const c of u.contacts) add(c, u.name, `${u.name} 联络员`);
  }
  for (const p of dir.allPeople()) add(p.id, '其他人员', '名录人员');
  return out;
}

/** What a newcomer tries first, with the people of the directory in use. */
export function guideLines(dir: Directory): string[] {
  const clerk = dir.person(dir.office[0] ?? '');
  const unit = dir.allUnits().find((u) => u.contacts.length > 0) ?? dir.allUnits()[0];
  const head = unit && dir.person(unit.head);
  const contact = unit && dir.person(unit.contacts[0] ?? '');
  if (!clerk || !unit || !head) return ['选择身份，输入 /帮助 查看全部命令。'];
  const [topic] = exampleTopics([unit.name]);
  return [
    `1. 以督查室${clerk.name}的身份输入：/新建 ${topic!.title} 单位=${unit.name} 期限=5工作日 类别=民生，再按预览卡片上的「发出」。`,
    `2. 把身份换成${head.name}（${unit.name}一把手），按督查通知上的「签收」；${contact ? `再换成联络员${contact.name}，输入 /报送 <编号> 办结 已完成整治（编号见通知）。` : ''}`,
    `3. 回到${head.name}按「签署」，再回到${clerk.name}按「受理」，事项即办结。「并排查看」可同时看两个人，「生成示例事项」先造几件不同阶段的事项，/帮助 查看全部命令。`,
  ];
}

function personOf(ctx: Context, rt: Runtime, id: string): Person {
  const p = id ? rt.directory().person(id) : undefined;
  if (!p) ctx.throw(400, id ? `组织名录中没有「${id.slice(0, 40)}」这个人` : '请先选择身份');
  return p;
}

async function jsonBody(ctx: Context, limit = BODY_LIMIT): Promise<Record<string, unknown>> {
  let raw: Buffer;
  try {
    raw = await readRawBody(ctx.req, limit);
  } catch (e) {
    if (e instanceof BodyError) ctx.throw(e.status, e.status === 413 ? '内容太长' : '请求无法读取');
    throw e;
  }
  try {
    const v = JSON.parse(raw.toString('utf8') || '{}') as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  ctx.throw(400, '请求格式有误（应为 JSON）');
}
