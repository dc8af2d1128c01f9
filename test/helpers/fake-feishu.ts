// A local fake of Feishu's Open API (token, send, reply, patch, urgent, read receipts, the resources of users' messages,
// image and file uploads) for tests, with failure injection and records.
//
// What @larksuiteoapi/node-sdk 1.74.0 does with the answers (observed in test/fake-feishu.test.ts):
// - Any non-2xx answer (HTTP 400 for 99991400 / 99991661 / 99991663 / 230001, HTTP 429, 5xx) makes
//   the SDK method throw an AxiosError: `e.response.status` is the HTTP status and
//   `e.response.data` the parsed JSON body (`.code`, `.msg`), or the raw string for a non-JSON
//   body (the 502 here answers HTML). `e.response.headers` carries `x-ogw-ratelimit-*`.
// - HTTP 200 with `code != 0` is returned as the body, not thrown: callers must check `code`.
// - The token endpoint answering HTTP 200 without a token (wrong secret: code 10014) makes the
//   call throw a plain Error "failed to get tenant_access_token, code: 10014, msg: …"; nothing is
//   cached. A non-2xx token answer throws the AxiosError itself.
// - After a 99991663 the SDK keeps using its cached token: the caller must evict it (or use a
//   fresh cache) to recover.
// - The default axios instance has no timeout: a 'slow' answer is waited for unless the Client is
//   given an httpInstance with a timeout (then an AxiosError with code ECONNABORTED).
import { FakeApi, listenFake, readBytes, readForm, type FormPart, type Injected } from './fake-api.ts';
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import * as lark from '@larksuiteoapi/node-sdk';

export type FailureKind =
  /** HTTP 500, 502 (HTML body) or 503, in turn (or `status`). */
  | '5xx'
  /** HTTP 400 `{code: 99991400}`: Feishu's usual rate-limit answer. */
  | 'rate'
  /** HTTP 429 `{code: 99991400}`: what some APIs answer instead. */
  | 'rate429'
  /** Revokes the token the request carried, then HTTP 400 `{code: 99991663}`. */
  | 'expired'
  /** Handles the request normally but answers only after `slowMs` (the work is done even if the client gave up). */
  | 'slow'
  /** HTTP 200 with a non-zero code (default 230001, or `code`): the SDK returns it instead of throwing. */
  | 'error200';

export interface FailOptions {
  /** Let the failure hit the token endpoint too (by default only the API routes fail). */
  includeToken?: boolean;
  /** Only requests to this path (e.g. '/open-apis/im/v1/files'); a failure at the head of the queue for another path
   *  waits for a request to its own. */
  path?: string;
  /** For 'slow': how long to hold the answer (default: the fake's slowMs, 3000 ms). */
  slowMs?: number;
  /** For '5xx': the exact status instead of cycling 500/502/503. */
  status?: number;
  /** For 'error200': the code to answer. */
  code?: number;
}

export interface FakeFeishuOptions {
  appId?: string;
  appSecret?: string;
  /** Lifetime of a tenant_access_token, seconds (Feishu: 7200). */
  tokenTtlSec?: number;
  /** Default delay for 'slow' failures. */
  slowMs?: number;
  /** How long a uuid de-duplicates sends (Feishu: 1 h). */
  dedupWindowMs?: number;
  /** Clock for token lifetime and the uuid window. */
  now?: () => number;
}

export interface DeliveredMessage {
  messageId: string;
  /** For a reply: the chat of the replied-to message; receiveIdType is then 'chat_id'. */
  receiveId: string;
  receiveIdType: string;
  chatId: string;
  msgType: string;
  /** The parsed `content` JSON. */
  content: unknown;
  uuid?: string;
  /** For replies: the message replied to. */
  replyTo?: string;
  replyInThread?: boolean;
  at: number;
}

export interface PatchRecord {
  messageId: string;
  content: unknown;
  at: number;
}

export interface UrgentRecord {
  messageId: string;
  channel: 'app' | 'sms' | 'phone';
  userIdType: string;
  userIds: string[];
  at: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The status answered (for 'slow', the one that will be answered). */
  status: number;
  /** Feishu's code in the answer, when JSON. */
  code?: number;
  injected?: FailureKind;
  /** The bearer token the request carried. */
  token?: string;
  at: number;
}

