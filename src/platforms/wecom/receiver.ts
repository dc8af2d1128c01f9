// The WeCom callback route: GET answers the URL check with the decrypted echostr; POST verifies the signature over
// the Encrypt field, decrypts (receiveid = the corp id), refuses stale timestamps, and hands the message or button
// press to the core, answering 200 at once. Malformed input gets a 4xx and changes nothing.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Config } from '../../infra/config.ts';
import { intakeCommand, intakeFile, runAction } from '../../dispatch/dispatch.ts';
import { enqueueDeliveries, type Delivery } from '../../delivery/delivery.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { readWebhookBody } from '../../http/webhook-body.ts';
import { WecomCrypto, WecomCryptoError } from './crypto.ts';
import { toWecomInbound } from './to-event.ts';
import { parseWecomXml, XmlError } from './xml.ts';

type WecomConfig = NonNullable<Config['wecom']>;

/** WeCom's callbacks are small XML; anything near this is not from WeCom. */
export const BODY_LIMIT = 1024 * 1024;
/** A callback whose timestamp is further than this from now (real time) is refused: WeCom retries within seconds. */
export const TIMESTAMP_WINDOW_MS = 5 * 60_000;

/** The query string decoded once, by hand: a `+` stays a `+` (base64), as WeCom signed it. */
export function rawQuery(querystring: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (!querystring) return out;
  for (const part of querystring.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    try {
      out[decodeURIComponent(k)] = decodeURIComponent(v);
    } catch {
      return undefined;
    }
  }
  return out;
}

interface Answer {
  status: number;
  body: string;
}

const refused = (status: number, body: string): Answer => ({ status, body });

export function wecomRouter(rt: Runtime, cfg: WecomConfig): Router {
  const crypto = new WecomCrypto(cfg.token!, cfg.encodingAesKey!, cfg.corpId);
  const router = new Router();
  const send = (ctx: Context, a: Answer) => {
    ctx.status = a.status;
    ctx.set('Content-Type', 'text/plain; charset=utf-8');
    ctx.body = a.body;
  };
  router.get('/webhooks/wecom', (ctx) => send(ctx, verifyUrl(rt, crypto, ctx.querystring, ctx.state.reqId as string)));
  router.post('/webhooks/wecom', async (ctx) => {
    const req = ctx.state.reqId as string;
    const body = await readWebhookBody(ctx.req, BODY_LIMIT);
    if ('unread' in body) {
      rt.log.debug({ req, err: body.unread.why }, '企业微信回调：请求体读取失败');
      return send(ctx, refused(body.unread.status, body.unread.reason));
    }
    send(ctx, await receive(rt, crypto, ctx.querystring, body.raw, req));
  });
  return router;
}

/** GET: the URL check. The decrypted echostr exactly as it is (a 19-digit number must stay a string). */
function verifyUrl(rt: Runtime, crypto: WecomCrypto, querystring: string, req: string): Answer {
  const q = rawQuery(querystring);
  const { msg_signature: sig, timestamp, nonce, echostr } = q ?? {};
  if (!sig || !timestamp || !nonce || !echostr) return refused(400, 'bad request');
  try {
    const plain = crypto.open(sig, timestamp, nonce, echostr);
    rt.log.info({ req }, '企业微信回调 URL 验证通过');
    return { status: 200, body: plain };
  } catch (e) {
    if (!(e instanceof WecomCryptoError)) throw e;
    // Unsigned: anyone's request (debug). Signed but undecryptable: the EncodingAESKey or corp id set here is wrong.
    if (e.failure === 'bad_signature') rt.log.debug({ req, failure: e.failure }, '企业微信回调 URL 验证未通过');
    else rt.log.warn({ req, failure: e.failure }, '企业微信回调 URL 签名正确但无法解密，请核对 WECOM_ENCODING_AES_KEY 和 WECOM_CORP_ID');
    return refused(e.failure === 'bad_signature' ? 401 : 400, e.failure === 'bad_signature' ? 'unauthorized' : 'bad request');
  }
}

