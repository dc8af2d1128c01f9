// Sends, replies and redraws cards in Feishu through the SDK Client, and maps Feishu's failures onto
// what the delivery worker understands: slow down, retry, or give up.
import type * as lark from '@larksuiteoapi/node-sdk';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Person } from '../../directory/directory.ts';
import type { FileHandle, ReplyTarget } from '../../chat/event.ts';
import type { Card, Message } from '../../chat/message.ts';
import type { FetchedFile, FileTarget, OutgoingFile, PlatformAdapter, SendOptions, SentRef } from '../../delivery/adapter.ts';
import { PermanentFailure, RateLimited } from '../../delivery/errors.ts';
import { dispositionName } from '../../http/content-disposition.ts';
import type { RedisTokenCache } from './client.ts';
import { feishuFileType, feishuSendAs, UPLOAD_REUSE_SECONDS } from './files.ts';
import { toFeishuCard, toFeishuContent } from './render.ts';
import { splitText } from '../../chat/split-text.ts';

const TOKEN_ERRORS = new Set([99991661, 99991663, 99991668]);
/** Bytes of text per message: Feishu's limit is 150 KB a request, and the JSON around it and its escaping need room. */
const TEXT_PART_BYTES = 100_000;
const RATE_LIMITED = 99991400;
/** Feishu allows 5 messages a second to one user, and 5 a second into one group (shared by its bots). */
const PER_RECIPIENT_PER_SECOND = 5;
/** And 1000 messages a minute per app (the queue's own limiter keeps to 50 a second, which alone allows 3000). */
const PER_APP_PER_MINUTE = 1000;

interface FeishuAnswer {
  code?: number;
  msg?: string;
  data?: { message_id?: string; image_key?: string; file_key?: string };
}

/** Where the file API is (it is called directly, with the tenant token, for streaming and multipart bodies). */
export interface FeishuFileOptions {
  baseUrl: string;
  /** Bound of one download or upload (a 30 MB file takes longer than a message). */
  timeoutMs: number;
}

/** What read_users answers (GET …/messages/:message_id/read_users). */
interface ReadUsersAnswer {
  data?: { items?: { user_id: string }[]; has_more?: boolean; page_token?: string };
}

/** Read receipts are paged 100 at a time: past this many pages (1000 readers) the answer is "cannot tell". */
const MAX_READ_PAGES = 10;

/** A retryable failure: 5xx, a timeout, a dropped connection. BullMQ backs off and tries again. */
export class FeishuTransient extends Error {
  override name = 'FeishuTransient';
}

export class FeishuAdapter implements PlatformAdapter {
  readonly platform = 'feishu' as const;

  constructor(
    private readonly client: lark.Client,
    private readonly tokens: RedisTokenCache,
    private readonly appId: string,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly fetchToken: () => Promise<{ token: string; expireAtMs: number }>,
    /** Wall time for the per-second limit (not the business clock: Feishu counts real seconds). */
    private readonly wallClock: () => number = Date.now,
    private readonly files: FeishuFileOptions = { baseUrl: 'https://open.feishu.cn', timeoutMs: 120_000 },
  ) {}

  async send(to: Person, message: Message, opts: SendOptions): Promise<SentRef> {
    const openId = to.feishu?.open_id;
    const receiveId = openId ?? to.feishu?.user_id;
    if (!receiveId) throw new PermanentFailure(`${to.name} 没有飞书账号`);
    const messageId = await this.create('发送消息', openId ? 'open_id' : 'user_id', receiveId, message, opts);
    if (opts.urgent && openId) {
      // 加急 is a bonus: the message is already delivered (and uuid-deduplicated on a retry).
      await this.call('加急', () =>
        this.client.im.message.urgentApp({
          path: { message_id: messageId },
          params: { user_id_type: 'open_id' },
          data: { user_id_list: [openId] },
        }),
      ).catch(() => undefined);
    }
    return { platform: 'feishu', messageId };
  }

  async reply(to: ReplyTarget, message: Message, opts: SendOptions): Promise<SentRef> {
    return { platform: 'feishu', messageId: await this.create('回复消息', 'chat_id', to.chatId, message, opts) };
  }

  /** One message, within Feishu's limits, with a uuid so that a retry is shown once; its message_id. */
  private async create(
    what: string,
    idType: 'open_id' | 'user_id' | 'chat_id',
    receiveId: string,
    message: Message,
    opts: SendOptions,
  ): Promise<string> {
    // Feishu takes at most 150 KB of text in one request: a longer text goes in numbered parts, each with its own
    // uuid, so a retry shows none of them twice. (Cards are shortened to fit by render.ts.)
    const parts = message.kind === 'text' ? splitText(message.text, TEXT_PART_BYTES) : [undefined];
    return this.createParts(
      what,
      idType,
      receiveId,
      parts.map((part) => toFeishuContent(part === undefined ? message : { kind: 'text', text: part })),
      opts,
    );
  }