/** A file or image uploaded (POST /open-apis/im/v1/files or /images), as the multipart body carried it. */
export interface UploadRecord {
  kind: 'image' | 'file';
  /** The key answered (image_key / file_key). */
  key: string;
  /** The text fields (image_type; file_type, file_name). */
  fields: Record<string, string>;
  /** The file part: its field name, file name, type and bytes. */
  part: string;
  filename?: string;
  contentType?: string;
  bytes: Buffer;
  at: number;
}

/** A resource of a user's message the bot downloaded (GET …/messages/:id/resources/:key). */
export interface DownloadRecord {
  messageId: string;
  key: string;
  type: string;
  at: number;
}

export interface TokenRequest {
  appId: string;
  ok: boolean;
  token?: string;
  at: number;
}

const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
const RECEIVE_ID_TYPES = new Set(['open_id', 'user_id', 'union_id', 'email', 'chat_id']);
const USER_ID_TYPES = new Set(['open_id', 'user_id', 'union_id']);
/** Feishu re-issues the same token while it has at least this long to live (documentation). */
const TOKEN_REUSE_MS = 30 * 60 * 1000;

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** A binary answer (a resource's bytes), sent as they are. */
  bytes?: Buffer;
}

type Route = (q: Record<string, string>, b: Record<string, unknown>, form?: FormPart[]) => Answer;

const IMAGE_MAX = 10 * 1024 * 1024;
const FILE_MAX = 30 * 1024 * 1024;
const FILE_TYPES = new Set(['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt', 'stream']);
/** The first bytes of the image formats Feishu takes (JPG, PNG, GIF, WEBP's RIFF, BMP): anything else is refused. */
const IMAGE_MAGIC = [[0xff, 0xd8, 0xff], [0x89, 0x50, 0x4e, 0x47], [0x47, 0x49, 0x46], [0x52, 0x49, 0x46, 0x46], [0x42, 0x4d]];

type QueuedFailure = Injected<FailureKind, FailOptions>;

const ok = (data: unknown = {}): Answer => ({ status: 200, body: { code: 0, msg: 'success', data } });
const fail = (status: number, code: number, msg: string): Answer => ({ status, body: { code, msg } });
const invalidParam = (what: string): Answer => fail(400, 99992402, `field validation failed: ${what}`);
const noMessage = (id: string): Answer =>
  fail(400, 230001, `Your request contains an invalid request parameter, ext=invalid message_id: ${id}`);

export class FakeFeishu extends FakeApi<FailureKind, FailOptions> {
  readonly appId: string;
  readonly appSecret: string;
  /** Delivered messages (sends and replies), in order. A failed or de-duplicated request adds none. */
  messages: DeliveredMessage[] = [];
  patches: PatchRecord[] = [];
  urgents: UrgentRecord[] = [];
  /** Every request, token requests included, in arrival order. */
  requests: RequestRecord[] = [];
  tokenRequests: TokenRequest[] = [];
  /** Receivers (receive_id or user id) the bot cannot reach: sends answer 230013, urgents list them as invalid. */
  unreachable = new Set<string>();
  /** Who has read which message (open_ids by message id): see markRead. */
  readers = new Map<string, Set<string>>();
  /** When set, read_users answers as for an app without the permission (99991672): see denyReadUsers. */
  readUsersDenied = false;
  /** Images and files uploaded, in order; and the resources of users' messages downloaded. */
  uploads: UploadRecord[] = [];
  downloads: DownloadRecord[] = [];
  /** The files and pictures users sent, by `<message id>/<key>` (see offerResource). */
  resources = new Map<string, { bytes: Buffer; type: 'image' | 'file'; name?: string; mime: string }>();

  private readonly tokenTtlMs: number;
  private readonly slowMs: number;
  private readonly dedupWindowMs: number;
  private readonly now: () => number;
  private readonly idPrefix = randomBytes(4).toString('hex');
  private seq = 0;
  private tokens = new Map<string, number>(); // token → expires at
  private byUuid = new Map<string, { at: number; data: Record<string, unknown> }>();
  private known = new Map<string, { chatId: string; msgType: string; content: unknown }>();

