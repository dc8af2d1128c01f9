// Sends to WeCom (企业微信, or 政务微信 through WECOM_BASE_URL) through its HTTP API: the access token shared by every
// process through Redis, per-person limits WeCom enforces by dropping messages silently (so never reached here),
// and WeCom's failures mapped onto what the delivery worker understands: slow down, retry, or give up.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Redis } from 'ioredis';
import type { FileHandle, ReplyTarget } from '../../chat/event.ts';
import type { Card, Message } from '../../chat/message.ts';
import type { Config } from '../../infra/config.ts';
import type { FetchedFile, FileTarget, OutgoingFile, PlatformAdapter, SendOptions, SentRef } from '../../delivery/adapter.ts';
import { PermanentFailure, RateLimited } from '../../delivery/errors.ts';
import { dispositionName } from '../../http/content-disposition.ts';
import { MEDIA_REUSE_SECONDS, wecomSendAs } from './files.ts';
import type { Person } from '../../directory/directory.ts';
import type { Logger } from '../../infra/logger.ts';
import { outcomeLabel, toWecomMessages } from './render.ts';

type WecomConfig = NonNullable<Config['wecom']>;

interface Answer {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
  invaliduser?: string | string[];
  msgid?: string;
  response_code?: string;
  media_id?: string;
}

const TOKEN_ERRORS = new Set([40014, 42001]);
/** A media id WeCom no longer knows (they live three days): upload again. */
const INVALID_MEDIA = 40007;
/** 45009 too many calls, 45033 too many at once, -1 busy: slow down and try again. */
const SLOW_DOWN = new Set([45009, 45033, -1]);
const IP_NOT_TRUSTED = 60020;
/** WeCom drops (without an error) what goes past 30 messages a minute or 1000 an hour from one app to one person. */
const PER_MINUTE = 30;
const PER_HOUR = 1000;
/** An identical text or markdown to the same person within this many seconds is shown once: a retried send is safe. */
const DUPLICATE_CHECK_SECONDS = 1800;
/** Parts of one delivery already sent are remembered this long, so a retry sends only the rest. */
const PART_TTL_SECONDS = 24 * 3600;

/** A retryable failure: 5xx, a timeout, a dropped connection. */
export class WecomTransient extends Error {
  override name = 'WecomTransient';
}

/** WeCom refused the call with this errcode: retrying the same call will not help. */
export class WecomRefused extends PermanentFailure {
  override name = 'WecomRefused';
  constructor(
    message: string,
    readonly errcode: number,
  ) {
    super(message);
  }
}

/**
 * take-send: takes one send from a person's allowance, atomically for every process: sliding windows of a minute and
 * an hour. Returns 0 when taken, else how many ms to wait before the next one may go.
 * KEYS: 1 the person's window (sorted set: member a send, score its time)
 * ARGV: 1 now (wall-clock ms), 2 sends allowed a minute, 3 sends allowed an hour, 4 a member naming this send
 */