  /** Messages of any type in order, each its own uuid (numbered when several); the last one's message_id. */
  private async createParts(
    what: string,
    idType: 'open_id' | 'user_id' | 'chat_id',
    receiveId: string,
    parts: { msg_type: string; content: string }[],
    opts: SendOptions,
  ): Promise<string> {
    let messageId: string | undefined;
    for (const [i, { msg_type, content }] of parts.entries()) {
      await this.perRecipientLimit(receiveId);
      await this.perAppLimit();
      const uuid = uuidOf(parts.length > 1 ? `${opts.dedupKey}.${i}` : opts.dedupKey);
      const res = await this.call(what, () =>
        this.client.im.message.create({
          params: { receive_id_type: idType },
          data: { receive_id: receiveId, msg_type, content, uuid },
        }),
      );
      messageId = res.data?.message_id;
      if (!messageId) throw new FeishuTransient('message create answered without a message_id');
    }
    return messageId!;
  }

  /**
   * A stored file as a Feishu image or file message: uploaded once (POST /open-apis/im/v1/images or /files, multipart;
   * the key kept a day per file, so a retry or a second request does not upload it again), then sent with a uuid
   * (a retry does not show it twice). Too large for Feishu: FileTooLarge, before anything is uploaded.
   */
  async sendFile(to: FileTarget, file: OutgoingFile, opts: SendOptions): Promise<SentRef> {
    const as = feishuSendAs(file);
    let idType: 'open_id' | 'user_id' | 'chat_id' = 'chat_id';
    let receiveId: string | undefined;
    if ('chat' in to) receiveId = to.chat.chatId;
    else {
      const openId = to.person.feishu?.open_id;
      receiveId = openId ?? to.person.feishu?.user_id;
      idType = openId ? 'open_id' : 'user_id';
      if (!receiveId) throw new PermanentFailure(`${to.person.name} 没有飞书账号`);
    }
    const key = await this.upload(file, as);
    const content = JSON.stringify(as === 'image' ? { image_key: key } : { file_key: key });
    return { platform: 'feishu', messageId: await this.createParts('发送文件', idType, receiveId, [{ msg_type: as, content }], opts) };
  }

  /** The image_key or file_key of a stored file: the one kept from an earlier upload, else a new upload. */
  private async upload(file: OutgoingFile, as: 'image' | 'file'): Promise<string> {
    const cacheKey = `${this.prefix}:feishu:upload:${this.appId}:${as}:${file.sha256}:${createHash('sha256').update(file.name).digest('hex').slice(0, 16)}`;
    const kept = await this.redis.get(cacheKey);
    if (kept) return kept;
    const bytes = await file.read();
    const blob = new Blob([new Uint8Array(bytes)], { type: file.mime });
    const form = () => {
      const f = new FormData();
      if (as === 'image') {
        f.append('image_type', 'message');
        f.append('image', blob, file.name);
      } else {
        f.append('file_type', feishuFileType(file.name));
        f.append('file_name', file.name);
        f.append('file', blob, file.name);
      }
      return f;
    };
    const { json } = await this.fileCall(as === 'image' ? '上传图片' : '上传文件', `/open-apis/im/v1/${as === 'image' ? 'images' : 'files'}`, () => ({
      method: 'POST',
      body: form(),
    }));
    const key = as === 'image' ? json?.data?.image_key : json?.data?.file_key;
    if (!key) throw new FeishuTransient(`上传${as === 'image' ? '图片' : '文件'}：应答中没有 ${as}_key`);
    await this.redis.set(cacheKey, key, 'EX', UPLOAD_REUSE_SECONDS);
    return key;
  }

  /**
   * The bytes of a file or image a user sent: GET /open-apis/im/v1/messages/:message_id/resources/:key?type=image|file
   * (the app needs im:resource or im:message; see docs/feishu.md), streamed.
   */
  async fetchFile(handle: FileHandle): Promise<FetchedFile> {
    if (!handle.messageId) throw new PermanentFailure('飞书文件缺少消息 ID');
    const path = `/open-apis/im/v1/messages/${encodeURIComponent(handle.messageId)}/resources/${encodeURIComponent(handle.key)}?type=${handle.image ? 'image' : 'file'}`;
    const { res } = await this.fileCall('取回文件', path, () => ({ method: 'GET' }), true);
    const length = Number(res.headers.get('content-length'));
    return {
      body: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
      name: dispositionName(res.headers.get('content-disposition')),
      mime: res.headers.get('content-type') ?? undefined,
      ...(Number.isFinite(length) && length > 0 ? { size: length } : {}),
    };
  }