  private constructor(server: Server, url: string, opts: FakeFeishuOptions) {
    super(server, url);
    this.appId = opts.appId ?? 'cli_a1b2c3d4e5f60718';
    this.appSecret = opts.appSecret ?? 'fake-app-secret';
    this.tokenTtlMs = (opts.tokenTtlSec ?? 7200) * 1000;
    this.slowMs = opts.slowMs ?? 3000;
    this.dedupWindowMs = opts.dedupWindowMs ?? 60 * 60 * 1000;
    this.now = opts.now ?? Date.now;
  }

  static async start(opts: FakeFeishuOptions = {}): Promise<FakeFeishu> {
    let fake: FakeFeishu | undefined;
    const { server, url } = await listenFake('fake-feishu', () => (req, res) => fake!.handle(req, res));
    fake = new FakeFeishu(server, url, opts);
    return fake;
  }

  /** Revoke every token issued so far: requests bearing them get 99991663. */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** Tokens currently valid. */
  validTokens(): string[] {
    const now = this.now();
    return [...this.tokens].filter(([, exp]) => exp > now).map(([t]) => t);
  }

  /** The card/content a message shows now: its last patch, else what was sent. */
  contentOf(messageId: string): unknown {
    return this.known.get(messageId)?.content;
  }

  /** A person (open_id) opens a message: read_users lists them from now on. */
  markRead(messageId: string, openId: string): void {
    let set = this.readers.get(messageId);
    if (!set) this.readers.set(messageId, (set = new Set()));
    set.add(openId);
  }

  /** From now on (or, with false, no longer) read_users answers as Feishu does for an app without the scope. */
  denyReadUsers(on = true): void {
    this.readUsersDenied = on;
  }

  /** Register a message the bot did not send (e.g. a user's message the bot will reply to). */
  seedMessage(chatId: string, content: unknown = { text: '' }, msgType = 'text'): string {
    const id = this.newMessageId();
    this.known.set(id, { chatId, msgType, content });
    return id;
  }

  /** A user sends a picture or a file in message `messageId`: its bytes are there to download under `key`. */
  offerResource(messageId: string, key: string, bytes: Buffer, opts: { type: 'image' | 'file'; name?: string; mime?: string }): void {
    this.resources.set(`${messageId}/${key}`, { bytes, type: opts.type, ...(opts.name ? { name: opts.name } : {}), mime: opts.mime ?? 'application/octet-stream' });
  }

  /** The bytes uploaded under an image_key or file_key. */
  uploaded(key: string): UploadRecord | undefined {
    return this.uploads.find((u) => u.key === key);
  }

  /** Forget everything: records, tokens, uuids, known messages, uploads, resources, failures, unreachable receivers. */
  reset(): void {
    this.uploads = [];
    this.downloads = [];
    this.resources.clear();
    this.messages = [];
    this.patches = [];
    this.urgents = [];
    this.requests = [];
    this.tokenRequests = [];
    this.unreachable.clear();
    this.readers.clear();
    this.readUsersDenied = false;
    this.tokens.clear();
    this.byUuid.clear();
    this.known.clear();
    this.clearFailures();
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    const record: RequestRecord = { method, path, query, status: 0, at: this.now() };
    if (token) record.token = token;
    this.requests.push(record);

    const bytes = await readBytes(req);
    const raw = bytes.toString('utf8');
    const contentType = req.headers['content-type'];
    const multipart = contentType?.toLowerCase().startsWith('multipart/form-data') ?? false;
    const form = multipart ? await readForm(contentType, bytes) : undefined;
    let body: Record<string, unknown> = {};
    let parsedOk = !multipart || form !== undefined;
    if (raw.length > 0 && !multipart) {
      try {
        const v: unknown = JSON.parse(raw);
        if (v && typeof v === 'object' && !Array.isArray(v)) body = v as Record<string, unknown>;
        else parsedOk = false;
      } catch {
        parsedOk = false;
      }
    }

    const isToken = method === 'POST' && path === TOKEN_PATH;
    const route = isToken ? undefined : this.route(method, path);
    let answer: Answer;
    let delayMs = 0;
    if (!isToken && !route) {
      answer = { status: 404, body: '404 page not found' };
    } else {
      const injected = this.draw(isToken, path);
      if (injected) record.injected = injected.kind;
      const authFailure = isToken ? undefined : this.checkAuth(token);
      if (injected && injected.kind !== 'slow' && !(authFailure && injected.kind === 'expired')) {
        answer = this.injectedAnswer(injected, token);
      } else if (authFailure) {
        answer = authFailure;
      } else if (!parsedOk) {
        answer = invalidParam(multipart ? 'request body is not well-formed multipart/form-data' : 'request body is not a JSON object');
      } else {
        answer = isToken ? this.token(body) : route!(query, body, form);
      }
      if (injected?.kind === 'slow') delayMs = injected.opts.slowMs ?? this.slowMs;
    }

    record.status = answer.status;
    const code = (answer.body as { code?: unknown } | null)?.code;
    if (typeof code === 'number') record.code = code;
    const send = () => {
      if (res.destroyed) return;
      if (answer.bytes) {
        res.writeHead(answer.status, { 'content-length': String(answer.bytes.length), ...answer.headers });
        res.end(answer.bytes);
        return;
      }
      const isJson = typeof answer.body !== 'string';
      res.writeHead(answer.status, {
        'content-type': isJson ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
        'x-tt-logid': `fake${this.idPrefix}${this.requests.length}`,
        ...answer.headers,
      });
      res.end(isJson ? JSON.stringify(answer.body) : (answer.body as string));
    };
    this.answerAfter(delayMs, send);
  }