const TAKE_SEND = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
local hour = redis.call('ZCARD', KEYS[1])
if hour >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + 3600000 - now + 1
end
local minute = redis.call('ZCOUNT', KEYS[1], now - 60000, '+inf')
if minute >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGEBYSCORE', KEYS[1], now - 60000, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return tonumber(first[2]) + 60000 - now + 1
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], 3600000)
return 0
`;

/**
 * drop-token: forgets the access token WeCom refused, only if it is still the one kept (another process may already
 * have put a new one there).
 * KEYS: 1 the access token   ARGV: 1 the refused token
 */
const DROP_TOKEN = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * This adapter's own keys (listed in src/store/keys.ts): the access token every process shares, the parts of a
 * delivery already sent, each person's send window, and the media ids of files uploaded (while WeCom keeps them).
 */
function wecomKeys(prefix: string, cfg: WecomConfig) {
  return {
    token: `${prefix}:wecom:${cfg.corpId}:${cfg.agentId}:token`,
    sentPart: (dedupKey: string, part: number) => `${prefix}:wecom:sent:${dedupKey}:${part}`,
    sendWindow: (userid: string) => `${prefix}:rl:wecom:${cfg.agentId}:${userid}`,
    media: (as: string, sha256: string, name: string) =>
      `${prefix}:wecom:media:${cfg.corpId}:${as}:${sha256}:${createHash('sha256').update(name).digest('hex').slice(0, 16)}`,
  };
}

export class WecomAdapter implements PlatformAdapter {
  readonly platform = 'wecom' as const;
  private readonly keys: ReturnType<typeof wecomKeys>;
  private ipWarned = false;
  private seq = 0;

  constructor(
    private readonly cfg: WecomConfig,
    private readonly redis: Redis,
    prefix: string,
    private readonly log: Logger,
    private readonly timeoutMs = 10_000,
    /** Wall time for the per-person windows (WeCom counts real minutes, not the domain's). */
    private readonly wallClock: () => number = Date.now,
  ) {
    this.keys = wecomKeys(prefix, cfg);
    redis.defineCommand('duchaWecomTakeSend', { lua: TAKE_SEND, numberOfKeys: 1 });
  }

  async send(to: Person, message: Message, opts: SendOptions): Promise<SentRef> {
    const userid = to.wecom?.userid;
    if (!userid) throw new PermanentFailure(`${to.name} 没有企业微信账号`);
    return this.deliver(userid, to.name, message, opts);
  }

  /** WeCom app messages have no threads: a reply goes to the person who wrote. */
  async reply(to: ReplyTarget, message: Message, opts: SendOptions): Promise<SentRef> {
    return this.deliver(to.chatId, to.chatId, message, opts);
  }

  private async deliver(userid: string, name: string, message: Message, opts: SendOptions): Promise<SentRef> {
    const taskId = taskIdOf(opts.dedupKey);
    const parts = toWecomMessages(message, taskId);
    let ref: SentRef | undefined;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      // A part sent by an earlier attempt of this delivery is not sent again.
      const sentKey = this.keys.sentPart(opts.dedupKey, i);
      const before = await this.redis.get(sentKey);
      if (before !== null) {
        ref = JSON.parse(before) as SentRef;
        continue;
      }
      await this.takeSend(userid);
      const res = await this.call('发送消息', 'message/send', {
        touser: userid,
        agentid: Number(this.cfg.agentId),
        ...part,
        ...(part.msgtype === 'template_card' ? {} : { enable_duplicate_check: 1, duplicate_check_interval: DUPLICATE_CHECK_SECONDS }),
      });
      const invalid = typeof res.invaliduser === 'string' ? res.invaliduser.split('|') : (res.invaliduser ?? []);
      if (invalid.includes(userid)) throw new PermanentFailure(`${name} 的企业微信账号无效或不在应用可见范围内（invaliduser）`);
      ref =
        part.msgtype === 'template_card'
          ? { platform: 'wecom', messageId: taskId, extra: { userid, ...(res.response_code ? { responseCode: res.response_code } : {}) } }
          : { platform: 'wecom', messageId: res.msgid ?? taskId, extra: { userid } };
      await this.redis.set(sentKey, JSON.stringify(ref), 'EX', PART_TTL_SECONDS);
    }
    return ref!;
  }

  /**
   * A stored file as a WeCom image or file message: uploaded once (POST /cgi-bin/media/upload?type=image|file,
   * multipart `media`; the media id kept while WeCom keeps it, three days), then sent, once per delivery (a retry
   * finds it sent). A picture over WeCom's image limit goes as a file; a file it cannot take is FileTooLarge.
   */
  async sendFile(to: FileTarget, file: OutgoingFile, opts: SendOptions): Promise<SentRef> {
    const as = wecomSendAs(file);
    const userid = 'chat' in to ? to.chat.chatId : to.person.wecom?.userid;
    if (!userid) throw new PermanentFailure(`${'person' in to ? to.person.name : '收件人'} 没有企业微信账号`);
    const sentKey = this.keys.sentPart(opts.dedupKey, 0);
    const before = await this.redis.get(sentKey);
    if (before !== null) return JSON.parse(before) as SentRef;
    let res: Answer;
    for (let attempt = 0; ; attempt++) {
      const mediaId = await this.mediaId(file, as);
      await this.takeSend(userid);
      try {
        res = await this.call('发送文件', 'message/send', {
          touser: userid,
          agentid: Number(this.cfg.agentId),
          msgtype: as,
          [as]: { media_id: mediaId },
          // No duplicate check: asking for the same file twice must show it twice; a retry finds it sent (above).
        });
        break;
      } catch (e) {
        // A media id kept here that WeCom has forgotten: upload once more.
        if (attempt === 0 && e instanceof WecomRefused && e.errcode === INVALID_MEDIA) {
          await this.redis.del(this.keys.media(as, file.sha256, file.name));
          continue;
        }
        throw e;
      }
    }
    const invalid = typeof res.invaliduser === 'string' ? res.invaliduser.split('|') : (res.invaliduser ?? []);
    if (invalid.includes(userid)) throw new PermanentFailure(`${userid} 的企业微信账号无效或不在应用可见范围内（invaliduser）`);
    const ref: SentRef = { platform: 'wecom', messageId: res.msgid ?? taskIdOf(opts.dedupKey), extra: { userid } };
    await this.redis.set(sentKey, JSON.stringify(ref), 'EX', PART_TTL_SECONDS);
    return ref;
  }

  /** The media id of a stored file: the one kept from an earlier upload, else a new upload. */
  private async mediaId(file: OutgoingFile, as: 'image' | 'file'): Promise<string> {
    const key = this.keys.media(as, file.sha256, file.name);
    const kept = await this.redis.get(key);
    if (kept) return kept;
    const bytes = await file.read();
    const res = await this.callForm('上传文件', `media/upload`, { type: as }, () => {
      const form = new FormData();
      form.append('media', new Blob([new Uint8Array(bytes)], { type: file.mime }), file.name);
      return form;
    });
    if (!res.media_id) throw new WecomTransient('上传文件：应答中没有 media_id');
    await this.redis.set(key, res.media_id, 'EX', MEDIA_REUSE_SECONDS);
    return res.media_id;
  }

  /**
   * The bytes of a picture or file a user sent: GET /cgi-bin/media/get?media_id= (a media id lives three days, so
   * this runs as soon as the message comes), streamed. WeCom answers an error as JSON.
   */
  async fetchFile(handle: FileHandle): Promise<FetchedFile> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token();
      const url = `${this.cfg.baseUrl}/cgi-bin/media/get?access_token=${encodeURIComponent(token)}&media_id=${encodeURIComponent(handle.key)}`;
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(Math.max(this.timeoutMs, 5000) * 12) });
      } catch (e) {
        throw new WecomTransient(`取回文件：${(e as Error).name === 'TimeoutError' ? '超时' : (e as Error).message}`);
      }
      if (res.status >= 500 || res.status === 429) {
        await res.body?.cancel();
        throw new WecomTransient(`取回文件：HTTP ${res.status}`);
      }
      // WeCom answers an error as JSON without a file name; a file (even a .json one) comes with its name.
      const type = res.headers.get('content-type') ?? '';
      if (res.headers.has('content-disposition') || !/json|text\/plain/.test(type)) {
        const length = Number(res.headers.get('content-length'));
        return {
          body: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
          name: dispositionName(res.headers.get('content-disposition')),
          mime: type || undefined,
          ...(Number.isFinite(length) && length > 0 ? { size: length } : {}),
        };
      }
      let answer: Answer;
      try {
        answer = JSON.parse(await res.text()) as Answer;
      } catch {
        throw new WecomTransient(`取回文件：HTTP ${res.status}，应答无法读取`);
      }
      if (answer.errcode && TOKEN_ERRORS.has(answer.errcode) && attempt === 0) {
        await this.redis.eval(DROP_TOKEN, 1, this.keys.token, token);
        continue;
      }
      throw this.failure('取回文件', { errcode: answer.errcode ?? -1, errmsg: answer.errmsg });
    }
  }

  /**
   * Redraws a template card: its buttons give way to what was done (已签收). WeCom allows this once per response
   * code (the press's, or the one the send returned), within 72 hours; without one there is nothing to do.
   */
  async update(ref: SentRef, card: Card): Promise<void> {
    const code = ref.extra?.responseCode;
    const userid = ref.extra?.userid;
    if (!code || !userid || card.buttons.length > 0) return;
    try {
      await this.call('更新卡片', 'message/update_template_card', {
        userids: [userid],
        agentid: Number(this.cfg.agentId),
        response_code: code,
        button: { replace_name: outcomeLabel(card, ref.extra?.label) },
      });
    } catch (e) {
      // A response code already used (the press's and the send's both redraw the same card): nothing left to do.
      if (e instanceof PermanentFailure) {
        this.log.info({ task: ref.messageId, err: e.message }, '企业微信卡片未能更新');
        return;
      }
      throw e;
    }
  }

  /** One send from the person's allowance, or wait: WeCom would drop it without a word. */
  private async takeSend(userid: string): Promise<void> {
    const take = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<number>>).duchaWecomTakeSend!;
    const now = this.wallClock();
    const wait = Number(
      await take.call(this.redis, this.keys.sendWindow(userid), now, PER_MINUTE, PER_HOUR, `${now}-${process.pid}-${++this.seq}`),
    );
    if (wait > 0) throw new RateLimited(wait, '企业微信每人每分钟 30 条、每小时 1000 条', 'recipient');
  }

  private async token(): Promise<string> {
    const cached = await this.redis.get(this.keys.token);
    if (cached) return cached;
    const url = `${this.cfg.baseUrl}/cgi-bin/gettoken?corpid=${encodeURIComponent(this.cfg.corpId)}&corpsecret=${encodeURIComponent(this.cfg.secret)}`;
    const res = await this.http('获取 access_token', url);
    if (res.errcode || !res.access_token) throw this.failure('获取 access_token', res);
    // Kept a little less long than WeCom keeps it, and shared by every process.
    const ttl = Math.max(60, (res.expires_in ?? 7200) - 300);
    await this.redis.set(this.keys.token, res.access_token, 'EX', ttl);
    return res.access_token;
  }

  /** One API call, its token replaced once if WeCom refuses it. */
  private async call(what: string, path: string, body: object): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token();
      const res = await this.http(what, `${this.cfg.baseUrl}/cgi-bin/${path}?access_token=${encodeURIComponent(token)}`, body);
      if (!res.errcode) return res;
      if (TOKEN_ERRORS.has(res.errcode) && attempt === 0) {
        await this.redis.eval(DROP_TOKEN, 1, this.keys.token, token);
        continue;
      }
      throw this.failure(what, res);
    }
  }

  /** A multipart upload, its token replaced once if WeCom refuses it (the form is built anew for each try). */
  private async callForm(what: string, path: string, query: Record<string, string>, form: () => FormData): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token();
      const qs = new URLSearchParams({ access_token: token, ...query }).toString();
      let res: Response;
      try {
        res = await fetch(`${this.cfg.baseUrl}/cgi-bin/${path}?${qs}`, { method: 'POST', body: form(), signal: AbortSignal.timeout(Math.max(this.timeoutMs, 5000) * 12) });
      } catch (e) {
        throw new WecomTransient(`${what}：${(e as Error).name === 'TimeoutError' ? '超时' : (e as Error).message}`);
      }
      if (res.status >= 500 || res.status === 429) throw new WecomTransient(`${what}：HTTP ${res.status}`);
      let answer: Answer;
      try {
        answer = (await res.json()) as Answer;
      } catch {
        throw new WecomTransient(`${what}：HTTP ${res.status}，应答不是 JSON`);
      }
      if (!answer.errcode) return answer;
      if (TOKEN_ERRORS.has(answer.errcode) && attempt === 0) {
        await this.redis.eval(DROP_TOKEN, 1, this.keys.token, token);
        continue;
      }
      throw this.failure(what, answer);
    }
  }

  private failure(what: string, res: Answer): Error {
    const code = res.errcode ?? 0;
    if (SLOW_DOWN.has(code)) return new RateLimited(2000, `${what}：企业微信繁忙或限流（${code}）`, 'app');
    if (code === IP_NOT_TRUSTED) {
      const ip = /from ip:\s*([0-9a-fA-F.:]+)/.exec(res.errmsg ?? '')?.[1] ?? '本服务器的出口 IP';
      if (!this.ipWarned) {
        this.ipWarned = true;
        this.log.error(
          { errcode: code, ip },
          `企业微信拒绝了来自 ${ip} 的调用（60020）：请管理员在企业微信管理后台 → 应用管理 → 本应用 → 企业可信IP 中加入 ${ip}`,
        );
      }
      return new PermanentFailure(`${what}失败：服务器 IP ${ip} 不在企业微信应用的可信 IP 列表中`);
    }
    return new WecomRefused(`${what}失败：企业微信错误 ${code} ${res.errmsg ?? ''}`.trim(), code);
  }

  private async http(what: string, url: string, body?: object): Promise<Answer> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: body ? 'POST' : 'GET',
        headers: body ? { 'content-type': 'application/json' } : undefined,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new WecomTransient(`${what}：${(e as Error).name === 'TimeoutError' ? '超时' : (e as Error).message}`);
    }
    if (res.status >= 500 || res.status === 429) throw new WecomTransient(`${what}：HTTP ${res.status}`);
    try {
      return (await res.json()) as Answer;
    } catch {
      throw new WecomTransient(`${what}：HTTP ${res.status}，应答不是 JSON`);
    }
  }
}

/** A template card's task_id: unique per delivery, stable across its retries, of WeCom's characters (≤ 128). */
export function taskIdOf(dedupKey: string): string {
  return dedupKey.replace(/[^A-Za-z0-9_\-@]/g, '_').slice(0, 128);
}