  /**
   * One call of the file API with the tenant token, its failures mapped as `call` maps the SDK's: a JSON answer must
   * have code 0 (returned parsed); a download (`binary`) that succeeds is returned unread for the caller to stream,
   * whatever its type (a user may send a .json file; Feishu's errors come with a 4xx or 5xx).
   */
  private async fileCall(what: string, path: string, init: () => RequestInit, binary = false, retried = false): Promise<{ res: Response; json?: FeishuAnswer }> {
    let token = await this.tokens.peekTenantToken(this.appId);
    if (!token) {
      await this.refreshToken(undefined);
      token = await this.tokens.peekTenantToken(this.appId);
    }
    let res: Response;
    try {
      const req = init();
      res = await fetch(`${this.files.baseUrl}${path}`, {
        ...req,
        headers: { ...(req.headers as Record<string, string> | undefined), Authorization: `Bearer ${token ?? ''}` },
        signal: AbortSignal.timeout(this.files.timeoutMs),
      });
    } catch (e) {
      throw new FeishuTransient(`${what}：${(e as Error).name === 'TimeoutError' ? '超时' : (e as Error).message}`);
    }
    const isJson = (res.headers.get('content-type') ?? '').includes('json');
    if (res.ok && (binary || !isJson)) return { res };
    let json: FeishuAnswer | undefined;
    try {
      json = isJson ? ((await res.json()) as FeishuAnswer) : undefined;
      if (!isJson) await res.body?.cancel();
    } catch {
      json = undefined;
    }
    const code = json?.code;
    if (res.ok && code === 0) return { res, json };
    if (code === RATE_LIMITED || res.status === 429) {
      throw new RateLimited(retryAfterMs(Object.fromEntries(res.headers)), `${what}：飞书限流`);
    }
    if (code !== undefined && TOKEN_ERRORS.has(code)) {
      if (retried) throw new FeishuTransient(`${what}：访问凭证无效（${code}）`);
      await this.refreshToken(token);
      return this.fileCall(what, path, init, binary, true);
    }
    if (res.status >= 500 || (res.ok && code === undefined)) throw new FeishuTransient(`${what}：HTTP ${res.status}`);
    throw new PermanentFailure(`${what}失败：飞书错误 ${code ?? res.status} ${json?.msg ?? ''}`.trim());
  }

  async update(ref: SentRef, card: Card): Promise<void> {
    await this.call('更新卡片', () =>
      this.client.im.message.patch({ path: { message_id: ref.messageId }, data: { content: JSON.stringify(toFeishuCard(card)) } }),
    );
  }

  /**
   * Whether the person has opened a message the bot sent them, from its read receipts
   * (GET /open-apis/im/v1/messages/:message_id/read_users?user_id_type=open_id, paged by has_more/page_token).
   * Feishu answers only for the bot's own messages of the last 7 days; the app needs any one of the scopes
   * im:message, im:message:readonly or im:message:basic (optional: sending needs im:message:send_as_bot only; see docs/feishu.md).
   * Any failure gives undefined — no permission (99991672 / 99991679), message too old or deleted (230110), an
   * unknown message (230001), HTTP errors, timeouts, rate limits — and so does a person without an open_id or a
   * list longer than MAX_READ_PAGES pages: better say nothing than guess. (The adapter has no logger of its own;
   * the caller decides what an undefined is worth.)
   */
  async readStatus(ref: SentRef, viewer: Person): Promise<'read' | 'unread' | undefined> {
    const openId = viewer.feishu?.open_id;
    if (!openId) return undefined;
    try {
      let pageToken: string | undefined;
      for (let page = 0; page < MAX_READ_PAGES; page++) {
        const res = (await this.call('查询已读', () =>
          this.client.im.message.readUsers({
            path: { message_id: ref.messageId },
            params: { user_id_type: 'open_id', page_size: 100, ...(pageToken ? { page_token: pageToken } : {}) },
          }),
        )) as ReadUsersAnswer;
        const data = res.data;
        if (data?.items?.some((i) => i.user_id === openId)) return 'read';
        if (!data?.has_more) return 'unread';
        // More readers, but no way to ask for them: cannot tell.
        if (!data.page_token) return undefined;
        pageToken = data.page_token;
      }
      return undefined;
    } catch {
      return undefined;
    }
  }