  private route(method: string, path: string): Route | undefined {
    if (method === 'POST' && path === '/open-apis/im/v1/messages') return (q, b) => this.create(q, b);
    if (method === 'POST' && path === '/open-apis/im/v1/images') return (_q, _b, form) => this.upload('image', form);
    if (method === 'POST' && path === '/open-apis/im/v1/files') return (_q, _b, form) => this.upload('file', form);
    const r = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(path);
    if (r && method === 'GET') return (q) => this.resource(decodeURIComponent(r[1]!), decodeURIComponent(r[2]!), q);
    const m = /^\/open-apis\/im\/v1\/messages\/([^/]+)(?:\/([a-z_]+))?$/.exec(path);
    if (!m) return undefined;
    const id = decodeURIComponent(m[1]!);
    const sub = m[2];
    if (method === 'POST' && sub === 'reply') return (_q, b) => this.reply(id, b);
    if (method === 'PATCH' && sub === undefined) return (_q, b) => this.patch(id, b);
    if (method === 'GET' && sub === 'read_users') return (q) => this.readUsers(id, q);
    if (method === 'PATCH' && (sub === 'urgent_app' || sub === 'urgent_sms' || sub === 'urgent_phone')) {
      const channel = sub.slice('urgent_'.length) as UrgentRecord['channel'];
      return (q, b) => this.urgent(id, channel, q, b);
    }
    return undefined;
  }

  private draw(isToken: boolean, path: string): QueuedFailure | undefined {
    // A token request fails only when asked to (includeToken), and never as 'expired'; a failure for a path only there.
    const onPath = (opts: FailOptions) => opts.path === undefined || opts.path === path;
    return this.failures.draw(
      (kind, opts) => (!isToken || (opts.includeToken === true && kind !== 'expired')) && onPath(opts),
      false,
      (opts) => (!isToken || opts.includeToken === true) && onPath(opts),
    );
  }

