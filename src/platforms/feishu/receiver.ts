// The Feishu webhook routes: verify over the raw body (signature, token), decrypt, then hand to inbound.
// The SDK's own checks are not used: they hash re-serialised JSON and skip the token for 2.0 events.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Config } from '../../infra/config.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { readWebhookBody } from '../../http/webhook-body.ts';
import { handleFeishuBody } from './inbound.ts';
import { decrypt, DecryptError, isFresh, safeEqual, verifySignature } from './verify.ts';

type FeishuConfig = NonNullable<Config['feishu']>;
type Json = Record<string, unknown>;

/** Feishu's bodies are small JSON; anything near this is not from Feishu. */
const BODY_LIMIT = 1024 * 1024;

export function feishuRouter(rt: Runtime, cfg: FeishuConfig): Router {
  const router = new Router();
  const handle = async (ctx: Context) => {
    const req = ctx.state.reqId as string;
    const body = await readWebhookBody(ctx.req, BODY_LIMIT);
    if ('unread' in body) {
      rt.log.debug({ req, err: body.unread.why }, '飞书回调：请求体读取失败');
      ctx.status = body.unread.status;
      ctx.body = { error: body.unread.reason };
      return;
    }
    const res = await verifyAndHandle(rt, cfg, ctx.headers, body.raw, req);
    ctx.status = res.status;
    // Set as a header: the `type` setter looks the type up on every webhook.
    ctx.set('Content-Type', 'application/json; charset=utf-8');
    ctx.body = JSON.stringify(res.body);
  };
  router.post('/webhooks/feishu/events', handle);
  router.post('/webhooks/feishu/cards', handle);
  return router;
}

const ENCRYPTED_HEAD = '{"encrypt":"';

/** An encrypted body as Feishu sends it, exactly {"encrypt":"<base64>"}, read without a JSON parse (base64 has no
 *  quotes or escapes); anything else is left to JSON.parse. */
function encryptField(text: string): string | undefined {
  if (!text.startsWith(ENCRYPTED_HEAD) || !text.endsWith('"}')) return undefined;
  const value = text.slice(ENCRYPTED_HEAD.length, -2);
  return value.includes('"') || value.includes('\\') ? undefined : value;
}

// Requests that fail verification are anyone's: each is its request line (401 or 400) at info and one line at debug
// saying why (LOG_LEVEL=debug), never two lines at info. Only what proves a wrong setting here (a correct signature with
// a wrong token) is a warning.
export async function verifyAndHandle(
  rt: Runtime,
  cfg: FeishuConfig,
  headers: Record<string, string | string[] | undefined>,
  raw: Buffer,
  /** The request id its warnings carry. */
  req: string,
): Promise<{ status: number; body: unknown }> {
  let outer: Json;
  try {
    const text = raw.toString('utf8');
    const encrypted = encryptField(text);
    const v = encrypted !== undefined ? { encrypt: encrypted } : (JSON.parse(text) as unknown);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    outer = v as Json;
  } catch {
    rt.log.debug({ req }, '飞书回调：请求体不是 JSON 对象');
    return { status: 400, body: { error: 'bad request' } };
  }
  // Legacy card callbacks (flat, unencrypted) are signed with sha1 over the verification token, whatever the key.
  const legacy = typeof outer.encrypt !== 'string' && outer.schema === undefined && outer.action !== undefined;
  const signature = verifySignature(
    headers,
    raw,
    legacy ? { verificationToken: cfg.verificationToken } : { encryptKey: cfg.encryptKey, verificationToken: cfg.verificationToken },
  );
  let body = outer;
  if (typeof outer.encrypt === 'string') {
    if (!cfg.encryptKey) {
      rt.log.debug({ req }, '飞书回调：请求已加密，但未设置 FEISHU_ENCRYPT_KEY');
      return { status: 400, body: { error: 'bad request' } };
    }
    try {
      const inner = JSON.parse(decrypt(outer.encrypt, cfg.encryptKey)) as unknown;
      if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new DecryptError('not an object');
      body = inner as Json;
    } catch {
      if (signature === 'ok') rt.log.warn({ req }, '飞书回调：签名正确，但无法解密');
      else rt.log.debug({ req, signature }, '飞书回调：无法解密');
      return { status: signature === 'bad' ? 401 : 400, body: { error: signature === 'bad' ? 'unauthorized' : 'bad request' } };
    }
  }
  // With an encrypt key every request must be signed; only the one-off URL check may come unsigned,
  // as it can only be read with the key and answering it changes nothing.
  const isChallenge = body.type === 'url_verification';
  // A legacy callback's `token` is a card-update token, so its sha1 signature (over the verification token)
  // is its only proof and is required.
  if (signature === 'bad' || (signature === 'missing' && ((cfg.encryptKey && !isChallenge) || legacy))) {
    rt.log.debug({ req, signature, legacy }, '飞书回调：签名校验失败');
    return { status: 401, body: { error: 'unauthorized' } };
  }
  if (legacy) {
    // No event id or create_time: its signed timestamp header is its age, held to the 2.0 events' window.
    const ts = Number(headerOf(headers, 'x-lark-request-timestamp')) * 1000;
    if (!Number.isFinite(ts) || ts <= 0 || !isFresh(ts, Date.now())) {
      rt.log.warn({ req, timestamp: headerOf(headers, 'x-lark-request-timestamp') }, '飞书旧版卡片回调过旧，视为重放，已拒绝');
      return { status: 200, body: {} };
    }
    return handleFeishuBody(rt, body, raw);
  }
  const header = body.header && typeof body.header === 'object' ? (body.header as Json) : undefined;
  const token = typeof header?.token === 'string' ? header.token : body.token;
  if (!cfg.verificationToken || typeof token !== 'string' || !safeEqual(token, cfg.verificationToken)) {
    // Signed with the encrypt key yet the wrong token: the two keys configured here do not belong together.
    if (signature === 'ok') rt.log.warn({ req }, '飞书回调：签名正确，但 Verification Token 不符，请核对 FEISHU_VERIFICATION_TOKEN');
    else rt.log.debug({ req }, '飞书回调：Verification Token 不符');
    return { status: 401, body: { error: 'unauthorized' } };
  }
  return handleFeishuBody(rt, body, raw);
}

function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