  /** One call with Feishu's two ways of failing (thrown HTTP errors and code≠0 answers) mapped. */
  private async call(what: string, fn: () => Promise<unknown>, retriedToken = false): Promise<FeishuAnswer> {
    let res: FeishuAnswer;
    const token = await this.tokens.peekTenantToken(this.appId);
    try {
      res = ((await fn()) ?? {}) as FeishuAnswer;
    } catch (e) {
      const err = e as { response?: { status?: number; data?: FeishuAnswer; headers?: Record<string, string> }; code?: string; message?: string };
      const status = err.response?.status;
      const code = err.response?.data?.code;
      if (code === RATE_LIMITED || status === 429) throw new RateLimited(retryAfterMs(err.response?.headers), `${what}：飞书限流`);
      if (code !== undefined && TOKEN_ERRORS.has(code)) return this.afterTokenError(what, fn, retriedToken, code, token);
      if (status === undefined || status >= 500) throw new FeishuTransient(`${what}：${status ? `HTTP ${status}` : (err.code ?? err.message ?? '网络错误')}`);
      throw new PermanentFailure(`${what}失败：飞书错误 ${code ?? status} ${err.response?.data?.msg ?? ''}`.trim());
    }
    if (res.code === undefined || res.code === 0) return res;
    if (res.code === RATE_LIMITED) throw new RateLimited(1000, `${what}：飞书限流`);
    if (TOKEN_ERRORS.has(res.code)) return this.afterTokenError(what, fn, retriedToken, res.code, token);
    throw new PermanentFailure(`${what}失败：飞书错误 ${res.code} ${res.msg ?? ''}`.trim());
  }

  /** The token was revoked or expired: replace it for every process, and try once more with the new one. */
  private async afterTokenError(
    what: string,
    fn: () => Promise<unknown>,
    retried: boolean,
    code: number,
    failed: string | undefined,
  ): Promise<FeishuAnswer> {
    if (retried) throw new FeishuTransient(`${what}：访问凭证无效（${code}）`);
    await this.refreshToken(failed);
    return this.call(what, fn, true);
  }

  private refreshing: Promise<void> | undefined;

  /** One refresh at a time in this process: concurrent failures wait for the same new token. */
  private async refreshToken(failed: string | undefined): Promise<void> {
    this.refreshing ??= (async () => {
      // Another process (or an earlier refresh here) may have replaced it already: nothing to do then.
      if ((await this.tokens.peekTenantToken(this.appId)) !== failed && failed !== undefined) return;
      const { token, expireAtMs } = await this.fetchToken();
      await this.tokens.replaceTenantToken(this.appId, failed, token, expireAtMs);
    })().finally(() => {
      this.refreshing = undefined;
    });
    await this.refreshing;
  }


  /**
   * Counts one more in a window counter that expires on its own (increment and expiry in one step). The windows are
   * this adapter's own keys (listed in src/store/keys.ts): `<prefix>:rl:feishu:app:<app id>:<minute>` and
   * `<prefix>:rl:feishu:<receive id>:<second>`.
   */
  private async countIn(key: string, ttlSeconds: number): Promise<number> {
    const [[, n]] = (await this.redis.multi().incr(key).expire(key, ttlSeconds).exec()) as [[unknown, number], unknown];
    return n;
  }

  /** Past 1000 messages in a minute, the whole queue waits for the next minute. */
  async perAppLimit(): Promise<void> {
    const now = this.wallClock();
    const key = `${this.prefix}:rl:feishu:app:${this.appId}:${Math.floor(now / 60_000)}`;
    const n = await this.countIn(key, 120);
    if (n > PER_APP_PER_MINUTE) throw new RateLimited(60_000 - (now % 60_000) + 10, '飞书每个应用每分钟 1000 条', 'app');
  }

  /** Feishu drops a sixth message to one user, or into one chat, within a second: the sixth waits for the next second. */
  async perRecipientLimit(receiveId: string): Promise<void> {
    const now = this.wallClock();
    const second = Math.floor(now / 1000);
    const key = `${this.prefix}:rl:feishu:${receiveId}:${second}`;
    const n = await this.countIn(key, 2);
    if (n > PER_RECIPIENT_PER_SECOND) throw new RateLimited(1000 - (now % 1000) + 10, '飞书单个用户或群每秒 5 条', 'recipient');
  }
}

/** Feishu's uuid is at most 50 characters; our delivery job ids are shorter and stable per delivery. */
function uuidOf(key: string): string {
  return key.slice(0, 50);
}

function retryAfterMs(headers: Record<string, string> | undefined): number {
  const reset = Number(headers?.['x-ogw-ratelimit-reset']);
  return Number.isFinite(reset) && reset > 0 ? Math.min(reset * 1000, 60_000) : 1000;
}