  private injectedAnswer(f: QueuedFailure, token: string | undefined): Answer {
    const rateHeaders = { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': '1' };
    switch (f.kind) {
      case '5xx': {
        const status = f.opts.status ?? this.failures.nextStatus();
        if (status === 502) return { status, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' };
        return fail(status, 2200, status === 503 ? 'Service Unavailable' : 'Internal Error');
      }
      case 'rate':
        return { ...fail(400, 99991400, 'request trigger frequency limit'), headers: rateHeaders };
      case 'rate429':
        return { ...fail(429, 99991400, 'request trigger frequency limit'), headers: rateHeaders };
      case 'expired':
        if (token) this.tokens.delete(token);
        return this.checkAuth(token) ?? fail(400, 99991663, 'Invalid access token for authorization.');
      case 'error200':
        return { status: 200, body: { code: f.opts.code ?? 230001, msg: 'injected error with HTTP 200' } };
      case 'slow':
        throw new Error('unreachable: slow is not an error answer');
    }
  }

  private checkAuth(token: string | undefined): Answer | undefined {
    if (!token) {
      return fail(400, 99991661, 'Missing access token for authorization. Please make a request with token attached.');
    }
    const exp = this.tokens.get(token);
    if (exp === undefined || exp <= this.now()) {
      return fail(400, 99991663, 'Invalid access token for authorization. Please make a request with token attached.');
    }
    return undefined;
  }

  // ---- routes ----

  private token(b: Record<string, unknown>): Answer {
    const appId = typeof b.app_id === 'string' ? b.app_id : '';
    const at = this.now();
    const refuse = (code: number, msg: string): Answer => {
      this.tokenRequests.push({ appId, ok: false, at });
      return { status: 200, body: { code, msg } };
    };
    if (!appId || typeof b.app_secret !== 'string' || !b.app_secret) return refuse(10003, 'invalid param');
    if (appId !== this.appId) return refuse(10014, 'app id not exists');
    if (b.app_secret !== this.appSecret) return refuse(10014, 'app secret invalid');
    // Feishu hands back the current token while it has >= 30 min left, else a new one.
    let token: string | undefined;
    let exp = 0;
    for (const [t, e] of this.tokens) {
      if (e - at >= TOKEN_REUSE_MS && e > exp) [token, exp] = [t, e];
    }
    if (!token) {
      token = `t-g1044${randomBytes(16).toString('hex')}`;
      exp = at + this.tokenTtlMs;
      this.tokens.set(token, exp);
    }
    this.tokenRequests.push({ appId, ok: true, token, at });
    return {
      status: 200,
      body: { code: 0, msg: 'ok', tenant_access_token: token, expire: Math.floor((exp - at) / 1000) },
    };
  }

  private create(q: Record<string, string>, b: Record<string, unknown>): Answer {
    const receiveIdType = q.receive_id_type;
    if (!receiveIdType || !RECEIVE_ID_TYPES.has(receiveIdType)) return invalidParam('receive_id_type');
    if (typeof b.receive_id !== 'string' || !b.receive_id) return invalidParam('receive_id');
    const receiveId = b.receive_id;
    const chatId = receiveIdType === 'chat_id' ? receiveId : `oc_${hash(`${receiveIdType}:${receiveId}`)}`;
    if (this.unreachable.has(receiveId)) return fail(400, 230013, 'Bot has NO availability to this user.');
    return this.deliver(b, { receiveId, receiveIdType, chatId });
  }

  private reply(replyTo: string, b: Record<string, unknown>): Answer {
    if (!replyTo.startsWith('om_')) return noMessage(replyTo);
    // Replies usually target users' messages, which the fake never saw: any om_ id is accepted.
    const chatId = this.known.get(replyTo)?.chatId ?? `oc_${hash(`reply:${replyTo}`)}`;
    const extra: Partial<DeliveredMessage> = { replyTo };
    if (b.reply_in_thread === true) extra.replyInThread = true;
    return this.deliver(b, { receiveId: chatId, receiveIdType: 'chat_id', chatId, ...extra });
  }

  private deliver(
    b: Record<string, unknown>,
    to: Pick<DeliveredMessage, 'receiveId' | 'receiveIdType' | 'chatId' | 'replyTo' | 'replyInThread'>,
  ): Answer {
    if (typeof b.msg_type !== 'string' || !b.msg_type) return invalidParam('msg_type');
    const content = parseContent(b.content);
    if (content === undefined) return invalidParam('content must be a JSON string');
    // An image or file message names what was uploaded, of its own kind.
    if (b.msg_type === 'image' || b.msg_type === 'file') {
      const key = (content as Record<string, unknown> | null)?.[`${b.msg_type}_key`];
      if (typeof key !== 'string' || this.uploaded(key)?.kind !== b.msg_type) return invalidParam(`content.${b.msg_type}_key (not uploaded)`);
    }
    const uuid = b.uuid;
    if (uuid !== undefined && (typeof uuid !== 'string' || uuid.length > 50)) return invalidParam('uuid (max 50 chars)');
    const at = this.now();
    if (uuid) {
      const seen = this.byUuid.get(uuid);
      if (seen && at - seen.at < this.dedupWindowMs) return ok(seen.data);
    }
    const messageId = this.newMessageId();
    const data: Record<string, unknown> = {
      message_id: messageId,
      root_id: to.replyTo ?? '',
      parent_id: to.replyTo ?? '',
      msg_type: b.msg_type,
      create_time: String(at),
      update_time: String(at),
      deleted: false,
      updated: false,
      chat_id: to.chatId,
      sender: { id: this.appId, id_type: 'app_id', sender_type: 'app', tenant_key: 'fake_tenant' },
      body: { content: b.content },
    };
    if (uuid) this.byUuid.set(uuid, { at, data });
    this.known.set(messageId, { chatId: to.chatId, msgType: b.msg_type, content });
    const rec: DeliveredMessage = { messageId, ...to, msgType: b.msg_type, content, at };
    if (uuid) rec.uuid = uuid;
    this.messages.push(rec);
    return ok(data);
  }

  private patch(messageId: string, b: Record<string, unknown>): Answer {
    const msg = this.known.get(messageId);
    if (!msg) return noMessage(messageId);
    const content = parseContent(b.content);
    if (content === undefined) return invalidParam('content must be a JSON string');
    if (msg.msgType !== 'interactive') return fail(400, 230001, 'only interactive (card) messages can be patched');
    msg.content = content;
    this.patches.push({ messageId, content, at: this.now() });
    return ok();
  }

  private urgent(
    messageId: string,
    channel: UrgentRecord['channel'],
    q: Record<string, string>,
    b: Record<string, unknown>,
  ): Answer {
    const userIdType = q.user_id_type;
    if (!userIdType || !USER_ID_TYPES.has(userIdType)) return invalidParam('user_id_type');
    const list = b.user_id_list;
    if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string')) {
      return invalidParam('user_id_list');
    }
    if (!this.known.has(messageId)) return noMessage(messageId);
    const userIds = list as string[];
    this.urgents.push({ messageId, channel, userIdType, userIds, at: this.now() });
    return ok({ invalid_user_id_list: userIds.filter((u) => this.unreachable.has(u)) });
  }

  /**
   * GET …/read_users: the readers of a message, as Feishu pages them (page_size 1–100, default 20; has_more and an
   * opaque page_token). 99991672 (HTTP 400) under denyReadUsers, 230001 for a message the fake never saw.
   */
  private readUsers(messageId: string, q: Record<string, string>): Answer {
    if (this.readUsersDenied) {
      return fail(400, 99991672, 'Access denied. One of the following scopes is required: [im:message, im:message:readonly]');
    }
    // The fake knows readers by open_id only: other id types (which Feishu accepts) are refused rather than faked.
    if (q.user_id_type !== 'open_id') return invalidParam('user_id_type (the fake answers open_id only)');
    const size = q.page_size === undefined ? 20 : Number(q.page_size);
    if (!Number.isInteger(size) || size < 1 || size > 100) return invalidParam('page_size');
    let from = 0;
    if (q.page_token) {
      const m = /^rp_(\d+)$/.exec(q.page_token);
      if (!m) return invalidParam('page_token');
      from = Number(m[1]);
    }
    if (!this.known.has(messageId)) return noMessage(messageId);
    const all = [...(this.readers.get(messageId) ?? [])];
    const items = all
      .slice(from, from + size)
      .map((id) => ({ user_id_type: 'open_id', user_id: id, timestamp: String(this.now()), tenant_key: 'fake_tenant' }));
    const more = from + size < all.length;
    return ok(more ? { items, has_more: true, page_token: `rp_${from + size}` } : { items, has_more: false });
  }

  /**
   * POST /open-apis/im/v1/images (image_type=message, image: a picture of at most 10 MB) or /files (file_type,
   * file_name, file: at most 30 MB), multipart; never empty. Answers the new image_key or file_key.
   */
  private upload(kind: 'image' | 'file', form: FormPart[] | undefined): Answer {
    if (!form) return invalidParam('multipart/form-data body');
    const fields = Object.fromEntries(form.filter((p) => p.value !== undefined).map((p) => [p.name, p.value!]));
    const fileField = kind === 'image' ? 'image' : 'file';
    const part = form.find((p) => p.name === fileField && p.bytes !== undefined);
    if (!part?.bytes) return invalidParam(`${fileField} (a file part)`);
    if (part.bytes.length === 0) return fail(400, 234010, 'File cannot be empty.');
    if (kind === 'image') {
      if (fields.image_type !== 'message' && fields.image_type !== 'avatar') return invalidParam('image_type');
      if (part.bytes.length > IMAGE_MAX) return fail(400, 234006, 'The file size exceed the max value.');
      if (!IMAGE_MAGIC.some((m) => m.every((b, i) => part.bytes![i] === b))) return fail(400, 234011, "Can't regonize the image format.");
    } else {
      if (!FILE_TYPES.has(fields.file_type ?? '')) return invalidParam('file_type');
      if (!fields.file_name) return invalidParam('file_name');
      if (part.bytes.length > FILE_MAX) return fail(400, 234006, 'The file size exceed the max value.');
    }
    const key = `${kind === 'image' ? 'img' : 'file'}_v3_${this.idPrefix}${(this.uploads.length + 1).toString(16).padStart(8, '0')}`;
    const rec: UploadRecord = { kind, key, fields, part: part.name, bytes: part.bytes, at: this.now() };
    if (part.filename) rec.filename = part.filename;
    if (part.contentType) rec.contentType = part.contentType;
    this.uploads.push(rec);
    return ok(kind === 'image' ? { image_key: key } : { file_key: key });
  }

  /** GET …/messages/:message_id/resources/:key?type=image|file: the bytes a user sent, or 234003 for none there. */
  private resource(messageId: string, key: string, q: Record<string, string>): Answer {
    if (q.type !== 'image' && q.type !== 'file') return invalidParam('type');
    const r = this.resources.get(`${messageId}/${key}`);
    if (!r || r.type !== q.type) return fail(400, 234003, 'File not in msg.');
    this.downloads.push({ messageId, key, type: q.type, at: this.now() });
    const name = r.name ?? key;
    return {
      status: 200,
      body: null,
      bytes: r.bytes,
      headers: {
        'content-type': r.mime,
        'content-disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      },
    };
  }

  private newMessageId(): string {
    this.seq += 1;
    return `om_${this.idPrefix}${this.seq.toString(16).padStart(24, '0')}`;
  }
}

/** A fresh token cache for a lark.Client, so Clients in tests don't share the SDK's process-wide one. */
export class MemoryCache implements lark.Cache {
  readonly values = new Map<string, { value: unknown; expiresAt?: number }>();

  private key(key: string | symbol | Symbol, namespace?: string): string {
    return `${namespace ?? ''}/${String(key)}`;
  }

  async get(key: string | Symbol, options?: { namespace?: string }): Promise<any> {
    const hit = this.values.get(this.key(key, options?.namespace));
    if (!hit) return undefined;
    if (hit.expiresAt !== undefined && hit.expiresAt <= Date.now()) return undefined;
    return hit.value;
  }

  async set(key: string | Symbol, value: any, expire?: number, options?: { namespace?: string }): Promise<boolean> {
    const entry: { value: unknown; expiresAt?: number } = { value };
    if (expire !== undefined) entry.expiresAt = expire;
    this.values.set(this.key(key, options?.namespace), entry);
    return true;
  }

  clear(): void {
    this.values.clear();
  }
}

const silent: lark.Logger = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

/** A real SDK Client aimed at the fake, with its own token cache and a silent logger. */
export function fakeClient(
  fake: FakeFeishu,
  extra: Partial<ConstructorParameters<typeof lark.Client>[0]> = {},
): lark.Client {
  return new lark.Client({
    appId: fake.appId,
    appSecret: fake.appSecret,
    domain: fake.url,
    disableTokenCache: false,
    cache: new MemoryCache(),
    logger: silent,
    ...extra,
  });
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

function parseContent(content: unknown): unknown {
  if (typeof content !== 'string') return undefined;
  try {
    return JSON.parse(content) as unknown;
  } catch {
    return undefined;
  }
}