/** POST: one message or event. Verified and decrypted here; the work is queued (a press is applied at once). */
export async function receive(rt: Runtime, crypto: WecomCrypto, querystring: string, raw: Buffer, req: string): Promise<Answer> {
  const q = rawQuery(querystring);
  const { msg_signature: sig, timestamp, nonce } = q ?? {};
  if (!sig || !timestamp || !nonce) return refused(400, 'bad request');
  let encrypt: string | undefined;
  try {
    encrypt = parseWecomXml(raw.toString('utf8')).Encrypt;
  } catch (e) {
    if (!(e instanceof XmlError)) throw e;
    rt.log.debug({ req, err: e.message }, '企业微信回调：请求体不是企业微信的 XML');
    return refused(400, 'bad request');
  }
  if (!encrypt) return refused(400, 'bad request');
  let plaintext: string;
  try {
    plaintext = crypto.open(sig, timestamp, nonce, encrypt);
  } catch (e) {
    if (!(e instanceof WecomCryptoError)) throw e;
    if (e.failure === 'bad_signature') rt.log.debug({ req, failure: e.failure }, '企业微信回调校验未通过，已拒绝');
    else rt.log.warn({ req, failure: e.failure }, '企业微信回调签名正确但无法解密，请核对 WECOM_ENCODING_AES_KEY 和 WECOM_CORP_ID');
    return e.failure === 'bad_signature' ? refused(401, 'unauthorized') : refused(400, 'bad request');
  }
  // Signed, so the timestamp is WeCom's: too far from now (real time, never the domain clock) is a replay.
  const ts = Number(timestamp) * 1000;
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Date.now() - ts) > TIMESTAMP_WINDOW_MS) {
    rt.log.warn({ req, timestamp }, '企业微信回调时间戳过旧，视为重放，已拒绝');
    return refused(401, 'stale');
  }
  let fields: Record<string, string>;
  try {
    fields = parseWecomXml(plaintext);
  } catch (e) {
    if (!(e instanceof XmlError)) throw e;
    return refused(400, 'bad request');
  }
  const inbound = toWecomInbound(fields, plaintext);
  if (inbound.kind === 'command') {
    await intakeCommand(rt, inbound.event);
    rt.log.info({ req, event: inbound.event.id }, '已收到企业微信消息');
  } else if (inbound.kind === 'file') {
    await intakeFile(rt, inbound.event);
    rt.log.info({ req, event: inbound.event.id }, '已收到企业微信文件');
  } else if (inbound.kind === 'press') {
    await press(rt, inbound.event, inbound.taskId, inbound.responseCode, req);
  } else {
    rt.log.info({ req, what: inbound.why }, '企业微信事件无需处理，已忽略');
  }
  return { status: 200, body: '' };
}

/**
 * A button press: applied at once (a replay of the same event is answered from the stored outcome). WeCom takes no
 * card in the answer: the pressed card is redrawn through the API with this press's response code, and a refusal
 * (no toast on WeCom) goes back to the person as a message.
 */
async function press(rt: Runtime, event: import('../../chat/event.ts').ActionEvent, taskId: string, responseCode: string, req: string): Promise<void> {
  const answer = await runAction(rt, event);
  const person = event.sender.ids[0]!;
  const who = rt.directory().findByChatId('wecom', person);
  rt.log.info({ req, event: event.id, toast: answer.toast.type }, '企业微信卡片按钮');
  const opId = `act:wecom:${event.id}/answer`;
  const payload = rt.signer.verify(event.token);
  // Bounded like any intake: with Redis away the callback is answered 503 and WeCom tries the press again.
  const enqueue = (deliveries: Delivery[]) => rt.health.bounded('intake', () => enqueueDeliveries(rt.queues.deliver, opId, deliveries));
  if (answer.toast.type === 'success' && answer.card && who && payload && taskId && responseCode) {
    await enqueue([
      {
        kind: 'update',
        ref: { platform: 'wecom', messageId: taskId, extra: { responseCode, userid: person, label: answer.toast.text } },
        cardKey: payload.v ?? payload.k,
        viewer: who.id,
      },
    ]);
  } else if (answer.toast.type !== 'success' && who) {
    await enqueue([{ kind: 'send', person: who.id, message: { kind: 'text', text: answer.toast.text } }]);
  }
}
